"""FOTA-scheduler: an SQS-triggered Lambda that marches devices to their target version.

Every decision is stepstone's (the reconciler: ``apply`` an event, then ``decide``); this file
only moves data between AWS and stepstone:

* SQS delivers job-execution events (AWS IoT ``$aws/events/jobExecution/<jobId>/<op>``), device
  reports (shadow updates routed by an IoT rule) and the scheduler's own ``TICK`` messages.
* DynamoDB keeps one item per device: ``thing`` (key), ``model``, ``environment``, ``target``
  (set by the admin console), ``state`` (the reconciler's state, JSON), ``group`` (the thing group
  the device is in) and ``rev``. Every write is conditional on ``rev``, so two deliveries of one
  message cannot both commit, and a duplicate or stale event changes nothing at all.
* AWS IoT: one static thing group and one continuous job per (version, model, environment), as in
  the seed. Adding a device to the group queues the job for it; the scheduler removes it once the
  execution is over (success, failure, give up).
* Failures are retried by the reconciler's retry policy (at most 5 attempts per hop, backoff with
  deterministic jitter); the wait is a delayed ``TICK`` message.
* The handler returns ``batchItemFailures``, so one bad message does not replay the batch.

Configuration (environment): ``FOTA_TABLE``, ``FOTA_QUEUE_URL``, ``FOTA_CATALOG`` (a path to the
catalog JSON), ``FOTA_BUCKET`` (firmware images, ``firmware/<version>.bin``), ``FOTA_MAX_DELAY``
(seconds, at most 900: SQS's limit).
"""

from __future__ import annotations

import json
import os
import time
from typing import Any, Callable, Optional

import boto3
import botocore.exceptions

import stepstone

#: The clock (seconds). Tests replace it to replay days of a rollout in seconds.
CLOCK: Callable[[], float] = time.time

_catalog: Optional[stepstone.Catalog] = None
_reconcilers: dict[tuple[str, Optional[str], Optional[str]], stepstone.Reconciler] = {}


def _env(name: str, default: Optional[str] = None) -> str:
    value = os.environ.get(name, default)
    if value is None:
        raise KeyError(f"environment variable {name} is not set")
    return value


def _client(service: str) -> Any:
    return boto3.client(service, endpoint_url=os.environ.get("AWS_ENDPOINT_URL"))


def catalog() -> stepstone.Catalog:
    """The catalog, loaded once per container."""
    global _catalog
    if _catalog is None:
        _catalog = stepstone.Catalog.from_path(_env("FOTA_CATALOG"))
    return _catalog


def reconciler(target: str, model: Optional[str], environment: Optional[str]) -> stepstone.Reconciler:
    """One reconciler per campaign (target, model, environment), built once per container."""
    key = (target, model, environment)
    if key not in _reconcilers:
        campaign = catalog().campaign(target, model=model, environment=environment)
        _reconcilers[key] = stepstone.Reconciler(campaign, policy=stepstone.RetryPolicy())
    return _reconcilers[key]


def reset() -> None:
    """Forget the cached catalog and reconcilers (a new container)."""
    global _catalog
    _catalog = None
    _reconcilers.clear()


def group_name(version: str, model: Optional[str], environment: Optional[str]) -> str:
    """The static thing group (and continuous job) for a version, model and environment."""
    return f"fota-{version}-{model or 'any'}-{environment or 'any'}"


def thing_of(arn_or_name: str) -> str:
    return arn_or_name.rsplit("/", 1)[-1]


# ---- events -------------------------------------------------------------------------------------


def to_event(body: dict[str, Any], state: dict[str, Any]) -> tuple[str, Optional[dict[str, Any]]]:
    """The device and the reconciler event for one message (``None`` for a TICK).

    AWS job ids name a version's continuous job; the reconciler numbers each device's jobs. An
    execution event is for the device's job in flight when its job is that version's; otherwise
    it is for job 0, which the reconciler ignores as not in flight.
    """
    kind = body["eventType"]
    now = int(body.get("timestamp", CLOCK()))
    if kind == "TICK":
        return body["thing"], None
    if kind == "REPORTED":
        return body["thing"], {
            "event": "reported",
            "seq": int(body["seq"]),
            "at": now,
            "reports": body["version"],
        }
    if kind == "JOB_EXECUTION":
        thing = thing_of(body["thingArn"])
        details = body.get("statusDetails") or {}
        job = state.get("job") or {}
        release = job.get("release")
        in_flight = release is not None and body["jobId"].startswith(f"fota-{release}-")
        job_id = int(job["id"]) if in_flight else 0
        op = body["operation"]
        seq = int(details["seq"])
        if op == "succeeded":
            return thing, {
                "event": "job_succeeded",
                "job": job_id,
                "seq": seq,
                "at": now,
                "reports": details["version"],
            }
        failure = {"failed": "failed", "timed_out": "timed_out", "rejected": "rejected"}.get(op)
        if failure is None:
            raise ValueError(f"unsupported job execution operation {op!r}")
        if details.get("reason") == "download_error":
            failure = "download_error"
        event: dict[str, Any] = {
            "event": "job_failed",
            "job": job_id,
            "seq": seq,
            "at": now,
            "kind": failure,
        }
        if "version" in details:
            event["reports"] = details["version"]
        return thing, event
    raise ValueError(f"unknown eventType {kind!r}")


