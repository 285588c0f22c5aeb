#!/usr/bin/env python3
"""Writes core/tests/vectors/plan.json.

The rule cases below carry expectations written by hand from the install rule (KeepTruckin's six paths,
every constraint, every error). The all-pairs sweeps over the shared catalogs record what the
planner answers (`stepstone plan --format json`): those answers are checked independently by
the brute-force oracle property test (core/tests/plan_oracle.rs); here they pin the output so
every binding gives the same. Run: python3 scripts/vectors/plan.py (after `cargo build`).

The device rule (issue 15, "safe defaults") has its own oracle here, `device_refusal`, written
from the catalogs' releases: where the releases (yanked ones included) do not all name the same
models, a query that states no model is refused with `plan.model_required`; where any release
names models, a model none names is `plan.unknown_model`; the same for environments, checked
after the model. Every plan vector, hand-written or swept, is checked against it.
"""
import json
import os
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
CLI = os.path.join(ROOT, "target", "debug", "stepstone")

FIGURE1 = json.load(open(os.path.join(ROOT, "examples", "catalog.json")))

CATALOGS = {
    "figure1": FIGURE1,
    # Release 7 names models A and B and environments production and staging, so the catalog
    # knows B and production: a query for them reaches the target checks (`plan.target_model`,
    # `plan.target_environment`) rather than `plan.unknown_*`. Model A in staging may install
    # every release, as a query stating neither could before the device rule.
    "constraints": {"releases": [
        {"version": "1", "size": 10},
        {"version": "2", "size": 10, "models": ["A"]},
        {"version": "3", "size": 10, "barrier": True},
        {"version": "4", "size": 10, "environments": ["staging"]},
        {"version": "5", "size": 10, "blocked_from": ["3"]},
        {"version": "6", "size": 10, "deadend": True},
        {"version": "7", "size": 10, "models": ["A", "B"], "environments": ["production", "staging"]},
        {"version": "8", "size": 10, "yanked": True},
        {"version": "9", "size": 10, "min_sw_version": "8"},
    ]},
    "deltas": {"releases": [
        {"version": "1", "size": 100},
        {"version": "2", "size": 100, "deltas": [{"from": "1", "size": 5}]},
        {"version": "3", "size": 100, "deltas": [{"from": "2", "size": 5}]},
        {"version": "4", "size": 100, "deltas": [{"from": "3", "size": 5}, {"from": "1", "size": 40}]},
    ]},
    "semver": {"releases": [
        {"version": "1.0.0", "size": 50},
        {"version": "1.1.0-rc.1", "size": 50, "min_sw_version": "1.0.0"},
        {"version": "1.1.0", "size": 50, "min_sw_version": "1.0.0"},
        {"version": "2.0.0", "size": 60, "min_sw_version": "1.1.0", "blocked_from": [">=1.1.0-rc.1, <1.1.0"]},
        {"version": "2.1.0+build.7", "size": 60, "min_sw_version": "2.0.0"},
    ]},
    "coreos": {"scheme": "dotted", "releases": [
        {"version": "37.20230303.3.0", "size": 700},
        {"version": "37.20230322.3.0", "size": 700, "barrier": True},
        {"version": "38.20230430.3.1", "size": 720},
        {"version": "38.20230514.3.0", "size": 720, "blocked_from": ["<=37.20230303.3.0"]},
        {"version": "38.20230609.3.0", "size": 730, "barrier": True},
        {"version": "39.20231101.3.0", "size": 740},
        {"version": "39.20231119.3.0", "size": 740, "deadend": True},
        {"version": "39.20231204.3.3", "size": 750},
    ]},
}

vectors = []


def plan(name, catalog, frm, to, expect=None, error=None, **opts):
    v = {"name": name, "op": "plan", "catalog": catalog, "query": {"from": frm, "to": to, **opts}}
    if error:
        v["error"] = error
    else:
        v["expect"] = expect
    vectors.append(v)


def path(*p, hops=None, bytes=None):
    out = {"path": list(p), "hops": len(p) if hops is None else hops}
    if bytes is not None:
        out["bytes"] = bytes
    return out


