"""FOTA-scheduler against moto's server mode: KeepTruckin's 2020 FOTA story, end to end.

Devices on v64000 with target v67000 march through the stepping stones v65000 -> v66000 ->
v66003 -> v67000 (v66001 and v66002 skipped), one static thing group and continuous job per
version; failed installs are retried (at most 5 attempts per hop); duplicate and stale events
change nothing; one bad message in a batch is the only one reported back to SQS; a throttled
IoT call fails only its message; admin target and catalog changes arrive as reconciler events.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any, Iterator, Optional

import botocore.exceptions
import pytest

import stepstone
from conftest import ROOT, client, deliver, load, send

scheduler = load("scheduler")
admin = load("admin")

MODEL, ENV, TARGET = "AG-1", "production", "v67000"
START = 1_763_900_000  # the replayed clock
BUCKET, TABLE, REGION = "fota-firmware", "fota-devices", "us-east-1"
PRESIGN_ROLE = "arn:aws:iam::123456789012:role/fota-presign"
VERSIONS = ["v64000", "v65000", "v66000", "v66001", "v66002", "v66003", "v67000", "v68000"]


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return float(self.now)


def put_signed_release(version: str) -> None:
    """The four files the signer leaves for a version (content does not matter here: the
    scheduler only checks they exist before it creates a job)."""
    s3 = client("s3")
    key = f"firmware/{version}.bin"
    for k in (key, key + ".sig", key + ".manifest", key + ".manifest.sig"):
        s3.put_object(Bucket=BUCKET, Key=k, Body=b"-")


def put_catalog(text: str, revision: int) -> None:
    client("s3").put_object(Bucket=BUCKET, Key="catalog/catalog.json", Body=text.encode(), Metadata={"revision": str(revision)})


@pytest.fixture()
def fleet(aws: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, Any]]:
    s3, sqs, ddb = client("s3"), client("sqs"), client("dynamodb")
    s3.create_bucket(Bucket=BUCKET)
    for v in VERSIONS:
        put_signed_release(v)
    put_catalog((ROOT / "examples" / "catalog.json").read_text(), 0)
    queue = sqs.create_queue(QueueName="fota-scheduler")["QueueUrl"]
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "thing", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "thing", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    clock = Clock()
    monkeypatch.setattr(scheduler, "CLOCK", clock)
    for k, v in {
        "FOTA_TABLE": TABLE,
        "FOTA_QUEUE_URL": queue,
        "FOTA_BUCKET": BUCKET,
        "FOTA_CATALOG": f"s3://{BUCKET}/catalog/catalog.json",
        "FOTA_PRESIGN_ROLE_ARN": PRESIGN_ROLE,
        "FOTA_MAX_DELAY": "1",
    }.items():
        monkeypatch.setenv(k, v)
    yield {"queue": queue, "clock": clock}


def item(thing: str) -> dict[str, Any]:
    got = scheduler.get_device(thing)
    assert got is not None
    return dict(got)


def state(thing: str) -> dict[str, Any]:
    return dict(json.loads(item(thing)["state"]))


class Device:
    """A device in the field: reports its version, runs the job queued for it."""

    def __init__(self, fleet: dict[str, Any], thing: str, version: str, target: str = TARGET) -> None:
        self.fleet, self.thing, self.version, self.seq = fleet, thing, version, 0
        self.installed: list[str] = []
        client("iot").create_thing(thingName=thing)
        assert admin.register(thing, model=MODEL, environment=ENV, target=target)

    def send(self, body: dict[str, Any]) -> dict[str, Any]:
        send(self.fleet["queue"], body)
        return body

    def report(self) -> dict[str, Any]:
        self.seq += 1
        return self.send(
            {"eventType": "REPORTED", "thing": self.thing, "seq": self.seq, "version": self.version, "timestamp": self.fleet["clock"].now}
        )

    def group(self) -> Optional[str]:
        groups = client("iot").list_thing_groups_for_thing(thingName=self.thing)["thingGroups"]
        names = [g["groupName"] for g in groups]
        assert len(names) <= 1, names
        return names[0] if names else None

    def run_job(self, outcome: str = "succeeded") -> dict[str, Any]:
        """Runs the job of the group the device is in (the continuous job's document) and sends
        the job-execution event IoT would publish on $aws/events/jobExecution/<job>/<outcome>."""
        job = self.group()
        assert job is not None, f"{self.thing} has no job queued"
        doc = json.loads(client("iot").get_job_document(jobId=job)["document"])
        check_job_document(doc)
        self.seq += 1
        details = {"seq": str(self.seq), "version": self.version}
        if outcome == "succeeded":
            self.version = doc["version"]
            self.installed.append(self.version)
            details["version"] = self.version
        return self.send(
            {
                "eventType": "JOB_EXECUTION",
                "eventId": f"{self.thing}-{self.seq}",
                "timestamp": self.fleet["clock"].now,
                "operation": outcome,
                "jobId": job,
                "thingArn": f"arn:aws:iot:us-east-1:123456789012:thing/{self.thing}",
                "status": outcome.upper(),
                "statusDetails": details,
            }
        )


PLACEHOLDER = re.compile(
    r"^\$\{aws:iot:s3-presigned-url-v2:https://s3\.(?P<region>[a-z0-9-]+)\.amazonaws\.com/(?P<bucket>[a-z0-9.-]+)/(?P<key>[^}\s]+)\}$"
)
URL_FIELDS = ("firmware_url", "signature_url", "manifest_url", "manifest_signature_url")


def check_job_document(doc: dict[str, Any]) -> None:
    """The IoT Jobs document shape: a JSON object under 32 KB whose four file links are
    pre-signed URL placeholders for objects that exist."""
    text = json.dumps(doc)
    assert len(text.encode()) <= 32 * 1024, "IoT Jobs documents are at most 32 KB"
    assert set(doc) == {"operation", "version", "model", "environment", *URL_FIELDS}
    assert doc["operation"] == "fota"
    suffixes = {"firmware_url": "", "signature_url": ".sig", "manifest_url": ".manifest", "manifest_signature_url": ".manifest.sig"}
    for field, suffix in suffixes.items():
        m = PLACEHOLDER.match(doc[field])
        assert m, f"{field}: {doc[field]!r} is not an IoT Jobs pre-signed URL placeholder"
        assert m["region"] == REGION and m["bucket"] == BUCKET
        assert m["key"] == f"firmware/{doc['version']}.bin{suffix}"
        client("s3").head_object(Bucket=m["bucket"], Key=m["key"])


def run(fleet: dict[str, Any]) -> list[str]:
    return deliver(fleet["queue"], scheduler.handler)


def later(fleet: dict[str, Any], seconds: int) -> None:
    """Moves the replayed clock on, and waits out the (1 s) SQS delay of scheduled TICKs."""
    fleet["clock"].now += seconds
    time.sleep(1.1)


def march(fleet: dict[str, Any], devices: list[Device], rounds: int = 10) -> None:
    for _ in range(rounds):
        pending = [d for d in devices if d.group() is not None]
        if not pending:
            return
        for d in pending:
            d.run_job("succeeded")
        fleet["clock"].now += 3600
        assert run(fleet) == []


def test_the_seeds_story_devices_march_from_v64000_to_v67000(fleet: dict[str, Any]) -> None:
    devices = [Device(fleet, f"AG1-{i:04d}", "v64000") for i in range(3)]
    for d in devices:
        d.report()
    assert run(fleet) == []
    march(fleet, devices)
    for d in devices:
        assert d.installed == ["v65000", "v66000", "v66003", "v67000"]
        assert d.group() is None
        assert item(d.thing)["last_action"] == "done"
    iot = client("iot")
    groups = sorted(g["groupName"] for g in iot.list_thing_groups()["thingGroups"])
    assert groups == [f"fota-{v}-AG-1-production" for v in ("v65000", "v66000", "v66003", "v67000")]
    for g in groups:  # 1:1:1 version, static thing group, continuous job
        job = iot.describe_job(jobId=g)["job"]
        assert job["targetSelection"] == "CONTINUOUS"
        assert job["presignedUrlConfig"] == {"roleArn": PRESIGN_ROLE, "expiresInSec": 3600}
        check_job_document(json.loads(iot.get_job_document(jobId=g)["document"]))


def test_the_job_document_has_the_four_placeholder_urls(fleet: dict[str, Any]) -> None:
    """A job document produced by the scheduler against the IoT Jobs document shape, and the
    CreateJob request against the IoT API model (botocore validates it before sending)."""
    d = Device(fleet, "AG1-doc", "v66003")
    d.report()
    assert run(fleet) == []
    job = client("iot").describe_job(jobId="fota-v67000-AG-1-production")["job"]
    doc = json.loads(client("iot").get_job_document(jobId=job["jobId"])["document"])
    check_job_document(doc)
    assert doc["version"] == "v67000" and doc["model"] == "AG-1" and doc["environment"] == "production"
    assert doc["manifest_signature_url"].endswith("/fota-firmware/firmware/v67000.bin.manifest.sig}")
    assert 60 <= job["presignedUrlConfig"]["expiresInSec"] <= 3600
    assert job["targets"] == [client("iot").describe_thing_group(thingGroupName=job["jobId"])["thingGroupArn"]]
    # The same request validated against botocore's model of CreateJob.
    from botocore.validate import ParamValidator

    model = client("iot").meta.service_model.operation_model("CreateJob").input_shape
    request = {
        "jobId": job["jobId"],
        "targets": job["targets"],
        "document": json.dumps(scheduler.job_document("v67000", MODEL, ENV)),
        "targetSelection": "CONTINUOUS",
        "presignedUrlConfig": {"roleArn": PRESIGN_ROLE, "expiresInSec": 3600},
        "timeoutConfig": {"inProgressTimeoutInMinutes": 60},
    }
    assert not ParamValidator().validate(request, model).has_errors()


def test_a_release_that_is_not_signed_gets_no_job(fleet: dict[str, Any]) -> None:
    client("s3").delete_object(Bucket=BUCKET, Key="firmware/v65000.bin.manifest.sig")
    d = Device(fleet, "AG1-unsigned", "v64000")
    d.report()
    assert len(run(fleet)) == 1, "the message fails and comes back from SQS"
    assert d.group() is None and "state" not in item(d.thing)
    put_signed_release("v65000")
    d.seq = 0
    d.report()
    assert run(fleet) == []
    assert d.group() == "fota-v65000-AG-1-production"


def test_a_failed_install_is_retried_after_backoff(fleet: dict[str, Any]) -> None:
    d = Device(fleet, "AG1-retry", "v64000")
    d.report()
    run(fleet)
    assert d.group() == "fota-v65000-AG-1-production"
    d.run_job("failed")
    run(fleet)
    assert d.group() is None, "out of the group while backing off"
    assert item(d.thing)["last_action"] == "wait"
    assert state(d.thing)["hop"]["counters"]["attempts"] == 1
    later(fleet, 24 * 3600)
    run(fleet)  # the TICK: install again
    assert d.group() == "fota-v65000-AG-1-production"
    assert state(d.thing)["hop"]["counters"]["attempts"] == 2
    d.run_job("succeeded")
    run(fleet)
    assert d.installed == ["v65000"]
    assert d.group() == "fota-v66000-AG-1-production"


def test_an_old_result_does_not_count_against_the_next_attempt(fleet: dict[str, Any]) -> None:
    """AWS names one continuous job per release; the result of attempt 1, delivered again while
    attempt 2 of the same release is in flight, is not attempt 2's (the device sent it before
    attempt 2 existed)."""
    d = Device(fleet, "AG1-old", "v64000")
    d.report()
    run(fleet)
    failure = d.run_job("failed")
    run(fleet)
    later(fleet, 24 * 3600)
    run(fleet)
    assert d.group() == "fota-v65000-AG-1-production"
    assert state(d.thing)["hop"]["counters"]["attempts"] == 2
    before = item(d.thing)
    assert scheduler.process(failure) == "not_in_flight"
    assert item(d.thing) == before


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
    removed = dict(success, operation="removed", status="REMOVED")  # IoT: left the old group
    send(fleet["queue"], removed)
    assert run(fleet) == []
    assert item(d.thing) == before, "rev, state and group unchanged"
    assert d.group() == "fota-v66000-AG-1-production"
    assert scheduler.process(success) == "not_in_flight"
    assert scheduler.process(stale) == "not_in_flight"
    assert scheduler.process(removed) == "ignored"
    report = d.report()
    run(fleet)
    after = item(d.thing)
    assert scheduler.process(report) == "duplicate"
    assert scheduler.process(dict(report, seq=1)) == "stale"
    assert item(d.thing) == after


def test_one_bad_message_does_not_replay_the_batch(fleet: dict[str, Any]) -> None:
    good = [Device(fleet, f"AG1-b{i}", "v64000") for i in range(3)]
    sqs = client("sqs")
    for d in good[:2]:
        d.report()
    bad = [
        "{not json",
        json.dumps({"eventType": "REPORTED", "thing": "nobody", "seq": 1, "version": "v64000"}),
        json.dumps({"eventType": "REPORTED", "thing": "AG1-b2", "seq": 1, "version": "v6x"}),
    ]
    for body in bad:
        sqs.send_message(QueueUrl=fleet["queue"], MessageBody=body)
    batch = sqs.receive_message(QueueUrl=fleet["queue"], MaxNumberOfMessages=10)["Messages"]
    assert len(batch) == 5
    event = {"Records": [{"messageId": m["MessageId"], "body": m["Body"]} for m in batch]}
    result = scheduler.handler(event)
    failed = {f["itemIdentifier"] for f in result["batchItemFailures"]}
    bodies = {m["MessageId"]: m["Body"] for m in batch}
    assert sorted(bodies[i] for i in failed) == sorted(bad)
    for d in good[:2]:
        assert d.group() == "fota-v65000-AG-1-production"


def test_a_concurrent_write_fails_the_message_not_the_state(fleet: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    d = Device(fleet, "AG1-race", "v64000")
    report = d.report()
    client("sqs").purge_queue(QueueUrl=fleet["queue"])
    clock = fleet["clock"]

    def racing_clock() -> float:  # another delivery commits between our read and our write
        client("dynamodb").update_item(
            TableName=TABLE,
            Key={"thing": {"S": d.thing}},
            UpdateExpression="SET rev = :r",
            ExpressionAttributeValues={":r": {"N": "7"}},
        )
        return clock()

    monkeypatch.setattr(scheduler, "CLOCK", racing_clock)
    conflicts = scheduler.STATS["conflicts"]
    result = scheduler.handler({"Records": [{"messageId": "m-1", "body": json.dumps(report)}]})
    assert result == {"batchItemFailures": [{"itemIdentifier": "m-1"}]}
    assert "state" not in item(d.thing)
    assert scheduler.STATS["conflicts"] == conflicts + 1
    assert d.group() is None, "the group this delivery joined is left again (the winner did not join it)"


class ThrottlingIot:
    """The IoT client, throttled on the calls named (as AWS answers when a per-API rate is
    exceeded and botocore's own retries are spent)."""

    def __init__(self, inner: Any, throttled: set[str]) -> None:
        self.inner, self.throttled, self.exceptions = inner, throttled, inner.exceptions

    def __getattr__(self, name: str) -> Any:
        if name in self.throttled:

            def fail(**kw: Any) -> Any:
                self.throttled.discard(name)
                raise botocore.exceptions.ClientError(
                    {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, name
                )

            return fail
        return getattr(self.inner, name)


def test_a_throttled_iot_call_fails_only_its_message_and_is_retried(fleet: dict[str, Any]) -> None:
    a, b = Device(fleet, "AG1-t1", "v64000"), Device(fleet, "AG1-t2", "v64000")
    ma, mb = a.report(), b.report()
    client("sqs").purge_queue(QueueUrl=fleet["queue"])
    scheduler.ensure_group_and_job("v65000", MODEL, ENV)
    scheduler._clients["iot"] = ThrottlingIot(scheduler.client("iot"), {"add_thing_to_thing_group"})
    throttled = scheduler.STATS["throttled"]
    result = scheduler.handler(
        {"Records": [{"messageId": "a", "body": json.dumps(ma)}, {"messageId": "b", "body": json.dumps(mb)}]}
    )
    assert result == {"batchItemFailures": [{"itemIdentifier": "a"}]}
    assert scheduler.STATS["throttled"] == throttled + 1
    assert "state" not in item(a.thing), "nothing committed for the throttled message"
    assert b.group() == "fota-v65000-AG-1-production"
    # SQS delivers it again; now it goes through.
    assert scheduler.handler({"Records": [{"messageId": "a", "body": json.dumps(ma)}]}) == {"batchItemFailures": []}
    assert a.group() == "fota-v65000-AG-1-production"


# ---- admin actions as reconciler events -----------------------------------------------------------


def test_a_target_change_is_a_target_changed_event_not_a_new_state(fleet: dict[str, Any]) -> None:
    d = Device(fleet, "AG1-admin", "v64000")
    d.report()
    run(fleet)
    d.run_job("failed")
    run(fleet)
    later(fleet, 7 * 24 * 3600)
    run(fleet)
    d.run_job("succeeded")  # v65000 on the second attempt
    run(fleet)
    before = state(d.thing)
    assert before["total_attempts"] == 3 and before["reported"] == "v65000"
    rev = item(d.thing)["rev"]

    campaign, sent = admin.change_target("v66003", model=MODEL, environment=ENV)
    assert (campaign, sent) == (1, 1)
    assert run(fleet) == []
    after = state(d.thing)
    it = item(d.thing)
    assert it["target"] == "v66003" and it["rev"] == rev + 1
    # The reconciler's target_changed: a new march (counters start again); what the device
    # said and the jobs it had are kept: nothing was rebuilt.
    assert after["campaign"] == 1 and after["total_attempts"] == 0
    assert (after["device_seq"], after["reported"], after["last_job"]) == (
        before["device_seq"], before["reported"], before["last_job"],
    )
    assert after["job"] == before["job"]  # the v66000 job in flight stays in flight
    # The same admin message again, or an older campaign, changes nothing.
    msg = {"eventType": "TARGET_CHANGED", "thing": d.thing, "campaign": 1, "target": "v66003"}
    assert scheduler.process(msg) == "duplicate"
    assert scheduler.process(dict(msg, campaign=0, target="v67000")) == "stale"
    assert item(d.thing) == it
    march(fleet, [d])
    assert d.installed == ["v65000", "v66000", "v66003"]
    assert item(d.thing)["last_action"] == "done"


def test_a_catalog_change_is_a_catalog_changed_event(fleet: dict[str, Any]) -> None:
    d = Device(fleet, "AG1-cat", "v66003")
    d.report()
    run(fleet)
    march(fleet, [d])
    assert d.installed == ["v67000"] and item(d.thing)["last_action"] == "done"
    # A new release: the catalog's next revision, published by the admin.
    data = json.loads((ROOT / "examples" / "catalog.json").read_text())
    data["releases"].append({"version": "v68000", "min_sw_version": "v67000", "models": ["AG-1"]})
    revision, sent = admin.publish_catalog(json.dumps(data))
    assert (revision, sent) == (1, 1)
    assert run(fleet) == []
    assert state(d.thing)["catalog_revision"] == 1
    assert scheduler.catalog()[1] == 1 and "v68000" in scheduler.catalog()[0]
    assert scheduler.process({"eventType": "CATALOG_CHANGED", "thing": d.thing, "revision": 1}) == "duplicate"
    admin.change_target("v68000")
    assert run(fleet) == []
    march(fleet, [d])
    assert d.installed == ["v67000", "v68000"]
    with pytest.raises(stepstone.CatalogError):
        admin.publish_catalog('{"releases": [{"version": "v1"}, {"version": "v1"}]}')


def test_a_catalog_revision_not_stored_yet_is_retried(fleet: dict[str, Any]) -> None:
    d = Device(fleet, "AG1-early", "v64000")
    d.report()
    run(fleet)
    msg = {"eventType": "CATALOG_CHANGED", "thing": d.thing, "revision": 5}
    with pytest.raises(scheduler.CatalogBehind):
        scheduler.process(msg)
    put_catalog((ROOT / "examples" / "catalog.json").read_text(), 5)
    assert scheduler.process(msg) == "wait"
    assert state(d.thing)["catalog_revision"] == 5


def test_the_handler_module_reads_its_settings_from_the_template_names(fleet: dict[str, Any]) -> None:
    text = (Path(scheduler.__file__).parent.parent / "template.yaml").read_text()
    for name in ("FOTA_TABLE", "FOTA_QUEUE_URL", "FOTA_BUCKET", "FOTA_CATALOG", "FOTA_PRESIGN_ROLE_ARN", "FOTA_URL_EXPIRES", "FOTA_JOB_TTL"):
        assert f"{name}:" in text
