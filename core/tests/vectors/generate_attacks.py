#!/usr/bin/env python3
"""Writes attacks.json beside this file: every attack of docs/security.md as a vector.

Keys, signatures, manifests and signed-catalog envelopes are made here with Python's
`cryptography` (independent of stepstone: the envelope layout is written from its spec in
docs/compact-catalog.md); only the compact catalog payload is packed by the stepstone CLI.

    cargo build -p stepstone-cli
    python3 core/tests/vectors/generate_attacks.py target/debug/stepstone

ECDSA signatures are randomised, so a rerun gives other bytes with the same verdicts.
"""
import hashlib, json, os, struct, subprocess, sys, tempfile
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

HERE = os.path.dirname(os.path.abspath(__file__))
CLI = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "../../../target/debug/stepstone")

NOW = 1_800_000_000
ISSUED = NOW - 3_600


def key(scalar):
    return ec.derive_private_key(scalar, ec.SECP256R1())


MANIFEST_KEY, CATALOG_KEY, STRANGER = key(0x5151), key(0x6262), key(0x7373)


def der_spki(k):
    return k.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)


def key_id(k):
    point = k.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return hashlib.sha256(point).hexdigest()


def sign_der(k, msg):
    return k.sign(msg, ec.ECDSA(hashes.SHA256()))


def sign_raw(k, msg):
    r, s = utils.decode_dss_signature(sign_der(k, msg))
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")


IMAGE = bytes((i * 37 + 11) % 256 for i in range(2048))
IMAGE_SHA = hashlib.sha256(IMAGE).hexdigest()
OTHER_IMAGE = bytes((i * 53 + 7) % 256 for i in range(2048))

CATALOG = {"releases": [
    {"version": "v66000"},
    {"version": "v66003", "min_sw_version": "v66000", "sha256": IMAGE_SHA},
    {"version": "v66004", "min_sw_version": "v66000", "yanked": True, "sha256": IMAGE_SHA},
    {"version": "v66005", "min_sw_version": "v66000", "models": ["AG-2"], "sha256": IMAGE_SHA},
    {"version": "v66006", "min_sw_version": "v66000",
     "sha256": hashlib.sha256(OTHER_IMAGE).hexdigest()},
    {"version": "v66007", "min_sw_version": "v66000"},
]}


def pack(model="AG-1", environment="production"):
    with tempfile.TemporaryDirectory() as d:
        cat, out = os.path.join(d, "c.json"), os.path.join(d, "c.sscc")
        with open(cat, "w") as f:
            json.dump(CATALOG, f)
        subprocess.run([CLI, "catalog", "pack", cat, "--target", "v66003", "--model", model,
                        "--environment", environment, "-o", out], check=True,
                       stdout=subprocess.DEVNULL)
        return open(out, "rb").read()


def envelope(payload, sequence, issued, expires, k=CATALOG_KEY):
    """docs/compact-catalog.md, "The signed envelope": 72-byte header, payload, raw r||s."""
    head = b"SSCE" + bytes([1, 0, 0, 0]) + struct.pack("<QQQ", sequence, issued, expires)
    head += bytes.fromhex(key_id(k)) + struct.pack("<I", len(payload)) + b"\0" * 4
    signed = head + payload
    return signed + sign_raw(k, signed)


def state_of(env):
    seq, issued = struct.unpack("<QQ", env[8:24])
    return {"sequence": seq, "sha256": hashlib.sha256(env[:-64]).hexdigest(), "issued": issued}


def manifest(version="v66003", *, k=MANIFEST_KEY, size=len(IMAGE), sha=IMAGE_SHA,
             models="AG-1 AG-2", environment="production", expires=NOW + 86_400,
             min_sw="v66000", named_key=None):
    lines = ["stepstone-manifest 1", "scheme integer", f"version {version}"]
    if min_sw:
        lines.append(f"min_sw_version {min_sw}")
    lines += [f"size {size}", f"sha256 {sha}", f"models {models}",
              f"environment {environment}", f"expires {expires}",
              f"key_id {named_key or key_id(k)}"]
    return "\n".join(lines) + "\n"


DEVICE = {"model": "AG-1", "environment": "production", "current_version": "v66000",
          "counter": "v66000", "now": NOW}

PAYLOAD = pack()
GOOD_ENV = envelope(PAYLOAD, 10, ISSUED, NOW + 7 * 86_400)


def install(name, attack, *, text=None, sig_key=MANIFEST_KEY, signature=None, device=None,
            image=IMAGE, chunk=61, catalog=True, env=None, last=None, catalog_now=NOW,
            error=None, version="v66003"):
    text = manifest(version) if text is None else text
    body = text.encode() if isinstance(text, str) else text
    v = {"name": name, "attack": attack, "op": "install",
         "manifest_key": der_spki(MANIFEST_KEY).hex(),
         "manifest": body.hex(),
         "signature": (signature if signature is not None else sign_der(sig_key, body)).hex(),
         "device": dict(DEVICE, **(device or {})),
         "image": image.hex(), "chunk": chunk}
    if catalog:
        env = GOOD_ENV if env is None else env
        v["catalog"] = {"key": der_spki(CATALOG_KEY).hex(), "envelope": env.hex(),
                        "last": last, "now": catalog_now}
    if error:
        v["error"] = error
    else:
        m = dict(l.split(" ", 1) for l in body.decode().splitlines())
        v["expect"] = {"version": m["version"], "size": int(m["size"]), "sha256": m["sha256"],
                       "key_id": m["key_id"], "expires": int(m["expires"])}
        if catalog:
            v["expect"]["catalog"] = state_of(env)
    return v


