"""FOTA-scheduler: an SQS-triggered Lambda that marches devices to their target version.

Every decision is stepstone's (the reconciler: ``apply`` an event, then ``decide``); this file
only moves data between AWS and stepstone.

Messages (one JSON object per SQS message, field ``eventType``):

* ``JOB_EXECUTION``: AWS IoT's job-execution event, as the topic rule ``FotaJobEventsRule`` routes
  it from ``$aws/events/jobExecution/<jobId>/<operation>``. The device puts its message counter
  in ``statusDetails.seq`` and its running version in ``statusDetails.version``. Operations
  ``succeeded``, ``failed``, ``rejected`` and ``timed_out`` are results; ``canceled``,
  ``removed`` and ``deleted`` are ignored (``removed`` is what IoT says when the scheduler takes a
  device out of a continuous job's group).
* ``REPORTED``: the device's version (``thing``, ``seq``, ``version``), from the shadow rule.
* ``TICK``: the scheduler's own delayed message: "decide again" after a backoff.
* ``TARGET_CHANGED`` (``thing``, ``campaign``, ``target``) and ``CATALOG_CHANGED`` (``thing``,
  ``revision``): an administrator's change (``examples/aws/admin.py`` sends them), applied as the
  reconciler's ``target_changed`` / ``catalog_changed`` events to the device's state, in order
  of their ids: a late or repeated admin message changes nothing.

State: one DynamoDB item per device: ``thing`` (key), ``model``, ``environment``, ``target``,
``state`` (the reconciler's state, JSON), ``group`` (the thing group the device was put in),
``last_action`` and ``rev``. Every write is conditional on ``rev``: when two deliveries race,
one commits and the other fails with ``Conflict`` and comes back from SQS (a lost update
prevented; ``STATS["conflicts"]`` counts them). Duplicate, stale and not-in-flight events change
nothing and write nothing.

AWS IoT: one static thing group and one continuous job per (version, model, environment), as in
KeepTruckin's 2020 FOTA post. The job document carries no URL that expires: its four links (image, image signature,
manifest, manifest signature) are IoT Jobs placeholders
``${aws:iot:s3-presigned-url-v2:https://s3.<region>.amazonaws.com/<bucket>/<key>}`` that IoT
replaces with a URL pre-signed by ``FOTA_PRESIGN_ROLE_ARN`` each time a device fetches the
document, valid ``FOTA_URL_EXPIRES`` seconds (60..3600). So a continuous job can live as long as
its release is a stepping stone; the manifests it points at are renewed by the signer (see
``signer/handler.py``, "manifest lifetime").

Failures are retried by the reconciler's retry policy (5 attempts per hop by default), waiting
with a delayed ``TICK``. A throttled or failed AWS call fails only its message: the handler
returns ``batchItemFailures`` (the event source mapping has ``ReportBatchItemFailures``) and SQS
delivers it again; nothing was committed, so the retry decides afresh.

Configuration (environment; the template sets all of them):

=========================  ==========================================================================
``FOTA_TABLE``             the DynamoDB table
``FOTA_QUEUE_URL``         this function's queue (for ``TICK`` messages)
``FOTA_BUCKET``            the firmware bucket
``FOTA_IMAGE_PREFIX``      key prefix of images, default ``firmware/`` (image ``<prefix><version>.bin``)
``FOTA_CATALOG``           the catalog: ``s3://bucket/key`` (revision in the object's metadata
                           ``revision``) or a file path
``FOTA_PRESIGN_ROLE_ARN``  the role IoT Jobs assumes to pre-sign the document's URLs
``FOTA_URL_EXPIRES``       lifetime of those URLs in seconds, 60..3600, default 3600
``FOTA_JOB_TTL``           seconds a device has to finish a job before it counts as timed out
                           (the reconciler's ``job_ttl_secs``), default 604800 (7 days)
``FOTA_RETRY_POLICY``      optional: the retry policy as JSON (docs/retry.md); default: the core's
``FOTA_MAX_DELAY``         longest ``TICK`` delay, seconds, at most 900 (SQS's limit), default 900
``FOTA_IN_PROGRESS_MINUTES``  IoT's in-progress timeout of a job execution, default 60
=========================  ==========================================================================
"""

from __future__ import annotations

import collections
import json
import logging
import os
import threading
import time
import urllib.parse
from dataclasses import dataclass
from typing import Any, Callable, Optional

import boto3
import botocore.config
import botocore.exceptions

import stepstone

