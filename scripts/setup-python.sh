#!/usr/bin/env bash
# Installs what scripts/test-python.sh needs, from PyPI, into a virtualenv (default .venv at the
# repository root, git-ignored; STEPSTONE_VENV to choose another). Idempotent.
#   scripts/setup-python.sh [all|system|clone]   (scripts/lib.sh, setup_part)
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
part=$(setup_part "${1:-}")
venv=${STEPSTONE_VENV:-$PWD/.venv}

if [ "$part" != clone ]; then
  if ! python3 -c 'import venv, ensurepip' 2>/dev/null; then
    apt-get update -qq && apt-get install -y -qq python3-venv
  fi
  # Java 17 and javac: scripts/test-spark.sh's PySpark, and stepstone.spark's UDF jar
  # (bindings/python/java/build.sh, run before each wheel build).
  if ! command -v java >/dev/null 2>&1 || ! command -v javac >/dev/null 2>&1; then
    apt-get update -qq && apt-get install -y -qq openjdk-17-jre-headless openjdk-17-jdk-headless
  fi
fi
[ "$part" != system ] || exit 0
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -m pip install -q --upgrade pip
# maturin builds the abi3 wheel, linked by zig (ziglang) for manylinux2014; auditwheel checks its
# tag; pytest, moto's server, boto3 and cryptography run the suites; mypy checks the stubs; numpy
# and pyarrow are optional for users (bulk calls take their arrays) and installed here so those
# paths are tested.
"$venv/bin/python" -m pip install -q \
  'maturin==1.16.0' 'ziglang==0.17.1' auditwheel pytest 'moto[server]>=5' boto3 mypy cryptography numpy pyarrow
# examples/aws (scripts/test-aws.sh): cfn-lint checks the CloudFormation template (moto's
# CloudFormation parses it too); pinned to the 5.2 series whose gaps the tests document.
"$venv/bin/python" -m pip install -q 'cfn-lint>=1' 'moto[server]>=5.2.6,<5.3'
# scripts/test-schemas.sh: jsonschema (draft 2020-12, with referencing) checks docs/schema/.
"$venv/bin/python" -m pip install -q 'jsonschema>=4.18'
# scripts/test-spark.sh: PySpark in local mode (stepstone.spark); it needs pandas >= 2.2 even
# for mapInArrow (pandas 3 is not yet supported by PySpark 4.3), and Java (installed above).
"$venv/bin/python" -m pip install -q 'pyspark==4.3.0' 'pandas>=2.2,<3'
"$venv/bin/python" -m pip --version
