"""How Spark reads the rankings lake, timed three ways (docs/scale-out.md, "Why Spark copies the
lake first").

``python -m bench.spark_lake_reads [LAKE_FOLDER]``; the default folder is the 1M lake that
``make bench`` leaves in ``data/bench``. For each way it prints the seconds of each set-up
statement and of two full scans, as the models make them: a ``count(*)`` and the latest snapshot
of each date.

1. a view over ``parquet.`<folder>``` (Spark lists and opens every file for each query);
2. a table partitioned by ``date`` over the folder, its partitions registered;
3. one Parquet table copied from the folder, as ``load_lake_sources()`` does on Spark.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pyspark.sql import SparkSession

from bench.local_spark import local_spark_session
from orchestration.lib.settings import PROJECT_ROOT

DEFAULT_LAKE = PROJECT_ROOT / "data" / "bench" / "1M" / "data" / "lake" / "raw" / "rankings_daily"
SCANS = {
    "count": "select count(*) from {table}",
    "latest snapshot per date": (
        "select date, max(struct(as_of, fetched_at, response_sha256)) from {table} group by date"
    ),
}


def timed(spark: SparkSession, label: str, sql: str) -> None:
    """Run ``sql`` to the end; print its wall time and, for the count, the rows counted."""
    started = time.monotonic()
    rows = spark.sql(sql).collect()
    seconds = time.monotonic() - started
    returned = f", {rows[0][0]:,} rows counted" if label == "count" else ""
    print(f"  {label}: {seconds:.1f} s{returned}", flush=True)


def main(lake: Path) -> None:
    """Time the three ways of reading ``lake`` in one local Spark session."""
    with local_spark_session("spark-lake-reads-") as spark:
        _time_each_way(spark, lake)


def _time_each_way(spark: SparkSession, lake: Path) -> None:
    one_date = next(lake.glob("date=*"))
    columns = ", ".join(
        f"`{field.name}` {field.dataType.simpleString()}"
        for field in spark.read.parquet(str(one_date)).schema
        if field.name != "date"
    )
    ways = [
        (
            "view over the folder",
            "lake_view",
            [f"create temporary view lake_view as select * from parquet.`{lake}`"],
        ),
        (
            "partitioned table, partitions registered",
            "lake_partitioned",
            [
                f"create table lake_partitioned ({columns}, `date` date) using parquet"
                f" partitioned by (`date`) location '{lake}'",
                "alter table lake_partitioned recover partitions",
            ],
        ),
        (
            "one Parquet table copied from the folder",
            "lake_copy",
            [f"create table lake_copy using parquet as select * from parquet.`{lake}`"],
        ),
    ]
    for way, table, set_up in ways:
        print(way, flush=True)
        for statement in set_up:
            timed(spark, "set-up: " + " ".join(statement.split()[:3]), statement)
        for label, scan in SCANS.items():
            timed(spark, label, scan.format(table=table))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_LAKE)
