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
        # stepstone's UDF jar: method="jvm", and the default "auto" picks it.
        .config("spark.jars", ss.jar_path())
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


METHODS = ["jvm", "sql", "arrow", "arrow_udf"]
# Routes whose row errors are Spark SQL's raise_error with the code (the others: SampleError).
IN_JVM = ("jvm", "sql")


@pytest.mark.parametrize("method", METHODS)
def test_with_sampled_equals_the_core_for_every_row(spark: SparkSession, method: str) -> None:
    data = rows()
    df = spark.createDataFrame(data, SCHEMA).repartition(3)
    by_ts = ss.with_sampled(df, PLAN, "sid", "metrics", ts_col="ts", out_col="s1", method=method)
    both = ss.with_sampled(by_ts, PLAN, "bid", "metrics", period_col="period", out_col="s2", method=method)
    fixed = ss.with_sampled(both, PLAN, "sid", "logs", period=20415, out_col="s3", method=method)
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


@pytest.mark.parametrize("method", METHODS)
def test_filter_sampled_keeps_exactly_the_sampled_rows(spark: SparkSession, method: str) -> None:
    data = rows()
    df = spark.createDataFrame(data, SCHEMA)
    got = ss.filter_sampled(df, PLAN, "sid", "metrics", ts_col="ts", method=method).collect()
    kept = sorted(r["n"] for r in got)
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
        (lambda: ss.with_sampled(df, PLAN, "n", "metrics", period=1), "string or binary column, it is bigint"),
        (lambda: ss.with_sampled(df, PLAN, "sid", "metrics", ts_col="n"), "timestamp column, it is bigint"),
        (lambda: ss.with_sampled(df, PLAN, "sid", "metrics", period_col="ts"), "integer column, it is timestamp"),
        (lambda: ss.filter_sampled(df, PLAN, "sid", "metrics", period=2**64), str(2**64)),
        (lambda: ss.filter_sampled(df, PLAN, "sid", "metrics", period=1.0), "1.0"),
        (lambda: ss.filter_sampled(df, PLAN, "sid", "metrics", period=1, method="udf"), "'udf'"),
        (lambda: ss.sampled_column(df, PLAN, "sid", "metrics", period=1, method="arrow"), "use with_sampled"),
        (lambda: ss.with_sampled(df, PLAN, "n", "metrics", period=1, method="jvm"), "string or binary column"),
        (lambda: ss.with_sampled(df, PLAN, "sid", "metrics", period_col="ts", method="arrow_udf"), "integer column"),
        (lambda: ss.sampled_column(df, PLAN, "sid", "metrics", period=True), "True"),
        (lambda: ss.with_sampled(df, PLAN, "sid", "metrics", period=1, colour="red"), "'colour'"),
        (lambda: ss.with_next_hop(df, CATALOG), "missing a required argument: 'target'"),
    ]:
        with pytest.raises(stepstone.BadArgumentError) as b:
            call()
        assert text in str(b.value)
    with pytest.raises(stepstone.VersionError):
        ss.with_next_hop(df, CATALOG, "1.2.3", "version")


@pytest.mark.parametrize("method", METHODS)
def test_a_row_error_fails_the_task_with_its_code(spark: SparkSession, method: str) -> None:
    df = spark.createDataFrame([("a", -3)], "sid string, period long")
    with pytest.raises(Exception) as e:
        ss.with_sampled(df, PLAN, "sid", "metrics", period_col="period", method=method).collect()
    # SQL: Spark's USER_RAISED_EXCEPTION with the code; Arrow: the worker's SampleError.
    code = "sample.negative_period" if method in IN_JVM else "SampleError"
    assert code in str(e.value) and "period -3 is negative" in str(e.value)
    # 1970-01-01 00:09:59.5 UTC: second 599 (floored), before the plan's offset of 600 s.
    early = dt.datetime(1970, 1, 1, 0, 9, 59, 500000, tzinfo=dt.timezone.utc)
    before = spark.createDataFrame([("a", early)], "sid string, ts timestamp")
    with pytest.raises(Exception) as e:
        ss.with_sampled(before, PLAN, "sid", "metrics", ts_col="ts", method=method).collect()
    code = "sample.before_offset" if method in IN_JVM else "SampleError"
    assert code in str(e.value) and "time 599 (Unix seconds) is before the period offset 600" in str(e.value)


