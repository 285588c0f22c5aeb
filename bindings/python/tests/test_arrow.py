"""stepstone.arrow: every row's answer equals the core's one-at-a-time answer, for every id kind,
chunked and sliced arrays, nulls, several periods, timestamps and models; refusals carry codes."""

from __future__ import annotations

import datetime as dt
import pathlib
from typing import Any, List, Optional

import pytest

pa = pytest.importorskip("pyarrow")

import stepstone  # noqa: E402
from stepstone import arrow  # noqa: E402

ROOT = pathlib.Path(__file__).resolve().parents[3]
PLAN = stepstone.SamplingPlan.from_dict(
    {
        "salt": "acme-2026",
        "period_seconds": 3600,
        "period_offset_seconds": 600,
        "classes": {"metrics": 300000, "logs": 1000, "uptime": 1000000},
    }
)


def ids_of_every_kind(n: int) -> List[Optional[bytes]]:
    out: List[Optional[bytes]] = []
    for i in range(n):
        k = i % 6
        if k == 0:
            out.append(None)
        elif k == 1:
            out.append(b"")
        elif k == 2:
            out.append(b"x" * (52 + i % 40))  # two SHA-256 blocks
        elif k == 3:
            out.append(bytes((i * 7 + j) % 256 for j in range(i % 11)))  # not UTF-8
        else:
            out.append(f"dev-{i:08d}".encode())
    return out


def as_arrays(ids: List[Optional[bytes]]) -> List[Any]:
    """The same ids as every supported Arrow shape (text types only for UTF-8 ids)."""
    text_ok = [i for i in ids if i is not None and not _utf8(i)] == []
    out = [pa.array(ids, pa.binary()), pa.array(ids, pa.large_binary())]
    out.append(pa.chunked_array([pa.array(ids[:7], pa.binary()), pa.array(ids[7:], pa.binary())]))
    out.append(pa.array([b"pad"] * 5 + ids, pa.binary()).slice(5))
    if hasattr(pa, "binary_view"):  # pyarrow 16 and later
        out.append(pa.array(ids, pa.binary_view()))
    if text_ok:
        strs = [None if i is None else i.decode() for i in ids]
        out += [pa.array(strs, pa.string()), pa.array(strs, pa.large_string()),
                pa.array(strs, pa.string()).dictionary_encode()]
    return out


def _utf8(b: bytes) -> bool:
    try:
        b.decode()
        return True
    except UnicodeDecodeError:
        return False


@pytest.mark.parametrize("n", [0, 1, 9, 3001])
def test_sampled_and_positions_equal_the_core_for_every_shape(n: int) -> None:
    ids = ids_of_every_kind(n)
    utf8_ids = [i if i is None or _utf8(i) else b"dev" for i in ids]
    for source_ids in (ids, utf8_ids):
        for arr in as_arrays(source_ids):
            got = arrow.sampled(PLAN, arr, "metrics", 20415).to_pylist()
            pos = arrow.positions(PLAN, arr, "metrics", 20415).to_pylist()
            want = [None if i is None else PLAN.is_sampled(i, "metrics", 20415) for i in source_ids]
            want_pos = [None if i is None else PLAN.position(i, "metrics", 20415) for i in source_ids]
            assert got == want, arr.type
            assert pos == want_pos, arr.type


def test_chunked_in_chunked_out_with_the_same_chunks() -> None:
    arr = pa.chunked_array([pa.array(["a", "b"]), pa.array([], pa.string()), pa.array(["c"])])
    out = arrow.sampled(PLAN, arr, "uptime", 1)
    assert isinstance(out, pa.ChunkedArray)
    assert [len(c) for c in out.chunks] == [2, 0, 1]
    assert out.to_pylist() == [True, True, True]
    assert arrow.sampled(PLAN, pa.chunked_array([], pa.string()), "uptime", 1).to_pylist() == []


def test_a_period_per_row_of_any_integer_type() -> None:
    n = 2000
    ids = [f"dev-{i}".encode() for i in range(n)]
    periods = [None if i % 13 == 0 else 20000 + (i * 31) % 7 for i in range(n)]
    for t in (pa.int64(), pa.uint64(), pa.int32(), pa.uint32(), pa.int16()):
        if t == pa.int16():
            periods_t: List[Optional[int]] = [None if p is None else p - 20000 for p in periods]
        else:
            periods_t = periods
        per = pa.array(periods_t, t)
        got = arrow.sampled(PLAN, pa.array(ids), "metrics", per).to_pylist()
        want = [None if p is None else PLAN.is_sampled(i, "metrics", p) for i, p in zip(ids, periods_t)]
        assert got == want, t
    # Chunked ids with differently chunked periods.
    chunked_ids = pa.chunked_array([pa.array(ids[:500]), pa.array(ids[500:])])
    chunked_per = pa.chunked_array([pa.array(periods[:1234]), pa.array(periods[1234:])])
    got = arrow.sampled(PLAN, chunked_ids, "metrics", chunked_per).to_pylist()
    want = [None if p is None else PLAN.is_sampled(i, "metrics", p) for i, p in zip(ids, periods)]
    assert got == want


