"""The Dagster code location loads, and the ingestion assets write the expected Parquet."""

from __future__ import annotations

from datetime import UTC, date, datetime

import dagster as dg
import duckdb
from pytest_httpserver import HTTPServer

from orchestration.cli.entry_point import INSTANCE_CONFIG, install_instance_config
from orchestration.definitions import defs
from orchestration.defs.assets.raw import raw_models_catalog, raw_rankings_daily
from orchestration.defs.partitions import partition_range_tags
from orchestration.defs.pools import WAREHOUSE_POOL
from orchestration.defs.schedules import daily_rankings_refresh
from orchestration.lib.openrouter import RANKINGS_PATH, OpenRouterClient
from orchestration.lib.sample import BundledSample
from orchestration.lib.settings import DataPaths, sample_dir
from tests.helpers import new_dagster_home, project_instance, rankings_body


def test_definitions_load():
    repository = defs.get_repository_def()
    keys = {key.to_user_string() for key in repository.asset_graph.get_all_asset_keys()}
    assert {"raw_rankings_daily", "raw_models_catalog"} <= keys
    assert {s.name for s in repository.schedule_defs} >= {
        "daily_rankings_refresh",
        "daily_catalog_refresh",
    }


def test_materializing_a_few_partitions_writes_the_expected_parquet(paths: DataPaths):
    source = BundledSample(sample_dir())
    instance = dg.DagsterInstance.ephemeral()
    result = dg.materialize(
        [raw_rankings_daily, raw_models_catalog],
        resources={"rankings_source": source},
        instance=instance,
        selection=[raw_rankings_daily],
        tags=partition_range_tags(date(2026, 2, 14), date(2026, 2, 17)),
    )
    assert result.success

    parquet = sorted(
        p.relative_to(paths.raw_rankings_dir) for p in paths.raw_rankings_dir.rglob("*.parquet")
    )
    assert [str(p.parent) for p in parquet] == [
        "date=2026-02-14",
        "date=2026-02-15",
        "date=2026-02-16",
        "date=2026-02-17",
    ]
    rows, tokens = (
        duckdb.connect()
        .execute(
            "select count(*), sum(total_tokens) "
            f"from read_parquet('{paths.raw_rankings_dir}/*/*.parquet')"
        )
        .fetchone()
    )
    metadata = result.asset_materializations_for_node("raw_rankings_daily")[0].metadata
    assert metadata["rows"].value == rows > 0
    assert metadata["sum_total_tokens"].value == tokens
    assert metadata["dates_covered"].value == 4
    assert metadata["source"].value == "sample"
    # Two weekly responses overlap the four days; both are landed as received.
    assert len(list((paths.landing_dir / "rankings_daily").glob("*.json"))) == 2


def test_catalogue_asset_writes_one_snapshot(paths: DataPaths):
    source = BundledSample(sample_dir())
    result = dg.materialize([raw_models_catalog], resources={"rankings_source": source})
    assert result.success
    files = list(paths.raw_catalog_dir.glob("*.parquet"))
    assert len(files) == 1 and files[0].name.startswith("20260507T000000Z_")
    count = duckdb.connect().execute(f"select count(*) from '{files[0]}'").fetchone()[0]
    assert count == 368


def test_every_step_that_opens_the_warehouse_shares_one_pool_of_size_one(tmp_path):
    repository = defs.get_repository_def()
    graph = repository.asset_graph
    for key in graph.materializable_asset_keys:
        pools = graph.get(key).pools
        # Only the raw ingestion and the report (which reads the published copy) stay outside.
        outside = (
            key.to_user_string().startswith("raw_") or key.to_user_string() == "rankings_report"
        )
        expected = set() if outside else {WAREHOUSE_POOL}
        assert pools == expected, key

    with project_instance(new_dagster_home(tmp_path)) as instance:
        assert instance.get_concurrency_config().pool_config.default_pool_limit == 1


