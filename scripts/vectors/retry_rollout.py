#!/usr/bin/env python3
"""Independent oracle for retry.json and rollout.json: recomputes every expected value from the
written specs (docs/retry.md, docs/rollout.md, docs/sampling.md) with hashlib and Python
integers / decimals, without the Rust code. Run from the repository root:

    python3 scripts/vectors/retry_rollout.py

It rewrites the two files; `git diff` should show nothing unless the spec changed."""
import hashlib, json, struct
from decimal import Decimal, getcontext

getcontext().prec = 80

DEFAULT_KIND = {"retry": True, "max_failures": None, "base_secs": 60, "factor": 2, "cap_secs": 6 * 3600}
KINDS = ["failed", "timed_out", "rejected", "download_error"]


def policy_full(p):
    full = {"attempts_per_hop": 5, "jitter_ppm": 500_000,
            "give_up": {"max_total_attempts": None, "max_elapsed_secs": None}}
    for k in KINDS:
        full[k] = dict(DEFAULT_KIND)
    full["download_error"]["base_secs"] = 30
    for key, value in p.items():
        if key in KINDS or key == "give_up":
            full[key] = {**full[key], **value}
        else:
            full[key] = value
    return full


def jitter_hash(device_id, hop, attempt):
    d, h = device_id.encode(), hop.encode()
    msg = b"stepstone/jitter/v1" + struct.pack(">I", len(d)) + d + struct.pack(">I", len(h)) + h + struct.pack(">I", attempt)
    return int.from_bytes(hashlib.sha256(msg).digest()[:8], "big")


def delay(k, n):
    d = min(k["base_secs"], k["cap_secs"])
    i = 1
    while i < n and d < k["cap_secs"]:
        d = min(d * k["factor"], k["cap_secs"])
        i += 1
    return d


def backoff(p, kind, n, device_id, hop, attempt):
    d = delay(p[kind], n)
    spread = d * p["jitter_ppm"] // 1_000_000
    if spread == 0:
        return d
    return d - jitter_hash(device_id, hop, attempt) % (spread + 1)


def exhausted(p, hop, kind, total, first, now):
    k = p[kind]
    if not k["retry"]:
        return "retry.not_retried"
    if k["max_failures"] is not None and hop["failures"].get(kind, 0) >= k["max_failures"]:
        return "retry.kind_limit"
    if hop["attempts"] >= p["attempts_per_hop"]:
        return "retry.attempts_per_hop"
    g = p["give_up"]
    if g["max_total_attempts"] is not None and total >= g["max_total_attempts"]:
        return "retry.total_attempts"
    if g["max_elapsed_secs"] is not None and now - first >= g["max_elapsed_secs"]:
        return "retry.elapsed"
    return None


def after_failure(p, hop, kind, total, first, failed_at, device_id, hop_id):
    if failed_at < first:
        return None  # retry.failed_before_first_attempt
    r = exhausted(p, hop, kind, total, first, failed_at)
    if r:
        return {"give_up": r}
    n = max(hop["failures"].get(kind, 0), 1)
    at = failed_at + backoff(p, kind, n, device_id, hop_id, hop["attempts"])
    g = p["give_up"]["max_elapsed_secs"]
    if g is not None and at - first > g:
        return {"give_up": "retry.elapsed"}
    return {"retry_at": at}


