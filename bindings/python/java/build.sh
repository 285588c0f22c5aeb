#!/usr/bin/env bash
# Builds stepstone's Spark UDF jar (stepstone.spark's default sampling route) into the Python
# package, where the wheel picks it up: bindings/python/python/stepstone/jars/stepstone-spark.jar.
# Needs javac (Debian: openjdk-17-jdk-headless) and PySpark's jars to compile against (the
# UDF2 interface): the interpreter given as $1 (default python3) must import pyspark.
# Java 8 bytecode, so the jar loads on every JVM Spark 3.5 and 4 run on. A few seconds.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
py=${1:-python3}
out=$here/../python/stepstone/jars
jars=$("$py" -c 'import os, pyspark; print(os.path.join(os.path.dirname(pyspark.__file__), "jars"))')
classes=$(mktemp -d)
trap 'rm -rf "$classes"' EXIT
javac -nowarn -Xlint:-options --release 8 -cp "$jars/*" -d "$classes" "$here"/stepstone/spark/*.java
mkdir -p "$out"
# A fixed timestamp keeps the jar the same bytes for the same source.
find "$classes" -exec touch -d '2026-01-01 00:00:00 UTC' {} +
(cd "$classes" && jar --create --date=2026-01-01T00:00:00Z --file "$out/stepstone-spark.jar" stepstone)
echo "$out/stepstone-spark.jar"
