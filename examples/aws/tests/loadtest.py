"""Under load, nothing lost: concurrent scheduler workers drain job-execution events for a fleet,
with duplicates, reordering and throttling, and end exactly where a sequential replay ends.

    python loadtest.py                                   # by hand: 1,000 devices, 8 workers, >= 20,000 events
    python loadtest.py --devices 120 --min-events 2400   # CI size (scripts/test-aws.sh)

What runs: the real ``scheduler/handler.py`` (``handler.handler`` on SQS-shaped batches of up to
10 messages), against moto's server for DynamoDB (conditional writes), IoT (thing groups, jobs)
and S3, in a process of its own handling one request at a time (motokit.py ``--serial``: moto's
backends are not thread-safe, and DynamoDB's conditional writes are atomic).

The queue is an in-process model of an SQS standard queue with the event source mapping on top:
visibility (a received message is hidden from other workers until it is acknowledged or
returned), ``batchItemFailures`` returned to the queue and delivered again, a dead-letter queue
after 10 receives (the template's ``maxReceiveCount``), and ``DelaySeconds`` counted on the
test's clock, because the test replays weeks of retry backoff in minutes (moto's SQS delays run
on the wall clock).

The fleet moves in rounds (one round = one day of the test clock, longer than the retry policy's
longest backoff). At the start of a round every device that is in a thing group runs that job
and sends its job-execution event (success, or failure as its script says); devices start by
reporting their version. Each device's script is drawn from a seeded RNG: most succeed at every
hop, some fail 1 to 4 times on one hop, some never pass one hop (they must give up after 5
attempts). Noise, per device and round: the fresh event delivered ``--dups`` more times, ``--late``
events from earlier rounds delivered again (stale, duplicate, or about an attempt no longer in
flight), the whole round's messages shuffled (reordering), and IoT calls throttled at
``--throttle`` probability (``ThrottlingException``, as AWS answers when a per-API rate is
exceeded and botocore's retries are spent). ``--workers`` threads take batches concurrently.

The reference is a sequential replay: the same rounds, the same fresh events, one worker, no
noise, no throttling, against a second moto server. Checks:

* every device ends in the reference's state: reconciler state, thing group, last action, target;
  and its IoT group membership is what its item says;
* no device gets more attempts on a hop than the policy allows (5): counted from the job ids
  each hop's state held at the end of every round, and from the hop counters;
* no message is lost: every message sent is acknowledged after a successful run of the handler,
  nothing is left in the queue or the dead-letter queue, and every throttled message came back in
  ``batchItemFailures`` and was delivered again;
* the conditional writes refused lost updates (``Conflict``): counted and reported.

Prints the figures and exits 1 if a check fails.
"""

from __future__ import annotations

import argparse
import collections
import importlib.util
import json
import os
import random
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import boto3
import botocore.exceptions

HERE = Path(__file__).resolve().parent
AWS = HERE.parent
ROOT = AWS.parents[1]

MODEL, ENV, TARGET = "AG-1", "production", "v67000"
HOPS = ["v65000", "v66000", "v66003", "v67000"]
STARTS = ["v64000"] * 6 + ["v65000", "v66000", "v66001", "v66003"]
START = 1_763_900_000
ROUND = 86400
MAX_RECEIVES = 10
BUCKET, TABLE = "fota-load", "fota-load"


