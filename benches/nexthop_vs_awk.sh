#!/usr/bin/env bash
# The whole `stepstone next-hop` CLI job on a 1M-row device CSV against `awk` merely copying
# those rows. Target: stepstone within 2x of awk.
#
#   benches/nexthop_vs_awk.sh [ROWS=1000000] [RELEASES=10000] [REPEAT=5] [SEED=42]
#
# STEPSTONE_OTHER=BIN also times another build of the CLI in the same run (say, one from before
# a change), against the same awk figures.
#
# Generates a catalog and a CSV `device_id,version,model` (benches/examples/gen.rs), then times
# the commands REPEAT rounds, interleaved, writing to /dev/null, and prints the medians of CPU time
# (user+sys: the machine may be shared) and wall time, and the ratios stepstone / awk.
set -euo pipefail
ROWS=${1:-1000000}
RELEASES=${2:-10000}
REPEAT=${3:-5}
SEED=${4:-42}
cd "$(dirname "$0")/.."
cargo build --release -q -p stepstone-cli
cargo build --release -q -p stepstone-benches --example gen
BIN=target/release
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
read -r LO HI < <("$BIN/examples/gen" "$RELEASES" "$SEED" "$TMP/catalog.json" "$TMP/devices.csv" "$ROWS")
echo "catalog: $RELEASES releases ($LO .. $HI); devices: $(wc -l < "$TMP/devices.csv") rows, $(du -h "$TMP/devices.csv" | cut -f1)"

# CPU time from perf (precise) when it works here, else from /usr/bin/time (10 ms steps).
PERF=
if command -v perf > /dev/null && perf stat -x, -e task-clock -o /dev/null -- true 2> /dev/null; then
  PERF=1
fi

# median of the numbers on stdin
median() { sort -g | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# once NAME CMD...: one run, its cpu and wall seconds appended to NAME_cpus / NAME_walls.
once() {
  local name=$1; shift
  local cpu wall
  if [ -n "$PERF" ]; then
    # perf's task-clock: CPU time in ms with sub-ms precision.
    local t0 t1
    t0=$(date +%s%N)
    perf stat -x, -e task-clock -o "$TMP/time" -- "$@" > /dev/null 2> /dev/null
    t1=$(date +%s%N)
    cpu=$(awk -F, '/task-clock/ { print $1 / 1000 }' "$TMP/time")
    wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e9 }')
  else
    /usr/bin/time -f "%e %U %S" -o "$TMP/time" "$@" > /dev/null 2> /dev/null
    local user sys
    read -r wall user sys < "$TMP/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN { print u + s }')
  fi
  echo "$cpu" >> "$TMP/$name.cpus"
  echo "$wall" >> "$TMP/$name.walls"
}

# medians NAME: the medians of NAME's runs into $NAME_cpu / $NAME_wall.
medians() {
  printf -v "${1}_cpu" '%s' "$(median < "$TMP/$1.cpus")"
  printf -v "${1}_wall" '%s' "$(median < "$TMP/$1.walls")"
}

# The rows must come out right: one per device, in order, with a hop for most.
"$BIN/stepstone" next-hop "$TMP/catalog.json" --to "$HI" --devices "$TMP/devices.csv" > "$TMP/out.csv" \
  2> "$TMP/summary"
echo "summary: $(cat "$TMP/summary")"
test "$(wc -l < "$TMP/out.csv")" -eq "$((ROWS + 1))"   # the header line, then one row per device
echo "sample rows:"; head -3 "$TMP/out.csv" | sed 's/^/  /'

if [ -n "${STEPSTONE_OTHER:-}" ]; then
  "$STEPSTONE_OTHER" next-hop "$TMP/catalog.json" --to "$HI" --devices "$TMP/devices.csv" 2> /dev/null \
    | cmp -s - "$TMP/out.csv" || { echo "$STEPSTONE_OTHER gives other rows"; exit 1; }
fi
# Interleaved, one run of each per round: a change in the machine's load hits all alike.
for _ in $(seq "$REPEAT"); do
  once awk awk '{ print }' "$TMP/devices.csv"
  once stepstone "$BIN/stepstone" next-hop "$TMP/catalog.json" --to "$HI" --devices "$TMP/devices.csv"
  if [ -n "${STEPSTONE_OTHER:-}" ]; then
    once other "$STEPSTONE_OTHER" next-hop "$TMP/catalog.json" --to "$HI" --devices "$TMP/devices.csv"
  fi
done
medians awk
medians stepstone
[ -n "${STEPSTONE_OTHER:-}" ] && medians other
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

LABEL="user+sys"; [ -n "$PERF" ] && LABEL="perf task-clock"
echo "medians of $REPEAT runs (cpu = $LABEL):"
printf '  %-10s cpu %7.4f s   wall %7.4f s\n' awk "$awk_cpu" "$awk_wall" stepstone "$stepstone_cpu" "$stepstone_wall"
awk -v a="$awk_cpu" -v s="$stepstone_cpu" -v aw="$awk_wall" -v sw="$stepstone_wall" \
  'BEGIN { printf "ratio stepstone/awk: cpu %.2fx, wall %.2fx (target <= 2x)\n", s / a, sw / aw }'
if [ -n "${STEPSTONE_OTHER:-}" ]; then
  printf '  %-10s cpu %7.4f s   wall %7.4f s  (%s)\n' other "$other_cpu" "$other_wall" "$STEPSTONE_OTHER"
  awk -v a="$awk_cpu" -v s="$other_cpu" -v aw="$awk_wall" -v sw="$other_wall" \
    'BEGIN { printf "ratio other/awk: cpu %.2fx, wall %.2fx\n", s / a, sw / aw }'
fi