S = {r["version"]: r["size"] for r in FIGURE1["releases"]}

# Figure 1's releases differ by model (v64000 is for AG-1 alone), so every query on it states a
# model: AG-1, which every release is for. Its environments are the same on every release
# (production, staging), so none is needed. The constraints catalog differs by both: model A in
# staging fits every release there.
AG1 = {"model": "AG-1"}
A_STAGING = {"model": "A", "environment": "staging"}

# KeepTruckin's 2020 FOTA six worked paths (Figure 1).
plan("seed-v65000", "figure1", "v64000", "v65000", path("v65000", bytes=S["v65000"]), **AG1)
plan("seed-v66000", "figure1", "v64000", "v66000", path("v65000", "v66000", bytes=S["v65000"] + S["v66000"]), **AG1)
plan("seed-v66001", "figure1", "v64000", "v66001", path("v65000", "v66000", "v66001", bytes=S["v65000"] + S["v66000"] + 81920), **AG1)
plan("seed-v66002-skips-v66001", "figure1", "v64000", "v66002", path("v65000", "v66000", "v66002", bytes=S["v65000"] + S["v66000"] + 98304), **AG1)
plan("seed-v66003-skips-minors", "figure1", "v64000", "v66003", path("v65000", "v66000", "v66003", bytes=S["v65000"] + S["v66000"] + 106496), **AG1)
plan("seed-v67000", "figure1", "v64000", "v67000", path("v65000", "v66000", "v66003", "v67000", bytes=S["v65000"] + S["v66000"] + 106496 + S["v67000"]), **AG1)

# Special cases.
plan("already-there", "figure1", "v66002", "v66002", path(bytes=0), **AG1)
plan("same-version-other-spelling", "figure1", "66002", "v66002", path(bytes=0), **AG1)
plan("version-not-in-catalog", "figure1", "v65500", "v67000", path("v66000", "v66003", "v67000", bytes=S["v66000"] + 106496 + S["v67000"]), **AG1)
plan("below-first-release", "figure1", "v1", "v65000", path("v64000", "v65000", bytes=S["v64000"] + S["v65000"]), **AG1)
plan("unknown-target", "figure1", "v64000", "v68000", error="plan.unknown_target", **AG1)
plan("downgrade-refused", "figure1", "v67000", "v65000", error="plan.downgrade", **AG1)
plan("downgrade-allowed", "figure1", "v67000", "v65000", path("v65000", bytes=S["v65000"]), allow_downgrade=True, **AG1)
plan("target-wrong-model", "figure1", "v64000", "v64000", error="plan.target_model", model="AG-2")
# Every Figure 1 release is for production and staging, so no target there is for another
# environment the catalog knows: this one is in the constraints catalog (4 is for staging).
plan("target-wrong-environment", "constraints", "1", "4", error="plan.target_environment", model="A", environment="production")
plan("model-filter", "figure1", "v65000", "v67000", path("v66000", "v66003", "v67000", bytes=S["v66000"] + 106496 + S["v67000"]), model="AG-2")
plan("malformed-from", "figure1", "v6x", "v67000", error="version.malformed", **AG1)
plan("malformed-to", "figure1", "v64000", "6.7", error="version.malformed", **AG1)
plan("bytes-uses-deltas", "figure1", "v66001", "v66003", path("v66002", "v66003", bytes=45056 + 40960), cost="bytes", **AG1)
plan("hops-skips-the-delta-chain", "figure1", "v66001", "v66003", path("v66003", bytes=S["v66003"]), **AG1)

