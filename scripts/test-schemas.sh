#!/usr/bin/env bash
# The JSON contract (docs/schema/): every example, every vector document and every CLI
# `--format json` output holds to its JSON Schema, with its keys in the documented order, and
# the schemas refuse what the loaders refuse (scripts/test_schemas.py says what it checks).
# Builds the CLI; runs in a few seconds after that.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
venv=${STEPSTONE_VENV:-$root/.venv}

# The venv scripts/setup-python.sh makes has jsonschema; on its own, this script makes one.
[ -x "$venv/bin/python" ] || python3 -m venv "$venv"
"$venv/bin/python" -c 'import jsonschema, referencing' 2>/dev/null \
  || "$venv/bin/python" -m pip install -q 'jsonschema>=4.18'

cargo build -q -p stepstone-cli
target=$(cargo metadata -q --format-version 1 --no-deps \
  | "$venv/bin/python" -c 'import json, sys; print(json.load(sys.stdin)["target_directory"])')
"$venv/bin/python" scripts/test_schemas.py "$target/debug/stepstone"