# Rates at the edges: none, one in a million, a half (threshold 2**63), all but one, all.
EDGE_PLAN = stepstone.SamplingPlan.from_dict(
    {"salt": "edge-salt-ß", "period_seconds": 7, "period_offset_seconds": 3,
     "classes": {"none": 0, "one": 1, "half": 500000, "most": 999999, "all": 1000000}}
)
EDGE_IDS = ["", "a", "DA143532", "é", "设备-Ω", "x" * 51, "y" * 52, "z" * 55, "w" * 56, "v" * 300]


def edge_rows() -> List[Tuple[Any, ...]]:
    out = []
    epoch = dt.datetime(1970, 1, 1)
    for i in range(1200):
        sid = None if i % 23 == 0 else EDGE_IDS[i % len(EDGE_IDS)] + ("" if i < 100 else f"#{i}")
        bid = None if i % 29 == 0 else bytes([0, 255, i % 256]) * (i % 25)
        # Times from the offset on, at and around period boundaries: floor to the second, then
        # (seconds - 3) div 7; a microsecond before a boundary is the period before it.
        micros = (3 + 7 * (i * 104729 % 10**9) + (i % 3) - 1) * 1_000_000 + (i % 4) * 333_333
        micros = max(micros, 3_000_000)
        wall = epoch + dt.timedelta(microseconds=micros)
        ts = None if i % 31 == 0 else wall.replace(tzinfo=dt.timezone.utc)
        ntz = None if i % 37 == 0 else wall
        small = None if i % 41 == 0 else i % 30000
        out.append((sid, bid, ts, ntz, small, i))
    return out


EDGE_SCHEMA = "sid string, bid binary, ts timestamp, ntz timestamp_ntz, small short, n long"


def seconds_of(wall: dt.datetime) -> int:
    return (wall.replace(tzinfo=None) - dt.datetime(1970, 1, 1)) // dt.timedelta(seconds=1)


@pytest.mark.parametrize("method", METHODS)
def test_edge_ids_rates_periods_and_time_types_equal_the_core(spark: SparkSession, method: str) -> None:
    data = edge_rows()
    df = spark.createDataFrame(data, EDGE_SCHEMA).repartition(2)
    out = df
    cols = []
    # The Arrow route is the core's column code, whose edges bindings/python/tests/test_arrow.py
    # covers; here one rate of it (each column is one more mapInArrow pass).
    classes = ("none", "one", "half", "most", "all") if method in IN_JVM else ("half",)
    # "arrow" and "arrow_udf" share the decision per batch; each "arrow" column is one more
    # mapInArrow pass over every column, so it takes the string ids only (CI time).
    id_cols = ("sid",) if method == "arrow" else ("sid", "bid")
    for cls in classes:
        for idc in id_cols:
            for kind, kw in [("ts", {"ts_col": "ts"}), ("ntz", {"ts_col": "ntz"}),
                             ("small", {"period_col": "small"}), ("max", {"period": 2**64 - 1}),
                             ("big", {"period": 2**63})]:
                name = f"{cls}_{idc}_{kind}"
                cols.append((name, cls, idc, kind))
                out = ss.with_sampled(out, EDGE_PLAN, idc, cls, out_col=name, method=method, **kw)
    got = {r["n"]: r for r in out.collect()}
    assert len(got) == len(data)
    trues = 0
    for sid, bid, ts, ntz, small, n in data:
        ids = {"sid": sid, "bid": bid}
        periods = {
            "ts": None if ts is None else EDGE_PLAN.period_at(seconds_of(ts)),
            "ntz": None if ntz is None else EDGE_PLAN.period_at(seconds_of(ntz)),
            "small": small, "max": 2**64 - 1, "big": 2**63,
        }
        for name, cls, idc, kind in cols:
            i, p = ids[idc], periods[kind]
            want = None if i is None or p is None else EDGE_PLAN.is_sampled(i, cls, p)
            assert got[n][name] == want, (name, n, i, p)
            trues += want is True
    assert trues > 0


