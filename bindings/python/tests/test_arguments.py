"""core/tests/vectors/arguments.json: bad arguments at the binding boundary, through the wheel.

Each case names a logical call and its arguments by name (the file's `description` has the
format). Here every call is made with keyword arguments, so the Python names are bound as a
user would bind them; an absent key is an omitted argument. `error: "bad_argument"` means
`python.bad_argument` (a `BadArgumentError`); any other code is the core's, and the exception's
class must be the one its code's area picks. `names` must appear in the message, spelt as the
Python API spells the argument (`Call.rename`, `Call.named`). A case with `expect` instead is
a call the core answers: it must return that (as JSON; null is None).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any, Callable

import pytest

import stepstone
from conftest import SUMMARY, VECTORS

DOC: dict[str, Any] = json.loads((VECTORS / "arguments.json").read_text())


@dataclass
class Ctx:
    """What the calls run on, made fresh for every case."""

    catalog: stepstone.Catalog
    campaign: stepstone.Campaign
    rollout: stepstone.Rollout
    key: stepstone.PublicKey

    def sampling(self) -> stepstone.SamplingPlan:
        return stepstone.SamplingPlan.from_dict(DOC["sampling_plan"])

    def reconciler(self) -> stepstone.Reconciler:
        return stepstone.Reconciler(self.campaign, rollout=self.rollout)

    def manifest_first(self) -> stepstone.ManifestFirst:
        m = DOC["manifest"]
        return stepstone.ManifestFirst(self.key, m["manifest"], m["signature"], **m["device"])


def context() -> Ctx:
    catalog = stepstone.Catalog(DOC["catalog"])
    return Ctx(
        catalog=catalog,
        campaign=catalog.campaign("v66000", model="AG-1", environment="production"),
        rollout=stepstone.Rollout(DOC["rollout"]),
        key=stepstone.PublicKey(DOC["manifest"]["key"]),
    )


# ---- how each logical call is made in Python ----------------------------------------------------


@dataclass
class Call:
    """`run(ctx, **kwargs)` makes the call; `rename` maps a vector's argument name to the
    Python one where they differ; `defaults` are arguments Python requires that the logical
    call leaves out (added when absent); `named` maps a name the message must hold to how the
    Python message spells it when that is not the renamed argument."""

    run: Callable[..., Any]
    rename: dict[str, str] = field(default_factory=dict)
    defaults: dict[str, Any] = field(default_factory=dict)
    named: dict[str, str] = field(default_factory=dict)


QUERY = {"from": "current", "to": "target"}
CLASS = {"class": "class_"}


def key_of(ctx: Ctx, value: Any) -> Any:
    """The placeholder key `"k"` is the fixture's key (Python takes a `PublicKey` object where
    the JS API takes PEM text); anything else is passed as it is, to be refused."""
    return ctx.key if value == "k" else value


def bytes_of(value: Any) -> Any:
    """A placeholder text (`"e"`) where Python takes bytes: its UTF-8."""
    return value.encode() if isinstance(value, str) else value


def manifest_first(ctx: Ctx, **kw: Any) -> Any:
    # The device is its own object in the JS API; Python takes its fields as keywords.
    device = kw.pop("device", {})
    if "key" in kw:
        kw["key"] = key_of(ctx, kw["key"])
    return stepstone.ManifestFirst(**kw, **device)


def open_catalog(ctx: Ctx, **kw: Any) -> Any:
    if "envelope" in kw:
        kw["envelope"] = bytes_of(kw["envelope"])
    if "keys" in kw:
        keys = kw["keys"]
        # JS takes one key or a list; Python a list of PublicKey.
        kw["keys"] = [key_of(ctx, k) for k in keys] if isinstance(keys, list) else (
            [ctx.key] if keys == "k" else keys
        )
    if isinstance(kw.get("last_digest"), str):
        # JS takes the digest as 64 hex digits; Python as 32 bytes.
        kw["last_digest"] = bytes.fromhex(kw["last_digest"])
    return stepstone.open_catalog(**kw)


def open_compact_catalog(ctx: Ctx, **kw: Any) -> Any:
    if "envelope" in kw:
        kw["envelope"] = bytes_of(kw["envelope"])
    if "key" in kw:
        kw["key"] = key_of(ctx, kw["key"])
    return stepstone.open_compact_catalog(**kw)


def stream_verifier(ctx: Ctx, **kw: Any) -> Any:
    # JS's Verifier takes the key as PEM; Python reads it with PublicKey first.
    if isinstance(kw.get("key"), str):
        kw["key"] = stepstone.PublicKey(kw["key"])
    return stepstone.StreamVerifier(**kw)


CALLS: dict[str, Call] = {
    "catalog.load": Call(lambda c, **kw: stepstone.Catalog(**kw)),
    "validate": Call(lambda c, **kw: stepstone.Catalog(**kw)),
    "catalog.plan": Call(lambda c, **kw: c.catalog.plan(**kw), QUERY),
    "catalog.next_hop": Call(lambda c, **kw: c.catalog.next_hop(**kw), QUERY),
    "catalog.explain": Call(lambda c, **kw: c.catalog.explain(**kw), QUERY),
    "catalog.graph": Call(lambda c, **kw: c.catalog.graph(**kw)),
    # JS's render(format) is Python's graph(format).
    "catalog.render": Call(lambda c, **kw: c.catalog.graph(**kw)),
    "catalog.campaign": Call(lambda c, **kw: c.catalog.campaign(**kw)),
    "campaign.next_hop": Call(lambda c, **kw: c.campaign.next_hop(**kw)),
    "sampling.from_json": Call(lambda c, **kw: stepstone.SamplingPlan.from_json(**kw), {"source": "text"}),
    "sampling.rate": Call(lambda c, **kw: c.sampling().rate(**kw), CLASS),
    "sampling.period_at": Call(lambda c, **kw: c.sampling().period_at(**kw)),
    "sampling.position": Call(lambda c, **kw: c.sampling().position(**kw), CLASS),
    "sampling.is_sampled": Call(lambda c, **kw: c.sampling().is_sampled(**kw), CLASS),
    "position": Call(lambda c, **kw: stepstone.sample_position(**kw), CLASS),
    "is_below": Call(lambda c, **kw: stepstone.is_below(**kw)),
    "period_index": Call(lambda c, **kw: stepstone.period_index(**kw)),
    "estimate": Call(lambda c, **kw: stepstone.estimate(**kw)),
    "smallest_rate": Call(lambda c, **kw: stepstone.smallest_rate(**kw)),
    "volume": Call(lambda c, **kw: stepstone.volume(**kw)),
    "verifier.new": Call(stream_verifier),
    "verifier.update": Call(lambda c, **kw: stepstone.StreamVerifier(c.key).update(**kw)),
    "verifier.finish": Call(lambda c, **kw: stepstone.StreamVerifier(c.key).finish(**kw)),
    # JS's ManifestCheck (no catalog) is ManifestFirst without `catalog` here. Without a
    # device, the first device field Python asks for is named.
    "manifest_check.new": Call(manifest_first, named={"device": "model"}),
    "manifest_first.new": Call(manifest_first, named={"device": "model"}),
    "manifest_first.update": Call(lambda c, **kw: c.manifest_first().update(**kw)),
    "manifest_check.update": Call(lambda c, **kw: c.manifest_first().update(**kw)),
    "open_compact_catalog": Call(open_compact_catalog),
    "open_catalog": Call(open_catalog),
    "rollout.from_json": Call(lambda c, **kw: stepstone.Rollout(**kw), {"source": "spec"}),
    "rollout.position": Call(lambda c, **kw: c.rollout.position(**kw)),
    "rollout.stage_of": Call(lambda c, **kw: c.rollout.stage_of(**kw)),
    "rollout.trips": Call(lambda c, **kw: c.rollout.trips(**kw)),
    "halt_trips": Call(lambda c, **kw: stepstone.halt_trips(**kw)),
    "ramp_fraction": Call(lambda c, **kw: stepstone.ramp_fraction(**kw)),
    "wilson_lower_above": Call(lambda c, **kw: stepstone.wilson_lower_above(**kw)),
    "rollout_position": Call(lambda c, **kw: stepstone.rollout_position(**kw)),
    "retry.from_json": Call(lambda c, **kw: stepstone.RetryPolicy(**kw), {"source": "spec"}),
    "retry.backoff": Call(lambda c, **kw: stepstone.RetryPolicy().backoff(**kw)),
    "retry.after_failure": Call(lambda c, **kw: stepstone.RetryPolicy().after_failure(**kw)),
    "jitter_hash": Call(lambda c, **kw: stepstone.jitter_hash(**kw)),
    "reconciler.new": Call(lambda c, **kw: stepstone.Reconciler(c.campaign, rollout=c.rollout, **kw)),
    # Python's apply and decide take the state positionally before the event / time: a new
    # device's state (None) when the case leaves it out.
    "reconciler.apply": Call(lambda c, **kw: c.reconciler().apply(**kw), defaults={"state": None}),
    "reconciler.state": Call(lambda c, **kw: c.reconciler().state(**kw)),
    "reconciler.decide": Call(lambda c, **kw: c.reconciler().decide(**kw), defaults={"state": None}),
    "reconciler.rollout_advance": Call(lambda c, **kw: c.reconciler().rollout_advance(**kw)),
    "reconciler.rollout_halt": Call(lambda c, **kw: c.reconciler().rollout_halt(**kw)),
    "reconciler.rollout_resume": Call(lambda c, **kw: c.reconciler().rollout_resume(**kw)),
    "reconciler.rollout_record": Call(lambda c, **kw: c.reconciler().rollout_record(**kw)),
}

# Logical calls with no Python counterpart yet: their cases are skipped with this reason.
NOT_IN_PYTHON = {
    "verify_stream": "the Python package has no one-call verify_stream (StreamVerifier covers it)",
}

SPECIAL = {"nan": math.nan, "inf": math.inf, "-inf": -math.inf}


def value(x: Any) -> Any:
    if isinstance(x, list):
        return [value(v) for v in x]
    if isinstance(x, dict):
        if "$special" in x:
            return SPECIAL[x["$special"]]
        return {k: value(v) for k, v in x.items()}
    return x


def python_name(call: str, name: str) -> str:
    return CALLS[call].rename.get(name, name)


def spelt(call: str, name: str) -> str:
    """How the Python message names the vector's argument `name`."""
    return CALLS[call].named.get(name) or python_name(call, name)