def retry_vectors():
    vs = []
    for kind in KINDS:
        for n in [1, 2, 3, 5, 9, 30]:
            for jitter in [0, 500_000, 1_000_000]:
                p = {"jitter_ppm": jitter}
                full = policy_full(p)
                vs.append({"name": f"backoff-{kind}-n{n}-j{jitter}", "op": "backoff", "policy": p, "kind": kind,
                           "n": n, "device_id": "AG1-000123", "hop": "v66003", "attempt": n,
                           "expect": {"delay_secs": backoff(full, kind, n, "AG1-000123", "v66003", n),
                                      "jitter_hash": "%016x" % jitter_hash("AG1-000123", "v66003", n)}})
    for dev, hop, att in [("", "", 0), ("dev-1", "v65000", 1), ("ab", "c", 1), ("a", "bc", 1), ("DA143532", "67000", 4294967295)]:
        vs.append({"name": f"jitter-hash-{dev or 'empty'}-{hop or 'empty'}-{att}", "op": "jitter_hash", "device_id": dev,
                   "hop": hop, "attempt": att, "expect": {"jitter_hash": "%016x" % jitter_hash(dev, hop, att)}})
    cases = [
        ("first-failure", {}, {"attempts": 1, "failures": {"failed": 1}}, "failed", 1, 0, 1000),
        ("fourth-failure", {}, {"attempts": 4, "failures": {"failed": 2, "download_error": 2}}, "download_error", 4, 0, 5000),
        ("fifth-gives-up", {}, {"attempts": 5, "failures": {"failed": 5}}, "failed", 5, 0, 9000),
        ("three-attempts-policy", {"attempts_per_hop": 3}, {"attempts": 3, "failures": {"timed_out": 3}}, "timed_out", 3, 0, 100),
        ("rejected-not-retried", {"rejected": {"retry": False}}, {"attempts": 1, "failures": {"rejected": 1}}, "rejected", 1, 0, 10),
        ("download-kind-limit", {"download_error": {"max_failures": 2}}, {"attempts": 2, "failures": {"download_error": 2}}, "download_error", 2, 0, 10),
        ("total-limit", {"give_up": {"max_total_attempts": 7}}, {"attempts": 1, "failures": {"failed": 1}}, "failed", 7, 0, 10),
        ("elapsed-limit", {"give_up": {"max_elapsed_secs": 86400}}, {"attempts": 1, "failures": {"failed": 1}}, "failed", 3, 0, 86400),
        ("retry-lands-after-elapsed", {"give_up": {"max_elapsed_secs": 86400}, "jitter_ppm": 0}, {"attempts": 1, "failures": {"failed": 1}}, "failed", 3, 0, 86390),
        ("capped", {"failed": {"base_secs": 600, "factor": 10, "cap_secs": 3600}, "jitter_ppm": 0, "attempts_per_hop": 10},
         {"attempts": 4, "failures": {"failed": 4}}, "failed", 4, 0, 100),
        # The first attempt failed at the time it started: a retry, counted from there.
        ("failed-at-first-attempt", {}, {"attempts": 1, "failures": {"failed": 1}}, "failed", 1, 5000, 5000),
        # A failure before the march's first attempt: one of the clocks is wrong.
        ("failed-before-first-attempt", {}, {"attempts": 1, "failures": {"failed": 1}}, "failed", 1, 2000, 1000),
    ]
    for name, p, hop, kind, total, first, at in cases:
        full = policy_full(p)
        v = {"name": f"after-failure-{name}", "op": "after_failure", "policy": p, "hop_counters": hop, "kind": kind,
             "total_attempts": total, "first_attempt_at": first, "failed_at": at,
             "device_id": "AG1-000123", "hop": "v65000"}
        answer = after_failure(full, hop, kind, total, first, at, "AG1-000123", "v65000")
        if answer is None:
            v["error"] = "retry.failed_before_first_attempt"
        else:
            v["expect"] = answer
        vs.append(v)
    # Failures and attempts are numbered from 1: 0 is refused, never read as 1.
    for name, n, att in [("n0", 0, 1), ("attempt0", 1, 0)]:
        vs.append({"name": f"backoff-failed-{name}", "op": "backoff", "policy": {}, "kind": "failed",
                   "n": n, "device_id": "AG1-000123", "hop": "v66003", "attempt": att,
                   "error": "retry.zero_number"})
    errors = [
        ("zero-attempts", {"attempts_per_hop": 0}, "retry.zero_attempts"),
        ("jitter-above-one", {"jitter_ppm": 1_000_001}, "retry.jitter_out_of_range"),
        ("zero-factor", {"failed": {"factor": 0}}, "retry.zero_factor"),
        ("cap-below-base", {"timed_out": {"base_secs": 100, "cap_secs": 10}}, "retry.cap_below_base"),
        ("zero-kind-limit", {"rejected": {"max_failures": 0}}, "retry.zero_limit"),
        ("zero-total", {"give_up": {"max_total_attempts": 0}}, "retry.zero_limit"),
        ("unknown-field", {"attempts": 3}, "retry.json"),
    ]
    for name, p, code in errors:
        vs.append({"name": f"policy-{name}", "op": "policy", "policy": p, "error": code})
    return {"format": 1,
            "description": "Retry policy: jittered backoff (op backoff), the jitter hash (op jitter_hash), what to do after a failed attempt (op after_failure: expect retry_at or give_up with the rule's code; error retry.failed_before_first_attempt when failed_at is before first_attempt_at), failures and attempts numbered from 1 (op backoff with n or attempt 0: error retry.zero_number), and policy validation (op policy: error code). `policy` holds only the fields that differ from the default policy. See docs/retry.md.",
            "vectors": vs}


def position(salt, device_id, period=0, cls="rollout"):
    s, c, d = salt.encode(), cls.encode(), device_id.encode()
    shared = b"stepstone/sample/v2" + struct.pack(">I", len(s)) + s + struct.pack(">I", len(c)) + c + struct.pack(">Q", period)
    msg = shared + bytes(-len(shared) % 64) + struct.pack(">I", len(d)) + d
    return int.from_bytes(hashlib.sha256(msg).digest()[:8], "big")


def is_below(pos, ppm):
    return pos * 1_000_000 < ppm << 64


def wilson_lower(f, n, z):
    f, n, z = Decimal(f), Decimal(n), Decimal(z)
    p = f / n
    return (p + z * z / (2 * n) - z * (p * (1 - p) / n + z * z / (4 * n * n)).sqrt()) / (1 + z * z / n)


def ramp_fraction(start_ppm, duration, elapsed):
    if elapsed >= duration:
        return 1_000_000
    return start_ppm + (1_000_000 - start_ppm) * elapsed // duration


