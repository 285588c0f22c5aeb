"""FOTA-signer: an S3-triggered Lambda that signs each uploaded firmware image with AWS KMS.

On ``s3:ObjectCreated`` for ``<prefix><version>.bin`` (the bucket notification filters on the
prefix and the ``.bin`` suffix, so the signer's own outputs never trigger it) it streams the
object through stepstone's SHA-256 (``ImageHasher``; the image is never held whole), asks KMS to
sign the digest, and stores beside the image:

* ``<key>.sig``: the image signature (DER, as OpenSSL and KMS write it);
* ``<key>.manifest``: the release manifest (version, min_sw_version, size, digest, models,
  environment, expiry, key id; format in docs/manifest.md) and ``<key>.manifest.sig``, its
  signature.

Signing: the key is an AWS KMS key (``KeySpec`` ``ECC_NIST_P256``, ``KeyUsage``
``SIGN_VERIFY``). The function calls ``kms:Sign`` with ``MessageType=DIGEST`` and
``SigningAlgorithm=ECDSA_SHA_256``: KMS signs the 32-byte SHA-256 digest it is given (it does
not hash it again). The function never holds a private key. Every signature KMS returns is
verified with stepstone against the key's public key (``kms:GetPublicKey``, read once per
container) *before anything is written*; a signature that does not verify raises and nothing
is stored.

Certificate chain (optional; KeepTruckin's 2020 FOTA design signs with an intermediate certificate): with
``FOTA_CERT_CHAIN`` and ``FOTA_CERT_ROOT`` set, the chain (signing certificate first) is
checked at cold start with stepstone's ``verify_chain`` against the root, at the current time,
and the signing certificate's key must be the KMS key; otherwise the function refuses to start
(every invocation raises). Each is a location: ``s3://bucket/key`` or ``ssm:<parameter name>``.

Manifest lifetime: a manifest expires ``FOTA_MANIFEST_DAYS`` (default 30) days after it is
signed. The template's daily schedule invokes this function with ``{"renew": true}``: every
manifest under the prefix with less than ``FOTA_RENEW_DAYS`` (default 10) days left is issued
again with a fresh expiry (same image, same image signature; the manifest and its signature are
rewritten). Continuous jobs never carry a URL or a manifest that expires (their links are
pre-signed when a device fetches the document), so the policy is: *a job lives as long as its
release is in use; its manifest is re-issued before it expires*. The cold start checks that a
device that gets a job always gets a manifest that outlives it: ``FOTA_RENEW_DAYS`` days must
exceed the job lifetime ``FOTA_JOB_TTL`` (the scheduler's) plus the URL lifetime
``FOTA_URL_EXPIRES``, and ``FOTA_MANIFEST_DAYS`` must exceed ``FOTA_RENEW_DAYS`` plus the
renewal period (1 day).

The manifest's fields come from the object's metadata, as the admin console uploads it:
``x-amz-meta-version`` (else the file name), ``x-amz-meta-min-sw-version``,
``x-amz-meta-models`` (space separated; absent: every model), ``x-amz-meta-environment``
(default ``production``).

Configuration (environment): ``FOTA_KMS_KEY_ID`` (key id or ARN), ``FOTA_IMAGE_PREFIX``
(default ``firmware/``), ``FOTA_SCHEME`` (the catalog's version scheme, default ``integer``),
``FOTA_MANIFEST_DAYS``, ``FOTA_RENEW_DAYS``, ``FOTA_JOB_TTL``, ``FOTA_URL_EXPIRES``,
``FOTA_CERT_CHAIN``, ``FOTA_CERT_ROOT``.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import urllib.parse
from typing import Any, Callable, Optional

import boto3
import botocore.config

import stepstone

#: The clock (seconds); tests may replace it.
CLOCK: Callable[[], float] = time.time
CHUNK = 1 << 20
IMAGE_SUFFIX = ".bin"
OUTPUT_SUFFIXES = (".sig", ".manifest", ".manifest.sig")
RENEW_PERIOD_DAYS = 1  # the template's schedule

LOG = logging.getLogger("fota.signer")
LOG.setLevel(logging.INFO)

_lock = threading.RLock()
_clients: dict[str, Any] = {}
_signer: Optional["KmsSigner"] = None


def client(service: str) -> Any:
    with _lock:
        c = _clients.get(service)
        if c is None:
            c = boto3.client(service, config=botocore.config.Config(retries={"mode": "standard"}))
            _clients[service] = c
        return c


def reset() -> None:
    """Forget the cached clients and signer (a new container)."""
    global _signer
    with _lock:
        _clients.clear()
        _signer = None


def _days(name: str, default: int) -> int:
    return int(os.environ.get(name, str(default)))


def check_lifetimes() -> None:
    """The manifest-expiry / job-lifetime policy, checked at cold start (ValueError if broken)."""
    manifest_days = _days("FOTA_MANIFEST_DAYS", 30)
    renew_days = _days("FOTA_RENEW_DAYS", 10)
    job_ttl = int(os.environ.get("FOTA_JOB_TTL", str(7 * 86400)))
    url_expires = int(os.environ.get("FOTA_URL_EXPIRES", "3600"))
    if renew_days * 86400 <= job_ttl + url_expires:
        raise ValueError(
            f"FOTA_RENEW_DAYS={renew_days}: a manifest must be renewed while it still outlives a job "
            f"(FOTA_JOB_TTL={job_ttl} s + FOTA_URL_EXPIRES={url_expires} s)"
        )
    if manifest_days <= renew_days + RENEW_PERIOD_DAYS:
        raise ValueError(
            f"FOTA_MANIFEST_DAYS={manifest_days} must exceed FOTA_RENEW_DAYS={renew_days} "
            f"plus the renewal period ({RENEW_PERIOD_DAYS} day)"
        )


def read_location(location: str) -> bytes:
    """The bytes at ``s3://bucket/key`` or ``ssm:<parameter name>``."""
    if location.startswith("s3://"):
        bucket, _, key = location[len("s3://") :].partition("/")
        return bytes(client("s3").get_object(Bucket=bucket, Key=key)["Body"].read())
    if location.startswith("ssm:"):
        got = client("ssm").get_parameter(Name=location[len("ssm:") :], WithDecryption=True)
        return str(got["Parameter"]["Value"]).encode()
    raise ValueError(f"{location!r}: expected s3://bucket/key or ssm:<parameter name>")


