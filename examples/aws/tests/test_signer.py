"""FOTA-signer against moto's server mode: an upload is streamed, its digest signed by KMS
(MessageType=DIGEST), every signature verified before anything is written, and the signature,
manifest and manifest signature stored beside the image; `cryptography` and OpenSSL check them
independently. The optional certificate chain is checked at cold start; manifests are renewed
before they expire."""

from __future__ import annotations

import datetime
import os
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

import stepstone
from conftest import AWS, client, kms_key, kms_signs_digest_as_given, load, openssl_verify

signer = load("signer")

NOW = 1_763_900_000
DAY = 86400


@pytest.fixture()
def bucket(kms_digest_shim: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    arn = kms_key()
    monkeypatch.setenv("FOTA_KMS_KEY_ID", arn)
    monkeypatch.setenv("FOTA_BUCKET", "fota-firmware")
    monkeypatch.setattr(signer, "CLOCK", lambda: float(NOW))
    client("s3").create_bucket(Bucket="fota-firmware")
    der = client("kms").get_public_key(KeyId=arn)["PublicKey"]
    return {"name": "fota-firmware", "key": arn, "der": der, "public": serialization.load_der_public_key(der)}


def s3_event(bucket: str, *keys: str) -> dict[str, Any]:
    return {
        "Records": [
            {"eventName": "ObjectCreated:Put", "s3": {"bucket": {"name": bucket}, "object": {"key": k}}} for k in keys
        ]
    }


def get(bucket: str, key: str) -> bytes:
    return bytes(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())


def keys(bucket: str) -> list[str]:
    return sorted(o["Key"] for o in client("s3").list_objects_v2(Bucket=bucket).get("Contents", []))


def upload(bucket: str, version: str, image: bytes, **meta: str) -> str:
    key = f"firmware/{version}.bin"
    metadata = {"version": version, "environment": "production", **meta}
    client("s3").put_object(Bucket=bucket, Key=key, Body=image, Metadata=metadata)
    return key


def test_moto_kms_digest_shim(kms_digest_shim: dict[str, Any]) -> None:
    """What the shim is for: with it, moto signs a DIGEST as KMS does (the signature verifies
    over the digest); without it, moto 5.2.6 signs SHA-256(digest)."""
    assert kms_signs_digest_as_given()
    if not kms_digest_shim["installed"]:
        pytest.skip("this moto signs MessageType=DIGEST as KMS does: no shim needed")
    kms_digest_shim["undo"]()
    try:
        assert not kms_signs_digest_as_given(), "moto without the shim signs SHA-256(digest)"
    finally:
        kms_digest_shim["undo"] = kms_digest_shim["install"]()


def test_upload_is_signed_by_kms_with_a_signed_manifest_beside_it(bucket: dict[str, Any], tmp_path: Path) -> None:
    image = os.urandom(3 * 1024 * 1024 + 17)  # several chunks
    key = upload(bucket["name"], "v66003", image, **{"min-sw-version": "v66000", "models": "AG-1 AG-2"})
    out = signer.handler(s3_event(bucket["name"], key))
    assert out["signed"][0]["size"] == len(image)
    assert out["signed"][0]["expires"] == NOW + 30 * DAY

    sig = get(bucket["name"], f"{key}.sig")
    # An independent implementation and OpenSSL agree the signature is over the image...
    bucket["public"].verify(sig, image, ec.ECDSA(hashes.SHA256()))
    assert openssl_verify(bucket["der"], image, sig, tmp_path)
    # ...and stepstone's streaming verifier, as a device would.
    public = stepstone.PublicKey(bucket["der"])
    v = stepstone.StreamVerifier(public)
    for i in range(0, len(image), 4096):
        v.update(image[i : i + 4096])
    assert v.finish(sig) == stepstone.sha256(image)

    manifest = get(bucket["name"], f"{key}.manifest")
    manifest_sig = get(bucket["name"], f"{key}.manifest.sig")
    assert openssl_verify(bucket["der"], manifest, manifest_sig, tmp_path)
    m = stepstone.verify_manifest(manifest, manifest_sig, public)
    assert (m.version, m.min_sw_version, m.size, m.models, m.environment) == (
        "v66003",
        "v66000",
        len(image),
        ["AG-1", "AG-2"],
        "production",
    )
    assert m.sha256 == stepstone.sha256(image).hex() and m.key_id == public.key_id
    m.check_device(model="AG-1", environment="production", current_version="v66000", counter="v66000", now=NOW)
    check = m.image_check()
    check.update(image)
    check.finish()
    for code, device in {
        "manifest.wrong_model": dict(model="VG-9", current_version="v66000", counter="v66000", now=NOW),
        "manifest.expired": dict(model="AG-1", current_version="v66000", counter="v66000", now=NOW + 31 * DAY),
        "manifest.rollback": dict(model="AG-1", current_version="v66000", counter="v67000", now=NOW),
        "manifest.below_min_version": dict(model="AG-1", current_version="v65000", counter="v65000", now=NOW),
    }.items():
        with pytest.raises(stepstone.ManifestError) as e:
            m.check_device(environment="production", **device)
        assert e.value.code == code


def test_nothing_is_written_when_a_kms_signature_does_not_verify(
    bucket: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    key = upload(bucket["name"], "v67000", b"x" * 5000)
    s = signer.signer()
    other = ec.generate_private_key(ec.SECP256R1())

    class WrongKms:  # KMS answering with a signature by another key
        def sign(self, **kw: Any) -> dict[str, Any]:
            return {"Signature": other.sign(kw["Message"], ec.ECDSA(hashes.SHA256()))}

    monkeypatch.setattr(s, "kms", WrongKms())
    with pytest.raises(stepstone.SignatureError):
        signer.handler(s3_event(bucket["name"], key))
    assert keys(bucket["name"]) == [key]


def test_the_signer_holds_no_private_key(bucket: dict[str, Any]) -> None:
    source = (AWS / "signer" / "handler.py").read_text()
    for needle in ("SigningKey", "signing_key_file", "PRIVATE KEY", "FOTA_SIGNING_KEY_FILE"):
        assert needle not in source
    key = upload(bucket["name"], "v67000", b"y" * 100)
    # An event cannot name a key file any more: the field is ignored, KMS signs.
    out = signer.handler(dict(s3_event(bucket["name"], key), signing_key_file="/etc/passwd"))
    assert out["signed"][0]["key_id"] == stepstone.PublicKey(bucket["der"]).key_id


def test_own_outputs_and_other_keys_are_not_signed(bucket: dict[str, Any]) -> None:
    key = upload(bucket["name"], "v67000", b"x" * 1000)
    client("s3").put_object(Bucket=bucket["name"], Key="notes/readme.bin", Body=b"n")
    out = signer.handler(
        s3_event(bucket["name"], key, f"{key}.sig", f"{key}.manifest", f"{key}.manifest.sig", "notes/readme.bin")
    )
    assert [s["key"] for s in out["signed"]] == [key]
    assert out["skipped"] == [f"{key}.sig", f"{key}.manifest", f"{key}.manifest.sig", "notes/readme.bin"]
    assert keys(bucket["name"]) == [key, f"{key}.manifest", f"{key}.manifest.sig", f"{key}.sig", "notes/readme.bin"]


def test_a_key_that_is_not_p256_sign_verify_is_refused(bucket: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    rsa = client("kms").create_key(KeySpec="RSA_2048", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    monkeypatch.setenv("FOTA_KMS_KEY_ID", rsa)
    with pytest.raises(ValueError, match="ECC_NIST_P256"):
        signer.handler(s3_event(bucket["name"]))


# ---- the certificate chain -----------------------------------------------------------------------


def _name(cn: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def chain_for(public_der: bytes, *, leaf_days: int = 365) -> tuple[bytes, bytes]:
    """A root, an intermediate CA and a code-signing certificate for the given key: (chain PEM
    with the signing certificate first, root PEM)."""
    now = datetime.datetime.fromtimestamp(NOW, tz=datetime.timezone.utc)
    root_key, inter_key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())

    def cert(subject: str, issuer: str, key: Any, signer_key: Any, ca: bool, days: int, path: Any = None) -> x509.Certificate:
        b = (
            x509.CertificateBuilder()
            .subject_name(_name(subject))
            .issuer_name(_name(issuer))
            .public_key(key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=days))
            .add_extension(x509.BasicConstraints(ca=ca, path_length=path), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=not ca, content_commitment=False, key_encipherment=False,
                    data_encipherment=False, key_agreement=False, key_cert_sign=ca, crl_sign=ca,
                    encipher_only=False, decipher_only=False,
                ),
                critical=True,
            )
        )
        if not ca:
            b = b.add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.CODE_SIGNING]), critical=False)
        return b.sign(signer_key, hashes.SHA256())

    root = cert("FOTA root", "FOTA root", root_key.public_key(), root_key, True, 3650, 1)
    inter = cert("FOTA intermediate", "FOTA root", inter_key.public_key(), root_key, True, 1825, 0)
    leaf = cert("FOTA signer", "FOTA intermediate", serialization.load_der_public_key(public_der), inter_key, False, leaf_days)
    pem = serialization.Encoding.PEM
    return leaf.public_bytes(pem) + inter.public_bytes(pem), root.public_bytes(pem)


