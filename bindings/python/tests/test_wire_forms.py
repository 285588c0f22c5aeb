"""The core owns every answer's JSON form: Python's to_dict gives exactly what the CLI and JS give,
and the reconciler session (the core's Session) behaves the same here as in every binding."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest
import stepstone

from conftest import ROOT

CATALOG = ROOT / "examples" / "catalog.json"
ROLLOUT = {
    "salt": "r",
    "schedule": {"stages": [{"fraction_ppm": 0, "min_soak_secs": 10}, {"fraction_ppm": 1000000}]},
}


def cli() -> str | None:
    for path in (ROOT / "target" / "release" / "stepstone", ROOT / "target" / "debug" / "stepstone"):
        if path.exists():
            return str(path)
    return shutil.which("stepstone")


@pytest.mark.parametrize("target", ["v67000", "v99"])
def test_explanation_to_dict_is_the_cli_json(figure1: stepstone.Catalog, target: str) -> None:
    got = figure1.explain("v64000", target, model="AG-1").to_dict()
    assert set(got) == {"outcome", "releases"}
    if target == "v99":
        assert got["outcome"]["error"]["code"] == "plan.unknown_target"
    else:
        assert got["outcome"]["plan"]["path"][-1] == "v67000"
        assert got["releases"][0]["verdict"] in {"install", "cheaper_path", "wrong_model", "yanked"}
    exe = cli()
    if exe is None:
        pytest.skip("no stepstone binary built")
    out = subprocess.run(
        [exe, "plan", str(CATALOG), "--from", "v64000", "--to", target, "--model", "AG-1", "--explain", "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert json.loads(out.stdout) == got


def reconciler(figure1: stepstone.Catalog, **kw: Any) -> stepstone.Reconciler:
    return stepstone.Reconciler(figure1.campaign("v65000", model="AG-1"), **kw)


def test_rollout_halt_resume_and_a_stored_state(figure1: stepstone.Catalog) -> None:
    rec = reconciler(figure1, rollout=stepstone.Rollout(ROLLOUT))
    assert not rec.rollout_advance(9)
    assert rec.rollout_advance(10)
    rec.rollout_halt(11, "bad batch")
    with pytest.raises(stepstone.RolloutError) as e:
        rec.rollout_halt(12)
    assert e.value.code == "rollout.already_halted"
    rec.rollout_resume(20)
    with pytest.raises(stepstone.RolloutError) as e:
        rec.rollout_resume(21)
    assert e.value.code == "rollout.not_halted"
    # A stateless scheduler stores the rollout state and carries on from it.
    stored = rec.rollout_state
    again = reconciler(figure1, rollout=stepstone.Rollout(ROLLOUT), rollout_state=stored)
    assert again.rollout_state == stored
    state = {"reported": "v64000", "device_seq": 1}
    assert again.decide("AG1-000001", state, 30) == rec.decide("AG1-000001", state, 30)


def test_session_errors_have_the_core_codes(figure1: stepstone.Catalog) -> None:
    rec = reconciler(figure1)
    for call in (lambda: rec.rollout_halt(1), lambda: rec.rollout_resume(1), lambda: rec.rollout_advance(1)):
        with pytest.raises(stepstone.ReconcileError) as e:
            call()
        assert e.value.code == "reconcile.no_rollout"
    stored = reconciler(figure1, rollout=stepstone.Rollout(ROLLOUT)).rollout_state
    with pytest.raises(stepstone.ReconcileError) as e:
        reconciler(figure1, rollout_state=stored)
    assert e.value.code == "reconcile.rollout_state_mismatch"
    with pytest.raises(stepstone.ReconcileError) as e:
        reconciler(figure1, rollout=stepstone.Rollout(ROLLOUT), rollout_state={"stage": "x"})
    assert e.value.code == "reconcile.invalid_json"
    with pytest.raises(stepstone.ReconcileError) as e:
        rec.apply(None, {"event": "meteor"})
    assert e.value.code == "reconcile.invalid_json"


def test_plan_to_dict_is_the_cli_json(figure1: stepstone.Catalog) -> None:
    got = figure1.plan("v64000", "v67000", model="AG-1").to_dict()
    assert list(got) == ["path", "hops", "bytes", "steps"]
    assert got["path"] == figure1.plan("v64000", "v67000", model="AG-1").path
    exe = cli()
    if exe is None:
        pytest.skip("no stepstone binary built")
    out = subprocess.run(
        [exe, "plan", str(CATALOG), "--from", "v64000", "--to", "v67000", "--model", "AG-1", "--format", "json"],
        capture_output=True,
        text=True,
    )
    assert json.loads(out.stdout) == got


def test_retry_decision_to_dict_is_the_core_form() -> None:
    policy = stepstone.RetryPolicy({"jitter_ppm": 0})
    kw: dict[str, Any] = dict(total_attempts=1, first_attempt_at=0, failed_at=100, device_id="d", hop="v2")
    again = policy.after_failure(attempts=1, failures={"failed": 1}, kind="failed", **kw)
    assert again.to_dict() == {"retry_at": again.retry_at}
    stop = policy.after_failure(attempts=5, failures={"failed": 5}, kind="failed", **kw)
    assert stop.to_dict() == {"give_up": stop.give_up, "rule": stop.to_dict()["rule"]}
    assert stop.give_up is not None
    assert stop.to_dict()["rule"]["rule"] == stop.give_up.removeprefix("retry.")


@pytest.mark.parametrize("target", ["v64000", "v66000", "v67000"])
def test_campaign_table_wire_form_answers_as_the_campaign(figure1: stepstone.Catalog, target: str) -> None:
    """`Campaign.to_table()` is the documented wire form (docs/reconciler.md): decoded here by
    its own rules, every point's slot and every slot between points answer as `next_hop` does."""
    campaign = figure1.campaign(target, model="AG-1", environment="production")
    text = campaign.to_table()
    table = json.loads(text)
    assert list(table) == ["format", "version", "scheme", "target", "allow_downgrade", "points", "answers", "releases"]
    assert (table["format"], table["version"], table["scheme"]) == ("stepstone.campaign_table", 1, "integer")
    assert table["target"] == target
    points = [int(p) for p in table["points"]]
    assert points == sorted(set(points))
    assert len(table["answers"]) == 2 * len(points) + 1 == len(campaign)

    def expected(version: int) -> Any:
        try:
            return campaign.next_hop(version)
        except stepstone.Error as e:
            return e.code

    def decoded(answer: int) -> Any:
        return {0: None, 1: "plan.unreachable", 2: "plan.downgrade", 3: "plan.missing_size"}.get(
            answer, table["releases"][answer - 4] if answer >= 4 else "?")

    probes = [(2 * i + 1, p) for i, p in enumerate(points)]  # the slot at each point
    probes += [(2 * i + 2, p + 1) for i, p in enumerate(points) if i + 1 == len(points) or points[i + 1] > p + 1]
    if points[0] > 0:
        probes.append((0, points[0] - 1))
    for slot, version in probes:
        assert decoded(table["answers"][slot]) == expected(version), (slot, version)
    # the same text every time, and no arguments
    assert campaign.to_table() == text
    with pytest.raises(stepstone.BadArgumentError) as e:
        campaign.to_table("json")  # type: ignore[call-arg]
    assert e.value.code == "python.bad_argument"
