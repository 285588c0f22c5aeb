"""Benchmarks of stepstone.arrow and stepstone.spark (run by hand; docs/arrow-spark.md).

    python benches/python/arrow_spark_bench.py single [--ids 1000000]
    taskset -c 0 python benches/python/arrow_spark_bench.py breakdown [--ids 1000000]
    python benches/python/arrow_spark_bench.py rss [--rows 10000000 --batch 1000000]
    PYSPARK_PYTHON=$(which python) python benches/python/arrow_spark_bench.py spark [--rows 1000000 --rounds 3]
    python benches/python/arrow_spark_bench.py spark-parts [--rows 1000000]

Every figure is a median of several runs in the same process, with the baseline measured in
the same run: ``single`` compares the bulk calls on 1M ids (a pyarrow array or a list) with the
ten-line hashlib loop of docs/sampling.md; ``breakdown`` (pinned to one core, so the native code
runs one thread) prints the ns per id of each path to show where the time goes; ``rss`` streams
10M rows through ``arrow.sampled`` in batches and prints the peak RSS; ``spark`` times
``filter_sampled`` (each ``method``) against a pandas UDF calling hashlib per row, Spark's floor
(the same scan and count with no sampling, and with a cheap filter) and the single-process Arrow
call on the same rows; ``spark-parts``
times parts of the SQL expression on the same rows, to show where its time goes.
"""

import argparse
import hashlib
import os
import resource
import statistics
import sys
import time
from typing import Callable, List

import pyarrow as pa

import stepstone
from stepstone import arrow

SALT, CLASS, PERIOD, RATE = b"acme-2026", "metrics", 20415, 50000
PLAN = stepstone.SamplingPlan.from_dict(
    {"salt": "acme-2026", "period_seconds": 86400, "classes": {"metrics": RATE}}
)


# The ten lines of docs/sampling.md, as written there.
def position(salt: bytes, device_id: bytes, period: int, cls: str) -> int:
    c = cls.encode("utf-8")
    shared = (b"stepstone/sample/v2"
              + len(salt).to_bytes(4, "big") + salt
              + len(c).to_bytes(4, "big") + c
              + period.to_bytes(8, "big"))
    shared += bytes(-len(shared) % 64)
    msg = shared + len(device_id).to_bytes(4, "big") + device_id
    return int.from_bytes(hashlib.sha256(msg).digest()[:8], "big")


def is_sampled(salt: bytes, device_id: bytes, period: int, cls: str, rate_ppm: int) -> bool:
    return position(salt, device_id, period, cls) * 1_000_000 < rate_ppm << 64


def median_seconds(f: Callable[[], object], runs: int) -> float:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        f()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def ids_list(n: int) -> List[str]:
    return [f"dev-{i:08d}" for i in range(n)]


def load() -> str:
    return "load average %.2f %.2f %.2f, %d cores" % (*os.getloadavg(), os.cpu_count() or 0)


def single(n: int) -> None:
    ids = ids_list(n)
    raw = [i.encode() for i in ids]
    arr = pa.array(ids)
    sampler = stepstone.Sampler(SALT, CLASS, PERIOD)
    print(f"{n} ids, rate {RATE} ppm; {load()}")
    want = [is_sampled(SALT, d, PERIOD, CLASS, RATE) for d in raw]
    assert arrow.sampled(sampler, arr, rate_ppm=RATE).to_pylist() == want
    assert sampler.sampled(ids, RATE) == want
    paths = [
        ("ten-line hashlib loop (docs/sampling.md)",
         lambda: [is_sampled(SALT, d, PERIOD, CLASS, RATE) for d in raw]),
        ("arrow.sampled(Sampler, pa.array)", lambda: arrow.sampled(sampler, arr, rate_ppm=RATE)),
        ("arrow.sampled(SamplingPlan, pa.array, period)", lambda: arrow.sampled(PLAN, arr, CLASS, PERIOD)),
        ("arrow.sampled(Sampler, pa.array(list)) incl. conversion",
         lambda: arrow.sampled(sampler, pa.array(ids), rate_ppm=RATE)),
        ("Sampler.sampled(list of str)", lambda: sampler.sampled(ids, RATE)),
        ("Sampler.sampled(pa.array)", lambda: sampler.sampled(arr, RATE)),
    ]
    # Rounds interleave every path, so a change of the machine's load hits all of them alike.
    times: List[List[float]] = [[] for _ in paths]
    for _ in range(5):
        for k, (_name, f) in enumerate(paths):
            times[k].append(median_seconds(f, 1))
    rows = [(name, statistics.median(t)) for (name, _f), t in zip(paths, times)]
    base = rows[0][1]
    print(f"{'path':58} {'median ms':>10} {'ns/id':>8} {'x loop':>8}")
    for name, t in rows:
        print(f"{name:58} {t * 1e3:10.1f} {t / n * 1e9:8.1f} {base / t:8.1f}")


