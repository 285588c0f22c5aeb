#!/usr/bin/env bash
# Runs the signature benchmarks for both backends (p256 / sha2, and aws-lc on x86_64 / aarch64)
# and `openssl speed` in the same session, and prints each backend's ratio against the issue's
# targets: SHA-256 throughput >= 90% of OpenSSL's; verify within 2x of OpenSSL's time.
# criterion measures thread CPU time and `openssl speed` user CPU time, so a busy machine
# skews neither side much. By hand (not in CI): bash benches/openssl_compare.sh
# Without aws-lc (other hosts): FEATURES= bash benches/openssl_compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
features=${FEATURES-aws-lc}
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "--- cargo bench (criterion, release, features: '${features}')"
cargo bench -q -p stepstone-benches --features "$features" --bench signature -- --noplot \
  'ecdsa_p256_verify|sha256_|manifest' 2>&1 | tee "$out/criterion.txt" | grep -E '^[a-z_0-9/-]+|time:|thrpt:' || true

echo "--- openssl speed (user CPU time)"
openssl version
openssl speed -seconds 3 -bytes 4096 -evp sha256 2>/dev/null | tee "$out/sha.txt" | tail -n 2
openssl speed -seconds 3 ecdsap256 2>/dev/null | tee "$out/ecdsa.txt" | tail -n 2
# OpenSSL's EVP SHA-256 on the benchmark's own workload (16 MiB in 4 KiB chunks), when the
# OpenSSL headers are installed (Debian: libssl-dev): `openssl speed` hashes one cache-hot
# buffer, which no streaming of a 16 MiB image matches, OpenSSL's own included.
if cc -O2 -o "$out/openssl_stream" benches/openssl_stream.c -lcrypto 2>/dev/null; then
  echo "--- OpenSSL EVP SHA-256 on the same 16 MiB / 4 KiB workload (benches/openssl_stream.c)"
  "$out/openssl_stream" | tee "$out/stream.txt"
else
  echo "--- (no OpenSSL headers: skipping benches/openssl_stream.c)"
fi
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$out" <<'PY'
import re, sys, os
d = sys.argv[1]
crit = open(os.path.join(d, "criterion.txt")).read()
unit = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
thr = {"M/cpu-s": 1e6, "MiB/s": 1024**2, "GiB/s": 1024**3, "KiB/s": 1024, "MB/s": 1e6, "GB/s": 1e9}

def triple(name, what):
    # "name\n   time:   [low unit (cpu) median unit (cpu) high unit (cpu)]": the median.
    m = re.search(re.escape(name) + r"\s+(?:time:\s*\[[^\]]*\]\s*)?" + what + r":\s*\[([^\]]*)\]", crit)
    if not m:
        return None
    vals = re.findall(r"([\d.]+) (\S+)(?: cpu)?", m.group(1))
    return vals[1]

def median_time(name):
    v = triple(name, "time")
    return None if v is None else float(v[0]) * unit[v[1]]

def median_thrpt(name):
    v = triple(name, "thrpt")
    return None if v is None else float(v[0]) * thr[v[1]]

# openssl speed -evp sha256 -bytes 4096: last line "sha256  <1000s of bytes/s for 4096 bytes>"
sha_line = [l for l in open(os.path.join(d, "sha.txt")) if l.startswith("sha256")][-1]
ossl_sha = float(sha_line.split()[-1].rstrip("k")) * 1000
# " 256 bits ecdsa (nistp256)   sign_s   verify_s   sign/s   verify/s"
ec_line = [l for l in open(os.path.join(d, "ecdsa.txt")) if "nistp256" in l][-1].split()
ossl_verify = 1.0 / float(ec_line[-1])
stream = {}
if os.path.exists(os.path.join(d, "stream.txt")):
    for l in open(os.path.join(d, "stream.txt")):
        name, mbs, _ = l.split()
        stream[name] = float(mbs) * 1e6
print()
print(f"openssl speed: SHA-256 {ossl_sha/1e6:.0f} MB/s (-evp sha256 -bytes 4096), ECDSA P-256 verify {ossl_verify*1e6:.1f} us")
if stream:
    print(f"openssl EVP on the 16 MiB / 4 KiB stream: {stream['openssl_sha256_16MiB_4KiB_chunks']/1e6:.0f} MB/s "
          f"({100*stream['openssl_sha256_16MiB_4KiB_chunks']/ossl_sha:.0f}% of its own speed figure); "
          f"hot 4 KiB: {stream['openssl_sha256_same_4KiB_buffer']/1e6:.0f} MB/s")
print(f"{'backend':8} {'SHA-256 16 MiB/4 KiB':>22} {'% of openssl':>13} {'hot 4 KiB':>10} {'%':>5} "
      f"{'verify':>10} {'x openssl':>10}  targets met")
for b in ["p256", "aws-lc"]:
    sha = median_thrpt(f"sha256_16MiB_4KiB_chunks/{b}")
    if sha is None:
        continue
    hot = median_thrpt(f"sha256_same_4KiB_buffer/{b}")
    verify = median_time(f"ecdsa_p256_verify/{b}")
    sha_ok = sha / ossl_sha >= 0.90
    ver_ok = verify / ossl_verify <= 2.0
    print(f"{b:8} {sha/1e6:>17.0f} MB/s {100*sha/ossl_sha:>12.0f}% {hot/1e6:>5.0f} MB/s {100*hot/ossl_sha:>4.0f}% "
          f"{verify*1e6:>7.1f} us {verify/ossl_verify:>9.2f}x  "
          f"sha {'yes' if sha_ok else 'NO'}, verify {'yes' if ver_ok else 'NO'}")
    if stream:
        same = stream["openssl_sha256_16MiB_4KiB_chunks"]
        print(f"{'':8} 16 MiB / 4 KiB stream vs OpenSSL EVP on the same stream: {100*sha/same:.0f}%")
for name in ["manifest_verify_and_device_check", "manifest_full_16MiB"]:
    for b in ["p256", "aws-lc"]:
        t = median_time(f"{name}/{b}")
        if t is not None:
            print(f"{name} ({b}, the public API's backend): {t*1e6:.0f} us")
PY