def rollout_vectors():
    vs = []
    stages = [1_000, 10_000, 100_000, 500_000, 1_000_000]
    for salt in ["campaign-67000", "acme/2026-11"]:
        for i in range(12):
            dev = f"AG1-{i:06d}"
            pos = position(salt, dev)
            stage = next((k for k, s in enumerate(stages) if is_below(pos, s)), len(stages) - 1)
            vs.append({"name": f"membership-{salt}-{dev}", "op": "membership", "salt": salt, "device_id": dev,
                       "stages_ppm": stages,
                       "expect": {"position": "%016x" % pos, "stage": stage,
                                  "member": [is_below(pos, s) for s in stages]}})
    for f, n, lim in [(0, 10, 50_000), (1, 10, 50_000), (2, 10, 50_000), (2, 20, 50_000), (3, 20, 50_000),
                      (10, 100, 50_000), (15, 100, 50_000), (150, 1000, 50_000), (60, 1000, 50_000),
                      (70, 1000, 50_000), (500, 10_000, 40_000), (450, 10_000, 40_000), (1, 1, 0),
                      (0, 1_000_000, 1), (4_000_000_000, 4_294_967_295, 900_000), (20, 20, 999_999)]:
        lower = wilson_lower(f, n, Decimal("1.96"))
        assert abs(lower - Decimal(lim) / 1_000_000) > Decimal("1e-12"), (f, n, lim)
        vs.append({"name": f"wilson-{f}-of-{n}-above-{lim}", "op": "wilson", "failed": f, "finished": n,
                   "limit_ppm": lim, "z_num": 196, "z_den": 100,
                   "expect": {"above": bool(lower > Decimal(lim) / 1_000_000)}})
    rule = {"max_failures": 50, "max_failure_rate_ppm": 100_000, "min_finished": 20}
    for f, n in [(1, 5), (10, 19), (3, 20), (2, 20), (49, 1000), (50, 1000), (101, 1000), (100, 1000)]:
        if f >= 50:
            code = "rollout.failure_count"
        elif n >= 20 and f * 1_000_000 > 100_000 * n:
            code = "rollout.failure_rate"
        else:
            code = None
        vs.append({"name": f"trips-point-{f}-of-{n}", "op": "trips", "halt": rule, "stats": {"finished": n, "failed": f},
                   "expect": {"halt": code}})
    wrule = {"max_failure_rate_ppm": 50_000, "min_finished": 1, "confidence": {"z_num": 196, "z_den": 100}}
    for f, n in [(1, 10), (2, 10), (60, 1000), (70, 1000)]:
        above = wilson_lower(f, n, Decimal("1.96")) > Decimal("0.05")
        vs.append({"name": f"trips-wilson-{f}-of-{n}", "op": "trips", "halt": wrule, "stats": {"finished": n, "failed": f},
                   "expect": {"halt": "rollout.failure_rate_confident" if above else None}})
    for start, dur, el in [(0, 100, 0), (0, 100, 50), (100_000, 100, 50), (100_000, 7 * 86400, 86400), (0, 3, 1), (0, 0, 0), (999_999, 10, 9)]:
        vs.append({"name": f"ramp-{start}-{dur}-{el}", "op": "ramp", "ramp": {"start": 0, "start_ppm": start, "duration_secs": dur},
                   "elapsed": el, "expect": {"fraction_ppm": ramp_fraction(start, dur, el)}})
    errors = [
        ("no-stages", {"salt": "s", "schedule": {"stages": []}}, "rollout.no_stages"),
        ("fraction-above-one", {"salt": "s", "schedule": {"stages": [{"fraction_ppm": 1_000_001}]}}, "rollout.fraction_out_of_range"),
        ("decreasing", {"salt": "s", "schedule": {"stages": [{"fraction_ppm": 5}, {"fraction_ppm": 4}]}}, "rollout.fractions_decrease"),
        ("bad-z", {"salt": "s", "schedule": {"ramp": {"start": 0, "duration_secs": 1}},
                   "halt": {"confidence": {"z_num": 196, "z_den": 0}}}, "rollout.bad_confidence"),
        ("unknown-field", {"salt": "s", "schedule": {"stages": [{"fraction_ppm": 5, "soak": 1}]}}, "rollout.json"),
    ]
    for name, r, code in errors:
        vs.append({"name": f"rollout-{name}", "op": "rollout", "rollout": r, "error": code})
    return {"format": 1,
            "description": "Staged rollouts: membership (position = sample position with class \"rollout\", period 0; stage = first stage whose fraction includes it; member per stage), the Wilson lower-bound test (op wilson), halt rules on stage counts (op trips: expect halt code or null), the linear ramp (op ramp), and rollout validation (op rollout: error code). See docs/rollout.md.",
            "vectors": vs}


for name, doc in [("retry", retry_vectors()), ("rollout", rollout_vectors())]:
    with open(f"core/tests/vectors/{name}.json", "w") as f:
        json.dump(doc, f, indent=1)
        f.write("\n")
    print(name, len(doc["vectors"]), "vectors")
