#!/usr/bin/env python3
"""Python package benchmarks: the installed `stepstone` wheel, timed from Python.

    bash scripts/setup-python.sh && bash scripts/test-python.sh   # builds and installs the wheel
    .venv/bin/python benches/python/bench.py                      # prints medians and ratios

1. Per-call overhead of next_hop: a campaign table's `next_hop` (a table lookup plus the Python
   call) and `Catalog.next_hop` (a full plan), against an empty Python function call.
2. Bulk next hops for 1M devices: from a list of version strings, a list of ints, and a numpy
   uint64 array, in one call that releases the GIL.
3. Bulk sampling for 1M ids: `Sampler.sampled` (from a list of bytes, a list of str, a numpy
   `S` array and, if installed, a pyarrow binary array) against two pure-Python hashlib loops
   computing the same decisions: the ten-line function of docs/sampling.md ("plain"), and the
   same with the shared prefix hashed once and `copy()` per id ("prefix"). Target >= 20x.
4. Signature verify: `PublicKey.verify` against the `cryptography` package on the same key,
   message and signature, in the same run.

Each figure is the median of --repeat runs (default 5).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path
from typing import Any, Callable

import stepstone

ROOT = Path(__file__).resolve().parents[2]


def median_time(fn: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def per_call(repeat: int) -> None:
    catalog = stepstone.Catalog(ROOT / "examples" / "catalog.json")
    campaign = catalog.campaign("v67000", model="AG-1")
    n = 200_000
    nh = campaign.next_hop

    def table() -> None:
        for _ in range(n):
            nh("v64000")

    def table_int() -> None:
        for _ in range(n):
            nh(64000)

    def noop_fn(_: str) -> None:
        return None

    def noop() -> None:
        for _ in range(n):
            noop_fn("v64000")

    full_n = 20_000

    def full() -> None:
        for _ in range(full_n):
            catalog.next_hop("v64000", "v67000", model="AG-1")

    base = median_time(noop, repeat) / n
    t = median_time(table, repeat) / n
    ti = median_time(table_int, repeat) / n
    f = median_time(full, repeat) / full_n
    print("1. per-call next_hop (median of %d runs)" % repeat)
    print(f"   Campaign.next_hop('v64000')      {t * 1e9:8.0f} ns/call")
    print(f"   Campaign.next_hop(64000)         {ti * 1e9:8.0f} ns/call")
    print(f"   empty Python function call       {base * 1e9:8.0f} ns/call")
    print(f"   overhead over an empty call      {(t - base) * 1e9:8.0f} ns (target <= 1000 ns)")
    print(f"   Catalog.next_hop (full plan)     {f * 1e9:8.0f} ns/call")


def bulk_hops(repeat: int, n: int) -> None:
    catalog = stepstone.Catalog(ROOT / "examples" / "catalog.json")
    campaign = catalog.campaign("v67000", model="AG-1")
    rng = random.Random(7)
    versions = catalog.versions
    texts = [rng.choice(versions) for _ in range(n)]
    ints = [int(v.lstrip("v")) for v in texts]
    t_text = median_time(lambda: campaign.next_hops(texts), repeat)
    t_int = median_time(lambda: campaign.next_hops(ints), repeat)
    assert campaign.next_hops(texts[:1000]) == campaign.next_hops(ints[:1000])
    print(f"2. bulk next hops, {n:,} devices (median of {repeat} runs)")
    print(f"   list of str      {t_text * 1e3:8.1f} ms  ({t_text / n * 1e9:5.0f} ns/device)")
    print(f"   list of int      {t_int * 1e3:8.1f} ms  ({t_int / n * 1e9:5.0f} ns/device)")
    try:
        import numpy as np
    except ImportError:
        print("   numpy array      (numpy not installed)")
        return
    arr = np.array(ints, dtype=np.uint64)
    t_np = median_time(lambda: campaign.next_hops(arr), repeat)
    print(f"   numpy uint64     {t_np * 1e3:8.1f} ms  ({t_np / n * 1e9:5.0f} ns/device)")


SALT, CLASS, PERIOD, RATE = b"acme-2026", "metrics", 20415, 50_000


def python_sampled(ids: list[bytes]) -> list[bool]:
    """The documented encoding (docs/sampling.md) in plain Python, shared prefix hashed once."""
    c = CLASS.encode()
    shared = (
        b"stepstone/sample/v2"
        + len(SALT).to_bytes(4, "big")
        + SALT
        + len(c).to_bytes(4, "big")
        + c
        + PERIOD.to_bytes(8, "big")
    )
    h0 = hashlib.sha256(shared + bytes(-len(shared) % 64))
    limit = RATE << 64
    out = []
    for i in ids:
        h = h0.copy()
        h.update(len(i).to_bytes(4, "big") + i)
        out.append(int.from_bytes(h.digest()[:8], "big") * 1_000_000 < limit)
    return out


def python_sampled_plain(ids: list[bytes]) -> list[bool]:
    """The ten-line function of docs/sampling.md, called per id."""

    def position(salt: bytes, device_id: bytes, period: int, cls: str) -> int:
        c = cls.encode()
        shared = (b"stepstone/sample/v2" + len(salt).to_bytes(4, "big") + salt
                  + len(c).to_bytes(4, "big") + c + period.to_bytes(8, "big"))
        msg = shared + bytes(-len(shared) % 64) + len(device_id).to_bytes(4, "big") + device_id
        return int.from_bytes(hashlib.sha256(msg).digest()[:8], "big")

    limit = RATE << 64
    return [position(SALT, i, PERIOD, CLASS) * 1_000_000 < limit for i in ids]


def bulk_sampling(repeat: int, n: int) -> None:
    ids = [b"dev-%08d" % i for i in range(n)]
    sampler = stepstone.Sampler(SALT, CLASS, PERIOD)
    got = sampler.sampled(ids, RATE)
    want = python_sampled(ids[:20_000])
    assert got[:20_000] == want, "the Python loop must compute the same decisions"
    assert python_sampled_plain(ids[:20_000]) == want
    inputs: list[tuple[str, Any]] = [("list of bytes", ids), ("list of str", [i.decode() for i in ids])]
    try:
        import numpy as np

        inputs.append(("numpy S12 array", np.array(ids, dtype="S")))
    except ImportError:
        pass
    try:
        import pyarrow as pa

        inputs.append(("pyarrow binary array", pa.array(ids, type=pa.binary())))
    except ImportError:
        pass
    py_runs = max(1, min(repeat, 3))
    t_plain = median_time(lambda: python_sampled_plain(ids), py_runs)
    t_prefix = median_time(lambda: python_sampled(ids), py_runs)
    print(f"3. bulk sampling, {n:,} ids (stepstone median of {repeat}, Python of {py_runs}); sampled {sum(got):,}")
    print(f"   Python plain loop (docs)        {t_plain * 1e3:8.1f} ms  ({t_plain / n * 1e9:5.0f} ns/id)")
    print(f"   Python prefix + copy() loop     {t_prefix * 1e3:8.1f} ms  ({t_prefix / n * 1e9:5.0f} ns/id)")
    for name, data in inputs:
        t = median_time(lambda: sampler.sampled(data, RATE), repeat)
        print(f"   Sampler.sampled, {name:21s} {t * 1e3:6.1f} ms  ({t / n * 1e9:5.0f} ns/id)"
              f"  {t_plain / t:6.1f}x plain  {t_prefix / t:5.1f}x prefix  (target >= 20x)")


def verify(repeat: int) -> None:
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    private = ec.generate_private_key(ec.SECP256R1())
    pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    message = os.urandom(1024)
    sig = private.sign(message, ec.ECDSA(hashes.SHA256()))
    key = stepstone.PublicKey(pem)
    parsed = stepstone.Signature(sig)
    pub = private.public_key()
    n = 2000

    def ours() -> None:
        for _ in range(n):
            key.verify(message, parsed)

    def theirs() -> None:
        for _ in range(n):
            pub.verify(sig, message, ec.ECDSA(hashes.SHA256()))

    ours()
    t_ours = median_time(ours, repeat) / n
    t_theirs = median_time(theirs, repeat) / n
    big = os.urandom(16 << 20)
    big_sig = private.sign(big, ec.ECDSA(hashes.SHA256()))

    def stream() -> None:
        v = stepstone.StreamVerifier(key)
        for i in range(0, len(big), 1 << 16):
            v.update(big[i : i + (1 << 16)])
        v.finish(big_sig)

    t_stream = median_time(stream, repeat)
    t_big = median_time(lambda: pub.verify(big_sig, big, ec.ECDSA(hashes.SHA256())), repeat)
    print(f"4. signature verify, 1 KiB message (median of {repeat} runs of {n})")
    print(f"   stepstone PublicKey.verify  {t_ours * 1e6:8.1f} us")
    print(f"   cryptography (OpenSSL)      {t_theirs * 1e6:8.1f} us")
    print(f"   ratio cryptography/stepstone {t_theirs / t_ours:7.2f}")
    print(f"   16 MiB image: stepstone streamed (64 KiB chunks) {t_stream * 1e3:.1f} ms, "
          f"cryptography one-shot {t_big * 1e3:.1f} ms")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("-n", type=int, default=1_000_000)
    a = ap.parse_args()
    print(f"stepstone {stepstone.__version__} from {stepstone.__file__}; Python {sys.version.split()[0]}")
    per_call(a.repeat)
    bulk_hops(a.repeat, a.n)
    bulk_sampling(a.repeat, a.n)
    verify(a.repeat)


if __name__ == "__main__":
    main()
