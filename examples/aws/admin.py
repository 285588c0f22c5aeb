"""Administrator's actions on the deployed stack, sent to the scheduler as reconciler events.

Nothing here edits a device's state: a target or catalog change is a message per affected device
on the scheduler's queue (``TARGET_CHANGED`` with an increasing campaign id, ``CATALOG_CHANGED``
with an increasing catalog revision), and the scheduler applies it with the reconciler's own
``target_changed`` / ``catalog_changed`` events under its conditional write. Ids come from
atomic counters in the same table (items ``#campaign`` and ``#catalog``; thing names cannot
contain ``#``), so a late or repeated message is recognised as stale or duplicate.

    python examples/aws/admin.py register AG1-0001 --model AG-1 --environment production --target v67000
    python examples/aws/admin.py target v67000 [--model AG-1] [--environment production] [--thing T ...]
    python examples/aws/admin.py catalog examples/catalog.json

Configuration (environment): ``FOTA_TABLE``, ``FOTA_QUEUE_URL``, ``FOTA_CATALOG``
(``s3://bucket/key``, for ``catalog``); the stack's outputs give all three.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from typing import Any, Iterable, Iterator, Optional

import boto3

import stepstone


def _ddb() -> Any:
    return boto3.client("dynamodb")


def next_id(counter: str) -> int:
    """The next value of an atomic counter item (``#campaign``, ``#catalog``)."""
    got = _ddb().update_item(
        TableName=os.environ["FOTA_TABLE"],
        Key={"thing": {"S": counter}},
        UpdateExpression="ADD n :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
        ReturnValues="UPDATED_NEW",
    )
    return int(got["Attributes"]["n"]["N"])


def register(thing: str, *, model: Optional[str], environment: Optional[str], target: str) -> bool:
    """Adds a device to the table (once: an existing device is left alone). True if added."""
    item = {"thing": {"S": thing}, "target": {"S": target}}
    if model:
        item["model"] = {"S": model}
    if environment:
        item["environment"] = {"S": environment}
    try:
        _ddb().put_item(
            TableName=os.environ["FOTA_TABLE"], Item=item, ConditionExpression="attribute_not_exists(thing)"
        )
        return True
    except _ddb().exceptions.ConditionalCheckFailedException:
        return False


def devices(model: Optional[str] = None, environment: Optional[str] = None) -> Iterator[str]:
    """Registered devices, optionally of one model and environment (a table scan)."""
    for page in _ddb().get_paginator("scan").paginate(
        TableName=os.environ["FOTA_TABLE"], ProjectionExpression="thing, model, environment"
    ):
        for it in page["Items"]:
            thing = it["thing"]["S"]
            if thing.startswith("#"):
                continue
            if model and it.get("model", {}).get("S") != model:
                continue
            if environment and it.get("environment", {}).get("S") != environment:
                continue
            yield thing


def send_all(bodies: Iterable[dict[str, Any]]) -> int:
    """Sends messages to the scheduler's queue, ten per call. Returns how many were sent."""
    sqs, queue, sent = boto3.client("sqs"), os.environ["FOTA_QUEUE_URL"], 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        nonlocal sent
        if not batch:
            return
        entries = [{"Id": str(i), "MessageBody": json.dumps(b)} for i, b in enumerate(batch)]
        got = sqs.send_message_batch(QueueUrl=queue, Entries=entries)
        if got.get("Failed"):
            raise RuntimeError(f"SQS refused {got['Failed']}")
        sent += len(batch)
        batch.clear()

    for body in bodies:
        batch.append(body)
        if len(batch) == 10:
            flush()
    flush()
    return sent


def change_target(
    target: str,
    *,
    model: Optional[str] = None,
    environment: Optional[str] = None,
    things: Optional[list[str]] = None,
    campaign: Optional[int] = None,
) -> tuple[int, int]:
    """Moves devices to a new target: one ``TARGET_CHANGED`` per device. Returns
    ``(campaign id, messages sent)``."""
    campaign = campaign if campaign is not None else next_id("#campaign")
    now = int(time.time())
    selected = things if things is not None else devices(model, environment)
    sent = send_all(
        {"eventType": "TARGET_CHANGED", "thing": t, "campaign": campaign, "target": target, "timestamp": now}
        for t in selected
    )
    return campaign, sent


def publish_catalog(text: str, *, location: Optional[str] = None) -> tuple[int, int]:
    """Checks a catalog, stores it as the next revision, and tells every device. Returns
    ``(revision, messages sent)``. ``stepstone.CatalogError`` if the catalog is invalid."""
    stepstone.Catalog.from_json(text)  # every problem at once, before anything is stored
    location = location or os.environ["FOTA_CATALOG"]
    if not location.startswith("s3://"):
        raise ValueError(f"FOTA_CATALOG={location!r}: publishing needs an s3:// location")
    bucket, _, key = location[len("s3://") :].partition("/")
    revision = next_id("#catalog")
    boto3.client("s3").put_object(
        Bucket=bucket, Key=key, Body=text.encode(), Metadata={"revision": str(revision)},
        ContentType="application/json",
    )
    now = int(time.time())
    sent = send_all(
        {"eventType": "CATALOG_CHANGED", "thing": t, "revision": revision, "timestamp": now} for t in devices()
    )
    return revision, sent


def main(argv: Optional[list[str]] = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="command", required=True)
    r = sub.add_parser("register", help="add a device")
    r.add_argument("thing")
    r.add_argument("--model")
    r.add_argument("--environment")
    r.add_argument("--target", required=True)
    t = sub.add_parser("target", help="change the target of devices")
    t.add_argument("target")
    t.add_argument("--model")
    t.add_argument("--environment")
    t.add_argument("--thing", action="append", dest="things")
    c = sub.add_parser("catalog", help="publish a new catalog revision")
    c.add_argument("path")
    args = p.parse_args(argv)
    if args.command == "register":
        added = register(args.thing, model=args.model, environment=args.environment, target=args.target)
        print("registered" if added else "already registered")
    elif args.command == "target":
        campaign, sent = change_target(args.target, model=args.model, environment=args.environment, things=args.things)
        print(f"campaign {campaign}: {sent} devices told")
    else:
        with open(args.path, encoding="utf-8") as f:
            revision, sent = publish_catalog(f.read())
        print(f"catalog revision {revision}: {sent} devices told")
    return 0


if __name__ == "__main__":
    sys.exit(main())
