"""A fleet data job on Spark with stepstone: write a synthetic fleet and a day of telemetry as
Parquet, down-sample the telemetry to the metrics sample, compute the campaign's next hops for
the fleet, and print counts.

    spark-submit examples/spark/fleet_job.py --out /tmp/fleet [--devices 1000000 --rows 10000000]

(See README.md in this folder for the cluster and local command lines.)
"""

from __future__ import annotations

import argparse
import pathlib
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

import stepstone
from stepstone import spark as ss

HERE = pathlib.Path(__file__).resolve().parent
DAY = 1_763_856_000  # 2025-11-23T00:00:00Z


def write_data(spark: SparkSession, out: str, devices: int, rows: int, partitions: int) -> None:
    """The fleet (device id, model, environment, firmware version) and one day of telemetry
    (device id, time, metric, value)."""
    models = F.element_at(F.array(F.lit("AG-1"), F.lit("AG-2")), (F.col("id") % 2 + 1).cast("int"))
    versions = F.element_at(
        F.array(*[F.lit(v) for v in ["v64000", "v65000", "v66000", "v66001", "v66003", "v67000"]]),
        (F.col("id") % 6 + 1).cast("int"),
    )
    fleet = spark.range(devices, numPartitions=partitions).select(
        F.format_string("dev-%08d", F.col("id")).alias("device_id"),
        models.alias("model"),
        F.when(F.col("id") % 10 == 0, "staging").otherwise("production").alias("environment"),
        versions.alias("version"),
    )
    fleet.write.mode("overwrite").parquet(f"{out}/fleet")
    telemetry = spark.range(rows, numPartitions=partitions).select(
        F.format_string("dev-%08d", (F.col("id") * 7919) % devices).alias("device_id"),
        F.timestamp_seconds(F.lit(DAY) + F.col("id") % 86400).alias("ts"),
        F.lit("battery_mv").alias("metric"),
        (F.col("id") % 1000 + 3000).cast("double").alias("value"),
    )
    telemetry.write.mode("overwrite").parquet(f"{out}/telemetry")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", required=True, help="folder (local path, hdfs://, s3a://) for the Parquet data")
    p.add_argument("--devices", type=int, default=1_000_000)
    p.add_argument("--rows", type=int, default=10_000_000)
    p.add_argument("--partitions", type=int, default=8)
    p.add_argument("--plan", default=str(HERE.parent / "sampling-plan.json"))
    p.add_argument("--catalog", default=str(HERE.parent / "catalog.json"))
    p.add_argument("--target", default="v67000")
    p.add_argument("--skip-write", action="store_true", help="reuse the Parquet data already in --out")
    a = p.parse_args()

    spark = SparkSession.builder.appName("stepstone-fleet-job").getOrCreate()
    spark.conf.set("spark.sql.session.timeZone", "UTC")
    t0 = time.time()
    if not a.skip_write:
        write_data(spark, a.out, a.devices, a.rows, a.partitions)
    t1 = time.time()

    plan = stepstone.SamplingPlan.from_json(pathlib.Path(a.plan).read_text())
    catalog = stepstone.Catalog.from_path(a.catalog)

    telemetry = spark.read.parquet(f"{a.out}/telemetry")
    sampled = ss.filter_sampled(telemetry, plan, "device_id", "metrics", ts_col="ts")
    sampled.write.mode("overwrite").parquet(f"{a.out}/telemetry_metrics_sample")
    kept = spark.read.parquet(f"{a.out}/telemetry_metrics_sample")
    t2 = time.time()

    fleet = spark.read.parquet(f"{a.out}/fleet")
    hops = ss.with_next_hop(fleet, catalog, a.target, "version", "model", "environment")
    hops.write.mode("overwrite").parquet(f"{a.out}/next_hops")
    answered = spark.read.parquet(f"{a.out}/next_hops")
    t3 = time.time()

    total, n_kept = telemetry.count(), kept.count()
    devices_kept = kept.select("device_id").distinct().count()
    print(f"telemetry rows: {total}; kept for the metrics sample: {n_kept} "
          f"({100 * n_kept / max(total, 1):.2f}%, rate {plan.rate('metrics')} ppm) "
          f"from {devices_kept} devices")
    print(f"fleet: {answered.count()} devices; next hop toward {a.target}:")
    for row in answered.groupBy("next_hop", "error").count().orderBy("next_hop", "error").collect():
        print(f"  {row['next_hop'] or '-':8} {row['error'] or '':24} {row['count']}")
    print(f"times: write {t1 - t0:.1f} s, down-sample {t2 - t1:.1f} s, next hops {t3 - t2:.1f} s")
    spark.stop()


if __name__ == "__main__":
    main()
