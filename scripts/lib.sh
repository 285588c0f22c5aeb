# Shared by the scripts: run a named stage and print how long it took.
stage() {
  local name=$1; shift
  local t0=$SECONDS
  echo "::: $name"
  if "$@"; then
    echo "::: $name: ok ($((SECONDS - t0)) s)"
  else
    local rc=$?
    echo "::: $name: FAILED ($((SECONDS - t0)) s, exit $rc)"
    exit $rc
  fi
}