def test_dbt_sources_are_the_raw_assets_and_models_are_grouped():
    graph = defs.get_repository_def().asset_graph
    staging = graph.get(dg.AssetKey(["staging", "stg_openrouter__rankings_daily"]))
    assert dg.AssetKey("raw_rankings_daily") in staging.parent_keys
    catalog = graph.get(dg.AssetKey(["staging", "stg_openrouter__models_catalog"]))
    assert dg.AssetKey("raw_models_catalog") in catalog.parent_keys
    assert graph.get(dg.AssetKey(["marts", "mart_region_weekly"])).group_name == "marts"
    assert staging.group_name == "staging"


def test_a_requested_day_without_rows_fails_the_run_naming_it(
    paths: DataPaths, httpserver: HTTPServer
):
    # The live API answers the window asked for, but one of its days has no rows.
    httpserver.expect_request(RANKINGS_PATH).respond_with_data(
        rankings_body(
            [("2026-02-09", "minimax/minimax-m2.5-20260211", "900")],
            start="2026-02-09",
            end="2026-02-10",
        )
    )
    client = OpenRouterClient(base_url=httpserver.url_for("/").rstrip("/"), api_key="sk-test")

    result = dg.materialize(
        [raw_rankings_daily],
        resources={"rankings_source": client},
        tags=partition_range_tags(date(2026, 2, 9), date(2026, 2, 10)),
        raise_on_error=False,
    )

    assert not result.success
    error = str(result.failure_data_for_node("raw_rankings_daily").user_failure_data.description)
    assert (
        "1 of the requested day(s) 2026-02-09..2026-02-10 have no usable rows: no rows for "
        "2026-02-10: the source has not published them (yet)"
    ) in error
    # The day that came is kept in the lake; nothing is built or published from this run.
    assert [p.name for p in paths.raw_rankings_dir.iterdir()] == ["date=2026-02-09"]


def test_on_the_sample_the_schedules_are_off_and_skip_saying_why(monkeypatch):
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    assert daily_rankings_refresh.default_status == dg.DefaultScheduleStatus.STOPPED
    context = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 30, 2, 45, tzinfo=UTC)
    )
    skip = daily_rankings_refresh.evaluate_tick(context).skip_message or ""
    assert "the bundled sample" in skip and "2026-05-10" in skip
    assert "RANKINGS_SOURCE=exports" in skip


def test_dbt_exposures_end_the_lineage_in_dagster():
    graph = defs.get_repository_def().asset_graph
    exposures = {
        key.path[1]: key for key in graph.get_all_asset_keys() if key.path[0] == "exposures"
    }
    assert set(exposures) == {
        "rankings_report",
        "superset_dashboard",
        "example_queries",
        "bi_exports",
    }
    readers = graph.get(exposures["example_queries"]).parent_keys
    assert {
        dg.AssetKey(["marts", "dim_models"]),
        dg.AssetKey(["marts", "mart_restatements"]),
    } <= readers
    assert not graph.get(
        exposures["bi_exports"]
    ).is_materializable  # external: Dagster runs nothing


def test_the_project_instance_turns_off_telemetry_and_the_onboarding_modal(tmp_path):
    # The instance config `make demo` and `make ui` install: no telemetry, and no "join the
    # community" modal over the UI on a first visit.
    with project_instance(new_dagster_home(tmp_path)) as instance:
        assert not instance.telemetry_enabled
        assert not instance.nux_enabled


def test_a_homes_older_copy_of_the_project_config_is_replaced_and_its_own_config_kept(
    tmp_path, monkeypatch
):
    project_config = INSTANCE_CONFIG.read_text()
    installed = tmp_path / "dagster_home" / "dagster.yaml"
    monkeypatch.setenv("DAGSTER_HOME", str(installed.parent))
    install_instance_config()
    assert installed.read_text() == project_config

    older = project_config.partition("\n")[0] + "\ntelemetry:\n  enabled: false\n"
    installed.write_text(older)
    install_instance_config()
    assert installed.read_text() == project_config

    own = "# My instance\nstorage:\n  sqlite:\n    base_dir: /somewhere\n"
    installed.write_text(own)
    install_instance_config()
    assert installed.read_text() == own