# Constraints.
plan("barrier-required", "constraints", "1", "7", path("3", "7", bytes=20), **A_STAGING)
plan("barrier-then-environment", "constraints", "1", "5", path("3", "4", "5", bytes=30), **A_STAGING)
plan("blocked-from-with-environment", "constraints", "1", "5", error="plan.unreachable", environment="production", model="A")
plan("blocked-from-direct", "constraints", "3", "5", error="plan.unreachable", environment="production", model="A")
plan("model-a-may-use-2", "constraints", "1", "2", path("2", bytes=10), model="A", environment="staging")
plan("target-not-for-model-b", "constraints", "1", "2", error="plan.target_model", model="B", environment="staging")
plan("dead-end-cannot-leave", "constraints", "6", "7", error="plan.unreachable", **A_STAGING)
plan("dead-end-is-a-fine-target", "constraints", "3", "6", path("6", bytes=10), **A_STAGING)
plan("yanked-target", "constraints", "1", "8", error="plan.target_yanked", **A_STAGING)
plan("needs-yanked-stepping-stone", "constraints", "1", "9", error="plan.unreachable", **A_STAGING)
plan("from-yanked-release", "constraints", "8", "9", path("9", bytes=10), **A_STAGING)

# Deltas and bytes.
plan("bytes-delta-chain", "deltas", "1", "4", path("2", "3", "4", bytes=15), cost="bytes")
plan("hops-direct-uses-delta-bytes", "deltas", "1", "4", path("4", bytes=40))
plan("bytes-full-image-beats-chain", "deltas", "0", "4", path("4", bytes=100), cost="bytes")
plan("bytes-delta-beats-image", "deltas", "1", "4", path("2", "3", "4", bytes=15), cost="bytes", model="A")
vectors.append({"name": "bytes-missing-size", "op": "plan", "catalog": {"releases": [{"version": "1"}, {"version": "2"}]},
                "query": {"from": "1", "to": "2", "cost": "bytes"}, "error": "plan.missing_size"})
vectors.append({"name": "hops-without-sizes", "op": "plan", "catalog": {"releases": [{"version": "1"}, {"version": "2"}]},
                "query": {"from": "1", "to": "2"}, "expect": {"path": ["2"], "hops": 1, "bytes": None}})

# Tie-break: equal cost and hops, the higher first hop wins.
vectors.append({"name": "tie-break-higher-first-hop", "op": "plan",
                "catalog": {"releases": [{"version": "1"}, {"version": "2"}, {"version": "3"}, {"version": "4", "min_sw_version": "2"}]},
                "query": {"from": "1", "to": "4"}, "expect": {"path": ["3", "4"], "hops": 2, "bytes": None}})
vectors.append({"name": "tie-break-by-blocked", "op": "plan",
                "catalog": {"releases": [{"version": "1"}, {"version": "2"}, {"version": "3"},
                                         {"version": "4", "min_sw_version": "2", "blocked_from": ["3"]}]},
                "query": {"from": "1", "to": "4"}, "expect": {"path": ["2", "4"], "hops": 2, "bytes": None}})

# The device rule: a device the catalog cannot place is refused before any target check.
plan("model-required", "figure1", "v64000", "v67000", error="plan.model_required")
plan("model-required-environment-stated", "figure1", "v64000", "v67000", error="plan.model_required", environment="production")
plan("model-required-before-unknown-environment", "figure1", "v64000", "v67000", error="plan.model_required", environment="dev")
plan("model-required-before-unknown-target", "figure1", "v64000", "v68000", error="plan.model_required")
plan("model-required-already-there", "figure1", "v66002", "v66002", error="plan.model_required")
plan("unknown-model", "figure1", "v64000", "v67000", error="plan.unknown_model", model="AG-9")
plan("unknown-model-before-unknown-target", "figure1", "v64000", "v68000", error="plan.unknown_model", model="ag-1")
plan("unknown-environment", "figure1", "v64000", "v67000", error="plan.unknown_environment", model="AG-1", environment="dev")
plan("environment-required", "constraints", "1", "7", error="plan.environment_required", model="A")
plan("model-and-environment-required", "constraints", "1", "7", error="plan.model_required")
plan("environment-required-target-for-any", "constraints", "1", "3", error="plan.environment_required", model="B")
plan("unknown-model-constraints", "constraints", "1", "7", error="plan.unknown_model", model="C", environment="staging")
plan("unknown-environment-constraints", "constraints", "1", "7", error="plan.unknown_environment", model="B", environment="prod")
plan("known-model-and-environment-every-release-fits", "constraints", "1", "7", path("3", "7", bytes=20), model="B", environment="production")
# A catalog that names no model or environment takes any, stated or not.
plan("no-models-named-accepts-any-model", "deltas", "1", "4", path("4", bytes=40), model="any-model", environment="anywhere")
plan("no-models-named-needs-none", "deltas", "1", "4", path("4", bytes=40))
# Every release, the yanked one included, names the same models (in any order) and the same
# environments: answers cannot differ by model, so none is needed; one stated must be known.
SAME = {"releases": [
    {"version": "1", "models": ["AG-1", "AG-2"], "environments": ["production"]},
    {"version": "2", "models": ["AG-2", "AG-1"], "environments": ["production"], "yanked": True},
    {"version": "3", "min_sw_version": "1", "models": ["AG-1", "AG-2", "AG-1"], "environments": ["production"]},
]}
vectors.append({"name": "same-models-on-every-release-no-model-needed", "op": "plan", "catalog": SAME,
                "query": {"from": "1", "to": "3"}, "expect": {"path": ["3"], "hops": 1, "bytes": None}})
