"""moto in server mode (real HTTP on 127.0.0.1) with S3, SQS, DynamoDB and IoT, and helpers
that drive the Lambdas the way AWS would: SQS batches in, `batchItemFailures` honoured."""

from __future__ import annotations

import json
import os
import socket
import sys
from pathlib import Path
from typing import Any, Iterator

import boto3
import pytest
from moto.server import ThreadedMotoServer

HERE = Path(__file__).resolve().parent
AWS = HERE.parent
ROOT = AWS.parents[1]
sys.path[:0] = [str(AWS / "scheduler")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="session")
def moto_server() -> Iterator[str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    url = f"http://127.0.0.1:{port}"
    yield url
    server.stop()


@pytest.fixture()
def aws(moto_server: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Fresh AWS state per test (moto's reset API), credentials that are not real."""
    for k, v in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "AWS_ENDPOINT_URL": moto_server,
    }.items():
        monkeypatch.setenv(k, v)
    import urllib.request

    urllib.request.urlopen(urllib.request.Request(f"{moto_server}/moto-api/reset", method="POST"))
    yield moto_server


def client(service: str) -> Any:
    return boto3.client(service, endpoint_url=os.environ["AWS_ENDPOINT_URL"])


def sqs_batch(queue_url: str, max_messages: int = 10) -> tuple[dict[str, Any], dict[str, str]]:
    """Receives up to 10 messages and shapes them as Lambda's SQS event; also returns
    messageId -> receipt handle for deleting the ones that succeeded."""
    got = client("sqs").receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=max_messages, WaitTimeSeconds=0
    )
    records, receipts = [], {}
    for m in got.get("Messages", []):
        records.append(
            {
                "messageId": m["MessageId"],
                "receiptHandle": m["ReceiptHandle"],
                "body": m["Body"],
                "eventSource": "aws:sqs",
            }
        )
        receipts[m["MessageId"]] = m["ReceiptHandle"]
    return {"Records": records}, receipts


def deliver(queue_url: str, handler: Any) -> list[str]:
    """Runs the handler over every message in the queue, batch by batch, as the SQS event
    source mapping with ReportBatchItemFailures does: successes are deleted, failures stay.
    Returns the failed message ids."""
    failed: list[str] = []
    while True:
        batch, receipts = sqs_batch(queue_url)
        if not batch["Records"]:
            return failed
        result = handler(batch)
        bad = {f["itemIdentifier"] for f in result["batchItemFailures"]}
        failed += sorted(bad)
        # Successes are deleted. A failure would come back after the visibility timeout (and
        # end in a dead-letter queue); here it is set aside so the test sees it once.
        sqs = client("sqs")
        for rh in receipts.values():
            sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=rh)


def send(queue_url: str, body: dict[str, Any]) -> None:
    client("sqs").send_message(QueueUrl=queue_url, MessageBody=json.dumps(body))
