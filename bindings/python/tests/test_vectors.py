"""Every conformance vector under core/tests/vectors/ through the installed wheel.

Each file's format is in core/tests/vectors/README.md. A vector has `expect` (the answer) or
`error` (the core's stable code, which must be the raised exception's `.code`). Files that this
suite does not know yet fail the suite, so a new vector file cannot go unrun.
"""

from __future__ import annotations

from typing import Any, Callable

import pytest

import stepstone
from conftest import VECTORS, load_vectors
from test_attacks import run_attack

Runner = Callable[[dict[str, Any], dict[str, Any]], Any]


def hex64(n: int) -> str:
    return f"{n:016x}"


# ---- plan.json ----------------------------------------------------------------------------------


def catalog_of(doc: dict[str, Any], v: dict[str, Any]) -> stepstone.Catalog:
    if "catalog_text" in v:
        return stepstone.Catalog.from_json(v["catalog_text"])
    c = v["catalog"]
    return stepstone.Catalog(doc["catalogs"][c] if isinstance(c, str) else c)


def run_plan(doc: dict[str, Any], v: dict[str, Any]) -> Any:
    op = v["op"]
    if op == "load":
        try:
            c = catalog_of(doc, v)
        except stepstone.CatalogError as e:
            if "errors" in v:
                assert [code for code, _ in e.errors] == v["errors"], v["name"]
            if "message" in v:
                assert e.errors[0][1] == v["message"], v["name"]
            raise
        return {"releases": len(c), "scheme": c.scheme}
    c = catalog_of(doc, v)
    if op == "lint":
        return {"warnings": [[w.code, w.release] for w in c.lint()]}
    q = v["query"]
    kw = dict(
        model=q.get("model"),
        environment=q.get("environment"),
        cost=q.get("cost", "hops"),
        allow_downgrade=q.get("allow_downgrade", False),
    )
    if op == "explain":
        e = c.explain(q["from"], q["to"], **kw)
        return {"releases": [[n.version, n.verdict] for n in e.releases]}
    assert op == "plan", op
    # next_hop and a campaign table agree with the plan, or fail with the same code.
    try:
        p = c.plan(q["from"], q["to"], **kw)
    except stepstone.Error as e:
        with pytest.raises(stepstone.Error) as nh:
            c.next_hop(q["from"], q["to"], **kw)
        assert nh.value.code == e.code, v["name"]
        if isinstance(e, stepstone.PlanError) and e.code not in (
            "plan.unknown_target",
            "plan.target_yanked",
            "plan.target_model",
            "plan.target_environment",
            "plan.unknown_cost",
        ):
            table = c.campaign(q["to"], **kw)
            with pytest.raises(stepstone.PlanError) as t:
                table.next_hop(q["from"])
            assert t.value.code == e.code, v["name"]
        raise
    first = p.path[0] if p.path else None
    assert c.next_hop(q["from"], q["to"], **kw) == first, v["name"]
    assert c.campaign(q["to"], **kw).next_hop(q["from"]) == first, v["name"]
    got: dict[str, Any] = {"path": p.path, "hops": p.hops}
    if "bytes" in v["expect"]:
        got["bytes"] = p.bytes
    return got


# ---- sample.json --------------------------------------------------------------------------------


def run_sample(doc: dict[str, Any], v: dict[str, Any]) -> Any:
    op = v["op"]
    if op == "position":
        salt, dev = bytes.fromhex(v["salt_hex"]), bytes.fromhex(v["device_id_hex"])
        pos = stepstone.sample_position(salt, dev, v["class"], int(v["period"]))
        sampled = stepstone.is_sampled(salt, dev, v["class"], int(v["period"]), v["rate_ppm"])
        # The bulk path gives the same answers.
        s = stepstone.Sampler(salt, v["class"], int(v["period"]))
        assert s.positions([dev]) == [pos] and s.sampled([dev], v["rate_ppm"]) == [sampled]
        return {"position": hex64(pos), "sampled": sampled}
    if op == "is_below":
        return {"sampled": stepstone.is_below(int(v["position"], 16), v["rate_ppm"])}
    if op == "period_index":
        p = stepstone.period_index(
            int(v["unix_seconds"]), int(v["period_seconds"]), int(v["offset_seconds"])
        )
        return {"period": None if p is None else str(p)}
    assert op == "plan", op
    if "plan_text" in v:
        plan = stepstone.SamplingPlan.from_json(v["plan_text"])
    else:
        plan = stepstone.SamplingPlan.from_dict(v["plan"])
    period = plan.period_at(int(v["unix_seconds"]))
    dev = bytes.fromhex(v["device_id_hex"])
    return {
        "period": str(period),
        "position": hex64(plan.position(dev, v["class"], period)),
        "sampled": plan.is_sampled(dev, v["class"], period),
    }


