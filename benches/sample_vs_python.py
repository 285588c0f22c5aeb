#!/usr/bin/env python3
"""Sampling decisions: stepstone (criterion medians) against a Python hashlib loop.

    cargo bench -p stepstone-benches --bench sample      # writes target/criterion/...
    python3 benches/sample_vs_python.py                  # times Python, prints ratios

--run runs the cargo bench first. --same-run instead times both sides in this one run, in
thread CPU time (so a busy machine slows both alike): the Python loops with time.thread_time()
and the Rust side with `cargo run --release -p stepstone-benches --example sample_speed`
(medians). The Python loops decide the same 1M ids
(dev-00000000 .. dev-00999999) with the same salt, class, period and rate as the bench:
"plain" is the ten-line function of docs/sampling.md; "prefix" is the fastest straightforward
Python (the shared prefix hashed once, hasher.copy() per id).
"""
import hashlib
import json
import os
import subprocess
import sys
import time

SALT, CLASS, PERIOD, RATE = b"acme-2026", "metrics", 20415, 50_000
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def position(salt, device_id, period, cls):
    c = cls.encode()
    shared = (b"stepstone/sample/v2" + len(salt).to_bytes(4, "big") + salt + len(c).to_bytes(4, "big") + c
              + period.to_bytes(8, "big"))
    msg = shared + bytes(-len(shared) % 64) + len(device_id).to_bytes(4, "big") + device_id
    return int.from_bytes(hashlib.sha256(msg).digest()[:8], "big")


def plain(ids):
    limit = RATE << 64
    return sum(1 for i in ids if position(SALT, i, PERIOD, CLASS) * 1_000_000 < limit)


def prefix(ids):
    c = CLASS.encode()
    shared = (b"stepstone/sample/v2" + len(SALT).to_bytes(4, "big") + SALT
              + len(c).to_bytes(4, "big") + c + PERIOD.to_bytes(8, "big"))
    h0 = hashlib.sha256(shared + bytes(-len(shared) % 64))
    limit = RATE << 64
    n = 0
    for i in ids:
        h = h0.copy()
        h.update(len(i).to_bytes(4, "big") + i)
        if int.from_bytes(h.digest()[:8], "big") * 1_000_000 < limit:
            n += 1
    return n


def timed(f, ids, runs=3, clock=time.perf_counter):
    """Sorted times of `runs` calls of f(ids) on `clock`, and the last result."""
    times, result = [], None
    for _ in range(runs):
        t = clock()
        result = f(ids)
        times.append(clock() - t)
    return sorted(times), result


def best_of(f, ids, runs=3):
    times, result = timed(f, ids, runs)
    return times[0], result


def cpu_median(f, ids, runs=3):
    times, result = timed(f, ids, runs, time.thread_time)
    return times[len(times) // 2], result


def same_run(ids):
    """Python and Rust timed in thread CPU time in one run, interleaved: python, rust, python."""
    cmd = ["cargo", "run", "-q", "--release", "-p", "stepstone-benches", "--example", "sample_speed", "--", "7"]
    subprocess.run(["cargo", "build", "-q", "--release", "-p", "stepstone-benches", "--example", "sample_speed"],
                   cwd=ROOT, check=True)
    py1, n1 = cpu_median(plain, ids)
    rs = json.loads(subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True, text=True).stdout)
    py2, n2 = cpu_median(plain, ids)
    pre, n3 = cpu_median(prefix, ids)
    assert n1 == n2 == n3 == rs["sampled"], (n1, n2, n3, rs["sampled"])
    py = sorted([py1, py2])[0]
    ns = {k: rs[k] * 1e-9 for k in ("is_sampled_1M", "sampler_1M", "sample_many_1M", "compress_1M")}
    print(f"1M decisions (rate {RATE} ppm, {n1} sampled); python {sys.version.split()[0]}; "
          f"thread CPU time, medians; one run")
    for name, t in [("python plain (docs/sampling.md)", py), ("python prefix + copy()", pre),
                    ("rust is_sampled", ns["is_sampled_1M"]), ("rust Sampler (one core)", ns["sampler_1M"]),
                    ("rust raw SHA-256 compress, 1 block/id", ns["compress_1M"])]:
        print(f"  {name:40s} {t * 1e3:9.1f} ms cpu  {1 / t:7.2f} M decisions/cpu-s")
    print(f"  {'rust sample_many (wall, ' + str(rs['cores']) + ' cores)':40s} {ns['sample_many_1M'] * 1e3:9.1f} ms wall")
    print(f"ratio python plain / rust Sampler:     {py / ns['sampler_1M']:6.1f}x  (target >= 20x, one core)")
    print(f"ratio python prefix / rust Sampler:    {pre / ns['sampler_1M']:6.1f}x")
    print(f"ratio python plain / rust is_sampled:  {py / ns['is_sampled_1M']:6.1f}x")
    print(f"Sampler at {ns['compress_1M'] / ns['sampler_1M']:.0%} of one raw SHA-256 compression per id")


