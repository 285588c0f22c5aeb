"""The Python docs a Lambda author copies: every block of examples/aws/python-api.md runs as
written; every public function and method of the catalog, plan, sampling, retry, rollout,
reconciler and version APIs documents its parameters, return value and errors; `Catalog(str)`
names both readings when neither works; the sampling calls share one argument order (the old
one warns)."""

from __future__ import annotations

import inspect
import re
import warnings
from typing import Any

import pytest

import stepstone
from conftest import ROOT

GUIDE = ROOT / "examples" / "aws" / "python-api.md"


def blocks() -> list[tuple[str, str]]:
    text = GUIDE.read_text()
    out, heading = [], ""
    for part in re.split(r"(^## .*$)", text, flags=re.M):
        if part.startswith("## "):
            heading = part[3:].strip()
            continue
        for code in re.findall(r"```python\n(.*?)```", part, re.S):
            out.append((heading, code))
    return out


def test_every_block_of_the_guide_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the blocks read examples/catalog.json as a user in the checkout would
    found = blocks()
    assert [h for h, _ in found] == [
        "Catalogs: the ways in",
        "Update paths and campaign tables",
        "Signing a digest, verifying a stream",
        "Writing and checking a manifest",
        "Signed catalogs",
        "Sampling plans and `Sampler`",
        "Retry policy",
        "The reconciler: what the scheduler does for each message",
    ]
    namespace: dict[str, Any] = {"__name__": "api_guide"}
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the guide uses no deprecated call
        for heading, code in found:
            exec(compile(code, f"{GUIDE}: {heading}", "exec"), namespace)
    assert namespace["state"]["catalog_revision"] == 4


# ---- docstrings ------------------------------------------------------------------------------------

DOCUMENTED_CLASSES = [
    stepstone.Catalog,
    stepstone.Campaign,
    stepstone.Sampler,
    stepstone.SamplingPlan,
    stepstone.RetryPolicy,
    stepstone.Rollout,
    stepstone.Reconciler,
]
DOCUMENTED_FUNCTIONS = [
    stepstone.compare_versions,
    stepstone.check_version,
    stepstone.sample_position,
    stepstone.is_sampled,
    stepstone.is_below,
    stepstone.period_index,
    stepstone.parse_rate,
    stepstone.format_rate,
    stepstone.estimate,
    stepstone.smallest_rate,
    stepstone.volume,
    stepstone.jitter_hash,
    stepstone.halt_trips,
    stepstone.ramp_fraction,
    stepstone.wilson_lower_above,
    stepstone.rollout_position,
]


def public_callables() -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = [(f.__name__, f) for f in DOCUMENTED_FUNCTIONS]
    for cls in DOCUMENTED_CLASSES:
        out.append((cls.__name__, cls))
        for name, member in vars(cls).items():
            if name.startswith("_") or isinstance(member, property) or inspect.isdatadescriptor(member):
                continue
            if callable(member) or isinstance(member, staticmethod):
                out.append((f"{cls.__name__}.{name}", getattr(cls, name)))
    return out


@pytest.mark.parametrize("name,obj", public_callables(), ids=lambda x: x if isinstance(x, str) else "")
def test_every_public_call_documents_parameters_returns_and_errors(name: str, obj: Any) -> None:
    doc = inspect.getdoc(obj) or ""
    assert "DESIGN.md" not in doc, f"{name} points at a document users do not have"
    assert "Raises" in doc, f"{name}: no Raises section:\n{doc}"
    if not inspect.isclass(obj):
        assert "Returns" in doc, f"{name}: no Returns section:\n{doc}"
    try:
        params = [p for p in inspect.signature(obj).parameters if p not in ("self", "cls")]
    except (TypeError, ValueError):
        params = []
    if params:
        assert "Parameters" in doc, f"{name}: no Parameters section:\n{doc}"
        for p in params:
            assert p in doc, f"{name}: parameter {p} is not described"


def test_help_on_plan_is_more_than_a_pointer() -> None:
    doc = inspect.getdoc(stepstone.Catalog.plan) or ""
    assert len(doc.splitlines()) > 10 and "plan.unreachable" in doc


# ---- Catalog(str) -------------------------------------------------------------------------------------


def test_catalog_str_is_json_or_a_path_and_otherwise_says_both(tmp_path: Any) -> None:
    path = ROOT / "examples" / "catalog.json"
    assert stepstone.Catalog(str(path)).versions == stepstone.Catalog(path.read_text()).versions
    for text, json_reading in [
        ("examples/catalog.jsn", "not JSON"),
        ("[1, 2]", "JSON, but not an object"),
        ("", "not JSON"),
    ]:
        with pytest.raises(stepstone.CatalogError) as e:
            stepstone.Catalog(text)
        assert e.value.code == "catalog.json"
        message = str(e.value)
        assert "neither a catalog as JSON text" in message and json_reading in message
        assert "no such file" in message and "Catalog.from_path" in message
    with pytest.raises(stepstone.CatalogError) as e:
        stepstone.Catalog(str(tmp_path))  # a directory
    assert "not a file" in str(e.value)
    # JSON text that is a broken catalog is the catalog's own error, not this one.
    with pytest.raises(stepstone.CatalogError) as e:
        stepstone.Catalog('{"releases": [{"version": "v1"}, {"version": "v1"}]}')
    assert e.value.code == "catalog.duplicate_version"
    missing = tmp_path / "missing.json"
    for call in (lambda: stepstone.Catalog(missing), lambda: stepstone.Catalog.from_path(str(missing))):
        with pytest.raises(stepstone.IoError) as io:
            call()  # an os.PathLike is always a path
        assert io.value.code == "io.unreadable" and io.value.filename == str(missing)
        assert str(missing) in str(io.value) and "No such file" in str(io.value)
        assert isinstance(io.value, OSError), "still an OSError, as before"


# ---- the sampling calls' argument order -----------------------------------------------------------------


def test_sampling_calls_share_one_argument_order() -> None:
    salt, device, cls, period = b"acme-2026", b"DA143532", "metrics", 20415
    pos = stepstone.sample_position(salt, device, cls, period)
    assert stepstone.Sampler(salt, cls, period).position(device) == pos
    plan = stepstone.SamplingPlan.from_dict({"salt": "acme-2026", "period_seconds": 86400, "classes": {cls: 50_000}})
    assert plan.position(device, cls, period) == pos
    assert stepstone.is_sampled(salt, device, cls, period, 50_000) == plan.is_sampled(device, cls, period)
    for name in ("sample_position", "is_sampled"):
        params = list(inspect.signature(getattr(stepstone, name)).parameters)
        assert params[:4] == ["salt", "device_id", "class_", "period"], (name, params)
    # Keywords, in any order.
    assert stepstone.sample_position(salt=salt, device_id=device, period=period, class_=cls) == pos


def test_the_old_argument_order_still_works_with_a_deprecation_warning() -> None:
    salt, device, cls, period = b"acme-2026", b"DA143532", "metrics", 20415
    with pytest.warns(DeprecationWarning, match=r"\(salt, device_id, class_, period\)") as w:
        old = stepstone.sample_position(salt, device, period, cls)
    assert w[0].filename == __file__, "the warning points at the caller's line"
    assert old == stepstone.sample_position(salt, device, cls, period)
    with pytest.warns(DeprecationWarning):
        assert stepstone.is_sampled(salt, device, period, cls, 1_000_000) is True
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        stepstone.sample_position(salt, device, cls, period)  # the new order: no warning
    with pytest.raises(stepstone.BadArgumentError, match="`class_` must be a str, got int 1"):
        stepstone.sample_position(salt, device, 1, 2)  # neither order
