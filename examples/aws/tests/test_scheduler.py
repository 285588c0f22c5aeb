"""FOTA-scheduler against moto's server mode: the seed's story, end to end.

Devices on v64000 with target v67000 march through the stepping stones v65000 -> v66000 ->
v66003 -> v67000 (v66001 and v66002 skipped), one static thing group and continuous job per
version; failed installs are retried (at most 5 attempts per hop); duplicate and stale events
change nothing; one bad message in a batch is the only one reported back to SQS.
"""

from __future__ import annotations

import json
import time
from typing import Any, Iterator, Optional

import boto3
import pytest

import handler as scheduler
from conftest import ROOT, client, deliver, send

MODEL, ENV, TARGET = "AG-1", "production", "v67000"
START = 1_763_900_000  # the replayed clock


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return float(self.now)


@pytest.fixture()
def fleet(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    s3, sqs, ddb = client("s3"), client("sqs"), client("dynamodb")
    s3.create_bucket(Bucket="fota-firmware")
    queue = sqs.create_queue(QueueName="fota-scheduler")["QueueUrl"]
    ddb.create_table(
        TableName="fota-devices",
        KeySchema=[{"AttributeName": "thing", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "thing", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    clock = Clock()
    monkeypatch.setattr(scheduler, "CLOCK", clock)
    monkeypatch.setenv("FOTA_TABLE", "fota-devices")
    monkeypatch.setenv("FOTA_QUEUE_URL", queue)
    monkeypatch.setenv("FOTA_BUCKET", "fota-firmware")
    monkeypatch.setenv("FOTA_CATALOG", str(ROOT / "examples" / "catalog.json"))
    monkeypatch.setenv("FOTA_MAX_DELAY", "1")
    scheduler.reset()
    yield {"queue": queue, "clock": clock}


def table() -> Any:
    return boto3.resource("dynamodb", endpoint_url=client("s3").meta.endpoint_url).Table(
        "fota-devices"
    )


def item(thing: str) -> dict[str, Any]:
    return table().get_item(Key={"thing": thing}, ConsistentRead=True)["Item"]


class Device:
    """A device in the field: reports its version, runs the job queued for it."""

    def __init__(self, fleet: dict[str, Any], thing: str, version: str) -> None:
        self.fleet, self.thing, self.version, self.seq = fleet, thing, version, 0
        self.installed: list[str] = []
        client("iot").create_thing(thingName=thing)
        table().put_item(Item={"thing": thing, "model": MODEL, "environment": ENV, "target": TARGET})

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        send(self.fleet["queue"], body)
        return body

    def report(self) -> dict[str, Any]:
        self.seq += 1
        return self.send(
            {
                "eventType": "REPORTED",
                "thing": self.thing,
                "seq": self.seq,
                "version": self.version,
                "timestamp": self.fleet["clock"].now,
            }
        )

    def group(self) -> Optional[str]:
        groups = client("iot").list_thing_groups_for_thing(thingName=self.thing)["thingGroups"]
        names = [g["groupName"] for g in groups]
        assert len(names) <= 1, names
        return names[0] if names else None

    def run_job(self, outcome: str = "succeeded") -> dict[str, Any]:
        """Runs the job of the group the device is in (the continuous job's document)."""
        job = self.group()
        assert job is not None, f"{self.thing} has no job queued"
        doc = json.loads(client("iot").get_job_document(jobId=job)["document"])
        assert doc["firmware_url"].startswith("http") and doc["version"] in job
        self.seq += 1
        details = {"seq": str(self.seq), "version": self.version}
        if outcome == "succeeded":
            self.version = doc["version"]
            self.installed.append(self.version)
            details["version"] = self.version
        return self.send(
            {
                "eventType": "JOB_EXECUTION",
                "operation": outcome,
                "jobId": job,
                "thingArn": f"arn:aws:iot:us-east-1:123456789012:thing/{self.thing}",
                "status": outcome.upper(),
                "statusDetails": details,
                "timestamp": self.fleet["clock"].now,
            }
        )


def run(fleet: dict[str, Any]) -> list[str]:
    return deliver(fleet["queue"], scheduler.handler)


def later(fleet: dict[str, Any], seconds: int) -> None:
    """Moves the replayed clock on, and waits out the (1 s) SQS delay of scheduled TICKs."""
    fleet["clock"].now += seconds
    time.sleep(1.1)


def test_the_seeds_story_devices_march_from_v64000_to_v67000(fleet: dict[str, Any]) -> None:
    devices = [Device(fleet, f"AG1-{i:04d}", "v64000") for i in range(3)]
    for d in devices:
        d.report()
    assert run(fleet) == []
    for _ in range(10):
        pending = [d for d in devices if d.group() is not None]
        if not pending:
            break
        for d in pending:
            d.run_job("succeeded")
        fleet["clock"].now += 3600
        assert run(fleet) == []
    for d in devices:
        assert d.installed == ["v65000", "v66000", "v66003", "v67000"]
        assert d.group() is None
        assert item(d.thing)["last_action"] == "done"
    iot = client("iot")
    groups = sorted(g["groupName"] for g in iot.list_thing_groups()["thingGroups"])
    assert groups == [f"fota-{v}-AG-1-production" for v in ("v65000", "v66000", "v66003", "v67000")]
    for g in groups:  # 1:1:1 version, static thing group, continuous job
        assert iot.describe_job(jobId=g)["job"]["targetSelection"] == "CONTINUOUS"


def test_a_failed_install_is_retried_after_backoff(fleet: dict[str, Any]) -> None:
    d = Device(fleet, "AG1-retry", "v64000")
    d.report()
    run(fleet)
    assert d.group() == "fota-v65000-AG-1-production"
    d.run_job("failed")
    run(fleet)
    state = json.loads(item(d.thing)["state"])
    assert d.group() is None, "out of the group while backing off"
    assert item(d.thing)["last_action"] == "wait"
    assert state["hop"]["counters"]["attempts"] == 1
    later(fleet, 24 * 3600)
    run(fleet)  # the TICK: install again
    assert d.group() == "fota-v65000-AG-1-production"
    assert json.loads(item(d.thing)["state"])["hop"]["counters"]["attempts"] == 2
    d.run_job("succeeded")
    run(fleet)
    assert d.installed == ["v65000"]
    assert d.group() == "fota-v66000-AG-1-production"


def test_gives_up_after_five_attempts_on_one_hop(fleet: dict[str, Any]) -> None:
    d = Device(fleet, "AG1-broken", "v64000")
    d.report()
    run(fleet)
    attempts = 0
    while d.group() is not None:
        attempts += 1
        d.run_job("failed")
        run(fleet)
        later(fleet, 7 * 24 * 3600)
        run(fleet)
    assert attempts == 5
    it = item(d.thing)
    assert it["last_action"] == "give_up"
    rec = scheduler.reconciler(TARGET, MODEL, ENV)
    action = rec.decide(d.thing, json.loads(it["state"]), fleet["clock"].now)
    assert action.action == "give_up"
    assert action.to_dict()["reason"] == {"why": "retry", "rule": {"rule": "attempts_per_hop", "limit": 5}}


def test_duplicate_and_stale_events_change_nothing(fleet: dict[str, Any]) -> None:
    d = Device(fleet, "AG1-dup", "v64000")
    d.report()
    run(fleet)
    success = d.run_job("succeeded")
    run(fleet)
    before = item(d.thing)
    assert before["group"] == "fota-v66000-AG-1-production"
    send(fleet["queue"], success)  # SQS delivers at least once: the same message again
    stale = dict(success, statusDetails={"seq": "1", "version": "v64000"})
    send(fleet["queue"], stale)  # an old report arriving late
    assert run(fleet) == []
    assert item(d.thing) == before, "rev, state and group unchanged"
    assert d.group() == "fota-v66000-AG-1-production"
    # What the reconciler said: the success names a job no longer in flight, the old report is
    # older than what the device said since.
    assert scheduler.process(success) == "not_in_flight"
    assert scheduler.process(stale) == "not_in_flight"
    report = d.report()
    run(fleet)
    after = item(d.thing)
    assert scheduler.process(report) == "duplicate"
    assert item(d.thing) == after


def test_one_bad_message_does_not_replay_the_batch(fleet: dict[str, Any]) -> None:
    good = [Device(fleet, f"AG1-b{i}", "v64000") for i in range(3)]
    sqs = client("sqs")
    for d in good[:2]:
        d.report()
    sqs.send_message(QueueUrl=fleet["queue"], MessageBody="{not json")
    send(fleet["queue"], {"eventType": "REPORTED", "thing": "nobody", "seq": 1, "version": "v64000"})
    send(fleet["queue"], {"eventType": "REPORTED", "thing": "AG1-b2", "seq": 1, "version": "v6x"})
    good[2].seq = 1
    batch = sqs.receive_message(QueueUrl=fleet["queue"], MaxNumberOfMessages=10)["Messages"]
    assert len(batch) == 5
    event = {"Records": [{"messageId": m["MessageId"], "body": m["Body"]} for m in batch]}
    result = scheduler.handler(event)
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    bodies = {m["MessageId"]: m["Body"] for m in batch}
    assert sorted(bodies[i] for i in failed) == sorted(
        [
            "{not json",
            json.dumps({"eventType": "REPORTED", "thing": "nobody", "seq": 1, "version": "v64000"}),
            json.dumps({"eventType": "REPORTED", "thing": "AG1-b2", "seq": 1, "version": "v6x"}),
        ]
    )
    for d in good[:2]:
        assert d.group() == "fota-v65000-AG-1-production"


def test_a_concurrent_write_fails_the_message_not_the_state(
    fleet: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    d = Device(fleet, "AG1-race", "v64000")
    report = d.report()
    client("sqs").purge_queue(QueueUrl=fleet["queue"])
    clock = fleet["clock"]

    def racing_clock() -> float:  # another delivery commits between our read and our write
        table().update_item(
            Key={"thing": d.thing},
            UpdateExpression="SET rev = :r",
            ExpressionAttributeValues={":r": 7},
        )
        return clock()

    monkeypatch.setattr(scheduler, "CLOCK", racing_clock)
    result = scheduler.handler({"Records": [{"messageId": "m-1", "body": json.dumps(report)}]})
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert "state" not in item(d.thing)
