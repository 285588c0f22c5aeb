"""stepstone.spark in local mode (local[2]): every row's answer equals the core's one-at-a-time
answer, on data with every id kind, nulls, several periods and several models."""

from __future__ import annotations

import datetime as dt
import os
import pathlib
import sys
from typing import Any, Iterator, List, Optional, Tuple

import pytest

pyspark = pytest.importorskip("pyspark")

import stepstone  # noqa: E402
from pyspark.sql import SparkSession  # noqa: E402
from stepstone import spark as ss  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
PLAN = stepstone.SamplingPlan.from_dict(
    {"salt": "acme-2026", "period_seconds": 3600, "period_offset_seconds": 600,
     "classes": {"metrics": 300000, "logs": 1000}}
)
CATALOG = stepstone.Catalog.from_path(str(ROOT / "examples" / "catalog.json"))
START = dt.datetime(2025, 11, 23, 0, 9, 59, tzinfo=dt.timezone.utc)
N = 6000


@pytest.fixture(scope="module")
def spark() -> Iterator[SparkSession]:
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    session = (
        SparkSession.builder.master("local[2]")
        .appName("stepstone-tests")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.sql.session.timeZone", "UTC")
        # Small Arrow batches: many batches per task, as on a cluster.
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "700")
        .getOrCreate()
    )
    yield session
    session.stop()


def rows() -> List[Tuple[Any, ...]]:
    versions = ["v64000", "v65000", "v66001", "v66003", "v67000", "v68000", "garbage", None]
    models = ["AG-1", "AG-2", "NOPE", None]
    envs = ["production", "staging", None]
    out = []
    for i in range(N):
        k = i % 5
        sid: Optional[str] = None if k == 0 else ("" if k == 1 else f"dev-{i:08d}" if k < 4 else "x" * (52 + i % 30))
        bid: Optional[bytes] = None if i % 11 == 0 else bytes((i * 13 + j) % 256 for j in range(i % 9))
        ts = None if i % 17 == 0 else START + dt.timedelta(minutes=11 * i)
        period = None if i % 19 == 0 else 20000 + i % 6
        out.append((sid, bid, ts, period, versions[i % len(versions)], models[(i // 3) % len(models)],
                    envs[(i // 7) % len(envs)], i))
    return out


SCHEMA = ("sid string, bid binary, ts timestamp, period long, version string, model string, "
          "environment string, n long")


def period_of(ts: Optional[dt.datetime]) -> Optional[int]:
    return None if ts is None else PLAN.period_at(int(ts.timestamp()))


def test_with_sampled_equals_the_core_for_every_row(spark: SparkSession) -> None:
    data = rows()
    df = spark.createDataFrame(data, SCHEMA).repartition(3)
    by_ts = ss.with_sampled(df, PLAN, "sid", "metrics", ts_col="ts", out_col="s1")
    both = ss.with_sampled(by_ts, PLAN, "bid", "metrics", period_col="period", out_col="s2")
    fixed = ss.with_sampled(both, PLAN, "sid", "logs", period=20415, out_col="s3")
    got = {r["n"]: (r["s1"], r["s2"], r["s3"]) for r in fixed.collect()}
    assert len(got) == N
    periods_seen = set()
    for sid, bid, ts, period, *_rest, n in data:
        p = period_of(ts)
        periods_seen.add(p)
        want1 = None if sid is None or p is None else PLAN.is_sampled(sid, "metrics", p)
        want2 = None if bid is None or period is None else PLAN.is_sampled(bid, "metrics", period)
        want3 = None if sid is None else PLAN.is_sampled(sid, "logs", 20415)
        assert got[n] == (want1, want2, want3), n
    assert len(periods_seen) > 100


def test_filter_sampled_keeps_exactly_the_sampled_rows(spark: SparkSession) -> None:
    data = rows()
    df = spark.createDataFrame(data, SCHEMA)
    kept = sorted(r["n"] for r in ss.filter_sampled(df, PLAN, "sid", "metrics", ts_col="ts").collect())
    want = [n for sid, _b, ts, *_r, n in data
            if sid is not None and ts is not None and PLAN.is_sampled(sid, "metrics", period_of(ts))]
    assert kept == want
    assert 0 < len(kept) < N


def test_with_next_hop_equals_a_campaign_per_row(spark: SparkSession) -> None:
    data = rows()
    df = spark.createDataFrame(data, SCHEMA).repartition(2)
    out = ss.with_next_hop(df, CATALOG, "v67000", "version", "model", "environment").collect()
    assert len(out) == N
    codes = set()
    for r in out:
        if r["version"] is None:
            want: Tuple[Optional[str], Optional[str]] = (None, "plan.no_version")
        else:
            try:
                campaign = CATALOG.campaign("v67000", model=r["model"], environment=r["environment"])
                want = (campaign.next_hop(r["version"]), None)
            except stepstone.Error as e:
                want = (None, e.code)
        assert (r["next_hop"], r["error"]) == want, r
        codes.add(r["error"])
    assert len(codes) >= 4


def test_driver_side_refusals(spark: SparkSession) -> None:
    df = spark.createDataFrame(rows()[:10], SCHEMA)
    with pytest.raises(stepstone.SampleError) as e:
        ss.with_sampled(df, PLAN, "sid", "traces", ts_col="ts")
    assert e.value.code == "sample.unknown_class"
    for call, text in [
        (lambda: ss.with_sampled(df, PLAN, "nope", "metrics", ts_col="ts"), "no column 'nope'"),
        (lambda: ss.with_sampled(df, PLAN, "sid", "metrics"), "exactly one of"),
        (lambda: ss.with_sampled(df, PLAN, "sid", "metrics", ts_col="ts", period=1), "exactly one of"),
        (lambda: ss.filter_sampled(df, PLAN, "sid", "metrics", period=-1), "-1"),
        (lambda: ss.with_sampled(df, PLAN, "sid", "metrics", period=1, out_col="sid"), "new column"),
        (lambda: ss.with_sampled("df", PLAN, "sid", "metrics", period=1), "pyspark DataFrame"),
        (lambda: ss.with_next_hop(df, CATALOG, "v67000", "fw"), "no column 'fw'"),
        (lambda: ss.filter_sampled(df, PLAN, "sid", "metrics", period=2**64), str(2**64)),
        (lambda: ss.filter_sampled(df, PLAN, "sid", "metrics", period=1.0), "1.0"),
        (lambda: ss.with_sampled(df, PLAN, "sid", "metrics", period=1, colour="red"), "'colour'"),
        (lambda: ss.with_next_hop(df, CATALOG), "missing a required argument: 'target'"),
    ]:
        with pytest.raises(stepstone.BadArgumentError) as b:
            call()
        assert text in str(b.value)
    with pytest.raises(stepstone.VersionError):
        ss.with_next_hop(df, CATALOG, "1.2.3", "version")


def test_a_row_error_fails_the_task_with_its_code(spark: SparkSession) -> None:
    df = spark.createDataFrame([("a", -3)], "sid string, period long")
    with pytest.raises(Exception) as e:
        ss.with_sampled(df, PLAN, "sid", "metrics", period_col="period").collect()
    assert "sample.negative_period" in str(e.value) or "period -3 is negative" in str(e.value)