def breakdown(n: int) -> None:
    """One core (run under taskset -c 0): where a bulk call's time per id goes."""
    ids = ids_list(n)
    arr = pa.array(ids)
    sampler = stepstone.Sampler(SALT, CLASS, PERIOD)
    print(f"{n} ids on {len(os.sched_getaffinity(0))} core(s); {load()}")
    flags = [False] * n
    rows = [
        ("arrow.sampled(Sampler, pa.array): hash + bitmap, ids read in place",
         median_seconds(lambda: arrow.sampled(sampler, arr, rate_ppm=RATE), 9)),
        ("arrow.positions(Sampler, pa.array): hash + u64 out",
         median_seconds(lambda: arrow.positions(sampler, arr), 9)),
        ("Sampler.sampled(pa.array): + to_pybytes copies, packing, list of bool",
         median_seconds(lambda: sampler.sampled(arr, RATE), 9)),
        ("Sampler.sampled(list of str): + one UTF-8 lookup per str object",
         median_seconds(lambda: sampler.sampled(ids, RATE), 9)),
        ("Sampler.positions(list of str): + one Python int per id",
         median_seconds(lambda: sampler.positions(ids), 9)),
        ("[False] * n and set the sampled items (the list the bulk call returns)",
         median_seconds(lambda: [flags.copy()], 9)),
        ("pa.array(list of str) (converting a list to Arrow)",
         median_seconds(lambda: pa.array(ids), 9)),
    ]
    for name, t in rows:
        print(f"{name:72} {t * 1e3:8.1f} ms {t / n * 1e9:7.1f} ns/id")


def rss(rows: int, batch: int) -> None:
    """Streams `rows` rows in batches through arrow.sampled; prints the peak RSS."""
    def kib() -> int:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss

    start = kib()
    print(f"before: peak RSS {start / 1024:.1f} MiB; {load()}")
    kept = 0
    t0 = time.perf_counter()
    t_base = 1_763_856_000
    for b in range(0, rows, batch):
        n = min(batch, rows - b)
        ids = pa.array([f"dev-{(b + i) % 1_000_000:08d}" for i in range(n)])
        ts = pa.array([(t_base + (b + i) % 86400) * 1_000_000 for i in range(n)], pa.timestamp("us"))
        kept += arrow.sampled(PLAN, ids, CLASS, ts).true_count
    took = time.perf_counter() - t0
    print(f"{rows} rows in batches of {batch}: {kept} kept, {took:.1f} s (incl. building the batches)")
    print(f"peak RSS {kib() / 1024:.1f} MiB (before the loop {start / 1024:.1f} MiB)")