@pytest.mark.parametrize("unit", ["s", "ms", "us", "ns"])
def test_timestamps_give_the_plan_s_period(unit: str) -> None:
    start = dt.datetime(2025, 11, 23, 0, 9, 59, 999999, tzinfo=dt.timezone.utc)
    times = [None if i % 17 == 0 else start + dt.timedelta(minutes=23 * i) for i in range(1500)]
    ids = [f"dev-{i % 97}" for i in range(1500)]
    ts = pa.array(times, pa.timestamp(unit, tz="UTC"))
    got = arrow.sampled(PLAN, pa.array(ids), "metrics", ts).to_pylist()
    want = []
    for i, t in zip(ids, times):
        if t is None:
            want.append(None)
            continue
        seconds = int(t.timestamp()) if unit != "s" else int(t.replace(microsecond=0).timestamp())
        want.append(PLAN.is_sampled(i, "metrics", PLAN.period_at(seconds)))
    assert got == want
    # Several periods were crossed.
    assert len({PLAN.period_at(int(t.timestamp())) for t in times if t is not None}) > 100


def test_all_null_arrays_give_null_answers() -> None:
    assert arrow.sampled(PLAN, pa.array([None, None]), "metrics", 1).to_pylist() == [None, None]
    assert arrow.sampled(PLAN, pa.array(["a", "b"]), "metrics", pa.array([None, None])).to_pylist() == [None, None]
    hops = arrow.next_hops(CATALOG.campaign("v67000", model="AG-1"), pa.array([None]))
    assert hops.error.to_pylist() == ["plan.no_version"]


def test_a_sampler_takes_a_rate() -> None:
    s = stepstone.Sampler("acme-2026", "metrics", 20415)
    ids = [f"dev-{i:08d}" for i in range(5000)]
    got = arrow.sampled(s, pa.array(ids), rate_ppm=50000).to_pylist()
    assert got == s.sampled(ids, 50000)
    assert arrow.positions(s, pa.array(ids)).to_pylist() == s.positions(ids)


def test_refusals_have_codes_and_name_the_value() -> None:
    ids = pa.array(["a", "b", "c"])
    cases = [
        (lambda: arrow.sampled(PLAN, ["a"], "metrics", 1), "python.bad_argument", "got list"),
        (lambda: arrow.sampled(PLAN, pa.array([1, 2]), "metrics", 1), "python.bad_argument", "int64"),
        (lambda: arrow.sampled(PLAN, ids, "metrics", -1), "python.bad_argument", "-1"),
        (lambda: arrow.sampled(PLAN, ids, "metrics", 2**64), "python.bad_argument", str(2**64)),
        (lambda: arrow.sampled(PLAN, ids, "metrics", True), "python.bad_argument", "bool"),
        (lambda: arrow.sampled(PLAN, ids, "metrics"), "python.bad_argument", "periods is missing"),
        (lambda: arrow.sampled(PLAN, ids, "traces", 1), "sample.unknown_class", "traces"),
        (lambda: arrow.sampled(PLAN, ids, "metrics", pa.array([1, 2])), "python.bad_argument", "2 rows"),
        (lambda: arrow.sampled(PLAN, ids, "metrics", pa.array([1, -5, 2])), "sample.negative_period", "-5"),
        (lambda: arrow.sampled(PLAN, ids, "metrics", pa.array([1.0, 2.0, 3.0])), "python.bad_argument", "double"),
        (
            lambda: arrow.sampled(PLAN, ids, "metrics", pa.array([10**9, 10**9, 599], pa.timestamp("s"))),
            "sample.before_offset",
            "row 2: time 599",
        ),
        (
            lambda: arrow.sampled(
                PLAN,
                pa.chunked_array([ids, ids]),
                "metrics",
                pa.array([1, 1, 1, 1, -7, 1]),
            ),
            "sample.negative_period",
            "chunk 1: row 1: period -7",
        ),
        (lambda: arrow.sampled(stepstone.Sampler("s", "c", 1), ids), "python.bad_argument", "rate_ppm"),
        (lambda: arrow.sampled(stepstone.Sampler("s", "c", 1), ids, rate_ppm=-1), "python.bad_argument", "-1"),
        (lambda: arrow.sampled(stepstone.Sampler("s", "c", 1), ids, "c", rate_ppm=1), "python.bad_argument", "neither"),
        (lambda: arrow.sampled("plan", ids, "metrics", 1), "python.bad_argument", "str 'plan'"),
    ]
    for call, code, text in cases:
        with pytest.raises(stepstone.Error) as e:
            call()
        assert e.value.code == code, (e.value, code)
        assert text in str(e.value), (str(e.value), text)