def vectors():
    out = []
    add = out.append
    add(install("genuine, with the signed catalog", "none"))
    add(install("genuine, no catalog", "none", catalog=False))
    # Arbitrary software
    add(install("image bytes changed after signing", "arbitrary software",
                image=IMAGE[:-1] + bytes([IMAGE[-1] ^ 1]), error="manifest.digest_mismatch"))
    add(install("manifest signed by an unknown key", "arbitrary software", sig_key=STRANGER,
                error="manifest.bad_signature"))
    good = manifest().encode()
    add(install("manifest text changed after signing", "arbitrary software",
                text=good.replace(b"v66003", b"v66007"), signature=sign_der(MANIFEST_KEY, good),
                error="manifest.bad_signature"))
    add(install("manifest names another key id", "arbitrary software",
                text=manifest(named_key=key_id(STRANGER)), error="manifest.key_mismatch"))
    # Rollback
    add(install("older release than the counter", "rollback",
                device={"counter": "v66003", "current_version": "v66003"},
                error="manifest.rollback"))
    add(install("older signed catalog", "rollback", last=state_of(envelope(PAYLOAD, 11, ISSUED, NOW + 86_400)),
                error="signed_catalog.rollback"))
    # Indefinite freeze
    add(install("expired manifest", "indefinite freeze", text=manifest(expires=NOW),
                error="manifest.expired"))
    add(install("device clock not set (now 0)", "indefinite freeze", device={"now": 0},
                error="manifest.clock_unset"))
    add(install("expired signed catalog", "indefinite freeze",
                env=envelope(PAYLOAD, 10, ISSUED, NOW), error="signed_catalog.expired"))
    add(install("catalog opened with now 0", "indefinite freeze", catalog_now=0,
                error="signed_catalog.clock_unset"))
    floor = dict(state_of(GOOD_ENV), issued=NOW + 10)
    add(install("clock below the time floor", "indefinite freeze", last=floor,
                error="signed_catalog.clock_behind"))
    # Endless data
    add(install("image longer than the manifest's size", "endless data",
                image=IMAGE + b"\0" * 4096, error="manifest.size_mismatch"))
    add(install("image shorter than the manifest's size", "endless data",
                image=IMAGE[:-1], error="manifest.size_mismatch"))
    # Mix and match
    add(install("yanked release with an unexpired manifest", "mix-and-match", version="v66004",
                text=manifest("v66004"), error="manifest.yanked"))
    add(install("release the catalog does not list", "mix-and-match", version="v66008",
                text=manifest("v66008"), error="manifest.not_in_catalog"))
    add(install("catalog gives the release another sha256", "mix-and-match",
                text=manifest("v66006"), error="manifest.catalog_digest_mismatch"))
    twin = envelope(PAYLOAD, 10, ISSUED + 60, NOW + 7 * 86_400)
    add(install("equal catalog sequence, other signed bytes", "mix-and-match", env=twin,
                last=state_of(GOOD_ENV), error="signed_catalog.sequence_reused"))
    add(install("the same catalog again", "none", last=state_of(GOOD_ENV)))
    # Wrong hardware
    add(install("manifest for other models", "wrong hardware", device={"model": "AG-9"},
                catalog=False, error="manifest.wrong_model"))
    add(install("manifest for another environment", "wrong hardware",
                device={"environment": "staging"}, catalog=False,
                error="manifest.wrong_environment"))
    add(install("catalog packed for another model", "wrong hardware", device={"model": "AG-2"},
                error="manifest.not_in_catalog"))
    add(install("release not for the device's model in the catalog", "wrong hardware",
                text=manifest("v66005"), error="manifest.not_in_catalog"))
    add(install("device below the release's min_sw_version", "wrong hardware",
                text=manifest(min_sw="v66001"), catalog=False,
                error="manifest.below_min_version"))
    # Cross-type confusion
    add(install("a signed image presented as a manifest", "cross-type confusion",
                text=IMAGE, error="manifest.malformed"))
    add(install("a signed catalog presented as a manifest", "cross-type confusion",
                text=GOOD_ENV, sig_key=MANIFEST_KEY, error="manifest.malformed"))
    add(install("a manifest presented as a signed catalog", "cross-type confusion",
                env=manifest().encode(), error="signed_catalog.malformed"))
    # One key compromised: role separation
    add(install("manifest signed with the catalog key", "one key compromised",
                sig_key=CATALOG_KEY, error="manifest.bad_signature"))
    add(install("catalog signed with the manifest key", "one key compromised",
                env=envelope(PAYLOAD, 12, ISSUED, NOW + 86_400, k=MANIFEST_KEY),
                error="signed_catalog.unknown_key"))
    return out


def main():
    doc = {
        "format": 1,
        "description": (
            "Attacks on the install chain, each with the check that stops it (docs/security.md). "
            "op install: if `catalog` is given, open catalog.envelope (hex) with catalog.key "
            "(hex DER SubjectPublicKeyInfo), catalog.last (null or {sequence, sha256, issued}) "
            "and catalog.now; then verify `manifest` (hex of its bytes) with `signature` "
            "(hex DER) and manifest_key, check it against `device` and the opened catalog's "
            "payload; then stream `image` (hex) in chunks of `chunk` bytes, stopping at the "
            "first refusal, and finish. expect: the verified facts {version, size, sha256, "
            "key_id, expires} and, with a catalog, the new catalog state. error: the code of "
            "the first refusal."),
        "vectors": vectors(),
    }
    for i, v in enumerate(doc["vectors"]):
        assert ("expect" in v) != ("error" in v), v["name"]
    names = [v["name"] for v in doc["vectors"]]
    assert len(names) == len(set(names))
    with open(os.path.join(HERE, "attacks.json"), "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(f"wrote {len(names)} vectors")


if __name__ == "__main__":
    main()