vectors.append({"name": "same-models-on-every-release-model-stated", "op": "plan", "catalog": SAME,
                "query": {"from": "1", "to": "3", "model": "AG-2", "environment": "production"},
                "expect": {"path": ["3"], "hops": 1, "bytes": None}})
vectors.append({"name": "same-models-on-every-release-unknown-model", "op": "plan", "catalog": SAME,
                "query": {"from": "1", "to": "3", "model": "AG-3"}, "error": "plan.unknown_model"})
vectors.append({"name": "same-models-on-every-release-unknown-environment", "op": "plan", "catalog": SAME,
                "query": {"from": "1", "to": "3", "environment": "staging"}, "error": "plan.unknown_environment"})
# An empty list is for no model (no environment): every release saying so gives a catalog
# whose answers do not differ by model, yet none of its releases is for any device, whether
# the question states a model or not (a query without one was routed to them before).
FOR_NO_MODEL = {"releases": [
    {"version": "1", "models": []},
    {"version": "2", "models": []},
]}
vectors.append({"name": "empty-models-everywhere-no-model-stated", "op": "plan", "catalog": FOR_NO_MODEL,
                "query": {"from": "1", "to": "2"}, "error": "plan.target_model"})
vectors.append({"name": "empty-models-everywhere-model-stated", "op": "plan", "catalog": FOR_NO_MODEL,
                "query": {"from": "1", "to": "2", "model": "AG-1"}, "error": "plan.target_model"})
FOR_NO_ENVIRONMENT = {"releases": [
    {"version": "1", "environments": []},
    {"version": "2", "environments": []},
]}
vectors.append({"name": "empty-environments-everywhere-none-stated", "op": "plan", "catalog": FOR_NO_ENVIRONMENT,
                "query": {"from": "1", "to": "2"}, "error": "plan.target_environment"})
# One yanked release naming a model is enough to make answers differ by model.
YANKED_NAMES = {"releases": [
    {"version": "1"},
    {"version": "2", "models": ["AG-1"], "environments": ["beta"], "yanked": True},
    {"version": "3"},
]}
vectors.append({"name": "yanked-release-names-a-model", "op": "plan", "catalog": YANKED_NAMES,
                "query": {"from": "1", "to": "3"}, "error": "plan.model_required"})
vectors.append({"name": "yanked-release-names-an-environment", "op": "plan", "catalog": YANKED_NAMES,
                "query": {"from": "1", "to": "3", "model": "AG-1"}, "error": "plan.environment_required"})
vectors.append({"name": "yanked-release-names-both", "op": "plan", "catalog": YANKED_NAMES,
                "query": {"from": "1", "to": "3", "model": "AG-1", "environment": "beta"},
                "expect": {"path": ["3"], "hops": 1, "bytes": None}})