# ---- retry.json ---------------------------------------------------------------------------------


def run_retry(doc: dict[str, Any], v: dict[str, Any]) -> Any:
    policy = stepstone.RetryPolicy(v.get("policy", {}))
    op = v["op"]
    if op == "policy":
        return {}
    if op == "jitter_hash":
        return {"jitter_hash": hex64(stepstone.jitter_hash(v["device_id"], v["hop"], v["attempt"]))}
    if op == "backoff":
        delay = policy.backoff(v["kind"], v["n"], v["device_id"], v["hop"], v["attempt"])
        h = stepstone.jitter_hash(v["device_id"], v["hop"], v["attempt"])
        return {"delay_secs": delay, "jitter_hash": hex64(h)}
    assert op == "after_failure", op
    hc = v["hop_counters"]
    d = policy.after_failure(
        attempts=hc["attempts"],
        failures=hc["failures"],
        kind=v["kind"],
        total_attempts=v["total_attempts"],
        first_attempt_at=v["first_attempt_at"],
        failed_at=v["failed_at"],
        device_id=v["device_id"],
        hop=v["hop"],
    )
    return {"retry_at": d.retry_at} if d.give_up is None else {"give_up": d.give_up}


# ---- rollout.json -------------------------------------------------------------------------------


def run_rollout(doc: dict[str, Any], v: dict[str, Any]) -> Any:
    op = v["op"]
    if op == "rollout":
        stepstone.Rollout(v["rollout"])
        return {}
    if op == "membership":
        stages = v["stages_ppm"]
        r = stepstone.Rollout(
            {"salt": v["salt"], "schedule": {"stages": [{"fraction_ppm": f} for f in stages]}}
        )
        pos = r.position(v["device_id"])
        assert pos == stepstone.rollout_position(v["salt"], v["device_id"])
        return {
            "position": hex64(pos),
            "stage": r.stage_of(pos),
            "member": [stepstone.is_below(pos, f) for f in stages],
        }
    if op == "wilson":
        return {
            "above": stepstone.wilson_lower_above(
                v["failed"], v["finished"], v["limit_ppm"], v["z_num"], v["z_den"]
            )
        }
    if op == "trips":
        return {"halt": stepstone.halt_trips(v["halt"], v["stats"]["finished"], v["stats"]["failed"])}
    assert op == "ramp", op
    return {"fraction_ppm": stepstone.ramp_fraction(v["ramp"], v["elapsed"])}


# ---- reconcile.json -----------------------------------------------------------------------------