def test_certificate_chain_is_checked_at_cold_start(bucket: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    chain, root = chain_for(bucket["der"])
    s3 = client("s3")
    s3.put_object(Bucket=bucket["name"], Key="certs/chain.pem", Body=chain)
    client("ssm").put_parameter(Name="/fota/root", Value=root.decode(), Type="String")
    monkeypatch.setenv("FOTA_CERT_CHAIN", f"s3://{bucket['name']}/certs/chain.pem")
    monkeypatch.setenv("FOTA_CERT_ROOT", "ssm:/fota/root")
    key = upload(bucket["name"], "v67000", b"z" * 300)
    assert signer.handler(s3_event(bucket["name"], key))["signed"][0]["key"] == key
    # The chain's key is what devices pinning the root get: it verifies the image signature.
    leaf = stepstone.verify_chain(chain, root, NOW)
    leaf.verify(b"z" * 300, get(bucket["name"], f"{key}.sig"))


def test_a_chain_for_another_key_or_out_of_date_stops_the_signer(
    bucket: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    other = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    s3 = client("s3")
    wrong_chain, wrong_root = chain_for(other)
    s3.put_object(Bucket=bucket["name"], Key="certs/wrong.pem", Body=wrong_chain)
    s3.put_object(Bucket=bucket["name"], Key="certs/wrong-root.pem", Body=wrong_root)
    old_chain, old_root = chain_for(bucket["der"], leaf_days=-0)  # expires now
    s3.put_object(Bucket=bucket["name"], Key="certs/old.pem", Body=old_chain)
    s3.put_object(Bucket=bucket["name"], Key="certs/old-root.pem", Body=old_root)
    key = upload(bucket["name"], "v67000", b"z" * 300)
    monkeypatch.setenv("FOTA_CERT_CHAIN", f"s3://{bucket['name']}/certs/wrong.pem")
    monkeypatch.setenv("FOTA_CERT_ROOT", f"s3://{bucket['name']}/certs/wrong-root.pem")
    with pytest.raises(ValueError, match="is not the KMS key"):
        signer.handler(s3_event(bucket["name"], key))
    signer.reset()
    monkeypatch.setenv("FOTA_CERT_CHAIN", f"s3://{bucket['name']}/certs/old.pem")
    monkeypatch.setenv("FOTA_CERT_ROOT", f"s3://{bucket['name']}/certs/old-root.pem")
    monkeypatch.setattr(signer, "CLOCK", lambda: float(NOW + DAY))
    with pytest.raises(stepstone.CertificateError) as e:
        signer.handler(s3_event(bucket["name"], key))
    assert e.value.code.startswith("cert.")
    assert f"{key}.sig" not in keys(bucket["name"])


# ---- manifest lifetime ---------------------------------------------------------------------------


def test_manifests_are_renewed_before_they_expire(bucket: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    public = stepstone.PublicKey(bucket["der"])
    old = upload(bucket["name"], "v66003", b"a" * 2000, **{"min-sw-version": "v66000", "models": "AG-1"})
    signer.handler(s3_event(bucket["name"], old))
    old_sig = get(bucket["name"], f"{old}.sig")
    # 21 days later a newer image is signed; the first manifest has 9 days left (< 10).
    later = NOW + 21 * DAY
    monkeypatch.setattr(signer, "CLOCK", lambda: float(later))
    new = upload(bucket["name"], "v67000", b"b" * 2000)
    signer.handler(s3_event(bucket["name"], new))
    new_manifest = get(bucket["name"], f"{new}.manifest")
    out = signer.handler({"renew": True})
    assert out == {"renewed": [old], "kept": [new], "resigned": []}
    m = stepstone.verify_manifest(get(bucket["name"], f"{old}.manifest"), get(bucket["name"], f"{old}.manifest.sig"), public)
    assert m.expires == later + 30 * DAY
    assert (m.version, m.min_sw_version, m.size, m.models) == ("v66003", "v66000", 2000, ["AG-1"])
    assert get(bucket["name"], f"{old}.sig") == old_sig, "the image signature is not touched"
    assert get(bucket["name"], f"{new}.manifest") == new_manifest
    # A device that fetched its job at the last moment before renewal still has a valid manifest
    # for longer than the job may take (policy checked at cold start).
    m.check_device(model="AG-1", environment="production", current_version="v66000", counter="v66000", now=later + 7 * DAY)


def test_the_lifetime_policy_is_checked_at_cold_start(bucket: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FOTA_RENEW_DAYS", "7")  # not more than the 7-day job lifetime
    with pytest.raises(ValueError, match="FOTA_RENEW_DAYS=7"):
        signer.handler({"Records": []})
    signer.reset()
    monkeypatch.setenv("FOTA_RENEW_DAYS", "10")
    monkeypatch.setenv("FOTA_MANIFEST_DAYS", "11")
    with pytest.raises(ValueError, match="FOTA_MANIFEST_DAYS=11"):
        signer.handler({"Records": []})