def test_the_sql_comparison_is_exact_at_the_threshold(spark: SparkSession) -> None:
    from stepstone import _spark_sql

    cases = []
    for cls, _rate in EDGE_PLAN.classes:
        t = EDGE_PLAN.positions_below(cls)
        for p in {0, 1, t - 2, t - 1, t, t + 1, 2**63 - 1, 2**63, 2**64 - 2, 2**64 - 1}:
            if 0 <= p < 2**64:
                for rest in ("0" * 48, "f" * 48):
                    cases.append((cls, t, format(p, "016x") + rest, p < t))
    df = spark.createDataFrame([(d,) for _c, _t, d, _w in cases] + [(None,)], "d string")
    exprs = [_spark_sql.below("d", t) + f" as c{k}" for k, (_c, t, _d, _w) in enumerate(cases)]
    # One expression per case over every digest: read the diagonal (and the null row).
    rows_ = df.selectExpr("d", *exprs).collect()
    by_digest = {r["d"]: r for r in rows_}
    for k, (cls, t, d, want) in enumerate(cases):
        assert by_digest[d][f"c{k}"] is want, (cls, t, d)
        assert by_digest[None][f"c{k}"] is None


def test_sampled_column_and_the_sql_route_run_no_python(spark: SparkSession) -> None:
    df = spark.createDataFrame(rows(), SCHEMA)
    col = ss.sampled_column(df, PLAN, "sid", "metrics", ts_col="ts", method="sql")
    plan_text = df.where(col)._jdf.queryExecution().executedPlan().toString()
    assert "sha2" in plan_text
    assert "Python" not in plan_text and "Arrow" not in plan_text
    arrow_plan = ss.filter_sampled(df, PLAN, "sid", "metrics", ts_col="ts", method="arrow")
    assert "MapInArrow" in arrow_plan._jdf.queryExecution().executedPlan().toString()
    n_sql = df.where(col).count()
    assert n_sql == ss.filter_sampled(df, PLAN, "sid", "metrics", ts_col="ts").count()


def test_auto_takes_the_java_udf_when_the_session_can_load_it(spark: SparkSession, monkeypatch: Any) -> None:
    from stepstone import _spark_jvm

    df = spark.createDataFrame(rows(), SCHEMA)
    assert _spark_jvm.loadable(spark)
    auto = ss.filter_sampled(df, PLAN, "sid", "metrics", ts_col="ts")
    plan_text = auto._jdf.queryExecution().executedPlan().toString()
    assert "stepstone_sampled_" in plan_text and "sha2" not in plan_text
    assert "Python" not in plan_text and "Arrow" not in plan_text
    # A session without the jar: "auto" falls back to the SQL expression, "jvm" is refused.
    monkeypatch.setattr(_spark_jvm, "CLASS", "stepstone.spark.NoSuchClass")
    assert not _spark_jvm.loadable(spark)
    fallback = ss.filter_sampled(df, PLAN, "sid", "metrics", ts_col="ts")
    assert "sha2" in fallback._jdf.queryExecution().executedPlan().toString()
    assert fallback.count() == auto.count() > 0
    with pytest.raises(stepstone.BadArgumentError) as e:
        ss.filter_sampled(df, PLAN, "sid", "metrics", ts_col="ts", method="jvm")
    assert "spark.jars=" in str(e.value) and ss.jar_path() in str(e.value)
    # A wrong column type is still the error, not the missing jar.
    with pytest.raises(stepstone.BadArgumentError) as e:
        ss.filter_sampled(df, PLAN, "n", "metrics", ts_col="ts", method="jvm")
    assert "string or binary column, it is bigint" in str(e.value)


