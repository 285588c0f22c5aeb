"""Seeded fuzzing of the package's boundary: random values (ints negative and past 2**64, floats
with NaN and infinities, str, bytes, None, dicts, lists, numpy's int64 -1) at every public
function, constructor and method of `stepstone`, with arguments left out, unknown keywords and
surplus positionals. Each call must return or raise a `stepstone.Error` whose code is
`area.reason`: never another exception type, never a crash. A halt check with a count missing or
bad must never answer (`None` would read as "do not halt").
"""

from __future__ import annotations

import inspect
import math
import random
import re
import time
import warnings
from typing import Any, Callable, Iterator

import pytest

import stepstone
from conftest import ROOT, SUMMARY

try:
    import numpy as np
except ImportError:  # numpy is optional for users; installed by scripts/setup-python.sh
    np = None  # type: ignore[assignment]

SEED = 20_261_206
CALLS = 4_000
CODE = re.compile(r"^[a-z_]+\.[a-z_.]+$")

# ---- values -------------------------------------------------------------------------------------

JUNK: list[Any] = [
    0, 1, -1, 7, 255, 64000, 2**31 - 1, 2**32 - 1, 2**32, 2**53, 2**63, 2**64 - 1, 2**64, 2**70,
    -(2**70), True, False,
    0.0, 0.5, -1.5, 10.0, math.nan, math.inf, -math.inf, 1e308,
    "", "v64000", "v67000", "66003", "x" * 300, "\ud800", "é", "{", "[1, 2]", "dot", "hops", "failed",
    b"", b"\x00" * 32, b"firmware", bytearray(b"ab"), memoryview(b"abcd"),
    None, {}, {"a": 1}, {"salt": 1}, [], [1, 2], ["v64000"], [None], (1,), {1, 2},
    object(), type, print,
]
if np is not None:
    JUNK += [
        np.int64(-1), np.int64(64000), np.uint64(2**64 - 1), np.float64("nan"), np.bool_(True),
        np.array([64000, -1], dtype=np.int64), np.array([[1, 2]]), np.array([1.5]),
        np.array([b"a", b"b"], dtype="S"),
    ]

# Plausible values by parameter name, so that calls get past their first argument.
GOOD: dict[str, list[Any]] = {
    "current": ["v64000", "v66001"], "target": ["v67000", "v66003"], "version": ["v64000", 66000],
    "versions": [["v64000", 65000], []], "a": ["v1"], "b": ["v2"], "text": ["v64000", "5%"],
    "scheme": ["integer", "semver"], "model": ["AG-1", None], "environment": ["production", None],
    "cost": ["hops", "bytes"], "allow_downgrade": [False, True], "format": ["dot", "mermaid", "der"],
    "devices": [10], "seed": [1], "start": [None, "v64000"], "salt": [b"s", "s"],
    "device_id": ["d1", b"d1"], "device_ids": [["d1", "d2"]], "class_": ["metrics"], "period": [3],
    "rate_ppm": [50_000], "position": [12345], "unix_seconds": [86_400 * 3],
    "period_seconds": [86_400], "offset_seconds": [0], "fleet": [1000], "bug_hours": [10.0],
    "window_hours": [24.0], "probability": [0.5], "items": [10], "bytes_per_item": [8],
    "samples_per_day": [1], "retention_days": [1], "kind": ["failed", "timed_out"], "n": [1],
    "hop": ["v65000"], "attempt": [1], "attempts": [1], "failures": [{"failed": 1}],
    "total_attempts": [1], "first_attempt_at": [0], "failed_at": [10], "stage": [0],
    "finished": [100], "failed": [3], "rule": [{"max_failures": 3}],
    "ramp": [{"start": 0, "duration_secs": 100}], "elapsed": [50], "limit_ppm": [20_000],
    "z_num": [196], "z_den": [100], "now": [1_800_000_000], "state": [None],
    "event": [{"event": "reported", "seq": 1, "at": 10, "reports": "v64000"}], "note": ["why"],
    "spec": [None, {}], "data": [b"x"], "chunk": [b"chunk"], "message": [b"m"],
    "digest": [bytes(32)], "scalar": [bytes(31) + b"\x07"], "sequence": [1], "expires": [2**40],
}

try:
    import pyarrow as pa
except ImportError:  # pyarrow is optional for users; installed by scripts/setup-python.sh
    pa = None  # type: ignore[assignment]
if pa is not None:
    JUNK += [pa.array(["d1", None]), pa.array([1, -1]), pa.array([1.5]), pa.table({"version": ["v64000"]})]
    GOOD["ids"] = [pa.array(["d1", "d2"]), pa.chunked_array([["d1"], ["d2"]])]
    GOOD["versions"] = GOOD["versions"] + [pa.array(["v64000", "v66001"])]
    GOOD["devices"] = GOOD["devices"] + [pa.table({"version": ["v64000"], "model": ["AG-1"]})]
    GOOD["periods"] = [3, pa.array([3, 4])]