def run(case: dict[str, Any]) -> Any:
    call = CALLS[case["call"]]
    kwargs = {python_name(case["call"], k): value(v) for k, v in case["args"].items()}
    for k, v in call.defaults.items():
        kwargs.setdefault(k, v)
    return call.run(context(), **kwargs)


def params() -> list[Any]:
    out = []
    for c in DOC["cases"]:
        marks = []
        if c["call"] in NOT_IN_PYTHON:
            marks.append(pytest.mark.skip(reason=NOT_IN_PYTHON[c["call"]]))
        elif c.get("error", "").endswith("?"):
            marks.append(pytest.mark.skip(reason=f"the expected code {c['error']} is a guess"))
        out.append(pytest.param(c, id=c["name"], marks=marks))
    return out


def test_the_file() -> None:
    assert DOC["format"] == 1
    names = [c["name"] for c in DOC["cases"]]
    assert len(names) == len(set(names)), "case names are unique"
    unknown = {c["call"] for c in DOC["cases"]} - set(CALLS) - set(NOT_IN_PYTHON)
    assert not unknown, f"calls with no mapping in the Python runner: add them: {sorted(unknown)}"
    for c in DOC["cases"]:
        assert ("error" in c) != ("expect" in c), f"{c['name']}: one of error or expect"


