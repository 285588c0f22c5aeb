"""moto in server mode (real HTTP on 127.0.0.1) and helpers that drive the Lambdas the way AWS
would: SQS batches in, ``batchItemFailures`` honoured.

moto and KMS ``Sign`` with ``MessageType=DIGEST``: real KMS signs the 32-byte digest it is given
(the caller hashed the message). moto 5.2.6 ignores ``MessageType`` and signs SHA-256 *of* the
digest, so a signature from moto does not verify over the digest, and the signer (which verifies
every signature before writing anything, as it must against real KMS) would refuse it. The
production code follows real KMS. The shim is here, in the tests only: ``kms_digest_shim`` first
asks moto to sign a probe digest; if the signature verifies only over SHA-256(digest) (moto's
behaviour), it patches moto's server-side ECDSA signing, for requests with
``MessageType=DIGEST`` only, to sign the digest as a pre-hashed value (cryptography's
``Prehashed``), which is what KMS does (``motokit.install_moto_kms_digest_shim``; the server is
in this process). If a later moto follows KMS, the probe says so and
nothing is patched. ``test_signer.py::test_moto_kms_digest_shim`` shows both sides.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import socket
import sys
import urllib.request
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

from motokit import install_moto_kms_digest_shim

import stepstone

HERE = Path(__file__).resolve().parent
AWS = HERE.parent
ROOT = AWS.parents[1]
sys.path[:0] = [str(HERE)]

ENV = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "us-east-1",
    "AWS_REGION": "us-east-1",
}


def load(name: str) -> ModuleType:
    """Loads ``examples/aws/<name>/handler.py`` (or ``<name>.py``) under a module name of its
    own: both Lambdas are modules named ``handler``."""
    path = AWS / name / "handler.py" if (AWS / name).is_dir() else AWS / f"{name}.py"
    module_name = f"fota_{name}"
    if module_name in sys.modules:
        return sys.modules[module_name]
    spec = importlib.util.spec_from_file_location(module_name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    spec.loader.exec_module(module)
    return module


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


def reset_handlers() -> None:
    for name in ("fota_scheduler", "fota_signer"):
        if name in sys.modules:
            sys.modules[name].reset()


@pytest.fixture()
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Fresh AWS state per test (moto's reset API), credentials that are not real. The
    handlers find moto through botocore's own ``AWS_ENDPOINT_URL``."""
    for k, v in dict(ENV, AWS_ENDPOINT_URL=moto_server).items():
        monkeypatch.setenv(k, v)
    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    reset_handlers()
    yield moto_server
    reset_handlers()


def client(service: str) -> Any:
    return boto3.client(service)


# ---- KMS: the DIGEST shim (tests only; see the module docstring) --------------------------------

SHIM: dict[str, Any] = {"moto_hashes_digest_again": None, "installed": False}


def kms_signs_digest_as_given() -> bool:
    """Asks KMS (moto) to sign a probe digest with MessageType=DIGEST. True if the signature
    verifies over the digest (real KMS); False if only over SHA-256(digest) (moto 5.2.6)."""
    kms = client("kms")
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    digest = hashlib.sha256(b"stepstone probe").digest()
    sig = kms.sign(KeyId=key, Message=digest, MessageType="DIGEST", SigningAlgorithm="ECDSA_SHA_256")
    public = stepstone.PublicKey(kms.get_public_key(KeyId=key)["PublicKey"])
    try:
        public.verify_digest(digest, sig["Signature"])
        return True
    except stepstone.SignatureError:
        public.verify(digest, sig["Signature"])  # over SHA-256(digest): moto's reading
        return False


@pytest.fixture()
def kms_digest_shim(aws: str) -> Iterator[dict[str, Any]]:
    """KMS (moto) with real KMS's MessageType=DIGEST semantics for this test. ``SHIM["undo"]``
    removes the shim (``SHIM["install"]()`` puts it back and returns the next undo)."""
    if SHIM["moto_hashes_digest_again"] is None:
        SHIM["moto_hashes_digest_again"] = not kms_signs_digest_as_given()
    SHIM["install"] = install_moto_kms_digest_shim
    SHIM["undo"] = install_moto_kms_digest_shim() if SHIM["moto_hashes_digest_again"] else None
    SHIM["installed"] = SHIM["undo"] is not None
    try:
        yield SHIM
    finally:
        if SHIM["undo"] is not None:
            SHIM["undo"]()
        SHIM["installed"], SHIM["undo"] = False, None


def kms_key() -> str:
    """A P-256 signing key in KMS (moto): its ARN."""
    meta = client("kms").create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]
    return str(meta["Arn"])


# ---- SQS as the event source mapping drives it -------------------------------------------------


def sqs_batch(queue_url: str, max_messages: int = 10) -> tuple[dict[str, Any], dict[str, str]]:
    """Receives up to 10 messages and shapes them as Lambda's SQS event; also returns
    messageId -> receipt handle for deleting the ones that succeeded."""
    got = client("sqs").receive_message(QueueUrl=queue_url, MaxNumberOfMessages=max_messages, WaitTimeSeconds=0)
    records, receipts = [], {}
    for m in got.get("Messages", []):
        records.append(
            {"messageId": m["MessageId"], "receiptHandle": m["ReceiptHandle"], "body": m["Body"], "eventSource": "aws:sqs"}
        )
        receipts[m["MessageId"]] = m["ReceiptHandle"]
    return {"Records": records}, receipts


def deliver(queue_url: str, handler: Any) -> list[str]:
    """Runs the handler over every message in the queue, batch by batch, as the SQS event
    source mapping with ReportBatchItemFailures does: successes are deleted, failures stay.
    Returns the failed message ids. (A failure would come back after the visibility timeout
    and end in the dead-letter queue; here it is set aside so the test sees it once.)"""
    failed: list[str] = []
    sqs = client("sqs")
    while True:
        batch, receipts = sqs_batch(queue_url)
        if not batch["Records"]:
            return failed
        result = handler(batch)
        failed += sorted({f["itemIdentifier"] for f in result["batchItemFailures"]})
        for rh in receipts.values():
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=rh)


def send(queue_url: str, body: dict[str, Any]) -> None:
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))


def env_of(function_name: str) -> dict[str, str]:
    """A deployed function's environment variables (as the template set them)."""
    got = client("lambda").get_function_configuration(FunctionName=function_name)
    return dict(got.get("Environment", {}).get("Variables", {}))


def openssl_verify(public_der: bytes, data: bytes, signature: bytes, tmp: Path) -> bool:
    """``openssl dgst -sha256 -verify``; skips the calling test if openssl is missing."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed")
    (tmp / "pub.der").write_bytes(public_der)
    (tmp / "data").write_bytes(data)
    (tmp / "sig").write_bytes(signature)
    subprocess.run(
        ["openssl", "pkey", "-pubin", "-inform", "DER", "-in", str(tmp / "pub.der"), "-out", str(tmp / "pub.pem")],
        check=True,
    )
    r = subprocess.run(
        ["openssl", "dgst", "-sha256", "-verify", str(tmp / "pub.pem"), "-signature", str(tmp / "sig"), str(tmp / "data")],
        capture_output=True,
        text=True,
    )
    return r.returncode == 0 and "Verified OK" in r.stdout


os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
