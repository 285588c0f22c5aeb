"""FOTA-signer: an S3-triggered Lambda that signs each uploaded firmware image.

On ``s3:ObjectCreated`` for ``firmware/<version>.bin`` it streams the object (never holding the
image), hashes it with stepstone, signs the digest (ECDSA P-256, RFC 6979), and stores beside it:

* ``<key>.sig``: the image signature (DER, what OpenSSL and cloud signers emit);
* ``<key>.manifest``: the signed release manifest (version, min_sw_version, size, digest, models,
  environment, expiry; format in docs/manifest.md) and ``<key>.manifest.sig``, its signature.

The manifest's fields come from the object's metadata, as the admin console uploads it:
``x-amz-meta-version`` (else the file name), ``x-amz-meta-min-sw-version``,
``x-amz-meta-models`` (space separated; absent: every model), ``x-amz-meta-environment``.

The signing key is a PEM file for the example (``FOTA_SIGNING_KEY_FILE``); an event may name
another file in ``signing_key_file`` (its config). In production it would come from a secret
store. Other settings: ``FOTA_MANIFEST_DAYS`` (validity, default 30), ``FOTA_SCHEME``
(``integer``).
"""

from __future__ import annotations

import os
import time
import urllib.parse
from typing import Any, Callable, Optional

import boto3

import stepstone

#: The clock (seconds); tests may replace it.
CLOCK: Callable[[], float] = time.time
CHUNK = 1 << 20
SUFFIXES = (".sig", ".manifest", ".manifest.sig")


def _s3() -> Any:
    return boto3.client("s3", endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))


def signing_key(config: dict[str, Any]) -> stepstone.SigningKey:
    path = config.get("signing_key_file") or os.environ["FOTA_SIGNING_KEY_FILE"]
    with open(path, "rb") as f:
        return stepstone.SigningKey(f.read())


def version_of(key: str, metadata: dict[str, str]) -> str:
    if "version" in metadata:
        return metadata["version"]
    name = key.rsplit("/", 1)[-1]
    return name[: -len(".bin")] if name.endswith(".bin") else name


def sign_object(bucket: str, key: str, signer: stepstone.SigningKey) -> dict[str, Any]:
    """Streams one object, signs it, stores the signature and the signed manifest."""
    s3 = _s3()
    obj = s3.get_object(Bucket=bucket, Key=key)
    metadata = {k.lower(): v for k, v in obj.get("Metadata", {}).items()}
    hasher = stepstone.ImageHasher()
    for chunk in obj["Body"].iter_chunks(CHUNK):
        hasher.update(chunk)
    size = len(hasher)
    digest = hasher.finish()
    signature = signer.sign_digest(digest)
    models: Optional[list[str]] = metadata["models"].split() if "models" in metadata else None
    manifest = stepstone.render_manifest(
        scheme=os.environ.get("FOTA_SCHEME", "integer"),
        version=version_of(key, metadata),
        min_sw_version=metadata.get("min-sw-version"),
        size=size,
        sha256=digest,
        models=models,
        environment=metadata.get("environment", "production"),
        expires=int(CLOCK()) + 86400 * int(os.environ.get("FOTA_MANIFEST_DAYS", "30")),
        key_id=signer.public_key.key_id,
    ).encode()
    manifest_sig = signer.sign(manifest)
    # Check what is about to be published with the verifier devices use.
    stepstone.verify_manifest(manifest, manifest_sig.encode("der"), signer.public_key)
    s3.put_object(Bucket=bucket, Key=f"{key}.sig", Body=signature.encode("der"))
    s3.put_object(Bucket=bucket, Key=f"{key}.manifest", Body=manifest)
    s3.put_object(Bucket=bucket, Key=f"{key}.manifest.sig", Body=manifest_sig.encode("der"))
    return {"key": key, "size": size, "sha256": digest.hex(), "key_id": signer.public_key.key_id}


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The Lambda entry point: an S3 event in, what was signed out."""
    signer = signing_key(event)
    signed, skipped = [], []
    for record in event.get("Records", []):
        bucket = record["s3"]["bucket"]["name"]
        key = urllib.parse.unquote_plus(record["s3"]["object"]["key"])
        if key.endswith(SUFFIXES):  # our own outputs also raise events: do not sign them
            skipped.append(key)
            continue
        signed.append(sign_object(bucket, key, signer))
    return {"signed": signed, "skipped": skipped}