# SemVer and dotted schemes.
plan("semver-prerelease-skipped", "semver", "1.0.0", "2.1.0", path("1.1.0", "2.0.0", "2.1.0+build.7", bytes=170))
plan("semver-blocked-range", "semver", "1.1.0-rc.1", "2.0.0", path("1.1.0", "2.0.0", bytes=110))
plan("semver-build-metadata-same-version", "semver", "2.1.0", "2.1.0+other", path(bytes=0))
plan("coreos-barriers", "coreos", "37.20230303.3.0", "39.20231204.3.3",
     path("37.20230322.3.0", "38.20230609.3.0", "39.20231204.3.3", bytes=700 + 730 + 750))
plan("coreos-dead-end", "coreos", "39.20231119.3.0", "39.20231204.3.3", error="plan.unreachable")
plan("coreos-trailing-zero", "coreos", "38.20230609.3", "39.20231101.3.0", path("39.20231101.3.0", bytes=740))

# Catalog loading.
def load(name, catalog, error=None, errors=None, expect=None, text=None, message=None):
    v = {"name": name, "op": "load"}
    if text is not None:
        v["catalog_text"] = text
    else:
        v["catalog"] = catalog
    if error:
        v["error"] = error
        v["errors"] = errors or [error]
        if message is not None:
            v["message"] = message
    else:
        v["expect"] = expect
    vectors.append(v)


load("load-figure1", "figure1", expect={"releases": 7, "scheme": "integer"})
load("load-semver-detected", "semver", expect={"releases": 5, "scheme": "semver"})
load("load-dotted-detected", {"releases": [{"version": "38.20231027.3.2"}, {"version": "4.2.1.1207"}]}, expect={"releases": 2, "scheme": "dotted"})
load("load-not-json", None, text="{\"releases\": [", error="catalog.json")
load("load-duplicate", {"releases": [{"version": "v1"}, {"version": "1"}]}, error="catalog.duplicate_version")
load("load-duplicate-dotted", {"releases": [{"version": "4.2"}, {"version": "4.2.0"}]}, error="catalog.duplicate_version")
load("load-min-sw-not-lower", {"releases": [{"version": "5", "min_sw_version": "5"}]}, error="catalog.min_sw_not_lower")
load("load-malformed", {"scheme": "integer", "releases": [{"version": "1.2"}]}, error="catalog.malformed_version")
load("load-no-scheme", {"releases": [{"version": "1.2.3-rc.1"}, {"version": "1.2.3.4"}]}, error="catalog.no_scheme")
load("load-delta-not-lower", {"releases": [{"version": "5", "deltas": [{"from": "6", "size": 1}]}]}, error="catalog.delta_not_lower")
load("load-bad-size", {"releases": [{"version": "5", "size": -1}]}, error="catalog.bad_size")
load("load-size-too-large", {"releases": [{"version": "5", "size": 9007199254740992}]}, error="catalog.bad_size")
load("load-bad-sha256", {"releases": [{"version": "5", "sha256": "xyz"}]}, error="catalog.bad_sha256")
load("load-unknown-field", {"releases": [{"version": "5", "colour": "red"}]}, error="catalog.unknown_field")
load("load-bad-range", {"releases": [{"version": "5", "blocked_from": [">v3, <v2"]}]}, error="catalog.bad_range")
load("load-every-error", {"releases": [{"version": "v1", "size": 0, "sha256": "00"}, {"version": "1", "extra": True}]},
     error="catalog.unknown_field",
     errors=["catalog.unknown_field", "catalog.bad_size", "catalog.bad_sha256", "catalog.duplicate_version"])
# A key given twice in any object is refused, whatever its values (a JSON parser keeping the
# last value would lose release 20.9.9 here): one error, at the first repeat, the column
# counting bytes up to the end of the repeated key.
load("load-repeated-key-top-level", None, error="catalog.json",
     text='{"releases": [{"version": "20.9.9"}],\n "releases": [{"version": "21.0.0"}]}',
     message="catalog is not valid JSON: duplicate field `releases` at line 2 column 11")
load("load-repeated-key-in-a-release", None, error="catalog.json",
     text='{"releases": [{"version": "20.9.9", "version": "21.0.0"}, {"version": "20.9.8"}]}',
     message="catalog is not valid JSON: duplicate field `version` at line 1 column 45")
