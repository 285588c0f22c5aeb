"""The Python face: loading, result objects, errors as exceptions with codes, bulk calls."""

from __future__ import annotations

import json
import pickle
import threading
from pathlib import Path
from typing import Any

import pytest

import stepstone
from conftest import ROOT

CATALOG = ROOT / "examples" / "catalog.json"


def test_catalog_from_a_dict_json_text_or_a_path() -> None:
    text = CATALOG.read_text()
    for source in (json.loads(text), text, CATALOG, str(CATALOG)):
        c = stepstone.Catalog(source)
        assert c.scheme == "integer" and len(c) == 7 and "v66003" in c and "66003" in c
    assert stepstone.Catalog.from_dict(json.loads(text)).versions == stepstone.Catalog.from_path(
        CATALOG
    ).versions
    with pytest.raises(stepstone.BadArgumentError) as e:
        stepstone.Catalog(42)  # type: ignore[arg-type]
    assert e.value.code == "python.bad_argument" and "`source`" in str(e.value) and "int 42" in str(e.value)
    assert isinstance(e.value, TypeError), "still a TypeError, as before"


def test_results_are_values_with_a_readable_repr(figure1: stepstone.Catalog) -> None:
    p = figure1.plan("v64000", "v67000", model="AG-1")
    assert p.path == ["v65000", "v66000", "v66003", "v67000"] and p.hops == len(p) == 4
    assert repr(p) == "Plan(path=['v65000', 'v66000', 'v66003', 'v67000'], hops=4, bytes=5283840)"
    assert p == figure1.plan("v64000", "v67000", model="AG-1")
    assert p != figure1.plan("v64000", "v66000", model="AG-1")
    assert repr(p.steps[0]) == "Step(version='v65000', bytes=1638400, delta_from=None)"
    e = figure1.explain("v64000", "v66002", model="AG-1")
    assert e.error is None and e.plan is not None and e.plan.path[-1] == "v66002"
    assert {n.version: n.verdict for n in e.releases}["v66001"] == "cheaper_path"
    with pytest.raises(AttributeError):
        p.hops = 3  # type: ignore[misc]


def test_errors_carry_the_core_code_and_message(figure1: stepstone.Catalog) -> None:
    with pytest.raises(stepstone.PlanError) as e:
        figure1.plan("v64000", "v68000", model="AG-1")
    assert e.value.code == "plan.unknown_target" and "v68000" in str(e.value)
    assert isinstance(e.value, stepstone.Error) and isinstance(e.value, ValueError)
    with pytest.raises(stepstone.VersionError) as v:
        figure1.plan("sixty-four", "v67000", model="AG-1")
    assert v.value.code == "version.malformed" and "sixty-four" in v.value.message
    with pytest.raises(stepstone.PlanError) as c:
        figure1.plan("v64000", "v67000", model="AG-1", cost="euros")
    assert c.value.code == "plan.unknown_cost"
    copy = pickle.loads(pickle.dumps(e.value))
    assert (type(copy), copy.code, copy.message) == (stepstone.PlanError, e.value.code, e.value.message)


def test_a_device_the_catalog_cannot_place_is_refused_everywhere(figure1: stepstone.Catalog) -> None:
    # Figure 1's v64000 is for AG-1 alone: answers differ by model, so every question states one.
    no_model = "this catalog's releases differ by model (AG-1, AG-2): state the device's model"
    for call in (
        lambda: figure1.plan("v64000", "v67000"),
        lambda: figure1.next_hop("v64000", "v67000", environment="production"),
        lambda: figure1.campaign("v67000"),
        lambda: figure1.graph("dot"),
        lambda: figure1.graph("mermaid", environment="staging"),
        lambda: figure1.simulate("v67000", devices=10),
        lambda: figure1.pack_compact(target="v67000"),
    ):
        with pytest.raises(stepstone.PlanError) as e:
            call()
        assert (e.value.code, e.value.message) == ("plan.model_required", no_model)
    # An explanation carries the refusal and explains no release.
    e = figure1.explain("v64000", "v67000")
    assert e.plan is None and e.error is not None and e.error.code == "plan.model_required"
    assert e.releases == []
    with pytest.raises(stepstone.PlanError) as u:
        figure1.plan("v64000", "v67000", model="ag-1")
    assert u.value.code == "plan.unknown_model"
    assert u.value.message == 'unknown model "ag-1": the catalog\'s releases name AG-1, AG-2'
    with pytest.raises(stepstone.PlanError) as env:
        figure1.campaign("v67000", model="AG-2", environment="dev")
    assert env.value.code == "plan.unknown_environment"
    # Every release is for production and staging: no environment is needed.
    assert figure1.plan("v65000", "v67000", model="AG-2").path == ["v66000", "v66003", "v67000"]
    # A catalog that names no model takes any model, or none; one whose releases differ by
    # environment needs one.
    plain = stepstone.Catalog({"releases": [{"version": "1"}, {"version": "2", "environments": ["beta"]}]})
    assert plain.next_hop("1", "2", model="anything", environment="beta") == "2"
    with pytest.raises(stepstone.PlanError) as r:
        plain.next_hop("1", "2")
    assert r.value.code == "plan.environment_required"


