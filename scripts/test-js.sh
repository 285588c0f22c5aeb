#!/usr/bin/env bash
# Builds both JS packages, packs them, installs the tarballs into a fresh consumer project
# and tests them there: tsc on a consumer file, the node --test suite against each backend,
# and the console page in Chromium. The Node addon is one package per platform (linux-x64-gnu,
# linux-arm64-gnu cross-compiled): each checked (stripped, CPU, glibc, size), its loader tested,
# and the suite run on arm64 under qemu-user. Output (screenshots, sizes) in target/js/.
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

# SHA-256 with its rounds in a loop instead of unrolled (sha2's `compact` soft backend): about
# 6 KB less code in every module (docs/js.md has the size and the speed it costs).
WASM_CFG='--cfg sha2_backend_soft="compact"'
# No WebAssembly reference types: JS objects the module holds (an error on its way out, the
# objects of a class) live in wasm-bindgen's JS-side table instead of an `externref` table the
# module manages itself (`__externref_table_alloc` and the shims that feed it: about 1.5 KB gzip
# less in the sample module; docs/js.md, Size). Works on every engine, old ones included.
WASM_CFG="$WASM_CFG -Ctarget-feature=-reference-types"

build_wasm() {
  local tc target name features pids=()
  tc=$(wasm_toolchain)
  rm -rf bindings/wasm/pkg
  for name in $WASM_MODULES; do
    if [ "$name" = stepstone_wasm ]; then features=(); else features=(--no-default-features --features "$name"); fi
    if [ "$tc" = nightly ]; then
      RUSTFLAGS="-Zunstable-options -Cpanic=immediate-abort -Zlocation-detail=none $WASM_CFG" \
        cargo +nightly build -p stepstone-wasm "${features[@]}" --target wasm32-unknown-unknown --profile wasm \
        --target-dir target/wasm-nightly -Zbuild-std=std,panic_abort -Zbuild-std-features=optimize_for_size
      target=target/wasm-nightly
    else
      echo "no nightly with rust-src: building the WASM on stable (larger; scripts/setup-js.sh adds it)"
      RUSTFLAGS="$WASM_CFG" cargo build -p stepstone-wasm "${features[@]}" --target wasm32-unknown-unknown --profile wasm
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

# Each entry point's module against its budget (gzip -9 of the optimised .wasm; KB = 1000 bytes)
# and its ceiling. The budgets are the targets (docs/js.md). A module not within its budget yet
# has a ceiling, its last measured size plus about 2% (2026-12-06), and fails past it: sizes may
# only go down. A module that meets its budget gets its budget as its ceiling (set `ceiling`
# to `budget` in the table below) and then fails past its budget. The
# JS an entry loads besides (wasm-bindgen's glue, api.js, the entry) is printed beside it, not
# budgeted. Written to target/js/wasm-size.txt.
wasm_sizes() {
  local name entry budget ceiling raw gz js jsgz pkg=bindings/wasm
  {
    printf '%-9s %10s %10s %8s %8s  %s\n' entry "raw B" "gzip B" budget ceiling "JS besides (raw / gzip B)"
    for name in $WASM_MODULES; do
      case $name in
        stepstone_wasm) entry=index; budget=150; ceiling=150 ;;
        sample) entry=$name; budget=15; ceiling=18 ;;
        verify) entry=$name; budget=45; ceiling=45 ;;
        plan) entry=$name; budget=60; ceiling=60 ;;
        rollout) entry=$name; budget=60; ceiling=60 ;;
      esac
      raw=$(stat -c %s "$pkg/pkg/${name}_bg.wasm")
      gz=$(gzip -9 -c "$pkg/pkg/${name}_bg.wasm" | wc -c)
      js=$(cat "$pkg/pkg/$name.js" "$pkg/api.js" "$pkg/api/$entry.js" "$pkg/$entry.js" | wc -c)
      jsgz=$(cat "$pkg/pkg/$name.js" "$pkg/api.js" "$pkg/api/$entry.js" "$pkg/$entry.js" | gzip -9 | wc -c)
      printf '%-9s %10d %10d %5d KB %5d KB  %d / %d' "$entry" "$raw" "$gz" "$budget" "$ceiling" "$js" "$jsgz"
      if [ "$gz" -gt $((ceiling * 1000)) ]; then
        if [ "$ceiling" -le "$budget" ]; then
          printf '  OVER BUDGET by %d B\n' $((gz - budget * 1000))
        else
          printf '  OVER CEILING by %d B (budget: over by %d B)\n' $((gz - ceiling * 1000)) $((gz - budget * 1000))
        fi
      elif [ "$gz" -gt $((budget * 1000)) ]; then
        printf '  over budget by %d B (not met yet; within the ceiling)\n' $((gz - budget * 1000))
      else
        printf '  within budget\n'
      fi
    done
  } | tee "$OUT/wasm-size.txt"
  ! grep -q 'OVER ' "$OUT/wasm-size.txt"
}