COUNT_CALLS = {"Rollout.trips": ("stage", "finished", "failed"), "halt_trips": ("finished", "failed")}


def is_count(v: Any) -> bool:
    if isinstance(v, bool) or (np is not None and isinstance(v, np.bool_)):
        return False
    if np is not None and isinstance(v, np.integer):
        v = int(v)
    return isinstance(v, int) and 0 <= v < 2**32


# ---- what to call -------------------------------------------------------------------------------


def instances() -> dict[str, Any]:
    """One live instance of every public class (made with good arguments)."""
    catalog = stepstone.Catalog(ROOT / "examples" / "catalog.json")
    campaign = catalog.campaign("v67000", model="AG-1", environment="production")
    rollout = stepstone.Rollout({"salt": "r", "schedule": {"stages": [{"fraction_ppm": 10_000}, {"fraction_ppm": 1_000_000}]}})
    key = stepstone.SigningKey.from_scalar(bytes(31) + b"\x07")
    image = b"firmware " * 100
    text = stepstone.render_manifest(
        version="v66003", min_sw_version="v66000", size=len(image), sha256=stepstone.sha256(image),
        models=["AG-1"], environment="production", expires=2_000_000_000, key_id=key.public_key.key_id,
    )
    sig = key.sign(text.encode())
    manifest = stepstone.verify_manifest(text, sig.encode("der"), key.public_key)
    device = dict(model="AG-1", environment="production", current_version="v66000", counter="v66000", now=1_800_000_000)
    plan = catalog.plan("v64000", "v67000", model="AG-1")
    rec = stepstone.Reconciler(campaign, rollout=rollout)
    state, _ = rec.apply(None, {"event": "reported", "seq": 1, "at": 10, "reports": "v64000"})
    return {
        "Catalog": catalog,
        "Campaign": campaign,
        "Sampler": stepstone.Sampler(b"s", "metrics", 3),
        "SamplingPlan": stepstone.SamplingPlan.from_dict({"salt": "s", "period_seconds": 86_400, "classes": {"metrics": 50_000}}),
        "RetryPolicy": stepstone.RetryPolicy(),
        "RetryDecision": stepstone.RetryPolicy().after_failure(
            attempts=1, failures={"failed": 1}, kind="failed", total_attempts=1, first_attempt_at=0,
            failed_at=10, device_id="d", hop="v65000"),
        "Rollout": rollout,
        "Reconciler": rec,
        "Action": rec.decide("d1", state, 20),
        "PublicKey": key.public_key,
        "Signature": sig,
        "SigningKey": key,
        "ImageHasher": stepstone.ImageHasher(),
        "StreamVerifier": stepstone.StreamVerifier(key.public_key),
        "Manifest": manifest,
        "ImageCheck": manifest.image_check(),
        "ManifestFirst": stepstone.ManifestFirst(key.public_key, text, sig, **device),
        "Plan": plan,
        "Step": plan.steps[0],
        "Explanation": catalog.explain("v64000", "v67000", model="AG-1"),
        "ReleaseNote": catalog.explain("v64000", "v67000", model="AG-1").releases[0],
    }


def targets(objs: dict[str, Any]) -> list[tuple[str, Callable[..., Any]]]:
    """Every public function, constructor and method, by name."""
    out: list[tuple[str, Callable[..., Any]]] = []
    for name in stepstone.__all__:
        obj = getattr(stepstone, name)
        if inspect.isclass(obj) and issubclass(obj, BaseException):
            continue
        if not inspect.isclass(obj):
            if callable(obj):
                out.append((name, obj))
            continue
        if obj is not stepstone.OpenedCatalog:
            out.append((name, obj))  # the constructor (those without one must refuse with a code)
        inst = objs.get(name)
        if inst is not None and hasattr(obj, "__contains__"):
            # `x in obj`: the one way to call it (a slot wrapper takes no keywords).
            out.append((f"{name}.__contains__", lambda item, _o=inst: item in _o))
        for attr in sorted(vars(obj)):
            if attr.startswith("_"):
                continue
            raw = inspect.getattr_static(obj, attr)
            if isinstance(raw, (property,)) or type(raw).__name__ == "getset_descriptor":
                continue
            if isinstance(raw, staticmethod) or type(raw).__name__ == "builtin_function_or_method":
                out.append((f"{name}.{attr}", getattr(obj, attr)))
            elif inst is not None and callable(getattr(inst, attr, None)):
                out.append((f"{name}.{attr}", getattr(inst, attr)))
    try:
        from stepstone import arrow
    except ImportError:  # pyarrow is optional for users; installed by scripts/setup-python.sh
        return out
    for name in arrow.__all__:
        if name != "NextHopArrays":
            out.append((f"arrow.{name}", getattr(arrow, name)))
    return out


def parameters(f: Callable[..., Any]) -> list[inspect.Parameter] | None:
    try:
        return [p for p in inspect.signature(f).parameters.values() if p.name not in ("self", "cls")]
    except (TypeError, ValueError):
        return None


