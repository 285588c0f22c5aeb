#!/usr/bin/env bash
# Makes what device_flow.c needs, with the stepstone CLI and openssl, as a release pipeline
# would: a catalog key and a manifest key (kept apart), two signed releases (v66003, then v67000
# which needs v66003 first), the catalog listing them with their SHA-256, packed for AG-1 in
# production and signed, and the public keys in DER for the device to pin.
#
# usage: make-fixtures.sh STEPSTONE_CLI OUT_DIR
#   OUT_DIR/device/   catalog-key.der, manifest-key.der (the device's pinned keys)
#   OUT_DIR/server/   catalog.ssce (sequence 2), v66003.{manifest,sig,bin}, v67000.{manifest,sig,bin}
#   OUT_DIR/tampered/ the same, with one byte of v66003.bin changed after signing
#   OUT_DIR/older/    the same, with an older catalog (sequence 1)
#   OUT_DIR/keys/     the private keys (never on a device)
set -euo pipefail
cli=$1 out=$2
rm -rf "$out"
mkdir -p "$out"/{keys,device,server}
now=$(date +%s)
expires=$((now + 86400))

# Keys: one per role. The device pins the public halves, as DER SubjectPublicKeyInfo.
for role in catalog manifest; do
  "$cli" keygen --out "$out/keys/$role.pem" --pub "$out/keys/$role.pub.pem" >/dev/null
  openssl pkey -pubin -in "$out/keys/$role.pub.pem" -outform DER -out "$out/device/$role-key.der"
done

# Two images, and a manifest for each (size, SHA-256 and key id computed by the CLI).
head -c 70000 /dev/urandom >"$out/server/v66003.bin"
head -c 90001 /dev/urandom >"$out/server/v67000.bin"
manifest() { # VERSION MIN_SW
  "$cli" manifest create --key "$out/keys/manifest.pem" --version "$1" --min-sw-version "$2" \
    --models AG-1 --environment production --expires "$expires" \
    --out "$out/server/$1.manifest" --signature-out "$out/server/$1.sig" "$out/server/$1.bin" >/dev/null
}
manifest v66003 v66000
manifest v67000 v66003

# The catalog, with each release's SHA-256 (the device checks the manifest's against it), packed
# for the device's model and environment and signed with the catalog key.
sha() { sha256sum "$out/server/$1.bin" | cut -d' ' -f1; }
cat >"$out/keys/catalog.json" <<EOF
{"scheme": "integer", "releases": [
  {"version": "v66000"},
  {"version": "v66003", "min_sw_version": "v66000", "sha256": "$(sha v66003)"},
  {"version": "v67000", "kind": "major", "min_sw_version": "v66003", "sha256": "$(sha v67000)"}]}
EOF
pack() { # SEQUENCE OUT
  "$cli" catalog pack "$out/keys/catalog.json" --target v67000 --model AG-1 --environment production \
    --sign "$out/keys/catalog.pem" --sequence "$1" --expires "$expires" -o "$2" >/dev/null
}
pack 2 "$out/server/catalog.ssce"

# Two servers an attacker controls: an image changed after signing, and an older catalog.
cp -r "$out/server" "$out/tampered"
python3 -c 'import sys; b = bytearray(open(sys.argv[1], "rb").read()); b[1000] ^= 1
open(sys.argv[1], "wb").write(b)' "$out/tampered/v66003.bin"
cp -r "$out/server" "$out/older"
pack 1 "$out/older/catalog.ssce"