def test_the_java_udf_refuses_a_bad_layout_or_threshold(spark: SparkSession) -> None:
    from stepstone import _spark_jvm

    cls = _spark_jvm._udf_class(spark)
    head, pad = PLAN.message_layout("metrics")
    cls(bytearray(head), pad, str(2**64))  # rate 1000000: allowed
    for args, text in [((bytearray(head), pad, str(2**64 + 1)), "is not from 0 to 2^64"),
                       ((bytearray(head), pad, "-1"), "is not from 0 to 2^64"),
                       ((bytearray(head), pad, "lots"), "threshold lots is not a number"),
                       ((bytearray(head), (pad + 1) % 64, "5"), "does not make whole 64-byte blocks")]:
        with pytest.raises(Exception) as e:
            cls(*args)
        assert text in str(e.value)


@pytest.mark.parametrize("method", METHODS)
def test_column_names_with_dots_spaces_and_backticks(spark: SparkSession, method: str) -> None:
    data = [(f"dev-{i:08d}", "v64000" if i % 2 else "v66001", "AG-1" if i % 3 else "AG-2", i) for i in range(300)]
    df = spark.createDataFrame(data, "`device.id` string, `fw version` string, `the``model` string, n long")
    out = ss.with_sampled(df, PLAN, "device.id", "metrics", period=20415, out_col="in.sample", method=method)
    got = {r["n"]: r["in.sample"] for r in out.collect()}
    assert got == {n: PLAN.is_sampled(i, "metrics", 20415) for i, _v, _m, n in data}
    assert out.columns == ["device.id", "fw version", "the`model", "n", "in.sample"]
    kept = ss.filter_sampled(df, PLAN, "device.id", "metrics", period=20415, method=method)
    assert sorted(r["n"] for r in kept.collect()) == sorted(n for n, v in got.items() if v)
    hops = ss.with_next_hop(df, CATALOG, "v67000", "fw version", model_col="the`model").collect()
    for r in hops:
        want = CATALOG.campaign("v67000", model=r["the`model"]).next_hop(r["fw version"])
        assert r["next_hop"] == want


def test_a_udf_of_your_own_may_capture_stepstone_objects(spark: SparkSession) -> None:
    """A plain Python UDF whose closure holds a Campaign and a Sampler: Spark pickles them to
    the executors, and every row answers as on the driver."""
    from pyspark.sql.functions import udf

    campaign = CATALOG.campaign("v67000", model="AG-1", environment="production")
    sampler, rate = PLAN.sampler("metrics", 7)

    @udf("string")
    def hop_and_sample(device_id, version):  # type: ignore[no-untyped-def]  # (hints would ask Spark for an Arrow UDF)
        try:
            hop = campaign.next_hop(version) or "-"
        except stepstone.Error as e:
            hop = e.code
        return f"{hop}|{sampler.is_sampled(device_id, rate)}"

    devices = [(f"dev-{i}", f"v{64000 + (i * 37) % 3100}") for i in range(3000)]
    df = spark.createDataFrame(devices, "device_id string, version string").repartition(4)
    got = {r.device_id: r.out for r in df.select("device_id", hop_and_sample("device_id", "version").alias("out")).collect()}
    want = {}
    for device_id, version in devices:
        try:
            hop = campaign.next_hop(version) or "-"
        except stepstone.Error as e:
            hop = e.code
        want[device_id] = f"{hop}|{sampler.is_sampled(device_id, rate)}"
    assert got == want
    assert len({v.split("|")[0] for v in want.values()}) >= 3  # several answers, errors among them