def load_scheduler() -> Any:
    spec = importlib.util.spec_from_file_location("fota_scheduler_load", AWS / "scheduler" / "handler.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


scheduler = load_scheduler()


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> float:
        return float(self.now)


CLOCK = Clock()


# ---- the queue ------------------------------------------------------------------------------------


@dataclass
class Message:
    id: int
    body: str
    visible_at: int
    receives: int = 0


class Queue:
    """An SQS standard queue as the event source mapping sees it (see the module docstring)."""

    def __init__(self) -> None:
        self.lock = threading.Condition()
        self.ready: collections.deque[Message] = collections.deque()
        self.delayed: list[Message] = []
        self.in_flight: dict[int, Message] = {}
        self.dead: list[Message] = []
        self.next_id = 0
        self.sent = self.acked = self.returned = 0

    def send(self, body: str, delay: int = 0) -> None:
        with self.lock:
            self.next_id += 1
            m = Message(self.next_id, body, CLOCK.now + delay)
            self.sent += 1
            (self.delayed if delay > 0 else self.ready).append(m)
            self.lock.notify_all()

    def release_due(self) -> None:
        with self.lock:
            due = [m for m in self.delayed if m.visible_at <= CLOCK.now]
            self.delayed = [m for m in self.delayed if m.visible_at > CLOCK.now]
            self.ready.extend(due)

    def receive(self, n: int) -> Optional[list[Message]]:
        """Up to n visible messages; [] if none now but some in flight; None when drained."""
        with self.lock:
            while True:
                if self.ready:
                    batch = [self.ready.popleft() for _ in range(min(n, len(self.ready)))]
                    for m in batch:
                        m.receives += 1
                        self.in_flight[m.id] = m
                    return batch
                if not self.in_flight:
                    return None
                self.lock.wait(0.05)

    def settle(self, batch: list[Message], failed: set[str]) -> None:
        with self.lock:
            for m in batch:
                del self.in_flight[m.id]
                if str(m.id) in failed:
                    self.returned += 1
                    (self.dead if m.receives >= MAX_RECEIVES else self.ready).append(m)
                else:
                    self.acked += 1
            self.lock.notify_all()


class QueueSqs:
    """What the scheduler sees as its SQS client: TICKs go into the queue model."""

    def __init__(self, queue: Queue) -> None:
        self.queue = queue

    def send_message(self, QueueUrl: str, MessageBody: str, DelaySeconds: int = 0) -> dict[str, Any]:
        self.queue.send(MessageBody, DelaySeconds)
        return {"MessageId": "tick"}


class ThrottlingIot:
    """The scheduler's IoT client with ThrottlingException injected at a rate."""

    def __init__(self, inner: Any, rate: float, seed: int) -> None:
        self.inner, self.rate, self.exceptions = inner, rate, inner.exceptions
        self.rng, self.lock, self.injected = random.Random(seed), threading.Lock(), 0

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.inner, name)

        def call(**kw: Any) -> Any:
            with self.lock:
                throttle = self.rng.random() < self.rate
                self.injected += throttle
            if throttle:
                raise botocore.exceptions.ClientError(
                    {"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, name
                )
            return method(**kw)

        return call


# ---- the fleet ------------------------------------------------------------------------------------


@dataclass
class Device:
    thing: str
    version: str
    fails: dict[str, int]  # release -> failures before it succeeds (>= 5: never)
    seq: int = 0
    sent: list[str] = field(default_factory=list)  # bodies of its fresh events, in order


def make_fleet(n: int, seed: int) -> list[Device]:
    rng = random.Random(seed)
    fleet = []
    for i in range(n):
        start = rng.choice(STARTS)
        hops = [h for h in HOPS if int(h[1:]) > int(start[1:])]
        fails: dict[str, int] = {}
        r = rng.random()
        if r < 0.10:
            fails[rng.choice(hops)] = 99  # never passes: gives up after 5 attempts
        elif r < 0.35:
            fails[rng.choice(hops)] = rng.randint(1, 4)
        fleet.append(Device(f"AG1-{i:05d}", start, fails))
    return fleet


def aws_env(url: str) -> None:
    os.environ.update(
        AWS_ACCESS_KEY_ID="testing",
        AWS_SECRET_ACCESS_KEY="testing",
        AWS_SESSION_TOKEN="testing",
        AWS_REGION="us-east-1",
        AWS_DEFAULT_REGION="us-east-1",
        AWS_ENDPOINT_URL=url,
        FOTA_TABLE=TABLE,
        FOTA_QUEUE_URL="https://sqs.us-east-1.amazonaws.com/123456789012/fota-load",
        FOTA_BUCKET=BUCKET,
        FOTA_CATALOG=f"s3://{BUCKET}/catalog/catalog.json",
        FOTA_PRESIGN_ROLE_ARN="arn:aws:iam::123456789012:role/fota-presign",
        FOTA_MAX_DELAY="900",
    )


def setup(fleet: list[Device]) -> None:
    s3, ddb, iot = boto3.client("s3"), boto3.client("dynamodb"), boto3.client("iot")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key="catalog/catalog.json", Body=(ROOT / "examples" / "catalog.json").read_bytes())
    for v in HOPS:
        for suffix in ("", ".sig", ".manifest", ".manifest.sig"):
            s3.put_object(Bucket=BUCKET, Key=f"firmware/{v}.bin{suffix}", Body=b"-")
    ddb.create_table(
        TableName=TABLE,
        KeySchema=[{"AttributeName": "thing", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "thing", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
    )
    for d in fleet:
        iot.create_thing(thingName=d.thing)
        ddb.put_item(
            TableName=TABLE,
            Item={"thing": {"S": d.thing}, "model": {"S": MODEL}, "environment": {"S": ENV}, "target": {"S": TARGET}},
        )


def items() -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for page in boto3.client("dynamodb").get_paginator("scan").paginate(TableName=TABLE, ConsistentRead=True):
        for raw in page["Items"]:
            out[raw["thing"]["S"]] = {k: v.get("S", v.get("N")) for k, v in raw.items()}
    return out


@dataclass
class Run:
    name: str
    workers: int
    noisy: bool
    throttle: float
    seed: int
    queue: Queue = field(default_factory=Queue)
    job_events: int = 0
    reports: int = 0
    admin: int = 0
    max_attempts: int = 0
    jobs_per_hop: dict[tuple[str, str], set[int]] = field(default_factory=lambda: collections.defaultdict(set))
    rounds: int = 0
    seconds: float = 0.0
    final: dict[str, dict[str, Any]] = field(default_factory=dict)
    groups_ok: bool = True
    throttled_injected: int = 0
    stats: collections.Counter[str] = field(default_factory=collections.Counter)
    commits: collections.Counter[str] = field(default_factory=collections.Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)


def drain(run: Run) -> None:
    def worker() -> None:
        while True:
            batch = run.queue.receive(10)
            if batch is None:
                return
            if not batch:
                continue
            event = {"Records": [{"messageId": str(m.id), "body": m.body} for m in batch]}
            result = scheduler.handler(event)
            run.queue.settle(batch, {f["itemIdentifier"] for f in result["batchItemFailures"]})

    threads = [threading.Thread(target=worker) for _ in range(run.workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()


def play(run: Run, fleet: list[Device], url: str, max_rounds: int, dups: int, late: int, catalog_every: int) -> None:
    """Plays the fleet's rounds against the moto server at url."""
    aws_env(url)
    scheduler.reset()
    scheduler.STATS.clear()
    import logging

    scheduler.LOG.setLevel(logging.ERROR)
    scheduler.CLOCK = CLOCK
    CLOCK.now = START
    setup(fleet)
    scheduler._clients["sqs"] = QueueSqs(run.queue)
    commit = scheduler.commit

    def counted_commit(thing: str, item: dict[str, Any], values: dict[str, Optional[str]]) -> None:
        commit(thing, item, values)
        with run.lock:
            run.commits[thing] += 1

    scheduler.commit = counted_commit
    iot = ThrottlingIot(scheduler.client("iot"), run.throttle, run.seed)
    scheduler._clients["iot"] = iot
    rng = random.Random(run.seed)
    devices = [Device(d.thing, d.version, dict(d.fails)) for d in fleet]
    t0 = time.monotonic()
    for r in range(max_rounds):
        CLOCK.now = START + r * ROUND
        run.queue.release_due()
        state = items()
        messages: list[str] = []
        for d in devices:
            fresh: Optional[dict[str, Any]] = None
            it = state[d.thing]
            if r == 0:
                d.seq += 1
                fresh = {"eventType": "REPORTED", "thing": d.thing, "seq": d.seq, "version": d.version, "timestamp": CLOCK.now}
                run.reports += 1
            elif it.get("group"):
                job = it["group"]
                release = job.split("-")[1]
                d.seq += 1
                ok = d.fails.get(release, 0) == 0
                if not ok:
                    d.fails[release] -= 1
                details = {"seq": str(d.seq), "version": release if ok else d.version}
                if ok:
                    d.version = release
                fresh = {
                    "eventType": "JOB_EXECUTION",
                    "eventId": f"{d.thing}-{d.seq}",
                    "timestamp": CLOCK.now,
                    "operation": "succeeded" if ok else "failed",
                    "jobId": job,
                    "thingArn": f"arn:aws:iot:us-east-1:123456789012:thing/{d.thing}",
                    "status": "SUCCEEDED" if ok else "FAILED",
                    "statusDetails": details,
                }
            if fresh is not None:
                body = json.dumps(fresh)
                messages.append(body)
                if fresh["eventType"] == "JOB_EXECUTION":
                    run.job_events += 1
                if run.noisy:
                    messages += [body] * dups
                    run.job_events += dups * (fresh["eventType"] == "JOB_EXECUTION")
                    old = [b for b in d.sent if '"JOB_EXECUTION"' in b]
                    for b in rng.sample(old, min(late, len(old))):
                        messages.append(b)
                        run.job_events += 1
                d.sent.append(body)
        if catalog_every and r > 0 and r % catalog_every == 0:
            # The admin publishes a catalog revision while the fleet is busy: a CATALOG_CHANGED
            # per device, racing that device's own events. (Its effect commutes with theirs, so
            # the replay's order does not matter; a lost update would show as a lost revision.)
            revision = r // catalog_every
            boto3.client("s3").put_object(
                Bucket=BUCKET, Key="catalog/catalog.json", Body=(ROOT / "examples" / "catalog.json").read_bytes(),
                Metadata={"revision": str(revision)},
            )
            for d in devices:
                messages.append(json.dumps({"eventType": "CATALOG_CHANGED", "thing": d.thing, "revision": revision, "timestamp": CLOCK.now}))
                run.admin += 1
        if run.noisy:
            rng.shuffle(messages)
        if not messages and not run.queue.ready and not run.queue.delayed:
            break
        for b in messages:
            run.queue.send(b)
        drain(run)
        run.rounds = r + 1
        for thing, it in items().items():
            if "state" not in it:
                continue
            s = json.loads(it["state"])
            hop = s.get("hop") or {}
            run.max_attempts = max(run.max_attempts, int((hop.get("counters") or {}).get("attempts", 0)))
            if s.get("job"):
                run.jobs_per_hop[(thing, s["job"]["release"])].add(int(s["job"]["id"]))
    run.seconds = time.monotonic() - t0
    scheduler.commit = commit
    run.final = items()
    run.throttled_injected = iot.injected
    run.stats = collections.Counter(scheduler.STATS)
    real_iot = boto3.client("iot")
    for d in devices:
        groups = [g["groupName"] for g in real_iot.list_thing_groups_for_thing(thingName=d.thing)["thingGroups"]]
        want = [run.final[d.thing]["group"]] if run.final[d.thing].get("group") else []
        if groups != want:
            run.groups_ok = False
            print(f"  {run.name}: {d.thing} is in {groups}, its item says {want}")


def start_moto() -> tuple[subprocess.Popen[str], str]:
    p = subprocess.Popen([sys.executable, str(HERE / "motokit.py"), "--serial"], stdout=subprocess.PIPE, text=True)
    assert p.stdout is not None
    line = p.stdout.readline().split()
    if not line or line[0] != "ready":
        p.kill()
        raise SystemExit("loadtest: moto did not start")
    return p, line[1]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--devices", type=int, default=1000)
    ap.add_argument("--workers", type=int, default=8)
    ap.add_argument("--dups", type=int, default=3, help="extra deliveries of each fresh event")
    ap.add_argument("--late", type=int, default=2, help="events of earlier rounds delivered again, per device and round")
    ap.add_argument("--throttle", type=float, default=0.05, help="probability an IoT call is throttled")
    ap.add_argument("--catalog-every", type=int, default=3, help="the admin publishes a catalog revision every N rounds (0: never)")
    ap.add_argument("--min-events", type=int, default=20000, help="fail unless at least this many job-execution events")
    ap.add_argument("--rounds", type=int, default=30)
    ap.add_argument("--seed", type=int, default=1)
    args = ap.parse_args()

    fleet = make_fleet(args.devices, args.seed)
    ref_server, ref_url = start_moto()
    load_server, load_url = start_moto()
    try:
        ref = Run("reference", workers=1, noisy=False, throttle=0.0, seed=args.seed)
        play(ref, fleet, ref_url, args.rounds, 0, 0, args.catalog_every)
        load = Run("load", workers=args.workers, noisy=True, throttle=args.throttle, seed=args.seed)
        play(load, fleet, load_url, args.rounds, args.dups, args.late, args.catalog_every)
    finally:
        ref_server.kill()
        load_server.kill()

    problems: list[str] = []
    keys = ("state", "group", "last_action", "target")
    differ = [t for t in ref.final if tuple(ref.final[t].get(k) for k in keys) != tuple(load.final[t].get(k) for k in keys)]
    if differ:
        problems.append(f"{len(differ)} devices differ from the sequential replay, e.g. {differ[:3]}")
        for t in differ[:2]:
            print(f"  reference {t}: {ref.final[t]}\n  load      {t}: {load.final[t]}")
    # Every write read `rev` and wrote `rev + 1`: a device's rev equals the writes that
    # committed for it unless one overwrote another (a lost update).
    lost = {t: load.commits[t] - int(it.get("rev", 0)) for t, it in load.final.items() if load.commits[t] != int(it.get("rev", 0))}
    if lost:
        problems.append(f"{sum(lost.values())} lost updates on {len(lost)} devices (commits above rev), e.g. {list(lost.items())[:3]}")
    attempts = max((len(v) for v in load.jobs_per_hop.values()), default=0)
    if attempts > 5 or load.max_attempts > 5:
        problems.append(f"a hop got {max(attempts, load.max_attempts)} attempts (the policy allows 5)")
    q = load.queue
    if q.ready or q.delayed or q.in_flight or q.dead:
        problems.append(f"messages left: {len(q.ready)} ready, {len(q.delayed)} delayed, {len(q.in_flight)} in flight, {len(q.dead)} dead")
    if q.acked != q.sent:
        problems.append(f"{q.sent} messages sent, {q.acked} acknowledged")
    if q.returned != load.stats["failed"]:
        problems.append(f"{load.stats['failed']} messages failed, {q.returned} returned to the queue")
    if load.throttled_injected and load.stats["throttled"] != load.throttled_injected:
        problems.append(f"{load.throttled_injected} throttles injected, {load.stats['throttled']} messages failed by them")
    if not (ref.groups_ok and load.groups_ok):
        problems.append("thing group membership differs from the items")
    if load.job_events < args.min_events:
        problems.append(f"only {load.job_events} job-execution events (want >= {args.min_events})")
    if load.stats["conflicts"] == 0 and args.workers > 1:
        problems.append("no conditional-write race happened: the test did not test them")
    done = collections.Counter(it.get("last_action") for it in load.final.values())
    gave_up = {t for t, it in load.final.items() if it.get("last_action") == "give_up"}
    never = {d.thing for d in fleet if any(v >= 5 for v in d.fails.values())}
    if gave_up != never:
        problems.append(f"gave up: {len(gave_up)} devices, scripted never to pass a hop: {len(never)}")
    per_hop_max = max((len(v) for k, v in load.jobs_per_hop.items() if k[0] in never), default=0)

    print(
        f"::: load test: {args.devices} devices, {args.workers} workers, {load.rounds} rounds (days), seed {args.seed}\n"
        f"  job-execution events delivered   {load.job_events} (plus {load.reports} version reports, {load.admin} catalog-change events)\n"
        f"  messages through the queue       {q.sent} sent, {q.acked} acknowledged, {q.returned} returned and delivered again, {len(q.dead)} dead-lettered\n"
        f"  outcomes                         {dict(sorted((k, v) for k, v in load.stats.items() if k not in ('processed', 'failed', 'throttled', 'conflicts') and not k.startswith('error:')))}\n"
        f"  failures (returned to the queue) {dict(sorted((k[6:], v) for k, v in load.stats.items() if k.startswith('error:')))}\n"
        f"  IoT throttling injected          {load.throttled_injected} calls ({args.throttle:.0%}); {load.stats['throttled']} messages failed by it and came back\n"
        f"  lost updates prevented           {load.stats['conflicts']} conditional writes refused (ConditionalCheckFailed); "
        f"{sum(load.commits.values())} writes committed, lost: {sum(lost.values())}\n"
        f"  attempts per hop, max            {max(attempts, load.max_attempts)} (policy: 5; devices that never pass: {per_hop_max})\n"
        f"  devices                          {dict(done)}\n"
        f"  wall time                        load {load.seconds:.1f} s, sequential reference {ref.seconds:.1f} s ({ref.queue.sent} messages)\n"
        f"  same final state as the reference: {'all ' + str(len(ref.final)) + ' devices' if not differ else str(len(differ)) + ' differ'}"
    )
    for p in problems:
        print(f"  FAILED: {p}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