#: The clock (seconds). Tests replace it to replay days of a rollout in seconds.
CLOCK: Callable[[], float] = time.time

LOG = logging.getLogger("fota.scheduler")
LOG.setLevel(logging.INFO)

#: Counters for logs and tests: ``conflicts`` (conditional writes refused: lost updates
#: prevented), ``throttled`` (AWS throttling errors), ``failed`` (messages returned to SQS),
#: ``error:<code>`` per error, ``processed`` and one entry per outcome.
STATS: collections.Counter[str] = collections.Counter()

_lock = threading.RLock()
_clients: dict[str, Any] = {}
_settings: Optional["Settings"] = None
_catalog: Optional[tuple[stepstone.Catalog, int]] = None
_reconcilers: dict[tuple[int, str, Optional[str], Optional[str]], stepstone.Reconciler] = {}
_jobs_ready: set[str] = set()

THROTTLING = {"ThrottlingException", "Throttling", "TooManyRequestsException", "LimitExceededException"}
IGNORED_OPERATIONS = {"canceled", "removed", "deleted"}


@dataclass(frozen=True)
class Settings:
    """The function's configuration, read once per container from the environment."""

    table: str
    queue_url: str
    bucket: str
    image_prefix: str
    catalog: str
    presign_role_arn: str
    url_expires: int
    job_ttl: int
    retry_policy: Optional[str]
    max_delay: int
    in_progress_minutes: int
    region: str

    @staticmethod
    def from_env() -> "Settings":
        def need(name: str) -> str:
            value = os.environ.get(name)
            if not value:
                raise KeyError(f"environment variable {name} is not set")
            return value

        url_expires = int(os.environ.get("FOTA_URL_EXPIRES", "3600"))
        if not 60 <= url_expires <= 3600:
            raise ValueError(f"FOTA_URL_EXPIRES={url_expires}: IoT Jobs accepts 60..3600 seconds")
        return Settings(
            table=need("FOTA_TABLE"),
            queue_url=need("FOTA_QUEUE_URL"),
            bucket=need("FOTA_BUCKET"),
            image_prefix=os.environ.get("FOTA_IMAGE_PREFIX", "firmware/"),
            catalog=need("FOTA_CATALOG"),
            presign_role_arn=need("FOTA_PRESIGN_ROLE_ARN"),
            url_expires=url_expires,
            job_ttl=int(os.environ.get("FOTA_JOB_TTL", str(7 * 86400))),
            retry_policy=os.environ.get("FOTA_RETRY_POLICY") or None,
            max_delay=min(900, int(os.environ.get("FOTA_MAX_DELAY", "900"))),
            in_progress_minutes=int(os.environ.get("FOTA_IN_PROGRESS_MINUTES", "60")),
            region=os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION") or "us-east-1",
        )


def settings() -> Settings:
    global _settings
    with _lock:
        if _settings is None:
            _settings = Settings.from_env()
        return _settings


def client(service: str) -> Any:
    """One boto3 client per service per container (clients are thread-safe; creating them is
    not). Endpoints come from botocore's own ``AWS_ENDPOINT_URL[_<SERVICE>]`` variables."""
    with _lock:
        c = _clients.get(service)
        if c is None:
            c = boto3.client(service, config=botocore.config.Config(retries={"mode": "standard"}))
            _clients[service] = c
        return c


def reset() -> None:
    """Forget everything cached: settings, clients, catalog, reconcilers (a new container)."""
    global _settings, _catalog
    with _lock:
        _settings = None
        _catalog = None
        _clients.clear()
        _reconcilers.clear()
        _jobs_ready.clear()


# ---- catalog and reconcilers --------------------------------------------------------------------


class CatalogBehind(Exception):
    """An admin message names a catalog revision newer than the stored catalog (yet)."""


def _load_catalog(location: str) -> tuple[stepstone.Catalog, int]:
    if location.startswith("s3://"):
        bucket, _, key = location[len("s3://") :].partition("/")
        obj = client("s3").get_object(Bucket=bucket, Key=key)
        revision = int(obj.get("Metadata", {}).get("revision", "0"))
        return stepstone.Catalog.from_json(obj["Body"].read().decode("utf-8")), revision
    return stepstone.Catalog.from_path(location), 0