class KmsSigner:
    """Signs SHA-256 digests with an AWS KMS key (ECC_NIST_P256, SIGN_VERIFY, ECDSA_SHA_256);
    checks every signature against the key's public key with stepstone before returning it."""

    def __init__(self, key_id: str, kms: Any = None) -> None:
        self.kms = kms if kms is not None else client("kms")
        info = self.kms.get_public_key(KeyId=key_id)
        problems = []
        # KMS answers both KeySpec and its deprecated twin CustomerMasterKeySpec (moto only the
        # latter).
        spec = info.get("KeySpec") or info.get("CustomerMasterKeySpec")
        if spec != "ECC_NIST_P256":
            problems.append(f"KeySpec {spec} (need ECC_NIST_P256)")
        if info.get("KeyUsage") != "SIGN_VERIFY":
            problems.append(f"KeyUsage {info.get('KeyUsage')} (need SIGN_VERIFY)")
        if "ECDSA_SHA_256" not in info.get("SigningAlgorithms", []):
            problems.append("no ECDSA_SHA_256 signing algorithm")
        if problems:
            raise ValueError(f"KMS key {key_id}: " + "; ".join(problems))
        self.key_id = key_id
        self.key_arn = str(info["KeyId"])
        self.public_key = stepstone.PublicKey(bytes(info["PublicKey"]))  # DER SubjectPublicKeyInfo

    def sign_digest(self, digest: bytes) -> stepstone.Signature:
        """KMS's signature over a 32-byte SHA-256 digest, verified before it is returned
        (``stepstone.SignatureError`` if it does not verify)."""
        if len(digest) != 32:
            raise ValueError(f"a SHA-256 digest is 32 bytes, not {len(digest)}")
        out = self.kms.sign(
            KeyId=self.key_id,
            Message=digest,
            MessageType="DIGEST",
            SigningAlgorithm="ECDSA_SHA_256",
        )
        signature = stepstone.Signature(bytes(out["Signature"]))
        self.public_key.verify_digest(digest, signature)
        return signature

    def sign(self, message: bytes) -> stepstone.Signature:
        """Signs a short message (a manifest): its SHA-256 digest, signed by KMS."""
        return self.sign_digest(stepstone.sha256(message))


def signer() -> KmsSigner:
    """The container's signer, built and checked at cold start (lifetimes, KMS key, chain)."""
    global _signer
    with _lock:
        if _signer is None:
            check_lifetimes()
            s = KmsSigner(os.environ["FOTA_KMS_KEY_ID"])
            chain, root = os.environ.get("FOTA_CERT_CHAIN"), os.environ.get("FOTA_CERT_ROOT")
            if chain or root:
                if not (chain and root):
                    raise ValueError("FOTA_CERT_CHAIN and FOTA_CERT_ROOT go together")
                leaf = stepstone.verify_chain(read_location(chain), read_location(root), int(CLOCK()))
                if leaf.key_id != s.public_key.key_id:
                    raise ValueError(
                        f"the certificate chain's signing key {leaf.key_id} is not the KMS key "
                        f"{s.key_arn} ({s.public_key.key_id})"
                    )
            _signer = s
        return _signer


def version_of(key: str, metadata: dict[str, str]) -> str:
    if "version" in metadata:
        return metadata["version"]
    name = key.rsplit("/", 1)[-1]
    return name[: -len(IMAGE_SUFFIX)] if name.endswith(IMAGE_SUFFIX) else name