CATALOG = stepstone.Catalog.from_path(str(ROOT / "examples" / "catalog.json"))


def core_hop(version: Optional[str], model: Optional[str], env: Optional[str]) -> Any:
    if version is None:
        return (None, "plan.no_version")
    try:
        campaign = CATALOG.campaign("v67000", model=model, environment=env)
    except stepstone.Error as e:
        return (None, e.code)
    try:
        return (campaign.next_hop(version), None)
    except stepstone.Error as e:
        return (None, e.code)


def test_plan_table_equals_a_campaign_per_row_for_several_models() -> None:
    versions = ["v64000", "v65000", "v66001", "v66003", "v67000", "v68000", "garbage", "", None]
    models = ["AG-1", "AG-2", "NOPE", None]
    envs = ["production", "staging", None]
    n = 400
    v = [versions[i % len(versions)] for i in range(n)]
    m = [models[(i // 3) % len(models)] for i in range(n)]
    e = [envs[(i // 7) % len(envs)] for i in range(n)]
    table = pa.Table.from_batches(
        pa.table({"version": v, "model": m, "environment": e, "n": list(range(n))}).to_batches(max_chunksize=64)
    )
    out = arrow.plan_table(CATALOG, table, "v67000")
    assert out.column_names == ["version", "model", "environment", "n", "next_hop", "error", "error_message"]
    hops, codes = out.column("next_hop").to_pylist(), out.column("error").to_pylist()
    seen = set()
    for i in range(n):
        want = core_hop(v[i], m[i], e[i])
        assert (hops[i], codes[i]) == want, (i, v[i], m[i], e[i])
        seen.add(codes[i])
    assert len(seen) >= 4, seen
    # Without model/environment columns: one table for devices that do not say.
    single = arrow.plan_table(CATALOG, pa.table({"version": ["v64000"]}), "v67000", model_col=None)
    assert single.column("error").to_pylist() == [core_hop("v64000", None, None)[1]]


def test_next_hops_from_a_campaign_with_strings_and_build_numbers() -> None:
    campaign = CATALOG.campaign("v67000", model="AG-1")
    texts = ["v64000", None, "v67000", "v1", "bad"]
    got = arrow.next_hops(campaign, pa.array(texts, pa.large_string()))
    want = [core_hop(t, "AG-1", None) for t in texts]
    assert list(zip(got.next_hop.to_pylist(), got.error.to_pylist())) == want
    assert got.error_message.to_pylist()[4] is not None and "bad" in got.error_message.to_pylist()[4]
    nums = pa.chunked_array([pa.array([64000, 65000], pa.int32()), pa.array([67000, None], pa.uint64())
                             .cast(pa.int32())])
    got = arrow.next_hops(campaign, nums)
    assert list(zip(got.next_hop.to_pylist(), got.error.to_pylist())) == [
        core_hop("v64000", "AG-1", None), core_hop("v65000", "AG-1", None),
        core_hop("v67000", "AG-1", None), (None, "plan.no_version"),
    ]
    with pytest.raises(stepstone.BadArgumentError):
        arrow.next_hops(campaign, pa.array([1.5]))
    with pytest.raises(stepstone.BadArgumentError):
        arrow.next_hops("campaign", pa.array(["v1"]))  # type: ignore[arg-type]


def test_plan_table_refuses_a_bad_target_or_column() -> None:
    t = pa.table({"version": ["v64000"]})
    with pytest.raises(stepstone.VersionError):
        arrow.plan_table(CATALOG, t, "1.2.3")
    with pytest.raises(stepstone.PlanError) as e:
        arrow.plan_table(CATALOG, t, "v67000", cost="speed")
    assert e.value.code == "plan.unknown_cost"
    with pytest.raises(stepstone.BadArgumentError) as b:
        arrow.plan_table(CATALOG, t, "v67000", version_col="fw")
    assert "no column 'fw'" in str(b.value)
