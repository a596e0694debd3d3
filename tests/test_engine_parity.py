"""The same dbt models on Spark (dbt-spark, in-process `local[*]`) publish the same warehouse as
on DuckDB: after a full build, and after a one-day run over a restated day. The Spark runs go
through Dagster (``warehouse_job``, ``rankings_job``) with ``DBT_TARGET=spark``, checks included."""

from __future__ import annotations

import math
import os
import shutil
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, PROJECT_ROOT, DataPaths
from tests.helpers import check_results, data_dir, restate, run, run_command

RESTATED_DAY = date(2026, 2, 12)
# Runs one job of the code location loaded with the environment's DBT_TARGET; fails unless the
# run and every check it ran succeeded.
RUN_JOB = """
import sys
import dagster as dg
from orchestration.definitions import defs
job, partition = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else None)
with dg.DagsterInstance.get() as instance:
    result = defs.resolve_job_def(job).execute_in_process(
        instance=instance, partition_key=partition, raise_on_error=False
    )
checks = result.get_asset_check_evaluations()
print(f"{job}: success={result.success}, checks {sum(c.passed for c in checks)}/{len(checks)}")
sys.exit(0 if result.success and checks and all(c.passed for c in checks) else 1)
"""


def run_on_spark(paths: DataPaths, *args: str) -> None:
    """A job of the pipeline on Spark, in its own process as the engine is chosen at load."""
    home = paths.data_dir / "dagster_home"
    home.mkdir(exist_ok=True)
    shutil.copy(PROJECT_ROOT / "orchestration" / "dagster.yaml", home / "dagster.yaml")
    done = run_command(
        [sys.executable, "-c", RUN_JOB, *args],
        timeout=900,
        DBT_TARGET="spark",
        PIPELINE_DATA_DIR=str(paths.data_dir),
        DAGSTER_HOME=str(home),
        OPENROUTER_API_KEY=None,
        WAREHOUSE_PATH=None,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]


def published_marts(warehouse: Path) -> dict[str, tuple[list[tuple], list[tuple]]]:
    """Each published table: its columns and types, and its rows in a stable order."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = {}
        for (table,) in connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall():
            columns = connection.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = 'marts' and table_name = ? order by column_index",
                [table],
            ).fetchall()
            # Doubles last in the sort: rows are ordered by their exact values first.
            names = [name for name, kind in columns if name != "published_at"]
            order = sorted(range(len(names)), key=lambda i: columns[i][1] == "DOUBLE")
            rows = connection.execute(
                f"select {', '.join(names)} from marts.{table} "
                f"order by {', '.join(str(i + 1) for i in order)}"
            ).fetchall()
            tables[table] = (columns, rows)
    return tables


def assert_same_marts(spark: Path, duck: Path) -> None:
    """Same tables, columns, types and rows; doubles equal to 1e-9."""
    spark_marts, duck_marts = published_marts(spark), published_marts(duck)
    assert spark_marts.keys() == duck_marts.keys()
    for table, (columns, rows) in duck_marts.items():
        spark_columns, spark_rows = spark_marts[table]
        assert spark_columns == columns, table
        assert len(spark_rows) == len(rows), table
        for spark_row, row in zip(spark_rows, rows, strict=True):
            for spark_value, value in zip(spark_row, row, strict=True):
                if isinstance(value, float) and spark_value is not None:
                    assert math.isclose(spark_value, value, rel_tol=1e-9, abs_tol=1e-9), table
                else:
                    assert spark_value == value, (table, spark_row, row)


@pytest.fixture
def spark_lake(clean_lake: Path, tmp_path: Path) -> DataPaths:
    """A private copy of the sample lake for the Spark runs."""
    shutil.copytree(clean_lake / "lake", tmp_path / "spark" / "lake")
    with data_dir(tmp_path / "spark") as paths:
        return paths


def test_spark_publishes_the_warehouse_duckdb_publishes(
    lake_copy: DataPaths, spark_lake: DataPaths
):
    # Full build, both engines.
    assert run("warehouse_job").success
    run_on_spark(spark_lake, "warehouse_job")
    assert (spark_lake.spark_warehouse_dir / "marts.db" / "mart_vendor_weekly").is_dir()
    assert not spark_lake.working_warehouse.exists()  # Spark built it, not DuckDB
    assert_same_marts(spark_lake.published_warehouse, lake_copy.published_warehouse)

    # A later snapshot restates one day; a one-day run over it, both engines.
    restate(lake_copy, RESTATED_DAY, extra_tokens=10**9)
    with data_dir(spark_lake.data_dir):
        restate(spark_lake, RESTATED_DAY, extra_tokens=10**9)
    result = run("rankings_job", partition_key=RESTATED_DAY.isoformat())
    assert result.success and all(check_results(result).values())
    run_on_spark(spark_lake, "rankings_job", RESTATED_DAY.isoformat())
    assert_same_marts(spark_lake.published_warehouse, lake_copy.published_warehouse)
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
    assert "11 of 11 PASS" in units.stdout


def test_dbt_target_is_checked_at_start_up():
    done = run_command(
        [sys.executable, "-c", "import orchestration.definitions"],
        DBT_TARGET="snowflake",
        cwd=PROJECT_ROOT,
    )
    assert done.returncode != 0
    assert "DBT_TARGET='snowflake' is not a target the pipeline builds with" in done.stderr
    assert os.environ.get("DBT_TARGET", "duckdb") == "duckdb"