def catalog(min_revision: int = 0) -> tuple[stepstone.Catalog, int]:
    """The catalog and its revision, loaded once per container and again when a message needs
    a newer revision (``CatalogBehind`` if the stored one is still older)."""
    global _catalog
    with _lock:
        if _catalog is None or _catalog[1] < min_revision:
            _catalog = _load_catalog(settings().catalog)
            _reconcilers.clear()
        if _catalog[1] < min_revision:
            raise CatalogBehind(f"catalog revision {_catalog[1]} is older than {min_revision}")
        return _catalog


def reconciler(target: str, model: Optional[str], environment: Optional[str]) -> stepstone.Reconciler:
    """One reconciler per campaign (catalog revision, target, model, environment)."""
    cat, revision = catalog()
    key = (revision, target, model, environment)
    with _lock:
        rec = _reconcilers.get(key)
        if rec is None:
            s = settings()
            policy = stepstone.RetryPolicy(s.retry_policy) if s.retry_policy else stepstone.RetryPolicy()
            campaign = cat.campaign(target, model=model, environment=environment)
            rec = stepstone.Reconciler(campaign, policy=policy, job_ttl_secs=s.job_ttl)
            _reconcilers[key] = rec
        return rec


# ---- names and the job document -----------------------------------------------------------------


def _safe(text: str) -> str:
    """Job ids and thing group names allow ``[a-zA-Z0-9_-]``; other characters become ``_``."""
    return "".join(c if c.isascii() and (c.isalnum() or c in "_-") else "_" for c in text)


def group_name(version: str, model: Optional[str], environment: Optional[str]) -> str:
    """The static thing group, and the continuous job's id, for a version, model, environment."""
    return _safe(f"fota-{version}-{model or 'any'}-{environment or 'any'}")[:64]


def thing_of(arn_or_name: str) -> str:
    return arn_or_name.rsplit("/", 1)[-1]


def image_key(version: str) -> str:
    return f"{settings().image_prefix}{version}.bin"


def placeholder(key: str) -> str:
    """An IoT Jobs pre-signed URL placeholder for an object of the firmware bucket."""
    s = settings()
    url = f"https://s3.{s.region}.amazonaws.com/{s.bucket}/{urllib.parse.quote(key)}"
    return "${aws:iot:s3-presigned-url-v2:" + url + "}"


def job_document(version: str, model: Optional[str], environment: Optional[str]) -> dict[str, Any]:
    """The continuous job's document: what to install and where its four files are."""
    image = image_key(version)
    return {
        "operation": "fota",
        "version": version,
        "model": model or "*",
        "environment": environment or "*",
        "firmware_url": placeholder(image),
        "signature_url": placeholder(image + ".sig"),
        "manifest_url": placeholder(image + ".manifest"),
        "manifest_signature_url": placeholder(image + ".manifest.sig"),
    }


class NotSigned(Exception):
    """A release's image, signature or manifest is not in the bucket (yet)."""


def ensure_group_and_job(version: str, model: Optional[str], environment: Optional[str]) -> str:
    """Creates (once) the static thing group and its continuous job for a version. The release
    must have been signed: the job is not created before its four files exist."""
    name = group_name(version, model, environment)
    with _lock:
        if name in _jobs_ready:
            return name
    iot = client("iot")
    try:
        arn = iot.describe_thing_group(thingGroupName=name)["thingGroupArn"]
    except iot.exceptions.ResourceNotFoundException:
        try:
            arn = iot.create_thing_group(thingGroupName=name)["thingGroupArn"]
        except iot.exceptions.ResourceAlreadyExistsException:  # another container was first
            arn = iot.describe_thing_group(thingGroupName=name)["thingGroupArn"]
    try:
        iot.describe_job(jobId=name)
    except iot.exceptions.ResourceNotFoundException:
        s = settings()
        image = image_key(version)
        for key in (image, image + ".sig", image + ".manifest", image + ".manifest.sig"):
            try:
                client("s3").head_object(Bucket=s.bucket, Key=key)
            except botocore.exceptions.ClientError as e:
                raise NotSigned(f"release {version}: s3://{s.bucket}/{key} is missing") from e
        try:
            iot.create_job(
                jobId=name,
                targets=[arn],
                document=json.dumps(job_document(version, model, environment)),
                description=f"stepstone: install {version}",
                targetSelection="CONTINUOUS",
                presignedUrlConfig={"roleArn": s.presign_role_arn, "expiresInSec": s.url_expires},
                timeoutConfig={"inProgressTimeoutInMinutes": s.in_progress_minutes},
            )
        except iot.exceptions.ResourceAlreadyExistsException:
            pass  # another container created it first
    with _lock:
        _jobs_ready.add(name)
    return name