def test_a_catalog_error_lists_every_problem() -> None:
    bad: dict[str, Any] = {
        "releases": [
            {"version": "v2", "min_sw_version": "v3"},
            {"version": "v2"},
            {"version": "v4", "size": -1},
        ]
    }
    with pytest.raises(stepstone.CatalogError) as e:
        stepstone.Catalog(bad)
    codes = [code for code, _ in e.value.errors]
    assert e.value.code == codes[0] and len(codes) >= 3, codes
    assert {"catalog.duplicate_version", "catalog.min_sw_not_lower", "catalog.bad_size"} <= set(codes)


def test_bulk_next_hops_agree_with_one_at_a_time(figure1: stepstone.Catalog) -> None:
    campaign = figure1.campaign("v67000", model="AG-1")
    devices = ["v64000", "v65000", 66000, "v66001", "v67000", "v1"]
    assert campaign.next_hops(devices) == [campaign.next_hop(d) for d in devices]
    assert campaign.next_hops(devices) == ["v65000", "v66000", "v66003", "v66003", None, "v64000"]
    got = campaign.next_hops(["v64000", "v70000", "bogus"], return_exceptions=True)
    assert got[0] == "v65000"
    assert isinstance(got[1], stepstone.PlanError) and got[1].code == "plan.downgrade"
    assert isinstance(got[2], stepstone.VersionError) and got[2].code == "version.malformed"
    with pytest.raises(stepstone.PlanError):
        campaign.next_hops(["v64000", "v70000"])
    np = pytest.importorskip("numpy")
    arr = np.array([64000, 65000, 67000], dtype=np.int64)
    assert campaign.next_hops(arr) == ["v65000", "v66000", None]
    pa = pytest.importorskip("pyarrow")
    assert campaign.next_hops(pa.array([64000, 65000, 67000], type=pa.uint32())) == ["v65000", "v66000", None]


def test_bulk_sampling_reads_every_kind_of_id_sequence() -> None:
    sampler = stepstone.Sampler(b"acme-2026", "metrics", 20415)
    ids = [f"dev-{i:05d}" for i in range(3000)] + ["", "é-ünïcode", "x" * 120]
    want = [stepstone.sample_position(b"acme-2026", i, "metrics", 20415) for i in ids]
    encoded = [i.encode() for i in ids]
    assert sampler.positions(ids) == want
    assert sampler.positions(encoded) == want
    assert sampler.positions(tuple(ids)) == want
    assert sampler.positions(i for i in ids) == want
    assert sampler.sampled(ids, 50_000) == [stepstone.is_below(p, 50_000) for p in want]
    with pytest.raises(stepstone.BadArgumentError, match=r"device_ids\[1\]. is not valid UTF-8"):
        sampler.positions(["ok", "\ud800"])
    with pytest.raises(stepstone.BadArgumentError, match=r"device_ids\[1\]. must be a device id .*int 7"):
        sampler.positions(["ok", 7])
    with pytest.raises(stepstone.BadArgumentError, match="got str 'abc'"):
        sampler.positions("abc")  # a str is one id, not an iterable of them


def test_bulk_sampling_reads_numpy_and_pyarrow_arrays() -> None:
    sampler = stepstone.Sampler(b"acme-2026", "metrics", 20415)
    ids = [f"dev-{i:05d}".encode() for i in range(3000)] + [b"", b"a\x00b", b"x" * 120]
    want = sampler.positions(ids)
    np = pytest.importorskip("numpy")
    # numpy's fixed-width bytes strip trailing NULs (b"a\x00b" keeps its inner one).
    assert sampler.positions(np.array(ids, dtype="S")) == want
    assert sampler.positions(np.array(ids, dtype="S200")) == want
    assert sampler.positions(np.array(ids, dtype="S")[::2]) == want[::2]
    pa = pytest.importorskip("pyarrow")
    assert sampler.positions(pa.array(ids, type=pa.binary())) == want
    text = [i.decode() for i in ids]
    assert sampler.positions(pa.array(text, type=pa.string())) == want
    assert sampler.positions(pa.array(ids, type=pa.binary()).slice(5, 100)) == want[5:105]
    chunked = pa.chunked_array([ids[:1000], ids[1000:]], type=pa.binary())
    assert sampler.sampled(chunked, 50_000) == sampler.sampled(ids, 50_000)
    with pytest.raises(stepstone.BadArgumentError, match="has 1 null"):
        sampler.positions(pa.array([b"a", None], type=pa.binary()))
    with pytest.raises(stepstone.BadArgumentError, match=r"one-dimensional array, got shape \(2, 1\)"):
        sampler.positions(np.array([[b"a"], [b"b"]], dtype="S"))


