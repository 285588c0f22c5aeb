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

build_wasm() {
  local tc wasm
  tc=$(wasm_toolchain)
  if [ "$tc" = nightly ]; then
    RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none" \
      cargo +nightly build -p stepstone-wasm --target wasm32-unknown-unknown --profile wasm \
      --target-dir target/wasm-nightly -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
    wasm=target/wasm-nightly/wasm32-unknown-unknown/wasm/stepstone_wasm.wasm
  else
    echo "no nightly with rust-src: building the WASM on stable (larger; scripts/setup-js.sh adds it)"
    cargo build -p stepstone-wasm --target wasm32-unknown-unknown --profile wasm
    wasm=target/wasm32-unknown-unknown/wasm/stepstone_wasm.wasm
  fi
  rm -rf bindings/wasm/pkg
  wasm-bindgen --target web --no-typescript --out-dir bindings/wasm/pkg "$wasm"
  "$TOOLS/.bin/wasm-opt" -Oz --strip-debug --strip-producers --enable-bulk-memory --enable-nontrapping-float-to-int \
    bindings/wasm/pkg/stepstone_wasm_bg.wasm -o bindings/wasm/pkg/stepstone_wasm_bg.wasm
  cp bindings/js-api/api.js bindings/js-api/index.d.ts bindings/wasm/
  local raw gz
  raw=$(stat -c %s bindings/wasm/pkg/stepstone_wasm_bg.wasm)
  gz=$(gzip -9 -c bindings/wasm/pkg/stepstone_wasm_bg.wasm | wc -c)
  echo "wasm ($tc) after wasm-opt -Oz: $raw bytes raw, $gz bytes gzipped" | tee "$OUT/wasm-size.txt"
}

build_node() {
  cargo build -p stepstone-node --release
  cp target/release/libstepstone_node.so bindings/node/stepstone.node
  cp bindings/js-api/api.js bindings/js-api/index.d.ts bindings/node/
}

# The console page: the WASM package, the layout library (run in the page's layout worker) and
# the CSV reader copied next to it.
build_console() {
  local c=bindings/wasm/console
  rm -rf "$c/stepstone" "$c/vendor"
  mkdir -p "$c/stepstone/pkg" "$c/vendor"
  cp bindings/wasm/index.js bindings/wasm/api.js "$c/stepstone/"
  cp bindings/wasm/pkg/stepstone_wasm.js bindings/wasm/pkg/stepstone_wasm_bg.wasm "$c/stepstone/pkg/"
  cp "$TOOLS/@dagrejs/dagre/dist/dagre.min.js" "$TOOLS/papaparse/papaparse.min.js" "$c/vendor/"
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

# Every console panel in Chromium, the 1,000-release catalog against its time budget, file://.
browser() {
  STEPSTONE_ROOT=$ROOT STEPSTONE_OUT=$OUT NODE_PATH=$TOOLS \
    node bindings/js-tests/browser/console.mjs
}

stage "js: build wasm package" build_wasm
stage "js: build node addon" build_node
stage "js: npm pack, install into a fresh consumer, tsc --noEmit" consumer
stage "js: node --test (wasm backend)" suite wasm
stage "js: node --test (napi backend)" suite napi
stage "js: console page assets" build_console
stage "js: console page in Chromium" browser
