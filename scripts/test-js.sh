#!/usr/bin/env bash
# Builds both JS packages, packs them, installs the tarballs into a fresh consumer project
# and tests them there: tsc on a consumer file, the node --test suite against each backend,
# and the console page in Chromium. Output (screenshots, sizes) in target/js/.
# Run scripts/setup-js.sh first (scripts/setup.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/lib.sh
ROOT=$PWD
OUT=$ROOT/target/js
TOOLS=$ROOT/bindings/js-tests/node_modules
mkdir -p "$OUT"

# Nightly (with rust-src) builds the WASM smaller: the standard library rebuilt for size
# (`optimize_for_size`: small sorts and float formatting) and panics that trap at once, without
# panic messages or locations (`-Cpanic=immediate-abort`; the module never printed them anyway).
# Stable builds the same module about 15% larger. docs/js.md has the figures.
wasm_toolchain() {
  if rustup run nightly rustc --print sysroot >/dev/null 2>&1 \
     && [ -d "$(rustup run nightly rustc --print sysroot)/lib/rustlib/src/rust/library" ]; then
    echo nightly
  else
    echo stable
  fi
}

# The WASM modules: the whole API (`pkg/stepstone_wasm*`) and one per area (`pkg/plan*`,
# `pkg/verify*`, `pkg/sample*`, `pkg/rollout*`; cargo features of bindings/wasm), each loaded by
# its own entry point (`stepstone-wasm/plan`, ...). One target dir: the standard library, the
# core and the glue are built once, each module only re-runs its own crate and the LTO link.
WASM_MODULES="stepstone_wasm plan sample verify rollout"

