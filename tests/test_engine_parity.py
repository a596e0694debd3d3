"""The same dbt models on Spark (dbt-spark, in-process `local[*]`) publish the same warehouse as
on DuckDB: after a full build, and after a one-day run over a restated day. The Spark runs go
through Dagster (``warehouse_job``, ``rankings_job``) with ``DBT_TARGET=spark``, checks included."""

from __future__ import annotations

import os
import shutil
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, PROJECT_ROOT, DataPaths
from tests.helpers import (
    assert_same_marts,
    check_results,
    data_dir,
    restate,
    run,
    run_command,
    run_job_on_engine,
)

# Spark in a JVM, and the whole warehouse built on both engines.
pytestmark = pytest.mark.spark

RESTATED_DAY = date(2026, 2, 12)


@pytest.fixture
def spark_lake(clean_lake: Path, tmp_path: Path) -> DataPaths:
    """A private copy of the sample lake for the Spark runs, in a folder whose name has a space
    and a quote: Spark's settings carry the path as text it parses."""
    folder = tmp_path / "spark q'lake"
    shutil.copytree(clean_lake / "lake", folder / "lake")
    with data_dir(folder) as paths:
        return paths


def test_spark_publishes_the_warehouse_duckdb_publishes(
    built_copy: DataPaths, spark_lake: DataPaths
):
    # Full build, both engines (DuckDB's is the session's build of the sample).
    run_job_on_engine(spark_lake, "spark", "warehouse_job")
    assert (spark_lake.spark_warehouse_dir / "marts.db" / "mart_vendor_weekly").is_dir()
    assert not spark_lake.working_warehouse.exists()  # Spark built it, not DuckDB
    assert_same_marts(spark_lake.published_warehouse, built_copy.published_warehouse)

    # A later snapshot restates one day; a one-day run over it, both engines.
    restate(built_copy, RESTATED_DAY, extra_tokens=10**9)
    with data_dir(spark_lake.data_dir):
        restate(spark_lake, RESTATED_DAY, extra_tokens=10**9)
    result = run("rankings_job", partition_key=RESTATED_DAY.isoformat())
    assert result.success and all(check_results(result).values())
    run_job_on_engine(spark_lake, "spark", "rankings_job", RESTATED_DAY.isoformat())
    assert_same_marts(spark_lake.published_warehouse, built_copy.published_warehouse)
    with duckdb.connect(str(spark_lake.published_warehouse), read_only=True) as published:
        (restatements,) = published.execute(
            "select count(*) from marts.mart_restatements where date = ?", [RESTATED_DAY]
        ).fetchone()
    assert restatements > 0

    # The dbt unit tests (fixed inputs; not part of a production build) pass on Spark too.
    units = run_command(
        [
            DBT_EXECUTABLE, "test", "--select", "test_type:unit", "--target", "spark",
            "--target-path", "target/spark",
        ],
        cwd=DBT_PROJECT_DIR,
        timeout=600,
        DBT_TARGET="spark",
        PIPELINE_DATA_DIR=str(spark_lake.data_dir),
    )  # fmt: skip
    assert units.returncode == 0, units.stdout[-5000:]
    assert "16 of 16 PASS" in units.stdout


def test_dbt_target_is_checked_at_start_up():
    done = run_command(
        [sys.executable, "-c", "import orchestration.definitions"],
        DBT_TARGET="snowflake",
        cwd=PROJECT_ROOT,
    )
    assert done.returncode != 0
    assert "DBT_TARGET='snowflake' is not a target the pipeline builds with" in done.stderr
    assert os.environ.get("DBT_TARGET", "duckdb") == "duckdb"