load("load-repeated-key-in-a-delta", None, error="catalog.json",
     text='{"releases": [{"version": "1.0.0"}, {"version": "2.0.0", "deltas": [{"from": "1.0.0", "size": 5, "size": 6}]}]}',
     message="catalog is not valid JSON: duplicate field `size` at line 1 column 103")
load("load-repeated-key-first-value-wrong", None, error="catalog.json",
     text='{"releases": [{"version": "1", "size": "big",\n  "unknown": 1, "size"  : 5}]}',
     message="catalog is not valid JSON: duplicate field `size` at line 2 column 24")

# Lint.
vectors.append({"name": "lint-figure1-clean", "op": "lint", "catalog": "figure1", "expect": {"warnings": []}})
vectors.append({"name": "lint-constraints", "op": "lint", "catalog": "constraints", "expect": None})
vectors.append({"name": "lint-yanked-stone", "op": "lint",
                "catalog": {"releases": [{"version": "1"}, {"version": "2", "min_sw_version": "1", "yanked": True}, {"version": "3", "min_sw_version": "2"}]},
                "expect": None})

# Explain.
vectors.append({"name": "explain-seed", "op": "explain", "catalog": "figure1",
                "query": {"from": "v64000", "to": "v67000", "model": "AG-1"},
                "expect": {"releases": [["v65000", "install"], ["v66000", "install"], ["v66001", "cheaper_path"],
                                        ["v66002", "cheaper_path"], ["v66003", "install"], ["v67000", "install"]]}})
vectors.append({"name": "explain-constraints", "op": "explain", "catalog": "constraints",
                "query": {"from": "1", "to": "9", "model": "B", "environment": "staging"}, "expect": None})
vectors.append({"name": "explain-constraints-production", "op": "explain", "catalog": "constraints",
                "query": {"from": "1", "to": "7", "model": "B", "environment": "production"}, "expect": None})
# A refused device: the outcome is the refusal, and no release is explained.
vectors.append({"name": "explain-model-required", "op": "explain", "catalog": "figure1",
                "query": {"from": "v64000", "to": "v67000"}, "expect": {"releases": []}})


def run_cli(catalog, args):
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as f:
        json.dump(catalog, f)
    try:
        r = subprocess.run([CLI, *args[:1], f.name, *args[1:]], capture_output=True, text=True)
    finally:
        os.unlink(f.name)
    return r


def query_args(q):
    a = ["--from", q["from"], "--to", q["to"], "--format", "json"]
    for k in ("model", "environment", "cost"):
        if k in q:
            a += [f"--{k}", q[k]]
    if q.get("allow_downgrade"):
        a.append("--allow-downgrade")
    return a


# All-pairs sweeps: every catalog version (and a few between) to every release, for a device
# every release is for (no model or environment where the catalog names none).
SWEEP_DEVICE = {"figure1": AG1, "constraints": A_STAGING, "coreos": {}}
for cname in ("figure1", "constraints", "coreos"):
    cat = CATALOGS[cname]
    versions = [r["version"] for r in cat["releases"]]
    for i, frm in enumerate(versions):
        for to in versions[i + 1:]:
            for cost in ("hops", "bytes"):
                q = {"from": frm, "to": to, "cost": cost, **SWEEP_DEVICE[cname]}
                r = run_cli(cat, ["plan", *query_args(q)])
                out = json.loads(r.stdout)
                v = {"name": f"sweep-{cname}-{frm}-{to}-{cost}", "op": "plan", "catalog": cname, "query": q}
                if "error" in out:
                    v["error"] = out["error"]["code"]
                else:
                    v["expect"] = {"path": out["path"], "hops": out["hops"], "bytes": out["bytes"]}
                vectors.append(v)

