#!/usr/bin/env bash
# Two builds of the CLI on the same command, run alternately: CPU time (perf task-clock, with
# /usr/bin/time as the fallback) and page faults, medians and bests. For checking a change on a
# shared machine, where the load moves between runs minutes apart: the alternation puts both
# builds under the same load.
#
#   benches/cli_ab.sh RUNS BEFORE AFTER -- SUBCOMMAND ARGS...
#
# Example, `plan` at 10k releases against a build from before a change:
#
#   cargo run --release -p stepstone-benches --example gen -- 10000 42 /tmp/c10k.json
#   benches/cli_ab.sh 60 /tmp/stepstone-before target/release/stepstone -- \
#     plan /tmp/c10k.json --from v10100 --to v109000 --model A --format json
#
# Both builds must print the same bytes, or the script stops.
set -euo pipefail
if [ $# -lt 4 ] || [ "$4" != "--" ]; then
  echo "usage: $0 RUNS BEFORE AFTER -- SUBCOMMAND ARGS..." >&2
  exit 2
fi
RUNS=$1; BEFORE=$2; AFTER=$3; shift 4
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
cmp -s <("$BEFORE" "$@" 2>&1) <("$AFTER" "$@" 2>&1) || { echo "the two builds answer differently" >&2; exit 1; }
PERF=
if command -v perf > /dev/null && perf stat -x, -e task-clock -o /dev/null -- true 2> /dev/null; then
  PERF=1
fi
# once NAME BIN: one run, "cpu_ms faults" appended to $TMP/NAME.
once() {
  if [ -n "$PERF" ]; then
    perf stat -x, -e task-clock,page-faults -o "$TMP/stat" -- "$2" "${@:3}" > /dev/null 2>&1 || true
    awk -F, '/task-clock/ { t = $1 } /page-faults/ { f = $1 } END { print t, f }' "$TMP/stat" >> "$TMP/$1"
  else
    /usr/bin/time -f "%U %S %R" -o "$TMP/stat" "$2" "${@:3}" > /dev/null 2>&1 || true
    awk '{ print ($1 + $2) * 1000, $3 }' "$TMP/stat" >> "$TMP/$1"
  fi
}
for _ in $(seq "$RUNS"); do
  once before "$BEFORE" "$@"
  once after "$AFTER" "$@"
done
report() {
  sort -g "$TMP/$1" | awk -v name="$1" -v bin="$2" '
    { t[NR] = $1; f[NR] = $2 }
    END {
      m = (NR % 2) ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2
      printf "%-6s median %7.2f ms  best %7.2f ms  page faults %s  (%d runs, %s)\n", name, m, t[1], f[1], NR, bin
    }'
}
report before "$BEFORE"
report after "$AFTER"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"
