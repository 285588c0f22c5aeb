# Shared by the scripts: run a named stage and print how long it took.
#
# The stage runs in a subshell with errexit on, and not as an `if` condition: bash ignores
# `set -e` inside a condition (and inside every function it calls), so a failing command that
# was not a stage function's last one used to pass unnoticed. The subshell keeps the caller's
# variables and options, but not its EXIT trap, so the caller's clean-up runs once, at its end.
stage() {
  local name=$1; shift
  local t0=$SECONDS rc=0
  echo "::: $name"
  set +e
  (set -e; "$@")
  rc=$?
  set -e
  if [ "$rc" -eq 0 ]; then
    echo "::: $name: ok ($((SECONDS - t0)) s)"
  else
    echo "::: $name: FAILED ($((SECONDS - t0)) s, exit $rc)"
    exit $rc
  fi
}


# Stages that run beside the ones after them: `stage_bg NAME CMD...` starts one (as `stage` would
# run it) with its output in a log; `stage_join` waits for every one started, prints each log in
# the order they were started, and fails as `stage` fails if any of them failed. For stages that
# need no file the foreground stages write at the same time, and whose CPU would otherwise be
# idle: the foreground leaves a core free while it runs Python, Java or a linker on one core.
# Each runs in its own process group, stopped if the caller exits before joining it.
STAGE_BG_PIDS=() STAGE_BG_NAMES=() STAGE_BG_LOGS=() STAGE_BG_T0S=()
stage_bg() {
  local log
  log=$(mktemp)
  echo "::: $1: started in the background"
  set -m   # job control: the stage gets a process group of its own
  stage "$@" >"$log" 2>&1 </dev/null &
  STAGE_BG_PIDS+=($!)
  set +m
  STAGE_BG_NAMES+=("$1") STAGE_BG_LOGS+=("$log") STAGE_BG_T0S+=("$SECONDS")
  trap 'stage_bg_stop' EXIT
}
stage_bg_stop() {
  local pid
  for pid in "${STAGE_BG_PIDS[@]}"; do kill -- "-$pid" 2>/dev/null || true; done
  rm -f "${STAGE_BG_LOGS[@]}"
}
stage_join() { # [NAME]: only the background stage of that name (else every one)
  local i rc failed=0 t0=$SECONDS keep=()
  for i in "${!STAGE_BG_PIDS[@]}"; do
    if [ $# -gt 0 ] && [ "${STAGE_BG_NAMES[$i]}" != "$1" ]; then keep+=("$i"); continue; fi
    rc=0
    wait "${STAGE_BG_PIDS[$i]}" || rc=$?
    cat "${STAGE_BG_LOGS[$i]}"
    rm -f "${STAGE_BG_LOGS[$i]}"
    echo "::: ${STAGE_BG_NAMES[$i]}: joined (started $((SECONDS - STAGE_BG_T0S[i])) s ago)"
    [ "$rc" -eq 0 ] || failed=$rc
  done
  echo "::: joined ${1:-every background stage}: waited $((SECONDS - t0)) s"
  local pids=() names=() logs=() t0s=()
  for i in "${keep[@]}"; do
    pids+=("${STAGE_BG_PIDS[$i]}") names+=("${STAGE_BG_NAMES[$i]}")
    logs+=("${STAGE_BG_LOGS[$i]}") t0s+=("${STAGE_BG_T0S[$i]}")
  done
  STAGE_BG_PIDS=("${pids[@]}") STAGE_BG_NAMES=("${names[@]}") STAGE_BG_LOGS=("${logs[@]}")
  STAGE_BG_T0S=("${t0s[@]}")
  [ "$failed" -eq 0 ] || exit "$failed"
}

# The part of a setup script to run, from its first argument: `system` (what the machine needs:
# toolchains, targets, Debian packages, cargo-installed tools), `clone` (what this checkout
# needs: its virtualenvs and npm packages; nothing from apt, so it can run beside other work once
# `system` is done) or `all` (the default: both).
setup_part() {
  case ${1:-all} in
  all | system | clone) echo "${1:-all}" ;;
  *) echo "unknown part '$1': all, system or clone" >&2; return 2 ;;
  esac
}