# ---- AWS IoT ------------------------------------------------------------------------------------


def ensure_group_and_job(version: str, model: Optional[str], environment: Optional[str]) -> str:
    """Creates (once) the static thing group and its continuous job for a version."""
    iot = _client("iot")
    name = group_name(version, model, environment)
    try:
        arn = iot.describe_thing_group(thingGroupName=name)["thingGroupArn"]
    except iot.exceptions.ResourceNotFoundException:
        arn = iot.create_thing_group(thingGroupName=name)["thingGroupArn"]
    try:
        iot.describe_job(jobId=name)
    except iot.exceptions.ResourceNotFoundException:
        s3 = _client("s3")
        bucket = _env("FOTA_BUCKET")

        def url(key: str) -> str:
            return str(
                s3.generate_presigned_url(
                    "get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=7 * 24 * 3600
                )
            )

        document = {
            "operation": "fota",
            "version": version,
            "firmware_url": url(f"firmware/{version}.bin"),
            "signature_url": url(f"firmware/{version}.bin.sig"),
            "manifest_url": url(f"firmware/{version}.bin.manifest"),
        }
        iot.create_job(
            jobId=name,
            targets=[arn],
            document=json.dumps(document),
            targetSelection="CONTINUOUS",
        )
    return name


def leave_group(thing: str, group: Optional[str]) -> None:
    if group:
        _client("iot").remove_thing_from_thing_group(thingGroupName=group, thingName=thing)


# ---- one message --------------------------------------------------------------------------------


class Conflict(Exception):
    """Another delivery changed the device first; SQS delivers this message again."""


def process(body: dict[str, Any]) -> str:
    """Handles one message; returns what happened (for logs and tests)."""
    table = boto3.resource("dynamodb", endpoint_url=os.environ.get("AWS_ENDPOINT_URL")).Table(
        _env("FOTA_TABLE")
    )
    thing = body.get("thing") or thing_of(body.get("thingArn", ""))
    item = table.get_item(Key={"thing": thing}, ConsistentRead=True).get("Item")
    if item is None:
        raise ValueError(f"device {thing!r} is not registered (no item in the table)")
    model, environment = item.get("model"), item.get("environment")
    rec = reconciler(str(item["target"]), model, environment)
    state = rec.state(json.loads(item["state"]) if "state" in item else None)
    _, event = to_event(body, state)
    if event is not None:
        state, outcome = rec.apply(state, event)
        if outcome != "changed":
            return outcome  # duplicate, stale or not in flight: nothing changes
    now = int(CLOCK())
    group = item.get("group")
    action = rec.decide(thing, state, now)
    if action.action == "expire":
        state, _ = rec.apply(state, {"event": "job_expired", "job": action.job, "at": now})
        action = rec.decide(thing, state, now)
    if action.action == "install":
        assert action.release is not None and action.job is not None
        new_group = ensure_group_and_job(action.release, model, environment)
        leave_group(thing, group)
        _client("iot").add_thing_to_thing_group(thingGroupName=new_group, thingName=thing)
        group = new_group
        state, _ = rec.apply(
            state,
            {
                "event": "job_created",
                "job": action.job,
                "release": action.release,
                "at": now,
                "expires_at": action.expires_at,
            },
        )
    elif action.action == "wait" and action.why == "awaiting_job":
        pass  # the job is queued for the device: stay in the group
    else:
        leave_group(thing, group)
        group = None
        if action.action == "wait":
            assert action.until is not None
            delay = max(0, min(int(_env("FOTA_MAX_DELAY", "900")), action.until - now))
            _client("sqs").send_message(
                QueueUrl=_env("FOTA_QUEUE_URL"),
                MessageBody=json.dumps({"eventType": "TICK", "thing": thing}),
                DelaySeconds=delay,
            )
    rev = int(item.get("rev", 0))
    values: dict[str, Any] = {
        ":state": json.dumps(state, sort_keys=True),
        ":rev": rev,
        ":next": rev + 1,
        ":action": action.action,
    }
    update = "SET #s = :state, rev = :next, last_action = :action"
    if group is None:
        update += " REMOVE #g"
    else:
        update += ", #g = :group"
        values[":group"] = group
    try:
        table.update_item(
            Key={"thing": thing},
            UpdateExpression=update,
            ConditionExpression="rev = :rev OR attribute_not_exists(rev)",
            ExpressionAttributeNames={"#s": "state", "#g": "group"},
            ExpressionAttributeValues=values,
        )
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise Conflict(thing) from e
        raise
    return action.action


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The Lambda entry point: an SQS batch in, the messages to redeliver out."""
    failures = []
    for record in event.get("Records", []):
        try:
            process(json.loads(record["body"]))
        except Exception as e:  # one bad message must not replay the batch
            print(json.dumps({"messageId": record["messageId"], "error": repr(e)}))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
