#!/usr/bin/env bash
# stepstone.spark and stepstone.arrow inside Apache Spark, local mode (local[2]): every row's
# answer equals the core's (bindings/python/tests_spark). Uses the wheel scripts/test-python.sh
# installed in the virtualenv (builds it if the installed one has no stepstone.spark) and Java 17
# (scripts/setup-python.sh installs both, and javac for the UDF jar the wheel carries). A few
# minutes on a 2-core machine. The sampling tests run every route: the Java UDF (the session
# has the jar), the Spark SQL expression, method="arrow" (mapInArrow) and method="arrow_udf".
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
root=$PWD
py=${STEPSTONE_VENV:-$root/.venv}/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="$(dirname "$py"):$PATH"
# Executors start this interpreter (the one with the wheel and pyarrow), not python3 from PATH.
export PYSPARK_PYTHON="$py" PYSPARK_DRIVER_PYTHON="$py"

wheel() {
  if ! (cd "$work" && "$py" -c 'import os, stepstone.spark as s, stepstone._native as n; n._column_sample, n.SamplingPlan.positions_below; assert os.path.isfile(s.jar_path())') 2>/dev/null; then
    bash bindings/python/java/build.sh "$py"
    "$py" -m maturin build --release --zig --compatibility manylinux2014 \
      -m bindings/python/Cargo.toml -o "$work/wheels"
    "$py" -m pip install -q --force-reinstall --no-deps "$work"/wheels/stepstone-*.whl
  fi
}
tests() {
  (cd "$work" && "$py" -m pytest -q -p no:cacheprovider -W ignore::FutureWarning "$root/bindings/python/tests_spark")
}

stage "spark: the wheel with stepstone.spark" wheel
stage "spark: local[2], every row equals the core (sampling, filter, next hops)" tests