def join_group(thing: str, group: str) -> None:
    client("iot").add_thing_to_thing_group(thingGroupName=group, thingName=thing)


def leave_group(thing: str, group: Optional[str]) -> None:
    if group:
        client("iot").remove_thing_from_thing_group(thingGroupName=group, thingName=thing)


# ---- the table ----------------------------------------------------------------------------------


def get_device(thing: str) -> Optional[dict[str, Any]]:
    """The device's item as plain Python values (``rev`` an int), or ``None``."""
    got = client("dynamodb").get_item(
        TableName=settings().table, Key={"thing": {"S": thing}}, ConsistentRead=True
    )
    raw = got.get("Item")
    if raw is None:
        return None
    item: dict[str, Any] = {}
    for k, v in raw.items():
        if "S" in v:
            item[k] = v["S"]
        elif "N" in v:
            item[k] = int(v["N"])
    return item


class Conflict(Exception):
    """Another delivery changed the device first; SQS delivers this message again."""


def commit(thing: str, item: dict[str, Any], values: dict[str, Optional[str]]) -> None:
    """Writes ``values`` (``None`` removes the attribute) and ``rev + 1``, only if ``rev`` is
    still what was read (``Conflict`` otherwise)."""
    sets, removes = ["rev = :next"], []
    names: dict[str, str] = {}
    attrs: dict[str, Any] = {":next": {"N": str(int(item.get("rev", 0)) + 1)}}
    for i, (k, v) in enumerate(sorted(values.items())):
        names[f"#a{i}"] = k
        if v is None:
            removes.append(f"#a{i}")
        else:
            sets.append(f"#a{i} = :v{i}")
            attrs[f":v{i}"] = {"S": v}
    update = "SET " + ", ".join(sets) + (" REMOVE " + ", ".join(removes) if removes else "")
    if "rev" in item:
        condition = "rev = :rev"
        attrs[":rev"] = {"N": str(item["rev"])}
    else:
        condition = "attribute_not_exists(rev)"
    try:
        client("dynamodb").update_item(
            TableName=settings().table,
            Key={"thing": {"S": thing}},
            UpdateExpression=update,
            ConditionExpression=condition,
            ExpressionAttributeNames=names,
            ExpressionAttributeValues=attrs,
        )
    except botocore.exceptions.ClientError as e:
        if e.response["Error"]["Code"] == "ConditionalCheckFailedException":
            raise Conflict(thing) from e
        raise


# ---- events -------------------------------------------------------------------------------------


def to_event(
    body: dict[str, Any], state: dict[str, Any], model: Optional[str], environment: Optional[str]
) -> Optional[dict[str, Any]]:
    """The reconciler event for a device message (``None`` for a TICK or an ignored operation).

    AWS job ids name a version's continuous job; the reconciler numbers each device's jobs. An
    execution event is for the device's job in flight when its job id is that release's and the
    device sent it after the job was created (its ``seq`` is above the device's counter at
    creation: an old result for an earlier attempt on the same release is not this attempt's);
    otherwise it is for job 0, which the reconciler ignores as not in flight.
    """
    kind = body["eventType"]
    now = int(body.get("timestamp", CLOCK()))
    if kind == "TICK":
        return None
    if kind == "REPORTED":
        return {"event": "reported", "seq": int(body["seq"]), "at": now, "reports": body["version"]}
    if kind == "JOB_EXECUTION":
        op = body["operation"]
        if op in IGNORED_OPERATIONS:
            return None
        details = body.get("statusDetails") or {}
        seq = int(details["seq"])
        job = state.get("job") or {}
        release = job.get("release")
        in_flight = (
            release is not None
            and body["jobId"] == group_name(release, model, environment)
            and seq > int(job.get("device_seq", 0))
        )
        job_id = int(job["id"]) if in_flight else 0
        if op == "succeeded":
            return {"event": "job_succeeded", "job": job_id, "seq": seq, "at": now, "reports": details["version"]}
        failure = {"failed": "failed", "timed_out": "timed_out", "rejected": "rejected"}.get(op)
        if failure is None:
            raise ValueError(f"unsupported job execution operation {op!r}")
        if details.get("reason") == "download_error":
            failure = "download_error"
        event: dict[str, Any] = {"event": "job_failed", "job": job_id, "seq": seq, "at": now, "kind": failure}
        if "version" in details:
            event["reports"] = details["version"]
        return event
    raise ValueError(f"unknown eventType {kind!r}")


# ---- one message --------------------------------------------------------------------------------