build_wasm() {
  local tc target name features pids=()
  tc=$(wasm_toolchain)
  rm -rf bindings/wasm/pkg
  for name in $WASM_MODULES; do
    if [ "$name" = stepstone_wasm ]; then features=(); else features=(--no-default-features --features "$name"); fi
    if [ "$tc" = nightly ]; then
      RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
        cargo +nightly build -p stepstone-wasm "${features[@]}" --target wasm32-unknown-unknown --profile wasm \
        --target-dir target/wasm-nightly -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
      target=target/wasm-nightly
    else
      echo "no nightly with rust-src: building the WASM on stable (larger; scripts/setup-js.sh adds it)"
      cargo build -p stepstone-wasm "${features[@]}" --target wasm32-unknown-unknown --profile wasm
      target=target
    fi
    wasm-bindgen --target web --no-typescript --out-dir bindings/wasm/pkg --out-name "$name" \
      "$target/wasm32-unknown-unknown/wasm/stepstone_wasm.wasm"
    # wasm-opt (most of this stage's time) runs beside the next module's cargo build.
    "$TOOLS/.bin/wasm-opt" -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
      "bindings/wasm/pkg/${name}_bg.wasm" -o "bindings/wasm/pkg/${name}_bg.wasm" &
    pids+=($!)
  done
  for pid in "${pids[@]}"; do wait "$pid" || return 1; done
  cp bindings/js-api/*.js bindings/js-api/*.d.ts bindings/wasm/
  echo "wasm built with $tc" > "$OUT/wasm-toolchain.txt"
}

# Each entry point's module against its budget (gzip -9 of the optimised .wasm; KB = 1000 bytes),
# failing over budget. The JS an entry loads besides (wasm-bindgen's glue, api.js, the entry) is
# printed beside it, not budgeted. Written to target/js/wasm-size.txt.
wasm_sizes() {
  local name entry budget raw gz js jsgz pkg=bindings/wasm
  {
    printf '%-9s %10s %10s %8s  %s\n' entry "raw B" "gzip B" budget "JS besides (raw / gzip B)"
    for name in $WASM_MODULES; do
      case $name in
        stepstone_wasm) entry=index; budget=150 ;;
        sample) entry=$name; budget=15 ;;
        verify) entry=$name; budget=45 ;;
        plan | rollout) entry=$name; budget=60 ;;
      esac
      raw=$(stat -c %s "$pkg/pkg/${name}_bg.wasm")
      gz=$(gzip -9 -c "$pkg/pkg/${name}_bg.wasm" | wc -c)
      js=$(cat "$pkg/pkg/$name.js" "$pkg/api.js" "$pkg/api/$entry.js" "$pkg/$entry.js" | wc -c)
      jsgz=$(cat "$pkg/pkg/$name.js" "$pkg/api.js" "$pkg/api/$entry.js" "$pkg/$entry.js" | gzip -9 | wc -c)
      printf '%-9s %10d %10d %5d KB  %d / %d' "$entry" "$raw" "$gz" "$budget" "$js" "$jsgz"
      if [ "$gz" -gt $((budget * 1000)) ]; then
        printf '  OVER BUDGET by %d B\n' $((gz - budget * 1000))
      else
        printf '  ok\n'
      fi
    done
  } | tee "$OUT/wasm-size.txt"
  ! grep -q 'OVER BUDGET' "$OUT/wasm-size.txt"
}

build_node() {
  cargo build -p stepstone-node --release
  cp target/release/libstepstone_node.so bindings/node/stepstone.node
  cp bindings/js-api/api.js bindings/js-api/*.d.ts bindings/node/
}

# The console page: the WASM package and the layout library copied next to it.
build_console() {
  local c=bindings/wasm/console
  rm -rf "$c/stepstone" "$c/vendor"
  mkdir -p "$c/stepstone/pkg" "$c/vendor"
  cp bindings/wasm/index.js bindings/wasm/api.js "$c/stepstone/"
  cp -r bindings/wasm/api "$c/stepstone/"
  cp bindings/wasm/pkg/stepstone_wasm.js bindings/wasm/pkg/stepstone_wasm_bg.wasm "$c/stepstone/pkg/"
  cp "$TOOLS/@dagrejs/dagre/dist/dagre.min.js" "$c/vendor/"
  cp examples/catalog.json "$c/example-catalog.json"
}

# A fresh project that installs the packed tarballs, as a user would.
consumer() {
  local dir=$OUT/consumer
  rm -rf "$dir" && mkdir -p "$dir"
  (cd bindings/wasm && npm pack --pack-destination "$OUT" >/dev/null)
  (cd bindings/node && npm pack --pack-destination "$OUT" >/dev/null)
  cp bindings/js-tests/consumer/* "$dir/"
  (cd "$dir" && npm install --no-audit --no-fund "$OUT/stepstone-wasm-0.1.0.tgz" \
     "$OUT/stepstone-node-0.1.0.tgz" >/dev/null)
  (cd "$dir" && "$TOOLS/.bin/tsc" --noEmit -p tsconfig.json)
}

suite() {
  local backend=$1
  (cd "$OUT/consumer" && STEPSTONE_BACKEND=$backend STEPSTONE_ROOT=$ROOT \
     node --test --test-reporter=spec "$ROOT"/bindings/js-tests/test/*.test.js)
}

# A small page over stepstone-wasm/plan and /sample, built by esbuild and by Vite (default
# settings), served from 127.0.0.1 and checked in Chromium; screenshots in target/js/bundlers/.
bundlers() {
  STEPSTONE_ROOT=$ROOT STEPSTONE_OUT=$OUT node bindings/js-tests/bundlers/check.mjs
}

browser() {
  STEPSTONE_ROOT=$ROOT STEPSTONE_OUT=$OUT NODE_PATH=$TOOLS \
    node bindings/js-tests/browser/console.mjs
}

stage "js: build wasm package (whole, plan, sample, verify, rollout)" build_wasm
stage "js: build node addon" build_node
stage "js: npm pack, install into a fresh consumer, tsc --noEmit" consumer
stage "js: node --test (wasm backend)" suite wasm
stage "js: node --test (napi backend)" suite napi
stage "js: esbuild and Vite pages in Chromium" bundlers
stage "js: console page assets" build_console
stage "js: console page in Chromium" browser
# Last, so that a module over budget still has every test above run.
stage "js: wasm module sizes against their budgets" wasm_sizes
