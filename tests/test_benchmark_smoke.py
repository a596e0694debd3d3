"""The benchmark at its smallest scale: the pipeline's marts equal the DuckDB floor's marts, and
the Spark lake-read timings read every row each way."""

from __future__ import annotations

import re
import subprocess
import sys
from datetime import date

import duckdb
import pytest

from bench.floor import FLOOR_TABLES, run_floor
from bench.run import SCALES, SEED_CSV, ingest_all, measure_compaction
from bench.synthetic import generate
from tests.helpers import data_dir, mismatched_rows, run


def rows_of(connection: duckdb.DuckDBPyConnection, table: str, columns: list[str]) -> list[tuple]:
    listed = ", ".join(columns)
    return connection.execute(f"select {listed} from {table} order by {listed}").fetchall()


@pytest.mark.slow
def test_pipeline_marts_equal_the_floor_at_the_smallest_scale(tmp_path):
    sample = tmp_path / "sample"
    generated = generate(sample, days=SCALES["10k"], last_date=date(2026, 11, 26))
    assert 9_000 < generated.raw_rows < 11_000
    with data_dir(tmp_path / "data") as paths:
        rows, _ = ingest_all(sample, paths)
        assert rows == generated.raw_rows
        assert run("warehouse_job").success
    floor_db = tmp_path / "floor.duckdb"
    run_floor(paths.lake_dir, SEED_CSV, floor_db)

    with duckdb.connect(str(floor_db), read_only=True) as floor:
        floor.execute(f"attach '{paths.working_warehouse}' as pipeline (read_only)")
        for table in FLOOR_TABLES:
            columns = [name for name, *_ in floor.execute(f"describe {table}").fetchall()]
            expected = rows_of(floor, table, columns)
            actual = rows_of(floor, f"pipeline.marts.{table}", columns)
            assert len(actual) == len(expected) > 0, table
            mismatched = mismatched_rows(actual, expected, 1e-9)
            assert mismatched == [], (table, mismatched[:3])


@pytest.mark.spark
def test_the_spark_lake_read_timings_see_every_row_each_way(tmp_path):
    sample = tmp_path / "sample"
    generated = generate(sample, days=14, last_date=date(2026, 11, 26))
    with data_dir(tmp_path / "data") as paths:
        ingest_all(sample, paths)
    timings = subprocess.run(
        [sys.executable, "-m", "bench.spark_lake_reads", str(paths.raw_rankings_dir)],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    counted = re.findall(r"count: [\d.]+ s, ([\d,]+) rows counted", timings)
    assert counted == [f"{generated.raw_rows:,}"] * 3, timings
    assert "latest snapshot per date" in timings


@pytest.mark.spark
def test_the_spark_partitioning_timings_keep_every_row_each_way():
    timings = subprocess.run(
        [sys.executable, "-m", "bench.spark_partitioned_tables", "--rows", "2000", "--dates", "40"],
        capture_output=True,
        text=True,
        check=True,
        timeout=600,
    ).stdout
    # Counted after the one-day update: overwriting the newest day's partition kept the others.
    assert re.findall(r"count: [\d.]+ s, ([\d,]+) rows counted", timings) == ["2,000"] * 3, timings
    assert timings.count("one-day update") == 3
    assert "cancelled" not in timings


@pytest.mark.slow
def test_the_compaction_figures_come_from_a_lake_that_kept_every_row(tmp_path):
    # Forty daily snapshots of 30 days each: a date folder holds up to 30 files before.
    compaction = measure_compaction(tmp_path, days=40)

    assert compaction.files_per_month_before > 300
    assert compaction.files_per_month_after <= 31