def run_reconcile(doc: dict[str, Any], v: dict[str, Any]) -> Any:
    catalog = stepstone.Catalog(doc["catalogs"]["figure1"])
    campaign = catalog.campaign(v["target"])
    timing = v.get("timing", {})
    rec = stepstone.Reconciler(
        campaign,
        policy=stepstone.RetryPolicy(v.get("policy", {})),
        rollout=stepstone.Rollout(v["rollout"]) if "rollout" in v else None,
        start=timing.get("start"),
        end=timing.get("end"),
        windows=timing.get("windows"),
        utc_offset_secs=timing.get("utc_offset_secs", 0),
    )
    device = v.get("device_id", "device-1")
    state = v["state"]
    for i, step in enumerate(v["steps"]):
        at = f"{v['name']} step {i}"
        if "apply" in step:
            new, outcome = rec.apply(state, step["apply"])
            assert outcome == step["expect"], at
            if outcome != "changed":
                # The state must be exactly as before (compared in the core's full wire form).
                assert new == rec.state(state), at
            state = new
        elif "decide" in step:
            action = rec.decide(device, state, step["decide"])
            assert action.to_dict() == step["expect"], at
        elif "rollout_advance" in step:
            assert rec.rollout_advance(step["rollout_advance"]), at
        elif "rollout_halt" in step:
            rec.rollout_halt(step["rollout_halt"], "vector")
        elif "rollout_resume" in step:
            rec.rollout_resume(step["rollout_resume"])
        else:
            raise AssertionError(f"{at}: unknown step")
    for k, want in v.get("expect_state", {}).items():
        assert state.get(k) == want, f"{v['name']}: final state field {k}"
    return v.get("expect")


# ---- signature.json and manifest.json ---------------------------------------------------------


def chunks(data: bytes, n: int) -> list[bytes]:
    return [data[i : i + n] for i in range(0, len(data), n)] or [b""]


def run_signature(doc: dict[str, Any], v: dict[str, Any]) -> Any:
    key = stepstone.PublicKey(bytes.fromhex(v["key"]))
    sig = stepstone.Signature(bytes.fromhex(v["signature"]))
    message = bytes.fromhex(v["message"])
    verifier = stepstone.StreamVerifier(key)
    for c in chunks(message, 13):
        verifier.update(c)
    digest = verifier.finish(sig)
    key.verify(message, sig)  # the one-shot path agrees
    return {
        "signature_format": sig.format,
        "key_format": key.format,
        "key_id": key.key_id,
        "sha256": digest.hex(),
    }


def run_manifest(doc: dict[str, Any], v: dict[str, Any]) -> Any:
    key = stepstone.PublicKey(bytes.fromhex(v["key"]))
    m = stepstone.verify_manifest(v["manifest"].encode(), bytes.fromhex(v["signature"]), key)
    d = v["device"]
    m.check_device(
        model=d["model"],
        environment=d["environment"],
        current_version=d["current_version"],
        counter=d["counter"],
        now=d["now"],
    )
    check = m.image_check()
    for c in chunks(bytes.fromhex(v["image"]), 100):
        check.update(c)
    digest = check.finish()
    return {"version": m.version, "size": m.size, "sha256": digest.hex()}


RUNNERS: dict[str, Runner] = {
    "signature.json": run_signature,
    "manifest.json": run_manifest,
    "attacks.json": run_attack,
    "plan.json": run_plan,
    "sample.json": run_sample,
    "retry.json": run_retry,
    "rollout.json": run_rollout,
    "reconcile.json": run_reconcile,
}


# Files with a runner of their own (a different shape: `cases`, not `vectors`).
OWN_RUNNER = {"arguments.json": "test_arguments.py"}


def cases() -> list[Any]:
    out = []
    for path in sorted(VECTORS.glob("*.json")):
        if path.name in OWN_RUNNER:
            continue
        if path.name not in RUNNERS:
            out.append(pytest.param(path.name, None, id=f"{path.name}:no-runner"))
            continue
        doc = load_vectors(path.name)
        for v in doc["vectors"]:
            out.append(pytest.param(path.name, v, id=f"{path.name}:{v['name']}"))
    return out


@pytest.mark.parametrize(("file", "vector"), cases())
def test_vector(file: str, vector: dict[str, Any] | None) -> None:
    assert vector is not None, f"{file} has no runner in the Python suite: add one"
    doc = load_vectors(file)
    run = RUNNERS[file]
    if "error" in vector:
        with pytest.raises(stepstone.Error) as e:
            run(doc, vector)
        assert e.value.code == vector["error"], vector["name"]
        assert isinstance(e.value, ValueError)
    else:
        got = run(doc, vector)
        if file != "reconcile.json":
            assert got == vector["expect"], vector["name"]


def test_every_file_has_vectors() -> None:
    names = sorted(p.name for p in VECTORS.glob("*.json"))
    assert "plan.json" in names, names
