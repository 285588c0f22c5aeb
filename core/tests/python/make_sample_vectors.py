#!/usr/bin/env python3
"""Writes core/tests/vectors/sample.json from the hashlib reference (sample_reference.py).

Run from the repository root:  python3 core/tests/python/make_sample_vectors.py
The Rust test core/tests/sample_vectors.rs checks the library against the file, and
sample_reference.py's `check` checks the reference against it, so the two implementations
are held together by the file as well as by the 10,000-id agreement test.
"""
import json
import os

from sample_reference import is_below, period_index, position

RATES = [0, 1, 1000, 10_000, 50_000, 250_000, 500_000, 999_999, 1_000_000, 4_294_967_295]


def pos_vector(name, salt, dev, period, cls, rate):
    p = position(salt, dev, period, cls)
    return {"name": name, "op": "position", "salt_hex": salt.hex(), "device_id_hex": dev.hex(),
            "period": str(period), "class": cls, "rate_ppm": rate,
            "expect": {"position": f"{p:016x}", "sampled": is_below(p, rate)}}


def vectors():
    out = []
    # Edge cases of the encoding.
    out.append(pos_vector("empty-everything", b"", b"", 0, "", 0))
    out.append(pos_vector("talk-serial", b"acme-2026", b"DA143532", 20415, "metrics", 50_000))
    out.append(pos_vector("binary-id", b"\x00", b"\x00\xff\x10\n", 1, "coredumps", 1000))
    out.append(pos_vector("max-period", b"s", b"d", 2**64 - 1, "uptime", 1_000_000))
    out.append(pos_vector("utf8-class", b"s", b"d", 7, "m\u00e9triques", 500_000))
    out.append(pos_vector("long-id-300", b"salt", bytes(range(256)) + b"x" * 44, 3, "logs", 250_000))
    out.append(pos_vector("long-salt-256", b"S" * 256, b"dev", 3, "logs", 250_000))
    out.append(pos_vector("field-shift-a", b"ab", b"x", 1, "c", 500_000))
    out.append(pos_vector("field-shift-b", b"a", b"x", 1, "bc", 500_000))
    out.append(pos_vector("rollout-stage", b"rollout-v67000", b"DA143532", 0, "rollout", 10_000))
    out.append(pos_vector("rate-above-all-saturates", b"s", b"d", 1, "m", 4_294_967_295))
    # Many ordinary ids, every rate, three classes, two periods.
    n = 0
    for i in range(40):
        dev = f"dev-{i:08d}".encode()
        for cls, period in (("uptime", 20415), ("metrics", 20415), ("metrics", 20416), ("coredumps", 20415)):
            rate = RATES[(i + n) % len(RATES)]
            out.append(pos_vector(f"fleet-{i:02d}-{cls}-{period}", b"acme-2026", dev, period, cls, rate))
            n += 1
    # Exact thresholds: ceil(r * 2^64 / 10^6) positions are below rate r.
    for r in (1, 7, 10_000, 250_000, 333_333, 500_000, 999_999):
        t = -(-(r << 64) // 1_000_000)
        for p, name in ((t - 1, "last-in"), (t, "first-out")):
            out.append({"name": f"below-{r}-{name}", "op": "is_below", "position": f"{p:016x}", "rate_ppm": r,
                        "expect": {"sampled": is_below(p, r)}})
    for p, r in ((0, 0), (0, 1), (2**64 - 1, 1_000_000), (2**64 - 1, 999_999), (2**64 - 1, 4_294_967_295)):
        out.append({"name": f"below-{p:x}-{r}", "op": "is_below", "position": f"{p:016x}", "rate_ppm": r,
                    "expect": {"sampled": is_below(p, r)}})
    # Periods.
    for t, length, off in ((0, 86400, 0), (86399, 86400, 0), (86400, 86400, 0), (1763899200, 86400, 0),
                           (1763899200, 86400, 7200), (7199, 86400, 7200), (5, 0, 0), (2**64 - 1, 1, 0)):
        p = period_index(t, length, off)
        out.append({"name": f"period-{t}-{length}-{off}", "op": "period_index", "unix_seconds": str(t),
                    "period_seconds": str(length), "offset_seconds": str(off),
                    "expect": {"period": None if p is None else str(p)}})
    # Plans: loading errors, and decisions through a plan.
    plan = {"salt": "acme-2026", "period_seconds": 86400, "period_offset_seconds": 0,
            "classes": {"uptime": 1_000_000, "metrics": 50_000, "coredumps": 1000}}
    for i, (dev, cls, t) in enumerate((("DA143532", "metrics", 1763899200), ("dev-00000001", "uptime", 1763899200),
                                       ("dev-00000002", "coredumps", 1763985600), ("dev-00000003", "metrics", 86400))):
        period = period_index(t, 86400, 0)
        p = position(b"acme-2026", dev.encode(), period, cls)
        out.append({"name": f"plan-decision-{i}", "op": "plan", "plan": plan, "device_id_hex": dev.encode().hex(),
                    "class": cls, "unix_seconds": str(t),
                    "expect": {"period": str(period), "position": f"{p:016x}",
                               "sampled": is_below(p, plan["classes"][cls])}})
    base = {"salt": "s", "period_seconds": 60}
    errors = [
        ("plan-rate-too-high", {**base, "classes": {"metrics": 1_000_001}}, "sample.rate_out_of_range"),
        ("plan-rate-negative", {**base, "classes": {"metrics": -1}}, "sample.rate_out_of_range"),
        ("plan-rate-fraction", {**base, "classes": {"metrics": 0.5}}, "sample.rate_out_of_range"),
        ("plan-rate-text", {**base, "classes": {"metrics": "5%"}}, "sample.rate_out_of_range"),
        ("plan-no-classes", {**base, "classes": {}}, "sample.no_classes"),
        ("plan-bad-class-name", {**base, "classes": {"core dumps": 1}}, "sample.bad_class_name"),
        ("plan-zero-period", {"salt": "s", "period_seconds": 0, "classes": {"a": 1}}, "sample.zero_period"),
        ("plan-salt-too-long", {"salt": "x" * 257, "period_seconds": 1, "classes": {"a": 1}}, "sample.salt_too_long"),
        ("plan-unknown-field", {**base, "classes": {"a": 1}, "rate": 5}, "sample.invalid_json"),
        ("plan-missing-salt", {"period_seconds": 60, "classes": {"a": 1}}, "sample.invalid_json"),
    ]
    for name, p, code in errors:
        out.append({"name": name, "op": "plan", "plan": p, "error": code})
    # Duplicate keys cannot be written as a JSON object here; the plan is given as text.
    out.append({"name": "plan-duplicate-class", "op": "plan",
                "plan_text": '{"salt":"s","period_seconds":60,"classes":{"a":1,"a":2}}',
                "error": "sample.duplicate_class"})
    return out


def main():
    doc_head = {
        "format": 1,
        "description": "Fleet sampling (docs/sampling.md). op=position: salt_hex, device_id_hex, period "
                       "(decimal string, u64), class (UTF-8), rate_ppm -> position (16 hex digits) and sampled. "
                       "op=is_below: position (hex), rate_ppm -> sampled. op=period_index: unix_seconds, "
                       "period_seconds, offset_seconds (decimal strings) -> period (decimal string or null). "
                       "op=plan: plan (JSON object) or plan_text (JSON text) -> error code, or with device_id_hex, "
                       "class, unix_seconds -> period, position, sampled.",
    }
    lines = ['{', f'  "format": {doc_head["format"]},', f'  "description": {json.dumps(doc_head["description"])},',
             '  "vectors": [']
    vs = vectors()
    names = [v["name"] for v in vs]
    assert len(names) == len(set(names)), "vector names must be unique"
    lines += [("    " + json.dumps(v, ensure_ascii=False) + ("," if i + 1 < len(vs) else "")) for i, v in enumerate(vs)]
    lines += ['  ]', '}']
    path = os.path.join(os.path.dirname(__file__), "..", "vectors", "sample.json")
    with open(path, "w", encoding="utf-8") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {len(vs)} vectors to {os.path.normpath(path)}")


if __name__ == "__main__":
    main()