# The napi addon: one npm package per platform (bindings/node/npm/<platform>, napi-rs's names and
# layout), each holding `stepstone-node.<platform>.node`, a stripped release build (`--profile
# node`). linux-x64-gnu is built for this machine, linux-arm64-gnu cross-compiled (rustup's
# aarch64-unknown-linux-gnu, linked by Debian's gcc-aarch64-linux-gnu; scripts/setup-js.sh).
NODE_PLATFORMS=(linux-x64-gnu=x86_64-unknown-linux-gnu linux-arm64-gnu=aarch64-unknown-linux-gnu)
NODE_ADDON_LIMIT=2000000   # bytes: each platform's .node must stay within 2 MB
NODE_GLIBC=2.34            # the newest glibc symbol version an addon may need (docs/js.md)

build_node() {
  local p targets=()
  for p in "${NODE_PLATFORMS[@]}"; do targets+=(--target "${p#*=}"); done
  # One cargo call for both platforms: the two builds share the cores, their compile jobs and
  # their fat-LTO links (one core each) side by side.
  CARGO_TARGET_AARCH64_UNKNOWN_LINUX_GNU_LINKER=aarch64-linux-gnu-gcc \
    cargo build -p stepstone-node --profile node "${targets[@]}"
  for p in "${NODE_PLATFORMS[@]}"; do
    cp "target/${p#*=}/node/libstepstone_node.so" "bindings/node/npm/${p%%=*}/stepstone-node.${p%%=*}.node"
  done
  cp bindings/js-api/api.js bindings/js-api/*.d.ts bindings/node/
}

# Each platform's addon: the ELF machine its name promises, no symbol table or debug info, no
# glibc symbol newer than NODE_GLIBC, and within NODE_ADDON_LIMIT. Fails otherwise; the figures
# go to target/js/node-size.txt.
check_node_addons() {
  local p name f size machine want sections glibc bad=0
  : >"$OUT/node-size.txt"
  for p in "${NODE_PLATFORMS[@]}"; do
    name=${p%%=*}
    f=bindings/node/npm/$name/stepstone-node.$name.node
    size=$(stat -c %s "$f")
    machine=$(od -An -t u2 -j 18 -N 2 "$f" | tr -d ' ')
    want=$(case $name in *-x64-*) echo 62 ;; *-arm64-*) echo 183 ;; esac)
    sections=$(readelf -SW "$f" | grep -oE '\.(symtab|debug_[a-z_]+)' | sort -u | tr '\n' ' ' || true)
    glibc=$(readelf --dyn-syms -W "$f" | grep -oE 'GLIBC_[0-9.]+' | sed 's/GLIBC_//' | sort -uV | tail -n 1)
    echo "$name: stepstone-node.$name.node $size bytes (limit $NODE_ADDON_LIMIT), ELF machine $machine," \
      "needs glibc $glibc, ${sections:-stripped (no .symtab, no .debug_*)}" | tee -a "$OUT/node-size.txt"
    [ "$(printf '%s\n' "$glibc" "$NODE_GLIBC" | sort -V | tail -n 1)" = "$NODE_GLIBC" ] \
      || { echo "  $name: needs glibc $glibc, newer than $NODE_GLIBC"; bad=1; }
    [ "$machine" = "$want" ] || { echo "  $name: ELF machine $machine, expected $want"; bad=1; }
    [ -z "$sections" ] || { echo "  $name: not stripped: $sections"; bad=1; }
    [ "$size" -le "$NODE_ADDON_LIMIT" ] || { echo "  $name: $size bytes, over the $NODE_ADDON_LIMIT limit"; bad=1; }
  done
  return $bad
}

# The console page: the WASM package, the layout library (run in the page's layout worker) and
# the CSV reader copied next to it.
build_console() {
  local c=bindings/wasm/console
  rm -rf "$c/stepstone" "$c/vendor"
  mkdir -p "$c/stepstone/pkg" "$c/vendor"
  cp bindings/wasm/index.js bindings/wasm/api.js "$c/stepstone/"
  cp -r bindings/wasm/api "$c/stepstone/"
  cp bindings/wasm/pkg/stepstone_wasm.js bindings/wasm/pkg/stepstone_wasm_bg.wasm "$c/stepstone/pkg/"
  cp "$TOOLS/@dagrejs/dagre/dist/dagre.min.js" "$TOOLS/papaparse/papaparse.min.js" "$c/vendor/"
  cp examples/catalog.json "$c/example-catalog.json"
}

# A fresh project that installs the packed tarballs, as a user would: the two main packages; npm
# picks stepstone-node's platform package from its optionalDependencies, which the consumer's
# package.json points at the local tarballs (`overrides`), so nothing comes from a registry.
consumer() {
  local dir=$OUT/consumer p
  rm -rf "$dir" && mkdir -p "$dir"
  (cd bindings/wasm && npm pack --pack-destination "$OUT" >/dev/null)
  (cd bindings/node && npm pack --pack-destination "$OUT" >/dev/null)
  for p in "${NODE_PLATFORMS[@]}"; do
    (cd "bindings/node/npm/${p%%=*}" && npm pack --pack-destination "$OUT" >/dev/null)
  done
  ls -l "$OUT"/stepstone-*.tgz | awk '{print "  " $5 " bytes  " $NF}'
  cp bindings/js-tests/consumer/* "$dir/"
  (cd "$dir" && npm install --no-audit --no-fund "$OUT/stepstone-wasm-0.1.0.tgz" \
     "$OUT/stepstone-node-0.1.0.tgz" >/dev/null)
  echo "  installed: $(cd "$dir" && ls -d node_modules/stepstone-* | tr '\n' ' ')"
  (cd "$dir" && "$TOOLS/.bin/tsc" --noEmit -p tsconfig.json)
}

suite() {
  local backend=$1
  (cd "$OUT/consumer" && STEPSTONE_BACKEND=$backend STEPSTONE_ROOT=$ROOT \
     node --test --test-reporter=spec "$ROOT"/bindings/js-tests/test/*.test.js)
}

# The loader of the installed stepstone-node: the platform package it picks, and the error naming
# the platform when none fits (faked hosts), is missing or is another version.
addon_loader() {
  (cd "$OUT/consumer" && node --test --test-reporter=spec "$ROOT"/bindings/node/test/*.test.js)
}

# On a glibc older than the addons need (Debian 11's 2.31, unpacked by scripts/debian-root.py; this
# machine's Node run through that glibc's ld.so), importing stepstone-node is js.addon_unavailable
# naming the platform, the glibc and the missing symbol version.
old_glibc() {
  local plat=$ROOT/target/platforms r=$ROOT/target/platforms/bullseye-amd64-libc out
  python3 scripts/debian-root.py --mirror "${STEPSTONE_DEBIAN_MIRROR:-http://deb.debian.org/debian}" \
    --suite bullseye --arch amd64 --cache "$plat/cache" --root "$r" libc6 libstdc++6
  local node=("$r/lib/x86_64-linux-gnu/ld-linux-x86-64.so.2"
    --library-path "$r/lib/x86_64-linux-gnu:$r/usr/lib/x86_64-linux-gnu" "$(readlink -f "$(command -v node)")")
  if ! "${node[@]}" -e 0 2>/dev/null; then
    # Node itself needs a newer glibc (Debian's own nodejs does; NodeSource's needs 2.28).
    echo "  NOT CHECKED: this machine's Node ($(command -v node)) does not start on glibc 2.31"
    return 0
  fi
  out=$(cd "$OUT/consumer" && "${node[@]}" --input-type=module -e "
    try { await import('stepstone-node'); console.log('loaded'); } catch (e) { console.log(e.code + ' ' + e.message); }")
  echo "  $out"
  [[ $out == "js.addon_unavailable stepstone-node's addon for linux-x64-gnu (stepstone-node-linux-x64-gnu) does not load on this host (process.platform 'linux', process.arch 'x64', glibc 2.31): "*"version \`GLIBC_2."*"' not found"* ]]
}

# The arm64 addon on an arm64 Node: Debian 12's arm64 nodejs (18) unpacked by
# scripts/debian-root.py under target/platforms/, run by qemu-user (`qemu-aarch64 -L ROOT`, from
# PATH or unpacked from Debian's qemu-user-static), in a consumer installed for arm64 (`npm
# install --cpu arm64`: npm picks stepstone-node-linux-arm64-gnu). The whole suite, in one Node
# (bindings/node/test/run-in-process.mjs: node --test's child processes need binfmt, which this
# does not set up), the fuzz test with fewer calls (emulated, each call is ~10x slower).
arm64_suite() {
  local plat=$ROOT/target/platforms mirror=${STEPSTONE_DEBIAN_MIRROR:-http://deb.debian.org/debian}
  local r=$plat/bookworm-arm64-nodejs dir=$OUT/consumer-arm64 qemu
  python3 scripts/debian-root.py --mirror "$mirror" --suite bookworm --arch arm64 \
    --cache "$plat/cache" --root "$r" nodejs
  qemu=$(command -v qemu-aarch64 || command -v qemu-aarch64-static || true)
  if [ -z "$qemu" ]; then
    python3 scripts/debian-root.py --mirror "$mirror" --suite bookworm --arch amd64 \
      --cache "$plat/cache" --root "$plat/qemu" --only ./usr/bin/qemu-aarch64-static qemu-user-static
    qemu=$plat/qemu/usr/bin/qemu-aarch64-static
  fi
  rm -rf "$dir" && mkdir -p "$dir"
  cp bindings/js-tests/consumer/package.json "$dir/"
  (cd "$dir" && npm install --no-audit --no-fund --os linux --cpu arm64 --libc glibc \
     "$OUT/stepstone-wasm-0.1.0.tgz" "$OUT/stepstone-node-0.1.0.tgz" >/dev/null)
  echo "  installed for arm64: $(cd "$dir" && ls -d node_modules/stepstone-* | tr '\n' ' ')"
  [ -d "$dir/node_modules/stepstone-node-linux-arm64-gnu" ]
  local node=("$qemu" -L "$r" "$r/usr/bin/node")
  echo "  $("${node[@]}" -p '`Node ${process.version} ${process.platform}-${process.arch}, glibc ${process.report.getReport().header.glibcVersionRuntime}`')"
  (cd "$dir" && STEPSTONE_BACKEND=napi STEPSTONE_ROOT=$ROOT STEPSTONE_FUZZ_CALLS=${STEPSTONE_FUZZ_CALLS:-300} \
     "${node[@]}" --test-reporter=spec "$ROOT/bindings/node/test/run-in-process.mjs" \
     "$ROOT"/bindings/js-tests/test/*.test.js)
}

# A small page over stepstone-wasm/plan and /sample, built by esbuild and by Vite (default
# settings), served from 127.0.0.1 and checked in Chromium; screenshots in target/js/bundlers/.
bundlers() {
  STEPSTONE_ROOT=$ROOT STEPSTONE_OUT=$OUT node bindings/js-tests/bundlers/check.mjs
}

# Every console panel in Chromium, the 1,000-release catalog against its time budget, file://.
browser() {
  STEPSTONE_ROOT=$ROOT STEPSTONE_OUT=$OUT NODE_PATH=$TOOLS \
    node bindings/js-tests/browser/console.mjs
}

# Side by side (scripts/lib.sh, stage_bg; each log printed whole where joined): the addon and the
# WASM modules, in separate target directories (target/<triple>/node, target/wasm-nightly), so
# neither waits for the other's cargo lock, and each build ends in links on one core (fat LTO,
# one codegen unit) that leave the other core to the other build; then the arm64 suite, one
# emulated Node, beside the host suites. Both joined before the Chromium checks, which hold a
# page to a time budget.
stage_bg "js: build node addon (linux-x64-gnu, linux-arm64-gnu cross-compiled)" build_node
stage "js: build wasm package (whole, plan, sample, verify, rollout)" build_wasm
stage_join
stage "js: node addons stripped, right CPU, each <= 2 MB" check_node_addons
stage "js: npm pack, install into a fresh consumer, tsc --noEmit" consumer
stage "js: node addon on an older glibc (Debian 11's 2.31): a clear error" old_glibc
stage_bg "js: node suite on arm64 (napi, Node 18 under qemu-user)" arm64_suite
stage "js: node --test (wasm backend)" suite wasm
stage "js: node --test (napi backend)" suite napi
stage "js: node addon loader (platform packages, unsupported platforms)" addon_loader
stage_join
stage "js: esbuild and Vite pages in Chromium" bundlers
stage "js: console page assets" build_console
stage "js: console page in Chromium" browser
# Last, so that a module over its ceiling still has every test above run.
stage "js: wasm module sizes against their budgets and ceilings" wasm_sizes
