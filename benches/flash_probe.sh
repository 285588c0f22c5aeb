#!/usr/bin/env bash
# Measures the flash cost on thumbv7em-none-eabihf of "verify a signed manifest with a pinned
# SEC1 key, check the device, stream an image against the manifest and its signature", with the
# device profile (opt-level z, LTO, one codegen unit, panic=abort). Builds a tiny cortex-m-rt
# binary in a temporary directory outside the repository and prints `llvm-size` text bytes for
# three signature readers (auto-detect, DER only, raw only), with sha2's default unrolled
# compress and with `--cfg sha2_backend_soft="compact"`. By hand: bash benches/flash_probe.sh
set -euo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
rustup target add thumbv7em-none-eabihf >/dev/null 2>&1 || true
rustup component add llvm-tools >/dev/null 2>&1 || true
llvm=$(dirname "$(find "$(rustc --print sysroot)" -name llvm-size -type f | head -n 1)")
mkdir -p "$dir/src/bin" "$dir/.cargo"
cat > "$dir/Cargo.toml" <<EOF
[package]
name = "flash-probe"
version = "0.0.0"
edition = "2024"
publish = false
[dependencies]
stepstone = { path = "$repo/core", default-features = false }
cortex-m-rt = "0.7"
panic-halt = "1"
[profile.device]
inherits = "release"
opt-level = "z"
lto = true
codegen-units = 1
panic = "abort"
debug = false
[workspace]
EOF
printf 'MEMORY\n{\n  FLASH : ORIGIN = 0x00000000, LENGTH = 1024K\n  RAM : ORIGIN = 0x20000000, LENGTH = 128K\n}\n' > "$dir/memory.x"
cat > "$dir/build.rs" <<'EOF'
fn main() {
    let out = std::path::PathBuf::from(std::env::var("OUT_DIR").unwrap());
    std::fs::copy("memory.x", out.join("memory.x")).unwrap();
    println!("cargo:rustc-link-search={}", out.display());
}
EOF
printf '[build]\ntarget = "thumbv7em-none-eabihf"\n' > "$dir/.cargo/config.toml"
probe() { # $1 = expression turning `sig` into a Signature
cat <<EOF
#![no_std]
#![no_main]
use core::ptr::read_volatile;
use cortex_m_rt::entry;
use panic_halt as _;
use stepstone::manifest::{self, Device};
use stepstone::signature::{ImageVerifier, PublicKey, Signature};
static KEY: [u8; 65] = [4; 65];
static MANIFEST: [u8; 400] = [b'a'; 400];
static SIG: [u8; 72] = [0x30; 72];
static IMAGE: [u8; 64] = [0; 64];
fn vol<const N: usize>(src: &'static [u8; N]) -> [u8; N] {
    let mut out = [0u8; N];
    for (i, o) in out.iter_mut().enumerate() { *o = unsafe { read_volatile(&src[i]) }; }
    out
}
#[entry]
fn main() -> ! {
    let (key, text, sig) = (vol(&KEY), vol(&MANIFEST), vol(&SIG));
    let mut ok = 0u32;
    let parse = |sig: &[u8]| -> Result<Signature, ()> { $1 };
    if let (Ok(key), Ok(s)) = (PublicKey::from_sec1(&key), parse(&sig)) {
        if let Ok(m) = manifest::verify(&text, &s, &key) {
            let device = Device { model: "AG-1", environment: "production", current_version: "v1", counter: "v1", now: 5 };
            if m.check_device(&device).is_ok() {
                let mut check = m.image_check();
                let mut v = ImageVerifier::new(key);
                for _ in 0..4 { let c = vol(&IMAGE); let _ = check.update(&c); v.update(&c); }
                if check.finish().is_ok() && v.finish(&s).is_ok() { ok = 1; }
            }
        }
    }
    unsafe { core::ptr::write_volatile(0x2000_0000 as *mut u32, ok) };
    loop {}
}
EOF
}
probe 'Signature::parse(sig).map_err(|_| ())' > "$dir/src/bin/auto.rs"
probe 'Signature::from_der(sig).map_err(|_| ())' > "$dir/src/bin/der.rs"
probe 'Signature::from_raw(sig.get(..64).unwrap_or(sig)).map_err(|_| ())' > "$dir/src/bin/raw.rs"
cd "$dir"
for sha in default compact; do
  flags="-C link-arg=-Tlink.x"
  [ "$sha" = compact ] && flags="$flags --cfg sha2_backend_soft=\"compact\""
  RUSTFLAGS="$flags" CARGO_TARGET_DIR="$dir/t-$sha" cargo build -q --profile device --bins
  for bin in auto der raw; do
    text=$("$llvm/llvm-size" "$dir/t-$sha/thumbv7em-none-eabihf/device/$bin" | awk 'NR==2 {print $1}')
    echo "sha2 $sha, signature reader $bin: text $text bytes ($(( (text + 1023) / 1024 )) KiB)"
  done
done
