"""Write-audit-publish: the published copy, its exports, and what survives a failure."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.definitions import defs
from orchestration.defs.assets.serving import published_warehouse
from orchestration.lib.settings import DataPaths
from tests.helpers import (
    DUCKDB_CLI,
    QUIET,
    cli,
    restate,
    run,
    thousandfold_first_row,
    write_later_snapshot,
)

MARTS = {
    "fct_model_daily_tokens",
    "mart_vendor_weekly",
    "mart_country_weekly",
    "mart_region_weekly",
    "mart_model_weekly_growth",
    "mart_token_milestones",
    "mart_market_concentration_weekly",
    "dim_models",
    "mart_vendor_monthly",
    "mart_country_monthly",
    "mart_region_monthly",
    "mart_restatements",
    "mart_restatements_weekly",
    "mart_model_spend_weekly",
    "mart_source_coverage",
    "mart_claim_checks",
    "mart_ranking_events",
    "mart_milestone_forecasts",
    "mart_forecast_scores",
    # The semantic layer's calendar, published so that MetricFlow can read the published file.
    "metricflow_time_spine",
}
EMPTY_ON_THE_SAMPLE = {"mart_restatements", "mart_restatements_weekly"}


def publish_alone(instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    """Materialize ``published_warehouse`` on its own, as from the UI."""
    return dg.materialize(
        [published_warehouse], instance=instance, run_config=QUIET, raise_on_error=False
    )


def published_state(paths: DataPaths) -> dict[str, bytes]:
    files = [paths.published_warehouse, *sorted(paths.exports_dir.glob("*"))]
    return {str(path): path.read_bytes() for path in files}


def test_the_cli_analysts_use_opens_the_published_warehouse(published_sample: DataPaths):
    version = subprocess.run([str(DUCKDB_CLI), "--version"], capture_output=True, text=True)
    assert version.stdout.startswith("v1.5"), version.stdout  # older than the writer (2.x)

    tables = {
        row["table_name"]
        for row in cli(
            published_sample.published_warehouse,
            "select table_name from information_schema.tables where table_schema = 'marts'",
        )
    }
    assert tables == MARTS | {"publication"}
    publication = cli(published_sample.published_warehouse, "select * from marts.publication")[0]
    assert publication["citation"] == (
        "Source: OpenRouter (openrouter.ai/rankings), as of 2026-05-11T00:00:00+00:00."
    )
    assert publication["first_date"] == "2025-11-10" and publication["last_date"] == "2026-05-10"
    assert publication["dates_covered"] == 182 and publication["source"] == "sample"


def test_every_mart_is_exported_to_parquet_with_the_same_rows(published_sample: DataPaths):
    exports = {path.stem: path for path in published_sample.exports_dir.glob("*.parquet")}
    assert set(exports) == MARTS | {"publication"}
    with duckdb.connect(str(published_sample.published_warehouse), read_only=True) as connection:
        for mart, path in exports.items():
            (count,) = connection.execute(f"select count(*) from marts.{mart}").fetchone()
            assert pq.read_metadata(path).num_rows == count, mart
            # The sample has one snapshot per date: nothing was restated.
            assert count > 0 or mart in EMPTY_ON_THE_SAMPLE, mart
    assert not [p for p in published_sample.exports_dir.iterdir() if p.suffix != ".parquet"]


@pytest.mark.slow
def test_a_failing_check_publishes_nothing(built_copy: DataPaths):
    before = published_state(built_copy)

    write_later_snapshot(built_copy, "2026-02-12", thousandfold_first_row)
    instance = dg.DagsterInstance.ephemeral()
    failed = defs.resolve_job_def("warehouse_job").execute_in_process(
        instance=instance, run_config=QUIET, raise_on_error=False
    )

    assert not failed.success
    assert "published_warehouse" not in {
        event.asset_key.to_user_string() for event in failed.get_asset_materialization_events()
    }
    assert published_state(built_copy) == before

    # Materializing the publish on its own afterwards is refused too.
    alone = publish_alone(instance)
    assert not alone.success
    assert "model_day_tokens_below_ceiling" in str(
        alone.get_step_failure_events()[0].event_specific_data.error
    )
    assert published_state(built_copy) == before


@pytest.mark.slow
def test_rows_of_a_failed_day_never_reach_analysts(lake_copy: DataPaths):
    # Day A fails its checks; day B, later, passes its own. The daily path publishes B's rows
    # only, and publishing the whole warehouse on its own is refused until everything is checked.
    assert run("warehouse_job").success
    corrupted_day, later_day = "2026-02-12", "2026-04-15"
    write_later_snapshot(lake_copy, corrupted_day, thousandfold_first_row)
    instance = dg.DagsterInstance.ephemeral()
    job = defs.resolve_job_def("rankings_job")
    failed = job.execute_in_process(
        partition_key=corrupted_day, instance=instance, run_config=QUIET, raise_on_error=False
    )
    assert not failed.success
    passed = job.execute_in_process(
        partition_key=later_day, instance=instance, run_config=QUIET, raise_on_error=False
    )
    assert passed.success

    def largest_on_corrupted_day() -> list[dict]:
        return cli(
            lake_copy.published_warehouse,
            "select max(total_tokens) as tokens from marts.fct_model_daily_tokens "
            f"where date = '{corrupted_day}'",
        )

    clean = largest_on_corrupted_day()
    alone = publish_alone(instance)
    assert not alone.success
    assert "checked only some dates" in str(
        alone.get_step_failure_events()[0].event_specific_data.error
    )
    assert largest_on_corrupted_day() == clean


PUBLISH_FOREVER = textwrap.dedent(
    """
    from orchestration.lib.engines import ENGINES
    from orchestration.lib.publishing import publish_warehouse
    from orchestration.lib.settings import data_paths

    while True:
        publish_warehouse(data_paths(), ENGINES["duckdb"])
    """
)


def test_a_publish_killed_midway_leaves_the_previous_state_readable(built_copy: DataPaths):
    publisher = subprocess.Popen([sys.executable, "-c", PUBLISH_FOREVER], env=os.environ.copy())
    killed_during_write = False
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed_during_write:
            in_progress = [
                path
                for folder in (
                    built_copy.data_dir,
                    *built_copy.exports_versions_dir.glob("*"),
                )
                if folder.is_dir()
                for path in folder.iterdir()
                if path.name.endswith(".tmp")
            ]
            if in_progress:
                os.kill(publisher.pid, signal.SIGKILL)
                killed_during_write = True
    finally:
        publisher.kill()
        publisher.wait()

    assert killed_during_write, "never caught the publisher writing"
    shares = cli(
        built_copy.published_warehouse,
        "select week_start, sum(token_share) as total from marts.mart_region_weekly group by 1",
    )
    assert len(shares) == 26 and all(abs(row["total"] - 1) < 1e-9 for row in shares)
    for export in built_copy.exports_dir.glob("*.parquet"):
        # Whole files: their footer reads, and every mart with rows on the sample has them.
        assert pq.read_metadata(export).num_rows > 0 or export.stem in EMPTY_ON_THE_SAMPLE


@pytest.mark.slow
def test_the_exports_of_one_publish_are_switched_together_and_carry_their_source(
    lake_copy: DataPaths,
):
    # Exports an older version wrote straight into the folder are moved aside, then kept as
    # the publish before (the next publish removes them, as any older one).
    lake_copy.exports_dir.mkdir(parents=True)
    (lake_copy.exports_dir / "mart_vendor_weekly.parquet").write_bytes(b"an older export")
    assert run("warehouse_job").success
    first = lake_copy.exports_dir.resolve()
    assert lake_copy.exports_dir.is_symlink() and first.parent == lake_copy.exports_versions_dir
    [moved_aside] = [p for p in lake_copy.exports_versions_dir.iterdir() if p != first]
    assert (moved_aside / "mart_vendor_weekly.parquet").read_bytes() == b"an older export"
    with (first / "mart_vendor_weekly.parquet").open("rb") as reader_of_the_first_publish:
        assert run("warehouse_job").success
        second = lake_copy.exports_dir.resolve()
        assert second != first
        # The publish before stays whole for a reader still in it.
        assert pq.ParquetFile(reader_of_the_first_publish).metadata.num_rows > 0
    assert sorted(lake_copy.exports_versions_dir.iterdir()) == sorted([first, second])

    for export in lake_copy.exports_dir.glob("*.parquet"):
        metadata = pq.read_metadata(export).metadata
        assert metadata[b"as_of"] == b"2026-05-11T00:00:00+00:00", export.name
        assert metadata[b"source"] == b"sample"
        assert metadata[b"share_scope"] == b"listed models only"
        assert metadata[b"citation"] == (
            b"Source: OpenRouter (openrouter.ai/rankings), as of 2026-05-11T00:00:00+00:00."
        )


@pytest.mark.slow
def test_each_publish_says_what_changed_since_the_one_before(built_copy: DataPaths):
    [first] = cli(built_copy.published_warehouse, "select changes from marts.publication")
    assert first["changes"] == "The first publish: every day is new."
    day = date(2026, 2, 10)
    new_leader_tokens = restate(built_copy, day, extra_tokens=5_000_000)

    assert run("warehouse_job").success

    [publication] = cli(
        built_copy.published_warehouse,
        "select previous_published_at is not null as after_another, dates_added, rows_added, "
        "tokens_added, dates_restated, tokens_restated, dates_removed, changes "
        "from marts.publication",
    )
    assert new_leader_tokens > 0
    assert publication["after_another"] is True
    added = (publication["dates_added"], publication["rows_added"], publication["tokens_added"])
    assert added == (0, 0, 0)
    assert (publication["dates_restated"], publication["tokens_restated"]) == (1, 5_000_000)
    assert publication["dates_removed"] == 0
    assert "1 day(s) restated (net +0.0000T tokens)" in publication["changes"]
