"""FOTA-signer against moto's server mode: an upload is streamed, signed, and its signature and
signed manifest stored beside it; the `cryptography` package checks the signature independently."""

from __future__ import annotations

import os
from pathlib import Path
import importlib.util
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

import stepstone
from conftest import AWS, client

# Both Lambdas are modules named `handler`: load this one under its own name.
_spec = importlib.util.spec_from_file_location("signer_handler", AWS / "signer" / "handler.py")
assert _spec is not None and _spec.loader is not None
signer = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(signer)

NOW = 1_763_900_000


@pytest.fixture()
def bucket(aws: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    (tmp_path / "signing.pem").write_bytes(pem)
    monkeypatch.setenv("FOTA_SIGNING_KEY_FILE", str(tmp_path / "signing.pem"))
    monkeypatch.setattr(signer, "CLOCK", lambda: float(NOW))
    client("s3").create_bucket(Bucket="fota-firmware")
    return {"name": "fota-firmware", "public": private.public_key()}


def s3_event(bucket: str, *keys: str) -> dict[str, Any]:
    return {
        "Records": [
            {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": bucket}, "object": {"key": k}}}
            for k in keys
        ]
    }


def get(bucket: str, key: str) -> bytes:
    return client("s3").get_object(Bucket=bucket, Key=key)["Body"].read()


def test_upload_is_signed_with_a_signed_manifest_beside_it(bucket: dict[str, Any]) -> None:
    image = os.urandom(3 * 1024 * 1024 + 17)  # several chunks
    client("s3").put_object(
        Bucket=bucket["name"],
        Key="firmware/v66003.bin",
        Body=image,
        Metadata={"version": "v66003", "min-sw-version": "v66000", "models": "AG-1 AG-2", "environment": "production"},
    )
    out = signer.handler(s3_event(bucket["name"], "firmware/v66003.bin"))
    assert out["signed"][0]["size"] == len(image)

    # The image signature verifies with an independent implementation...
    sig = get(bucket["name"], "firmware/v66003.bin.sig")
    bucket["public"].verify(sig, image, ec.ECDSA(hashes.SHA256()))
    # ...and with stepstone's streaming verifier, as a device would.
    pem = bucket["public"].public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    key = stepstone.PublicKey(pem)
    v = stepstone.StreamVerifier(key)
    for i in range(0, len(image), 4096):
        v.update(image[i : i + 4096])
    assert v.finish(sig) == stepstone.sha256(image)

    manifest = get(bucket["name"], "firmware/v66003.bin.manifest")
    m = stepstone.verify_manifest(manifest, get(bucket["name"], "firmware/v66003.bin.manifest.sig"), key)
    assert (m.version, m.min_sw_version, m.size, m.models, m.environment) == (
        "v66003",
        "v66000",
        len(image),
        ["AG-1", "AG-2"],
        "production",
    )
    assert m.sha256 == stepstone.sha256(image).hex() and m.key_id == key.key_id
    m.check_device(model="AG-1", environment="production", current_version="v66000", counter="v66000", now=NOW)
    check = m.image_check()
    check.update(image)
    check.finish()

    # A device refuses what the manifest does not allow, each with its own code.
    cases = {
        "manifest.wrong_model": dict(model="VG-9", current_version="v66000", counter="v66000", now=NOW),
        "manifest.expired": dict(model="AG-1", current_version="v66000", counter="v66000", now=NOW + 31 * 86400),
        "manifest.rollback": dict(model="AG-1", current_version="v66000", counter="v67000", now=NOW),
        "manifest.below_min_version": dict(model="AG-1", current_version="v65000", counter="v65000", now=NOW),
    }
    for code, device in cases.items():
        with pytest.raises(stepstone.ManifestError) as e:
            m.check_device(environment="production", **device)
        assert e.value.code == code
    tampered = m.image_check()
    tampered.update(image[:-1] + bytes([image[-1] ^ 1]))
    with pytest.raises(stepstone.ManifestError) as e:
        tampered.finish()
    assert e.value.code == "manifest.digest_mismatch"


def test_own_outputs_are_not_signed_again(bucket: dict[str, Any]) -> None:
    client("s3").put_object(Bucket=bucket["name"], Key="firmware/v67000.bin", Body=b"x" * 1000)
    out = signer.handler(
        s3_event(bucket["name"], "firmware/v67000.bin", "firmware/v67000.bin.sig", "firmware/v67000.bin.manifest")
    )
    assert [s["key"] for s in out["signed"]] == ["firmware/v67000.bin"]
    assert out["skipped"] == ["firmware/v67000.bin.sig", "firmware/v67000.bin.manifest"]
    keys = sorted(o["Key"] for o in client("s3").list_objects_v2(Bucket=bucket["name"])["Contents"])
    assert keys == [
        "firmware/v67000.bin",
        "firmware/v67000.bin.manifest",
        "firmware/v67000.bin.manifest.sig",
        "firmware/v67000.bin.sig",
    ]
