"""What partitioning the daily fact would cost on Spark, timed (docs/scale-out.md, "Why the
windowed models are not partitioned on Spark").

``python -m bench.spark_partitioned_tables [--budget SECONDS] [--rows N] [--dates N]``: in one
local Spark session with the pipeline's settings (Parquet tables, a Derby metastore), a table
shaped as the 1M bench's daily fact (by default 1M rows over 15,700 dates) is written three ways:
unpartitioned, partitioned by month and partitioned by date, as ``insert_overwrite`` by partition
needs. For each way it prints the seconds of the write, of a dynamic overwrite of the newest day's
partition (what a one-day update would rewrite; unpartitioned, the whole table) and of two full
reads as the marts make them. A statement still running after ``--budget`` seconds is cancelled
and printed as such.
"""

from __future__ import annotations

import argparse
import threading
import time

from pyspark.sql import SparkSession

from bench.local_spark import local_spark_session

FIRST_DAY = "date'1983-01-01'"


def fact(rows: int, dates: int) -> str:
    """The fact's rows: ``rows`` spread evenly over ``dates`` days from ``FIRST_DAY``."""
    return (
        f"select date_add({FIRST_DAY}, cast(id * {dates} / {rows} as int)) as date,"
        " concat('vendor-', id % 19, '/model-', id % 300) as model_permaslug,"
        " id * 1000 as total_tokens"
        f" from range({rows})"
    )


# Each way: its partitioning clause, its select list over the fact (partition columns last, as
# Spark stores them) and the rows a one-day update of the newest day rewrites: the partition
# holding it (an unpartitioned table: every row).
NEWEST_DAY = "(select max(date) from fact)"
WAYS = {
    "unpartitioned": ("", "*", "true"),
    "partitioned by month": (
        "partitioned by (month)",
        "*, trunc(date, 'MM') as month",
        f"trunc(date, 'MM') = trunc({NEWEST_DAY}, 'MM')",
    ),
    "partitioned by date": (
        "partitioned by (date)",
        "model_permaslug, total_tokens, date",
        f"date = {NEWEST_DAY}",
    ),
}
READS = {
    "count": "select count(*) from {table}",
    "tokens by date": "select date, sum(total_tokens) from {table} group by date",
}


def timed(spark: SparkSession, label: str, sql: str, budget: float) -> None:
    """Run ``sql`` to the end, or cancel it after ``budget`` seconds; print its wall time and,
    for the count, the rows counted."""
    cancel = threading.Timer(budget, spark.sparkContext.cancelAllJobs)
    started = time.monotonic()
    cancel.start()
    try:
        rows = spark.sql(sql).collect()
        outcome = f"{time.monotonic() - started:.1f} s"
        if label == "count":
            outcome += f", {rows[0][0]:,} rows counted"
    except Exception:  # a cancelled job surfaces as a Py4J or Spark error
        if cancel.is_alive():
            raise
        outcome = f"more than {budget:.0f} s (cancelled)"
    finally:
        cancel.cancel()
    print(f"  {label}: {outcome}", flush=True)


def main(budget: float, rows: int, dates: int) -> None:
    """Time each way of laying out a fact of ``rows`` over ``dates`` days in one local Spark
    session."""
    with local_spark_session(
        "spark-partitioned-tables-", {"spark.sql.sources.partitionOverwriteMode": "dynamic"}
    ) as spark:
        spark.sql(f"create temporary view fact as {fact(rows, dates)}")
        for number, (way, (partitioning, columns, replaced)) in enumerate(WAYS.items()):
            table = f"fact_{number}"
            print(way, flush=True)
            timed(
                spark,
                "write",
                f"create table {table} using parquet {partitioning} as select {columns} from fact",
                budget,
            )
            if not spark.catalog.tableExists(table):
                continue
            timed(
                spark,
                "one-day update (its partition; unpartitioned, the whole table)",
                f"insert overwrite table {table} select {columns} from fact where {replaced}",
                budget,
            )
            for label, read in READS.items():
                timed(spark, label, read.format(table=table), budget)


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--budget", type=float, default=300.0, help="seconds per statement")
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--dates", type=int, default=15_700)
    args = parser.parse_args()
    main(args.budget, args.rows, args.dates)