def criterion_median(group, name):
    path = os.path.join(ROOT, "target", "criterion", group, name, "new", "estimates.json")
    with open(path) as f:
        return json.load(f)["median"]["point_estimate"] * 1e-9  # seconds per iteration


def main():
    if "--run" in sys.argv:
        subprocess.run(["cargo", "bench", "-p", "stepstone-benches", "--bench", "sample"], cwd=ROOT, check=True)
    ids = [f"dev-{i:08d}".encode() for i in range(1_000_000)]
    if "--same-run" in sys.argv:
        return same_run(ids)
    py_plain, n1 = best_of(plain, ids)
    py_prefix, n2 = best_of(prefix, ids)
    assert n1 == n2
    try:
        rs = {k: criterion_median("sample", k) for k in ("is_sampled_1M", "sampler_1M", "sample_many_1M", "sha256_messages_1M")}
        bulk = criterion_median("sha256", "bulk_1MiB")
    except FileNotFoundError:
        sys.exit("no criterion results: run `cargo bench -p stepstone-benches --bench sample` (or pass --run)")
    print(f"1M decisions (rate {RATE} ppm, {n1} sampled); python {sys.version.split()[0]}, best of 3; rust: criterion median")
    rows = [("python plain (docs/sampling.md)", py_plain), ("python prefix + copy()", py_prefix),
            ("rust is_sampled", rs["is_sampled_1M"]), ("rust Sampler", rs["sampler_1M"]),
            (f"rust Sampler.sample_many ({os.cpu_count()} cores)", rs["sample_many_1M"]),
            ("rust sha256 of the same messages", rs["sha256_messages_1M"])]
    for name, t in rows:
        print(f"  {name:36s} {t * 1e3:9.1f} ms   {1e6 / t / 1e6:7.2f} M decisions/s")
    print(f"ratio python plain / rust is_sampled:  {py_plain / rs['is_sampled_1M']:6.1f}x  (target >= 20x)")
    print(f"ratio python prefix / rust Sampler:    {py_prefix / rs['sampler_1M']:6.1f}x")
    print(f"ratio python plain / rust Sampler:     {py_plain / rs['sampler_1M']:6.1f}x  (one core)")
    print(f"ratio python plain / rust sample_many: {py_plain / rs['sample_many_1M']:6.1f}x  (target >= 20x: the bulk path)")
    # Encoding v2: a Sampler hashes one 64-byte block per decision (the shared part is a
    # precomputed midstate); is_sampled hashes the shared block too (two blocks).
    mib_s = (1 << 20) / bulk / 1e6
    eff = 1e6 * 64 / rs["sampler_1M"] / 1e6
    print(f"sha256 bulk throughput: {mib_s:.0f} MB/s; Sampler decisions hash {eff:.0f} MB/s of blocks "
          f"({eff / mib_s:.0%} of bulk)")

if __name__ == "__main__":
    main()
