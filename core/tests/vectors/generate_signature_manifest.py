#!/usr/bin/env python3
"""Writes signature.json and manifest.json beside this file, with Python's `cryptography`
(an implementation independent of stepstone). Keys are fixed scalars; ECDSA signatures are
randomised, so a rerun gives different signature bytes with the same verdicts.

    python3 core/tests/vectors/generate_signature_manifest.py
"""
import base64, hashlib, json, os
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

HERE = os.path.dirname(os.path.abspath(__file__))
N = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

def key(scalar):
    return ec.derive_private_key(scalar, ec.SECP256R1())

K1, K2 = key(0x1111), key(0x2222)

def pub_forms(k):
    p = k.public_key()
    return {
        "pem": p.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "der": p.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo),
        "sec1": p.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint),
        "sec1c": p.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.CompressedPoint),
    }

def key_id(k):
    return hashlib.sha256(pub_forms(k)["sec1"]).hexdigest()

def sign(k, msg):
    return k.sign(msg, ec.ECDSA(hashes.SHA256()))

def rs(der):
    return utils.decode_dss_signature(der)

def raw(r, s):
    return r.to_bytes(32, "big") + s.to_bytes(32, "big")

def der_of(r, s):
    return utils.encode_dss_signature(r, s)

h = lambda b: b.hex()