def arguments(rng: random.Random, name: str, params: list[inspect.Parameter] | None) -> tuple[list[Any], dict[str, Any]]:
    """Random arguments: each parameter good or junk, sometimes left out; sometimes an unknown
    keyword or a surplus positional."""
    def pick(pname: str) -> Any:
        if pname in GOOD and rng.random() < 0.55:
            return rng.choice(GOOD[pname])
        return rng.choice(JUNK)

    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    if name.endswith(".__contains__"):
        return [rng.choice(JUNK + GOOD["version"])], kwargs
    if params is None:
        args = [rng.choice(JUNK) for _ in range(rng.randrange(4))]
        return args, kwargs
    for p in params:
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD):
            continue
        if rng.random() < 0.08:
            continue  # left out
        v = pick(p.name)
        if name == "Catalog.simulate" and p.name in ("devices",) and isinstance(v, int) and not isinstance(v, bool) and v > 50:
            v = 50  # a valid fleet of 2**31 devices is a long run, not a boundary case
        if p.kind == p.POSITIONAL_OR_KEYWORD and not kwargs and rng.random() < 0.5:
            args.append(v)
        else:
            kwargs[p.name] = v
    r = rng.random()
    if r < 0.05:
        kwargs["colour"] = "red"
    elif r < 0.08:
        args.append(rng.choice(JUNK))
    return args, kwargs


def counts_given(params: list[inspect.Parameter] | None, args: list[Any], kwargs: dict[str, Any], names: tuple[str, ...]) -> bool:
    bound = dict(kwargs)
    for p, v in zip(params or [], args):
        bound.setdefault(p.name, v)
    return all(n in bound and is_count(bound[n]) for n in names)


def calls(rng: random.Random, objs: dict[str, Any]) -> Iterator[tuple[str, Callable[..., Any], list[Any], dict[str, Any], bool]]:
    every = targets(objs)
    sigs = {name: parameters(f) for name, f in every}
    for i in range(CALLS):
        name, f = every[i % len(every)] if i < len(every) else rng.choice(every)
        args, kwargs = arguments(rng, name, sigs[name])
        need = COUNT_CALLS.get(name)
        counts_ok = need is None or counts_given(sigs[name], args, kwargs, need)
        yield name, f, args, kwargs, counts_ok


def test_every_public_call_answers_or_raises_a_coded_stepstone_error() -> None:
    rng = random.Random(SEED)
    objs = instances()
    started = time.monotonic()
    seen: dict[str, int] = {}
    codes: dict[str, int] = {}
    problems: list[str] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the deprecated sampling argument order warns
        for name, f, args, kwargs, counts_ok in calls(rng, objs):
            seen[name] = seen.get(name, 0) + 1
            shown = f"{name}(*{args!r:.200}, **{kwargs!r:.200})"
            try:
                got = f(*args, **kwargs)
            except stepstone.Error as e:
                codes[e.code] = codes.get(e.code, 0) + 1
                if not CODE.match(e.code):
                    problems.append(f"{shown}: code {e.code!r} is not area.reason")
                if type(e) is not stepstone._errors.class_for(e.code):
                    problems.append(f"{shown}: {type(e).__name__} for {e.code}")
                continue
            except BaseException as e:  # noqa: BLE001 - exactly what must not happen
                problems.append(f"{shown}: {type(e).__name__}: {e}")
                continue
            if not counts_ok:
                problems.append(f"{shown}: answered {got!r} with a count missing or bad")
    elapsed = time.monotonic() - started
    SUMMARY.append(
        f"fuzz: {sum(seen.values())} calls over {len(seen)} functions and methods in {elapsed:.1f} s, "
        f"{len(codes)} distinct codes raised"
    )
    assert not problems, "\n".join(problems[:30])
    assert len(seen) >= 60, sorted(seen)
    assert "python.bad_argument" in codes
    assert elapsed < 20, f"{elapsed:.1f} s"


def test_a_missing_or_bad_count_never_reads_as_do_not_halt() -> None:
    rollout = stepstone.Rollout({"salt": "r", "schedule": {"stages": [{"fraction_ppm": 1_000_000}]}, "halt": {"max_failures": 3}})
    rule = {"max_failures": 3}
    bad: list[Any] = [None, -1, 2**32, 1.0, math.nan, "3", True]
    if np is not None:
        bad.append(np.int64(-1))
    for v in bad:
        for call in (
            lambda: rollout.trips(0, 100, v),
            lambda: rollout.trips(0, v, 3),
            lambda: stepstone.halt_trips(rule, 100, v),
            lambda: stepstone.halt_trips(rule, v, 3),
        ):
            with pytest.raises(stepstone.BadArgumentError):
                call()
    with pytest.raises(stepstone.BadArgumentError, match="`failed` is missing"):
        rollout.trips(0, 100)  # type: ignore[call-arg]
    with pytest.raises(stepstone.BadArgumentError, match="`finished` is missing"):
        stepstone.halt_trips(rule, failed=3)  # type: ignore[call-arg]
    assert rollout.trips(0, 100, 3) == "rollout.failure_count"