def as_json(x: Any) -> Any:
    """A call's answer in JSON's terms (what an `expect` holds)."""
    if x is None or isinstance(x, (bool, int, float, str)):
        return x
    if isinstance(x, (list, tuple)):
        return [as_json(v) for v in x]
    if isinstance(x, dict):
        return {k: as_json(v) for k, v in x.items()}
    raise AssertionError(f"no JSON form for {type(x).__name__} in this runner: add one")


@pytest.mark.parametrize("case", params())
def test_case(case: dict[str, Any]) -> None:
    if "expect" in case:
        assert as_json(run(case)) == case["expect"], case["name"]
        return
    want = stepstone._errors.BAD_ARGUMENT if case["error"] == "bad_argument" else case["error"]
    with pytest.raises(stepstone.Error) as e:
        got = run(case)
        pytest.fail(f"{case['name']}: no error, answered {got!r}")
    err = e.value
    assert err.code == want, f"{case['name']}: {type(err).__name__} {err.code}: {err}"
    assert type(err) is stepstone._errors.class_for(err.code), f"{case['name']}: {type(err).__name__}"
    names = case.get("names", [])
    for name in [names] if isinstance(names, str) else names:
        want_name = spelt(case["call"], name)
        assert f"`{want_name}" in str(err), f"{case['name']}: the message names `{want_name}`: {err}"


def test_summary() -> None:
    runnable = sum(
        1
        for c in DOC["cases"]
        if c["call"] not in NOT_IN_PYTHON and not c.get("error", "").endswith("?")
    )
    SUMMARY.append(f"arguments.json: {len(DOC['cases'])} cases, {runnable} run, {len(DOC['cases']) - runnable} skipped")


def test_the_readme_errors_example(figure1: stepstone.Catalog, tmp_path: Any, monkeypatch: Any) -> None:
    """bindings/python/README.md's "Errors" block, run as written: each print gives what its
    comment says."""
    import contextlib
    import io
    import re

    from conftest import ROOT

    text = (ROOT / "bindings" / "python" / "README.md").read_text()
    section = text.split("### Errors", 1)[1].split("\n## ", 1)[0]
    m = re.search(r"```python\n(.*?)```", section, re.S)
    assert m is not None, "the Errors section has a python block"
    monkeypatch.chdir(tmp_path)  # where missing.json is missing
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(m.group(1), "README.md:Errors", "exec"), {"stepstone": stepstone, "catalog": figure1})
    got = out.getvalue().splitlines()
    want = [re.sub(r"^'(.*)'$", r"\1", c.strip()) for c in re.findall(r"print\(.*?\)\s+# (.*)", m.group(1))]
    assert len(want) == 5 and got == want, (got, want)