def test_bulk_calls_release_the_gil() -> None:
    ids = [b"dev-%08d" % i for i in range(1_000_000)]
    sampler = stepstone.Sampler(b"salt", "metrics", 1)
    done = threading.Event()
    result: list[list[bool]] = []

    def work() -> None:
        result.append(sampler.sampled(ids, 50_000))
        done.set()

    t = threading.Thread(target=work)
    spins = 0
    t.start()
    while not done.is_set():
        spins += 1
    t.join()
    # With the GIL held for the whole call this loop could not run while hashing.
    assert spins > 1000, spins
    assert result[0][:100] == [stepstone.is_sampled(b"salt", i, "metrics", 1, 50_000) for i in ids[:100]]


def test_sampling_plan_and_rates() -> None:
    plan = stepstone.SamplingPlan.from_dict(
        {"salt": "acme", "period_seconds": 86400, "classes": {"uptime": 1_000_000, "coredumps": 1000}}
    )
    assert plan.classes == [("uptime", 1_000_000), ("coredumps", 1000)]
    assert plan.rate("coredumps") == 1000 and stepstone.parse_rate("0.1%") == 1000
    with pytest.raises(stepstone.SampleError) as e:
        plan.rate("metrics")
    assert e.value.code == "sample.unknown_class"
    sampler, rate = plan.sampler("uptime", 3)
    assert rate == 1_000_000 and sampler.sampled(["a", b"b"], rate) == [True, True]


