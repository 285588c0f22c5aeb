#!/usr/bin/env python3
"""Writes core/tests/vectors/reconcile.json. Every expectation below is written by hand from
docs/reconciler.md and docs/retry.md (policies with jitter 0 where a backoff time is expected,
so the times follow from the spec by hand). Run from the repository root:

    python3 scripts/vectors/reconcile.py
"""
import json
W = 604800
cat = {"scheme": "integer", "releases": [
    {"version": "v64000", "size": 1572864},
    {"version": "v65000", "min_sw_version": "v64000", "size": 1638400},
    {"version": "v66000", "min_sw_version": "v65000", "size": 1703936},
    {"version": "v66001", "min_sw_version": "v66000", "size": 1708032},
    {"version": "v66002", "min_sw_version": "v66000", "size": 1712128},
    {"version": "v66003", "min_sw_version": "v66000", "size": 1716224},
    {"version": "v67000", "min_sw_version": "v66003", "size": 1835008}]}
def install(rel, job, exp, att, **kw):
    return {"action": "install", "release": rel, "job": job, "expires_at": exp, "attempt": att, **kw}
def created(job, rel, at):
    return {"apply": {"event": "job_created", "job": job, "release": rel, "at": at, "expires_at": at + W}, "expect": "changed"}
def ok(job, seq, at, rel, expect="changed"):
    return {"apply": {"event": "job_succeeded", "job": job, "seq": seq, "at": at, "reports": rel}, "expect": expect}
def failed(job, seq, at, kind, rel, expect="changed"):
    return {"apply": {"event": "job_failed", "job": job, "seq": seq, "at": at, "kind": kind, "reports": rel}, "expect": expect}
def rep(seq, at, rel, expect):
    return {"apply": {"event": "reported", "seq": seq, "at": at, "reports": rel}, "expect": expect}
def dec(now, action):
    return {"decide": now, "expect": action}
