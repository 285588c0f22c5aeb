"""Value objects pickle (a Spark UDF's closure, `multiprocessing`, a cache) and answer alike
after the trip; objects that hold a private key or a stream's running state do not."""

from __future__ import annotations

import json
import pickle
from typing import Any

import pytest

import stepstone
from conftest import ROOT


def trip(o: Any) -> Any:
    return pickle.loads(pickle.dumps(o))


def answers(campaign: stepstone.Campaign, versions: list[str]) -> list[Any]:
    return [a.code if isinstance(a, stepstone.Error) else a
            for a in campaign.next_hops(versions, return_exceptions=True)]


VERSIONS = [f"v{n}" for n in range(63990, 67010)] + ["v6x", "1.2.3"]


def test_a_catalog_pickles_as_its_json(figure1: stepstone.Catalog) -> None:
    again = trip(figure1)
    assert type(again) is stepstone.Catalog and again.to_json() == figure1.to_json()
    for model in ("AG-1", "AG-2"):
        assert again.plan("v64000" if model == "AG-1" else "v65000", "v67000", model=model).path == \
            figure1.plan("v64000" if model == "AG-1" else "v65000", "v67000", model=model).path
    assert again.lint() == figure1.lint()


def test_a_campaign_pickles_as_its_table(figure1: stepstone.Catalog) -> None:
    for kwargs in ({"model": "AG-1", "environment": "production"}, {"model": "AG-2"},
                   {"model": "AG-1", "cost": "bytes", "allow_downgrade": True}):
        campaign = figure1.campaign("v66000", **kwargs)
        again = trip(campaign)
        assert (again.target, again.model, again.environment, len(again)) == \
            (campaign.target, campaign.model, campaign.environment, len(campaign))
        assert again.to_table() == campaign.to_table()
        assert answers(again, VERSIONS) == answers(campaign, VERSIONS)


def test_a_table_runs_a_reconciler_without_the_catalog(figure1: stepstone.Catalog) -> None:
    campaign = figure1.campaign("v67000", model="AG-1", environment="production")
    table = stepstone.Campaign.from_table(campaign.to_table(), "AG-1", environment="production")
    assert (table.model, table.environment) == ("AG-1", "production")
    assert answers(table, VERSIONS) == answers(campaign, VERSIONS)
    event = {"event": "reported", "seq": 1, "at": 1000, "reports": "v64000"}
    decided = []
    for c in (campaign, table):
        rec = stepstone.Reconciler(c, policy=stepstone.RetryPolicy())
        state, outcome = rec.apply(None, event)
        decided.append((state, outcome, rec.decide("AG1-000123", state, 1000).to_dict()))
    assert decided[0] == decided[1] and decided[0][2]["release"] == "v65000"


def test_from_table_refuses_what_is_not_a_table(figure1: stepstone.Catalog) -> None:
    good = json.loads(figure1.campaign("v67000", model="AG-1").to_table())
    for text, code in [
        ("", "reconcile.invalid_table"),
        ("{}", "reconcile.invalid_table"),
        (json.dumps({**good, "answers": good["answers"][:-1]}), "reconcile.invalid_table"),
        (json.dumps({**good, "points": list(reversed(good["points"]))}), "reconcile.invalid_table"),
        (json.dumps({**good, "version": 2}), "reconcile.table_version"),
        (json.dumps(good)[:-9], "reconcile.invalid_table"),
    ]:
        with pytest.raises(stepstone.ReconcileError) as e:
            stepstone.Campaign.from_table(text)
        assert e.value.code == code, text
    for bad in [42, None, b"{}"]:
        with pytest.raises(stepstone.BadArgumentError):
            stepstone.Campaign.from_table(bad)  # type: ignore[arg-type]
    with pytest.raises(stepstone.BadArgumentError):
        stepstone.Campaign.from_table(json.dumps(good), 7)  # type: ignore[arg-type]


def test_sampling_retry_and_rollout_objects_pickle() -> None:
    plan = stepstone.SamplingPlan.from_dict(
        {"salt": "acme-2026", "period_seconds": 86400, "classes": {"metrics": 50000, "logs": 1}})
    again = trip(plan)
    assert again.to_json() == plan.to_json()
    ids = [f"dev-{i}" for i in range(2000)]
    sampler, rate = plan.sampler("metrics", 3)
    for s in (sampler, trip(sampler), stepstone.Sampler(b"\xff\x00salt", "metrics", 2**64 - 1)):
        assert trip(s).positions(ids) == s.positions(ids)
        assert repr(trip(s)) == repr(s)
    assert trip(sampler).sampled(ids, rate) == sampler.sampled(ids, rate)

    policy = stepstone.RetryPolicy({"attempts_per_hop": 4, "rejected": {"base_secs": 3600}})
    assert trip(policy).to_json() == policy.to_json()
    rollout = stepstone.Rollout({"salt": "r", "schedule": {"stages": [
        {"fraction_ppm": 10000, "min_soak_secs": 3600}, {"fraction_ppm": 1000000}]}})
    again = trip(rollout)
    assert [again.position(i) for i in ids] == [rollout.position(i) for i in ids]
    assert repr(again) == repr(rollout)


def test_keys_and_running_state_do_not_pickle(figure1: stepstone.Catalog) -> None:
    key = stepstone.SigningKey.generate()
    rec = stepstone.Reconciler(figure1.campaign("v67000", model="AG-1"))
    for o in (key, rec, stepstone.ImageHasher()):
        with pytest.raises(TypeError):
            pickle.dumps(o)