def test_message_layout_and_threshold_give_the_plans_decisions() -> None:
    import hashlib

    plan = stepstone.SamplingPlan.from_dict(
        {"salt": "acme-ß", "period_seconds": 60, "classes": {"metrics": 50_000, "none": 0, "all": 1_000_000}}
    )
    assert plan.positions_below("none") == 0 and plan.positions_below("all") == 2**64
    assert plan.positions_below("metrics") == -(-50_000 * 2**64 // 1_000_000)
    for cls in ("metrics", "none", "all", "not-in-the-plan"):
        head, pad = plan.message_layout(cls)
        assert (len(head) + 8 + pad) % 64 == 0
        for device_id, period in [(b"", 0), (b"DA143532", 20415), (b"x" * 80, 2**64 - 1)]:
            msg = head + period.to_bytes(8, "big") + bytes(pad) + len(device_id).to_bytes(4, "big") + device_id
            position = int.from_bytes(hashlib.sha256(msg).digest()[:8], "big")
            assert position == plan.position(device_id, cls, period)
            if cls != "not-in-the-plan":
                assert (position < plan.positions_below(cls)) == plan.is_sampled(device_id, cls, period)
    with pytest.raises(stepstone.SampleError) as e:
        plan.positions_below("logs")
    assert e.value.code == "sample.unknown_class"
    with pytest.raises(stepstone.BadArgumentError):
        plan.message_layout(3)


def test_sign_and_verify_round_trip() -> None:
    key = stepstone.SigningKey.from_scalar(bytes(31) + b"\x07")
    sig = key.sign(b"firmware")
    key.public_key.verify(b"firmware", sig)
    key.public_key.verify(b"firmware", sig.encode("base64"))
    with pytest.raises(stepstone.SignatureError) as e:
        key.public_key.verify(b"firmware!", sig)
    assert e.value.code == "signature.invalid"
    assert sig == key.sign(b"firmware"), "RFC 6979: deterministic"
    envelope = stepstone.seal_catalog(b"{}", 5, 2_000_000_000, key)
    seq, expires, key_id, payload = stepstone.open_catalog(
        envelope, [key.public_key], now=1_900_000_000, last_sequence=4
    )
    assert (seq, payload, key_id) == (5, b"{}", key.public_key.key_id)
    with pytest.raises(stepstone.SignedCatalogError) as r:
        stepstone.open_catalog(envelope, [key.public_key], now=1_900_000_000, last_sequence=6)
    assert r.value.code.startswith("signed_catalog.")  # an older catalog than one seen


def test_reconciler_duplicate_changes_nothing(figure1: stepstone.Catalog) -> None:
    rec = stepstone.Reconciler(figure1.campaign("v67000", model="AG-1"))
    report = {"event": "reported", "seq": 1, "at": 10, "reports": "v64000"}
    state, outcome = rec.apply(None, report)
    assert outcome == "changed"
    again, outcome = rec.apply(state, report)
    assert outcome in ("duplicate", "stale") and again == state
    action = rec.decide("AG1-1", state, 20)
    assert action.action == "install" and action.release == "v65000" and action.attempt == 1


def test_graph_and_fleet_arithmetic(figure1: stepstone.Catalog) -> None:
    dot = figure1.graph("dot", model="AG-1")
    assert dot.startswith("digraph") and "v66003" in dot
    assert "v65000" in figure1.graph("mermaid", model="AG-2")
    with pytest.raises(stepstone.GraphError, match='unknown graph format "svg"') as g:
        figure1.graph("svg")
    assert g.value.code == "graph.unknown_format"
    e = stepstone.estimate(1_000_000, 10_000, 1000.0, 24.0)
    assert e["sampled_devices"] == 10_000.0 and 0.0 < e["p_at_least_one"] <= 1.0
    v = stepstone.volume(1_000_000, 1_000_000, 100, 4, 100, 1)
    assert v["bytes_per_day"] == 40_000_000_000  # Memfault's scaling webinar: 40 GB per day
    with pytest.raises(stepstone.SampleError) as err:
        stepstone.estimate(1, 2_000_000, 1.0, 1.0)
    assert err.value.code == "sample.rate_out_of_range"


def test_bulk_sampling_split_across_cores_keeps_order() -> None:
    ids = [b"dev-%08d" % i for i in range(300_001)]
    sampler = stepstone.Sampler(b"acme-2026", "metrics", 20415)
    got = sampler.positions(ids)
    assert len(got) == len(ids)
    for i in (0, 1, 65_535, 65_536, 131_072, 150_000, 150_001, 262_144, 300_000):
        assert got[i] == sampler.position(ids[i]), i


def test_fleet_simulation(figure1: stepstone.Catalog) -> None:
    report = figure1.simulate("v67000", devices=200, fail_rate_ppm=100_000, start="v64000", seed=7, model="AG-1")
    assert report["devices"] == 200 and report["converged"] + report["pending"] <= 200
    assert (report["model"], report["environment"]) == ("AG-1", None)
    assert report == figure1.simulate("v67000", devices=200, fail_rate_ppm=100_000, start="v64000", seed=7, model="AG-1")
    with pytest.raises(stepstone.SimulationError) as e:
        figure1.simulate("v67000", fail_rate_ppm=2_000_000)
    assert e.value.code == "simulate.rate_out_of_range"
    # AG-2 devices start on the lowest release for AG-2 (v65000) when no start is given.
    ag2 = figure1.simulate("v67000", devices=50, model="AG-2", environment="production")
    assert ag2["converged"] == 50 and list(ag2["hops_by_release"]) == ["v66000", "v66003", "v67000"]


def test_the_class_follows_the_code(figure1: stepstone.Catalog, tmp_path: Path) -> None:
    from stepstone._errors import class_for

    assert class_for("python.bad_argument") is stepstone.BadArgumentError
    assert class_for("python.finished") is stepstone.Error, "an area not in the table: the base"
    assert class_for("nonsense.reason") is stepstone.Error
    assert class_for("compact.too_large") is stepstone.CatalogError
    assert class_for("plan.unreachable") is stepstone.PlanError
    assert class_for("window.day") is stepstone.ReconcileError
    assert class_for("io.unreadable") is stepstone.IoError
    # A call that used to name its class raises what its code says (simulate's plan.* errors
    # were SimulationErrors).
    for call in (
        lambda: figure1.simulate("v99999", model="AG-1"),
        lambda: figure1.simulate("v67000", start="v99999", model="AG-1"),
        lambda: figure1.pack_compact(target="v99999", model="AG-1"),
    ):
        with pytest.raises(stepstone.Error) as e:
            call()
        assert type(e.value) is class_for(e.value.code), (type(e.value), e.value.code)
    # Both new classes pickle with their code (and path).
    with pytest.raises(stepstone.IoError) as io:
        stepstone.Catalog.from_path(tmp_path / "nope.json")
    with pytest.raises(stepstone.BadArgumentError) as bad:
        figure1.next_hop("v64000", 67000)  # type: ignore[arg-type]
    assert "`target` must be a version string, got int 67000" in str(bad.value)
    for err in (io.value, bad.value):
        copy = pickle.loads(pickle.dumps(err))
        assert (type(copy), copy.code, str(copy)) == (type(err), err.code, str(err))
    assert pickle.loads(pickle.dumps(io.value)).filename == str(tmp_path / "nope.json")