def signature_vectors():
    msg = b"stepstone firmware image \x00\x01\x02" * 37
    der = sign(K1, msg)
    r, s = rs(der)
    low_s = min(s, N - s)
    high_s = N - low_s
    f = pub_forms(K1)
    v = []
    def ok(name, key, sig, fmt, key_fmt, message=msg):
        v.append({"name": name, "key": h(key), "message": h(message), "signature": h(sig),
                  "expect": {"signature_format": fmt, "key_format": key_fmt,
                             "key_id": key_id(K1), "sha256": hashlib.sha256(message).hexdigest()}})
    def err(name, key, sig, code, message=msg):
        v.append({"name": name, "key": h(key), "message": h(message), "signature": h(sig), "error": code})
    ok("der-pem-key", f["pem"], der, "der", "pem")
    ok("der-der-key", f["der"], der, "der", "der")
    ok("der-sec1-key", f["sec1"], der, "der", "sec1")
    ok("der-sec1-compressed-key", f["sec1c"], der, "der", "sec1")
    ok("der-hex-key", f["sec1"].hex().encode(), der, "der", "hex")
    ok("raw", f["pem"], raw(r, s), "raw", "pem")
    ok("hex-of-der", f["pem"], der.hex().encode() + b"\n", "hex", "pem")
    ok("base64-of-der", f["pem"], base64.b64encode(der) + b"\n", "base64", "pem")
    ok("hex-of-raw", f["pem"], raw(r, s).hex().upper().encode(), "hex-raw", "pem")
    ok("base64-of-raw", f["pem"], base64.b64encode(raw(r, s)), "base64-raw", "pem")
    ok("high-s-accepted", f["pem"], der_of(r, high_s), "der", "pem")
    ok("low-s-accepted", f["pem"], der_of(r, low_s), "der", "pem")
    ok("empty-message", f["pem"], sign(K1, b""), "der", "pem", message=b"")
    err("wrong-key", pub_forms(K2)["pem"], der, "signature.invalid")
    err("tampered-message", f["pem"], der, "signature.invalid", message=msg[:-1] + b"X")
    err("truncated-message", f["pem"], der, "signature.invalid", message=msg[:-1])
    err("extended-message", f["pem"], der, "signature.invalid", message=msg + b"\x00")
    err("zero-r", f["pem"], der_of(0, s), "signature.malformed")
    err("zero-s", f["pem"], der_of(r, 0), "signature.malformed")
    err("r-equals-n", f["pem"], der_of(N, s), "signature.malformed")
    err("zero-s-raw", f["pem"], r.to_bytes(32, "big") + bytes(32), "signature.malformed")
    err("r-equals-n-raw", f["pem"], N.to_bytes(32, "big") + s.to_bytes(32, "big"), "signature.malformed")
    err("s-above-n-raw", f["pem"], r.to_bytes(32, "big") + b"\xff" * 32, "signature.malformed")
    ber = bytes([0x30, 0x81]) + der[1:]
    err("ber-long-length", f["pem"], ber, "signature.malformed")
    err("trailing-byte", f["pem"], der + b"\x00", "signature.malformed")
    err("truncated-der", f["pem"], der[:-1], "signature.malformed")
    err("empty-signature", f["pem"], b"", "signature.malformed")
    err("raw-63-bytes", f["pem"], raw(r, s)[:63], "signature.malformed")
    err("garbage-text", f["pem"], b"not a signature\n", "signature.malformed")
    err("key-is-certificate-label", b"-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n", der, "signature.key_malformed")
    err("key-not-on-curve", b"\x04" + b"\x01" * 64, der, "signature.key_malformed")
    p384 = ec.derive_private_key(5, ec.SECP384R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    err("key-p384-unsupported", p384, der, "signature.key_unsupported")
    return v

def manifest_text(k, image, version="v66003", min_sw="v66000", scheme="integer", models="AG-1 AG-2",
                  env="production", expires=1900000000, size=None, digest=None, kid=None):
    lines = ["stepstone-manifest 1", f"scheme {scheme}", f"version {version}"]
    if min_sw is not None:
        lines.append(f"min_sw_version {min_sw}")
    lines += [f"size {len(image) if size is None else size}",
              f"sha256 {digest or hashlib.sha256(image).hexdigest()}",
              f"models {models}", f"environment {env}", f"expires {expires}",
              f"key_id {kid or key_id(k)}"]
    return "\n".join(lines) + "\n"

def manifest_vectors():
    image = bytes(range(256)) * 8 + b"tail"
    dev = {"model": "AG-1", "environment": "production", "current_version": "v66000",
           "counter": "v66000", "now": 1800000000}
    v = []
    def case(name, text, device=dev, img=image, sig=None, key=K1, signer=K1, error=None):
        body = text.encode()
        s = sig if sig is not None else sign(signer, body)
        vec = {"name": name, "key": h(pub_forms(key)["pem"]), "manifest": text, "signature": h(s),
               "device": device, "image": h(img)}
        if error:
            vec["error"] = error
        else:
            vec["expect"] = {"version": None, "size": len(img), "sha256": hashlib.sha256(img).hexdigest()}
            vec["expect"]["version"] = text.split("\nversion ")[1].split("\n")[0]
        v.append(vec)
    good = manifest_text(K1, image)
    case("genuine", good)
    case("genuine-no-min", manifest_text(K1, image, min_sw=None))
    case("genuine-any-model", manifest_text(K1, image, models="*"), device={**dev, "model": "ZZ-9"})
    case("genuine-semver", manifest_text(K1, image, scheme="semver", version="2.0.0-rc.1", min_sw="1.4.0"),
         device={**dev, "current_version": "1.4.0", "counter": "1.9.9"})
    case("genuine-dotted", manifest_text(K1, image, scheme="dotted", version="38.20231027.3.2", min_sw="38"),
         device={**dev, "current_version": "38.20231001", "counter": "38.20231001"})
    case("bad-signature-other-key", good, signer=K2, error="manifest.bad_signature")
    case("bad-signature-malformed", good, sig=b"\x30\x00", error="manifest.bad_signature")
    case("bad-signature-tampered", good.replace("AG-1 AG-2", "AG-1 AG-3"), sig=sign(K1, good.encode()),
         error="manifest.bad_signature")
    case("key-mismatch", manifest_text(K1, image, kid=key_id(K2)), error="manifest.key_mismatch")
    case("wrong-model", good, device={**dev, "model": "AG-7"}, error="manifest.wrong_model")
    case("wrong-environment", good, device={**dev, "environment": "staging"}, error="manifest.wrong_environment")
    case("rollback-counter", good, device={**dev, "counter": "v66003"}, error="manifest.rollback")
    case("rollback-counter-above", good, device={**dev, "counter": "v70000"}, error="manifest.rollback")
    case("rollback-current", good, device={**dev, "current_version": "v66004", "counter": "v66004"},
         error="manifest.rollback")
    case("below-min-version", good, device={**dev, "current_version": "v65000", "counter": "v65000"},
         error="manifest.below_min_version")
    case("expired", good, device={**dev, "now": 1900000000}, error="manifest.expired")
    case("digest-mismatch", good, img=image[:-1] + b"X", error="manifest.digest_mismatch")
    case("size-longer", good, img=image + b"!", error="manifest.size_mismatch")
    case("size-shorter", good, img=image[:-1], error="manifest.size_mismatch")
    case("device-version-malformed", good, device={**dev, "current_version": "6.6"}, error="manifest.device_version")
    case("unsupported-format", good.replace("stepstone-manifest 1", "stepstone-manifest 2"),
         error="manifest.unsupported_format")
    for name, text in [
        ("malformed-crlf", good.replace("\n", "\r\n")),
        ("malformed-no-final-newline", good[:-1]),
        ("malformed-field-order", good.replace("environment production\nexpires", "expires").replace(
            "key_id", "environment production\nkey_id")),
        ("malformed-duplicate-field", good.replace("size ", "size 1\nsize ", 1)),
        ("malformed-unknown-field", good + "extra 1\n"),
        ("malformed-leading-zero-size", good.replace("size 2052", "size 02052")),
        ("malformed-upper-hex", good.replace("sha256 " + hashlib.sha256(image).hexdigest(),
                                             "sha256 " + hashlib.sha256(image).hexdigest().upper())),
        ("malformed-min-not-below", manifest_text(K1, image, min_sw="v66003")),
        ("malformed-bad-version", manifest_text(K1, image, version="v66x")),
        ("malformed-double-space", good.replace("models AG-1 AG-2", "models AG-1  AG-2")),
        ("malformed-missing-field", good.replace("environment production\n", "")),
    ]:
        case(name, text, error="manifest.malformed")
    return v

def write(name, description, vectors):
    names = [v["name"] for v in vectors]
    assert len(names) == len(set(names))
    with open(os.path.join(HERE, name), "w") as f:
        json.dump({"format": 1, "description": description, "vectors": vectors}, f, indent=1)
        f.write("\n")

write("signature.json",
      "ECDSA P-256 / SHA-256 verification. Inputs: key (hex of the key file's bytes: PEM, DER SPKI, "
      "SEC1 or hex text), message (hex), signature (hex of the signature file's bytes: DER, raw r||s, "
      "or hex/base64 text of either). expect: signature_format and key_format as detected, key_id, "
      "sha256 of the message. error: the stable code.", signature_vectors())
write("manifest.json",
      "Signed release manifests. Inputs: key (hex of a PEM public key), manifest (the exact text), "
      "signature (hex of the detached signature file), device {model, environment, current_version, "
      "counter, now}, image (hex). Checks: verify, check_device, then the streamed image. expect: "
      "version, size, sha256. error: the stable code of the first refusal.", manifest_vectors())
print("wrote signature.json and manifest.json")
