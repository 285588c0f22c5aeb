#!/usr/bin/env bash
# Runs the signature benchmarks and `openssl speed` in the same session and prints the ratios
# the issue sets as targets: SHA-256 throughput >= 90% of OpenSSL's; verify within 2x of
# OpenSSL's time. By hand (not in CI): bash benches/openssl_compare.sh
set -euo pipefail
cd "$(dirname "$0")/.."
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT

echo "--- cargo bench (criterion, release)"
cargo bench -q -p stepstone-benches --bench signature -- --noplot \
  'ecdsa_p256_verify|sha256_16MiB|manifest' 2>&1 | tee "$out/criterion.txt" | grep -E '^[a-z_0-9/]+|time:|thrpt:' || true

echo "--- openssl speed"
openssl version
openssl speed -seconds 3 -bytes 4096 -evp sha256 2>/dev/null | tee "$out/sha.txt" | tail -n 2
openssl speed -seconds 3 ecdsap256 2>/dev/null | tee "$out/ecdsa.txt" | tail -n 2

python3 - "$out" <<'PY'
import re, sys, os
d = sys.argv[1]
crit = open(os.path.join(d, "criterion.txt")).read()
unit = {"ns": 1e-9, "µs": 1e-6, "us": 1e-6, "ms": 1e-3, "s": 1.0}
def median_time(name):
    m = re.search(re.escape(name) + r"\s*\n?\s*time:\s*\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", crit)
    return float(m.group(1)) * unit[m.group(2)]
def median_thrpt(name):
    m = re.search(re.escape(name) + r"[\s\S]*?thrpt:\s*\[\S+ \S+ (\S+) (\S+) \S+ \S+\]", crit)
    scale = {"MiB/s": 1024**2, "GiB/s": 1024**3, "KiB/s": 1024}[m.group(2)]
    return float(m.group(1)) * scale
verify = median_time("ecdsa_p256_verify")
sha = median_thrpt("sha256_16MiB_4KiB_chunks/sha256")
sha_cached = median_thrpt("sha256_16MiB_4KiB_chunks/sha256_same_4KiB_buffer")
manifest = median_time("manifest_verify_and_device_check")
# openssl speed -evp sha256 -bytes 4096: last line "sha256  <k/s for 4096 bytes>" in 1000s of bytes/s
sha_line = [l for l in open(os.path.join(d, "sha.txt")) if l.startswith("sha256")][-1]
ossl_sha = float(sha_line.split()[-1].rstrip("k")) * 1000
ec_line = [l for l in open(os.path.join(d, "ecdsa.txt")) if "nistp256" in l][-1].split()
# " 256 bits ecdsa (nistp256)   sign_s   verify_s   sign/s   verify/s"
ossl_verify = 1.0 / float(ec_line[-1])
print()
print(f"SHA-256, 16 MiB in 4 KiB chunks: stepstone {sha/1e6:.0f} MB/s, openssl {ossl_sha/1e6:.0f} MB/s "
      f"-> {100*sha/ossl_sha:.0f}% of openssl (target >= 90%)")
print(f"SHA-256, one 4 KiB buffer x 4096 (as openssl speed does): stepstone {sha_cached/1e6:.0f} MB/s "
      f"-> {100*sha_cached/ossl_sha:.0f}% of openssl")
print(f"ECDSA P-256 verify: stepstone {verify*1e6:.0f} us, openssl {ossl_verify*1e6:.0f} us "
      f"-> {verify/ossl_verify:.1f}x openssl's time (target <= 2x)")
print(f"manifest verify + device check: {manifest*1e6:.0f} us")
PY