# Fill the expectations written as None from the CLI (lint and explain snapshots).
for v in vectors:
    if v.get("expect", 0) is None and v["op"] in ("lint", "explain"):
        cat = CATALOGS[v["catalog"]] if isinstance(v["catalog"], str) else v["catalog"]
        if v["op"] == "lint":
            r = run_cli(cat, ["validate", "--format", "json"])
            out = json.loads(r.stdout)
            v["expect"] = {"warnings": [[w["code"], w["release"]] for w in out["warnings"]]}
        else:
            r = run_cli(cat, ["plan", *query_args(v["query"]), "--explain"])
            out = json.loads(r.stdout)
            v["expect"] = {"releases": [[n["version"], n["verdict"]] for n in out["releases"]]}

# Check the hand-written expectations against the CLI, so a wrong hand case is caught here.
bad = 0
for v in vectors:
    if v["op"] == "explain":
        cat = CATALOGS[v["catalog"]] if isinstance(v["catalog"], str) else v["catalog"]
        out = json.loads(run_cli(cat, ["plan", *query_args(v["query"]), "--explain"]).stdout)
        if [[n["version"], n["verdict"]] for n in out["releases"]] != v["expect"]["releases"]:
            bad += 1
            print(f"MISMATCH {v['name']}: want {v['expect']}, got {out}", file=sys.stderr)
        continue
    if v["op"] != "plan" or v["name"].startswith("sweep-"):
        continue
    cat = CATALOGS[v["catalog"]] if isinstance(v["catalog"], str) else v["catalog"]
    out = json.loads(run_cli(cat, ["plan", *query_args(v["query"])]).stdout)
    if "error" in v:
        ok = out.get("error", {}).get("code") == v["error"]
    else:
        e = v["expect"]
        ok = out.get("path") == e["path"] and out.get("hops") == e["hops"] and ("bytes" not in e or out.get("bytes") == e["bytes"])
    if not ok:
        bad += 1
        print(f"MISMATCH {v['name']}: want {v.get('expect') or v.get('error')}, got {out}", file=sys.stderr)

# The device rule, from the catalogs themselves (not from the CLI): every plan vector's answer
# is the refusal this oracle gives, or (when it gives none) not one of the device codes.
DEVICE_CODES = ("plan.model_required", "plan.unknown_model", "plan.environment_required", "plan.unknown_environment")


def device_refusal(catalog, q):
    def check(field, stated, required, unknown):
        lists = [frozenset(r[field]) if field in r else None for r in catalog["releases"]]
        differ = any(x != lists[0] for x in lists)
        named = set()
        for x in lists:
            named |= x or set()
        if stated is None:
            return required if differ else None
        return unknown if named and stated not in named else None
    return (check("models", q.get("model"), "plan.model_required", "plan.unknown_model")
            or check("environments", q.get("environment"), "plan.environment_required", "plan.unknown_environment"))


for v in vectors:
    if v["op"] not in ("plan", "explain"):
        continue
    cat = CATALOGS[v["catalog"]] if isinstance(v["catalog"], str) else v["catalog"]
    want = device_refusal(cat, v["query"])
    if v["op"] == "explain":
        ok = (v["expect"]["releases"] == []) if want else bool(v["expect"]["releases"])
    elif want:
        ok = v.get("error") == want
    else:
        ok = v.get("error") not in DEVICE_CODES
    if not ok:
        bad += 1
        print(f"DEVICE RULE {v['name']}: the oracle says {want}, the vector {v.get('expect') or v.get('error')}", file=sys.stderr)
refused = {c: sum(1 for v in vectors if v.get("error") == c) for c in DEVICE_CODES}
print("device refusals:", ", ".join(f"{c} {n}" for c, n in refused.items()))
assert all(refused.values()), "every device code has a vector"

doc = {
    "format": 1,
    "description": "Catalog loading, planning, lint and explain vectors. See README.md in this folder, section plan.json.",
    "catalogs": CATALOGS,
    "vectors": vectors,
}
with open(os.path.join(ROOT, "core", "tests", "vectors", "plan.json"), "w") as f:
    json.dump(doc, f, indent=1, ensure_ascii=False)
    f.write("\n")
print(f"{len(vectors)} vectors written, {bad} hand cases disagree with the CLI or the device rule")
sys.exit(1 if bad else 0)
