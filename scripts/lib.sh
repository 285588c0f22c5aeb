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
