"""A deliberately corrupted lake or warehouse makes the right check fail, and the run stop."""

from __future__ import annotations

import dagster as dg
import duckdb
import pytest

from orchestration.definitions import defs
from orchestration.defs.assets.dbt import openrouter_dbt_models
from orchestration.lib.settings import DataPaths
from tests.helpers import (
    QUIET,
    check_results,
    run,
    thousandfold_first_row,
    write_later_snapshot,
)

CORRUPTED_DATE = "2026-02-12"


def failed_checks(result: dg.ExecuteInProcessResult) -> set[str]:
    return {name for name, passed in check_results(result).items() if not passed}


@pytest.mark.slow
def test_negative_tokens_fail_the_non_negative_test(lake_copy: DataPaths):
    def negate_first(rows):
        rows[0]["total_tokens"] = -rows[0]["total_tokens"]
        return rows

    write_later_snapshot(lake_copy, CORRUPTED_DATE, negate_first)
    result = run("warehouse_job")

    assert not result.success
    assert "marts/fct_model_daily_tokens:non_negative_fct_model_daily_tokens_total_tokens" in (
        failed_checks(result)
    )


def test_duplicated_row_fails_the_uniqueness_test(lake_copy: DataPaths):
    write_later_snapshot(lake_copy, CORRUPTED_DATE, lambda rows: [*rows, dict(rows[0])])
    result = run("warehouse_job")

    assert not result.success
    assert any(
        name.startswith("marts/fct_model_daily_tokens:unique_combination_of_columns")
        for name in failed_checks(result)
    )


@pytest.mark.slow
def test_a_unit_error_fails_the_model_day_ceiling(lake_copy: DataPaths):
    write_later_snapshot(lake_copy, CORRUPTED_DATE, thousandfold_first_row)
    result = run("warehouse_job")

    assert not result.success
    assert failed_checks(result) == {"marts/fct_model_daily_tokens:model_day_tokens_below_ceiling"}


def mart_check(mart: str, name: str) -> dg.AssetCheckKey:
    return dg.AssetCheckKey(dg.AssetKey(["marts", mart]), name)


def corrupt_working_warehouse(paths: DataPaths, sql: str) -> None:
    """Build the warehouse, then change it behind dbt's back with ``sql``."""
    assert run("warehouse_job").success
    with duckdb.connect(str(paths.working_warehouse)) as connection:
        connection.execute(sql)


def run_checks_alone(*keys: dg.AssetCheckKey) -> dict[str, dg.AssetCheckEvaluation]:
    """Run only the given dbt tests as Dagster asset checks, building nothing; by mart."""
    result = dg.materialize(
        [openrouter_dbt_models],
        selection=dg.AssetSelection.checks(*keys),
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        run_config=QUIET,
        raise_on_error=False,
    )
    return {e.asset_key.path[-1]: e for e in result.get_asset_check_evaluations()}


@pytest.mark.slow
def test_a_mart_that_does_not_reconcile_fails_the_reconciliation(lake_copy: DataPaths):
    corrupt_working_warehouse(
        lake_copy,
        "update marts.mart_region_weekly set total_tokens = total_tokens + 1 "
        "where week_start = '2026-02-09' and region = 'China'",
    )

    marts = ["mart_region_weekly", "mart_vendor_weekly", "mart_country_weekly"]
    evaluations = run_checks_alone(
        *(mart_check(mart, f"reconciles_with_raw_lake_{mart}_total_tokens") for mart in marts)
    )
    assert set(evaluations) == set(marts)
    assert not evaluations["mart_region_weekly"].passed
    assert evaluations["mart_region_weekly"].metadata["dagster_dbt/failed_row_count"].value == 1
    assert evaluations["mart_vendor_weekly"].passed
    assert evaluations["mart_country_weekly"].passed


@pytest.mark.slow
def test_a_milestone_on_the_wrong_day_fails_the_milestone_check(lake_copy: DataPaths):
    corrupt_working_warehouse(
        lake_copy,
        "update marts.mart_token_milestones set crossed_on = crossed_on + 1 "
        "where level = 'vendor' and vendor_slug = 'minimax' and threshold_tokens = 10^12",
    )

    evaluations = run_checks_alone(
        mart_check("mart_token_milestones", "milestones_match_cumulative_tokens")
    )
    evaluation = evaluations["mart_token_milestones"]
    assert not evaluation.passed
    # The moved row: minimax had reached 1T the day before its crossed_on.
    assert evaluation.metadata["dagster_dbt/failed_row_count"].value == 1