def process(body: dict[str, Any]) -> str:
    """Handles one message; returns what happened: the reconciler's outcome for an event that
    changed nothing (``duplicate``, ``stale``, ``not_in_flight``), ``ignored``, or the action
    decided (``install``, ``wait``, ``hold``, ``done``, ``give_up``)."""
    kind = body.get("eventType")
    thing = body.get("thing") or thing_of(body.get("thingArn", ""))
    if not thing:
        raise ValueError("the message names no device")
    item = get_device(thing)
    if item is None:
        raise ValueError(f"device {thing!r} is not registered (no item in the table)")
    model, environment = item.get("model"), item.get("environment")
    target = str(item["target"])
    now = int(CLOCK())
    at = int(body.get("timestamp", now))
    event: Optional[dict[str, Any]]
    if kind == "TARGET_CHANGED":
        target = str(body["target"])
        event = {"event": "target_changed", "campaign": int(body["campaign"]), "at": at}
    elif kind == "CATALOG_CHANGED":
        catalog(min_revision=int(body["revision"]))
        event = {"event": "catalog_changed", "revision": int(body["revision"]), "at": at}
    else:
        event = None
    rec = reconciler(target, model, environment)
    before = json.loads(item["state"]) if "state" in item else None
    state = rec.state(before)
    if event is None:
        if kind == "JOB_EXECUTION" and body.get("operation") in IGNORED_OPERATIONS:
            return "ignored"
        event = to_event(body, state, model, environment)
    if event is not None:
        state, outcome = rec.apply(state, event)
        if outcome != "changed":
            return str(outcome)  # duplicate, stale or not in flight: nothing changes
    action = rec.decide(thing, state, now)
    if action.action == "expire":
        state, _ = rec.apply(state, {"event": "job_expired", "job": action.job, "at": now})
        action = rec.decide(thing, state, now)

    group: Optional[str] = item.get("group")
    joined: Optional[str] = None
    tick: Optional[int] = None
    if action.action == "install":
        assert action.release is not None and action.job is not None
        new_group = ensure_group_and_job(action.release, model, environment)
        if group != new_group:
            leave_group(thing, group)
        join_group(thing, new_group)
        joined = group = new_group
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
            tick = max(0, min(settings().max_delay, action.until - now))

    values: dict[str, Optional[str]] = {
        "state": json.dumps(state, sort_keys=True),
        "group": group,
        "last_action": action.action,
        "target": target,
    }
    # Nothing to write when neither the state, the group nor the target changed (a TICK during
    # a backoff or while a job is in flight): ``last_action`` is the action of the last change.
    unchanged = (
        before is not None
        and json.dumps(before, sort_keys=True) == values["state"]
        and item.get("group") == group
        and item.get("target") == target
    )
    if not unchanged:
        try:
            commit(thing, item, values)
        except Conflict:
            if joined is not None:
                _undo_join(thing, joined)
            raise
    if tick is not None:
        client("sqs").send_message(
            QueueUrl=settings().queue_url,
            MessageBody=json.dumps({"eventType": "TICK", "thing": thing}),
            DelaySeconds=tick,
        )
    return str(action.action)


def _undo_join(thing: str, group: str) -> None:
    """After losing a race: take the device out of the group this delivery put it in, unless
    the write that won put it there too."""
    winner = get_device(thing)
    if winner is None or winner.get("group") != group:
        leave_group(thing, group)


def _error_code(e: BaseException) -> str:
    if isinstance(e, botocore.exceptions.ClientError):
        return str(e.response.get("Error", {}).get("Code", "ClientError"))
    return type(e).__name__


def handler(event: dict[str, Any], context: Any = None) -> dict[str, Any]:
    """The Lambda entry point: an SQS batch in, the messages to deliver again out."""
    failures = []
    for record in event.get("Records", []):
        try:
            outcome = process(json.loads(record["body"]))
            with _lock:
                STATS["processed"] += 1
                STATS[outcome] += 1
        except Exception as e:  # one bad message must not replay the batch
            code = _error_code(e)
            with _lock:
                STATS["failed"] += 1
                STATS[f"error:{code}"] += 1
                if isinstance(e, Conflict):
                    STATS["conflicts"] += 1
                if code in THROTTLING:
                    STATS["throttled"] += 1
            LOG.warning(json.dumps({"messageId": record["messageId"], "error": code, "detail": str(e)[:300]}))
            failures.append({"itemIdentifier": record["messageId"]})
    return {"batchItemFailures": failures}