NOJ = {"jitter_ppm": 0}
vs = [
 {"name": "seed-march-v64000-to-v67000", "target": "v67000", "state": {"reported": "v64000", "device_seq": 1}, "steps": [
   dec(0, install("v65000", 1, W, 1)), created(1, "v65000", 0), ok(1, 2, 100, "v65000"), ok(1, 2, 100, "v65000", "not_in_flight"),
   dec(100, install("v66000", 2, 100 + W, 1)), created(2, "v66000", 100), rep(3, 150, "v66000", "changed"), ok(2, 2, 140, "v66000", "not_in_flight"),
   dec(200, install("v66003", 3, 200 + W, 1)), created(3, "v66003", 200), ok(3, 4, 300, "v66003"),
   dec(300, install("v67000", 4, 300 + W, 1)), created(4, "v67000", 300), ok(4, 5, 400, "v67000"),
   dec(400, {"action": "done"})],
  "expect_state": {"reported": "v67000", "device_seq": 5, "last_job": 4, "total_attempts": 4}},
 {"name": "failure-backoff-then-give-up", "target": "v65000", "policy": {"jitter_ppm": 0, "attempts_per_hop": 2},
  "state": {"reported": "v64000", "device_seq": 1}, "steps": [
   dec(0, install("v65000", 1, W, 1)), created(1, "v65000", 0), failed(1, 2, 10, "failed", "v64000"),
   failed(1, 2, 10, "failed", "v64000", "not_in_flight"),
   dec(10, {"action": "wait", "until": 70, "reason": {"why": "backoff", "kind": "failed"}}),
   dec(70, install("v65000", 2, 70 + W, 2)), created(2, "v65000", 70), failed(2, 3, 80, "download_error", "v64000"),
   dec(80, {"action": "give_up", "reason": {"why": "retry", "rule": {"rule": "attempts_per_hop", "limit": 2}}})]},
 {"name": "expired-job-on-a-shelf-then-reconnect", "target": "v65000", "policy": NOJ,
  "state": {"reported": "v64000", "device_seq": 1}, "steps": [
   dec(0, install("v65000", 1, W, 1)), created(1, "v65000", 0),
   dec(1000, {"action": "wait", "until": W, "reason": {"why": "awaiting_job", "job": 1}}),
   dec(W, {"action": "expire", "job": 1}),
   {"apply": {"event": "job_expired", "job": 1, "at": W}, "expect": "changed"},
   {"apply": {"event": "job_expired", "job": 1, "at": W}, "expect": "not_in_flight"},
   dec(700000, {"action": "hold", "reason": {"why": "unresponsive"}}),
   rep(2, 31536000, "v64000", "changed"),
   dec(31536000, install("v65000", 2, 31536000 + W, 2))]},
 {"name": "rollback-remembered-then-cleared", "target": "v67000", "state": {"reported": "v66000", "device_seq": 1}, "steps": [
   dec(0, install("v66003", 1, W, 1)), created(1, "v66003", 0), ok(1, 2, 50, "v66000"),
   dec(50, {"action": "hold", "reason": {"why": "rolled_back", "release": "v66003"}}),
   {"apply": {"event": "operator", "seq": 1, "action": {"action": "clear_rolled_back", "release": None}}, "expect": "changed"},
   {"apply": {"event": "operator", "seq": 1, "action": {"action": "clear_rolled_back", "release": None}}, "expect": "duplicate"},
   dec(60, install("v66003", 2, 60 + W, 2))]},
 {"name": "rollback-seen-in-a-later-report", "target": "v67000", "state": {"reported": "v66003", "device_seq": 4}, "steps": [
   rep(5, 10, "v66000", "changed"),
   dec(10, {"action": "hold", "reason": {"why": "rolled_back", "release": "v66003"}})],
  "expect_state": {"reported": "v66000", "rolled_back": ["v66003"]}},
 {"name": "stale-duplicate-and-hand-installed-reports", "target": "v67000", "state": {"reported": "v65000", "device_seq": 5}, "steps": [
   rep(5, 0, "v66000", "duplicate"), rep(3, 0, "v66003", "stale"), rep(6, 0, "v66001", "changed"),
   dec(0, install("v66003", 1, W, 1))]},
 {"name": "target-change-resets-counters", "target": "v65000", "policy": {"attempts_per_hop": 1},
  "state": {"reported": "v64000", "device_seq": 1}, "steps": [
   dec(0, install("v65000", 1, W, 1)), created(1, "v65000", 0), failed(1, 2, 5, "rejected", "v64000"),
   dec(5, {"action": "give_up", "reason": {"why": "retry", "rule": {"rule": "attempts_per_hop", "limit": 1}}}),
   {"apply": {"event": "target_changed", "campaign": 1, "at": 6}, "expect": "changed"},
   {"apply": {"event": "target_changed", "campaign": 1, "at": 6}, "expect": "duplicate"},
   dec(6, install("v65000", 2, 6 + W, 1))]},
 {"name": "yank-cancels-the-job-in-flight", "target": "v65000", "state": {"reported": "v64000", "device_seq": 1}, "steps": [
   dec(0, install("v65000", 1, W, 1)), created(1, "v65000", 0), created(1, "v65000", 0) | {"expect": "duplicate"},
   {"apply": {"event": "release_yanked", "revision": 1, "release": "v65000"}, "expect": "changed"},
   {"apply": {"event": "catalog_changed", "revision": 1, "at": 1}, "expect": "duplicate"},
   {"apply": {"event": "catalog_changed", "revision": 2, "at": 1}, "expect": "changed"},
   ok(1, 2, 3, "v65000", "not_in_flight"),
   dec(3, install("v65000", 2, 3 + W, 2))]},
 {"name": "no-report-holds", "target": "v67000", "state": {}, "steps": [dec(0, {"action": "hold", "reason": {"why": "no_report"}})]},
 {"name": "above-target-has-no-path", "target": "v66000", "state": {"reported": "v67000", "device_seq": 1}, "steps": [
   dec(0, {"action": "give_up", "reason": {"why": "no_path", "code": "plan.downgrade"}})]},
 {"name": "at-target-is-done", "target": "v66002", "state": {"reported": "v66002", "device_seq": 1}, "steps": [dec(0, {"action": "done"})]},
 {"name": "campaign-start-window-and-end", "target": "v65000",
  "timing": {"start": 345600, "end": 345600 + 30 * 86400, "windows": [{"day": 0, "start_minute": 0, "duration_minutes": 60}], "utc_offset_secs": 0},
  "state": {"reported": "v64000", "device_seq": 1}, "steps": [
   dec(0, {"action": "wait", "until": 345600, "reason": {"why": "campaign_not_started"}}),
   dec(345610, install("v65000", 1, 345610 + W, 1)),
   dec(345600 + 3600, {"action": "wait", "until": 345600 + W, "reason": {"why": "maintenance_window"}}),
   dec(345600 + 28 * 86400, install("v65000", 1, 345600 + 30 * 86400, 1)),
   dec(345600 + 30 * 86400, {"action": "hold", "reason": {"why": "campaign_ended"}})]},
 {"name": "maintenance-window-utc-minus-5", "target": "v65000",
  "timing": {"windows": [{"day": 0, "start_minute": 60, "duration_minutes": 60}], "utc_offset_secs": -18000},
  "state": {"reported": "v64000", "device_seq": 1}, "steps": [
   dec(345600, {"action": "wait", "until": 345600 + 6 * 3600, "reason": {"why": "maintenance_window"}}),
   dec(345600 + 6 * 3600 + 60, install("v65000", 1, 345600 + 6 * 3600 + 60 + W, 1))]},
 {"name": "rollout-stage-opens-then-halts", "target": "v65000", "device_id": "AG1-000001",
  "rollout": {"salt": "r", "schedule": {"stages": [{"fraction_ppm": 0, "min_soak_secs": 10}, {"fraction_ppm": 1000000}]}},
  "state": {"reported": "v64000", "device_seq": 1}, "steps": [
   dec(0, {"action": "hold", "reason": {"why": "not_in_rollout", "recheck_at": 10}}),
   {"rollout_advance": 10},
   dec(10, install("v65000", 1, 10 + W, 1, stage=1)),
   {"rollout_halt": 11},
   dec(12, {"action": "hold", "reason": {"why": "rollout_halted"}})]},
]
doc = {"format": 1,
 "description": "Reconciler event sequences. Each vector starts from `state` (DeviceState with versions as strings; absent fields default), toward `target` in catalog `figure1`, with `policy` (fields that differ from the default retry policy), optional `timing`, optional `rollout` (started at 0) and `device_id` (default \"device-1\"). `steps` run in order: `apply` an event and expect what apply says (changed, duplicate, stale, not_in_flight), or `decide` at a time and expect the action, or `rollout_advance` / `rollout_halt` at a time. `expect_state`, when present, lists fields of the final state. See docs/reconciler.md.",
 "catalogs": {"figure1": cat}, "vectors": vs}
json.dump(doc, open("core/tests/vectors/reconcile.json", "w"), indent=1)
open("core/tests/vectors/reconcile.json", "a").write("\n")
print(len(vs))