def is_image(key: str) -> bool:
    prefix = os.environ.get("FOTA_IMAGE_PREFIX", "firmware/")
    return key.startswith(prefix) and key.endswith(IMAGE_SUFFIX)


def _manifest(fields: dict[str, Any], key_id: str) -> bytes:
    expires = int(CLOCK()) + 86400 * _days("FOTA_MANIFEST_DAYS", 30)
    return stepstone.render_manifest(expires=expires, key_id=key_id, **fields).encode()


def _publish_manifest(bucket: str, key: str, manifest: bytes, s: KmsSigner) -> stepstone.Manifest:
    """Signs a manifest, checks it as a device would, and writes it and its signature."""
    manifest_sig = s.sign(manifest).encode("der")
    checked = stepstone.verify_manifest(manifest, manifest_sig, s.public_key)
    s3 = client("s3")
    s3.put_object(Bucket=bucket, Key=f"{key}.manifest", Body=manifest)
    s3.put_object(Bucket=bucket, Key=f"{key}.manifest.sig", Body=manifest_sig)
    return checked


def sign_object(bucket: str, key: str, s: KmsSigner) -> dict[str, Any]:
    """Streams one image, signs it, stores its signature and its signed manifest."""
    s3 = client("s3")
    obj = s3.get_object(Bucket=bucket, Key=key)
    metadata = {k.lower(): v for k, v in obj.get("Metadata", {}).items()}
    hasher = stepstone.ImageHasher()
    for chunk in obj["Body"].iter_chunks(CHUNK):
        hasher.update(chunk)
    size = len(hasher)
    digest = hasher.finish()
    signature = s.sign_digest(digest)  # verified against the KMS public key
    models: Optional[list[str]] = metadata["models"].split() if "models" in metadata else None
    fields = dict(
        scheme=os.environ.get("FOTA_SCHEME", "integer"),
        version=version_of(key, metadata),
        min_sw_version=metadata.get("min-sw-version"),
        size=size,
        sha256=digest,
        models=models,
        environment=metadata.get("environment", "production"),
    )
    manifest = _manifest(fields, s.public_key.key_id)
    manifest_sig = s.sign(manifest).encode("der")
    checked = stepstone.verify_manifest(manifest, manifest_sig, s.public_key)
    # Everything verified: only now is anything written.
    s3.put_object(Bucket=bucket, Key=f"{key}.sig", Body=signature.encode("der"))
    s3.put_object(Bucket=bucket, Key=f"{key}.manifest", Body=manifest)
    s3.put_object(Bucket=bucket, Key=f"{key}.manifest.sig", Body=manifest_sig)
    return {
        "key": key,
        "size": size,
        "sha256": digest.hex(),
        "key_id": s.public_key.key_id,
        "expires": checked.expires,
    }


def renew(bucket: str, s: KmsSigner) -> dict[str, list[str]]:
    """Issues again every manifest under the prefix that expires within FOTA_RENEW_DAYS."""
    prefix = os.environ.get("FOTA_IMAGE_PREFIX", "firmware/")
    horizon = int(CLOCK()) + 86400 * _days("FOTA_RENEW_DAYS", 10)
    s3 = client("s3")
    renewed, kept, resigned = [], [], []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            key = str(obj["Key"])
            if not key.endswith(IMAGE_SUFFIX + ".manifest"):
                continue
            image = key[: -len(".manifest")]
            text = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            sig = s3.get_object(Bucket=bucket, Key=key + ".sig")["Body"].read()
            try:
                m = stepstone.verify_manifest(text, sig, s.public_key)
            except stepstone.ManifestError:
                # Signed by another key (rotated) or damaged: sign the image again from scratch.
                sign_object(bucket, image, s)
                resigned.append(image)
                continue
            if m.expires > horizon:
                kept.append(image)
                continue
            fields = dict(
                scheme=m.scheme,
                version=m.version,
                min_sw_version=m.min_sw_version,
                size=m.size,
                sha256=bytes.fromhex(m.sha256),
                models=None if m.models == ["*"] else m.models,
                environment=m.environment,
            )
            _publish_manifest(bucket, image, _manifest(fields, s.public_key.key_id), s)
            renewed.append(image)
    return {"renewed": renewed, "kept": kept, "resigned": resigned}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The Lambda entry point: an S3 event (or the renewal schedule's ``{"renew": true}``) in,
    what was signed out."""
    s = signer()
    if event.get("renew"):
        return renew(os.environ["FOTA_BUCKET"], s)
    signed, skipped = [], []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        if not is_image(key) or key.endswith(OUTPUT_SUFFIXES):
            skipped.append(key)  # the notification filter should not have sent it
            continue
        signed.append(sign_object(bucket, key, s))
    return {"signed": signed, "skipped": skipped}