def cached_telemetry(rows: int):  # type: ignore[no-untyped-def]
    """A local[2] session with stepstone's UDF jar and `rows` telemetry rows (1M devices, one
    day), cached in Spark."""
    from pyspark.sql import SparkSession
    from stepstone import spark as ss

    session = (
        SparkSession.builder.master("local[2]").config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC").config("spark.driver.memory", "3g")
        .config("spark.jars", ss.jar_path()).getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    df = session.range(rows, numPartitions=4).selectExpr(
        "concat('dev-', lpad(cast(id % 1000000 as string), 8, '0')) as device_id",
        "timestamp_seconds(1763856000 + id % 86400) as ts",
        "cast(id % 100 as double) as value",
    ).cache()
    df.count()
    print(f"{rows} telemetry rows (cached), local[2]; {load()}")
    return session, df


def spark(rows: int, rounds: int) -> None:
    from pyspark.sql import functions as F
    from pyspark.sql.functions import pandas_udf
    import pandas as pd
    from stepstone import spark as ss

    session, df = cached_telemetry(rows)

    @pandas_udf("boolean")  # type: ignore[misc]
    def hashlib_udf(ids: pd.Series, ts: pd.Series) -> pd.Series:
        # Vectorised seconds since the epoch; the hashing is per row, as docs/sampling.md shows.
        secs = (ts - pd.Timestamp("1970-01-01", tz=ts.dt.tz)) // pd.Timedelta(seconds=1)
        return pd.Series([
            is_sampled(SALT, i.encode(), int(s) // 86400, CLASS, RATE) for i, s in zip(ids, secs)
        ])

    def route(method: str) -> Callable[[], int]:
        return lambda: ss.filter_sampled(df, PLAN, "device_id", CLASS, ts_col="ts", method=method).count()

    # The floor: the same scan and count with no sampling, and with a filter Spark cannot skip
    # whose cost per row is small (a murmur3 hash of the id; it keeps about the same share).
    paths = [
        ("Spark pandas UDF, hashlib per row (baseline)", lambda: df.filter(hashlib_udf("device_id", "ts")).count()),
        ("floor: count only (scan of the cached rows)", lambda: df.count()),
        ("floor: filter pmod(hash(id), 20) = 0 + count",
         lambda: df.filter(F.expr("pmod(hash(device_id), 20) = 0")).count()),
        ("filter_sampled(method='jvm') (Java UDF; auto)", route("jvm")),
        ("filter_sampled(method='sql') (sha2 expression)", route("sql")),
        ("filter_sampled(method='arrow_udf') (scalar Arrow UDF)", route("arrow_udf")),
        ("filter_sampled(method='arrow') (mapInArrow)", route("arrow")),
    ]
    counts = [f() for _name, f in paths]
    assert counts[0] == counts[3] == counts[4] == counts[5] == counts[6], counts
    # Rounds interleave the paths, so a change of the machine's load hits all of them alike.
    times: List[List[float]] = [[] for _ in paths]
    for _ in range(rounds):
        for k, (_name, f) in enumerate(paths):
            times[k].append(median_seconds(f, 1))
    medians = [statistics.median(t) for t in times]
    table = pa.Table.from_batches(df.toArrow().to_batches())

    def run_single() -> int:
        return table.filter(arrow.sampled(PLAN, table.column("device_id"), CLASS, table.column("ts"))).num_rows

    assert run_single() == counts[0]
    t_single = median_seconds(run_single, 5)
    base = medians[0]
    print(f"kept {counts[0]} rows of {rows}; medians of {rounds} interleaved rounds; {load()}")
    print(f"{'path':56} {'median s':>9} {'rows/s':>12} {'ns/row':>7} {'x UDF':>6}")
    for (name, _f), t in list(zip(paths, medians)) + [(("single process: arrow.sampled + Table.filter", None), t_single)]:
        print(f"{name:56} {t:9.2f} {rows / t:12,.0f} {t / rows * 1e9:7.0f} {base / t:6.1f}")
    print(f"a tenth of the baseline is {base / rows * 1e9 / 10:.0f} ns/row; the floor (filter + count) is "
          f"{medians[2] / rows * 1e9:.0f} ns/row")
    print(f"Spark's overhead over the single-process call (method='jvm'): "
          f"{(medians[3] - t_single) / rows * 1e9:.0f} ns per row ({medians[3] / t_single:.1f}x the single-process time)")
    session.stop()


def spark_parts(rows: int) -> None:
    """Where the SQL route's time goes: the same cached rows counted through a filter on parts
    of the expression (each a median of three interleaved rounds)."""
    from pyspark.sql import functions as F
    from stepstone import _spark_sql

    session, df = cached_telemetry(rows)
    parts = {
        "count only (scan of the cached rows)": None,
        "period from the timestamp, hex": "hex((unix_seconds(ts) - 0L) div 86400L) < '0ccc'",
        "sha2 of the id alone": "sha2(cast(device_id as binary), 256) < '0ccc'",
        "md5 of the id alone": "md5(cast(device_id as binary)) < '0ccc'",
        "the whole decision (filter_sampled's expression)":
            _spark_sql.sampled_sql(df, PLAN, "device_id", CLASS, "ts", None, None),
        "the whole decision, one constant period (period=)":
            _spark_sql.sampled_sql(df, PLAN, "device_id", CLASS, None, None, PERIOD),
    }
    times: dict = {k: [] for k in parts}
    for _ in range(3):
        for k, e in parts.items():
            t0 = time.perf_counter()
            (df if e is None else df.filter(F.expr(e))).count()
            times[k].append(time.perf_counter() - t0)
    print(f"{'expression in the filter':52} {'median s':>9} {'ns/row':>8}")
    for k, t in times.items():
        m = statistics.median(t)
        print(f"{k:52} {m:9.2f} {m / rows * 1e9:8.0f}")
    session.stop()


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("what", choices=["single", "breakdown", "rss", "spark", "spark-parts"])
    p.add_argument("--ids", type=int, default=1_000_000)
    p.add_argument("--rows", type=int, default=None)
    p.add_argument("--batch", type=int, default=1_000_000)
    p.add_argument("--rounds", type=int, default=3)
    a = p.parse_args()
    if a.what == "single":
        single(a.ids)
    elif a.what == "breakdown":
        breakdown(a.ids)
    elif a.what == "rss":
        rss(a.rows or 10_000_000, a.batch)
    elif a.what == "spark-parts":
        spark_parts(a.rows or 1_000_000)
    else:
        spark(a.rows or 1_000_000, a.rounds)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
