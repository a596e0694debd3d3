"""A deliberately corrupted lake or warehouse makes the right check fail, and the run stop."""

from __future__ import annotations

import dagster as dg
import duckdb

from orchestration.checks import tokens_reconcile_with_raw
from orchestration.definitions import defs
from orchestration.settings import DataPaths
from tests.pipeline import (
    QUIET,
    check_results,
    run,
    thousandfold_first_row,
    write_later_snapshot,
)

CORRUPTED_DATE = "2026-02-12"


def failed_checks(result: dg.ExecuteInProcessResult) -> set[str]:
    return {name for name, passed in check_results(result).items() if not passed}


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


def test_a_unit_error_fails_the_model_day_ceiling(lake_copy: DataPaths):
    write_later_snapshot(lake_copy, CORRUPTED_DATE, thousandfold_first_row)
    result = run("warehouse_job")

    assert not result.success
    assert failed_checks(result) == {"marts/fct_model_daily_tokens:model_day_tokens_below_ceiling"}


def test_a_mart_that_does_not_reconcile_fails_the_reconciliation(lake_copy: DataPaths):
    assert run("warehouse_job").success

    with duckdb.connect(str(lake_copy.working_warehouse)) as connection:
        connection.execute(
            "update marts.mart_region_weekly set total_tokens = total_tokens + 1 "
            "where week_start = '2026-02-09' and region = 'China'"
        )

    result = dg.materialize(
        [*defs.assets, tokens_reconcile_with_raw],
        selection=dg.AssetSelection.checks(tokens_reconcile_with_raw),
        resources=defs.resources,
        instance=dg.DagsterInstance.ephemeral(),
        run_config=QUIET,
        raise_on_error=False,
    )
    evaluations = {e.asset_key.to_user_string(): e for e in result.get_asset_check_evaluations()}
    assert not evaluations["marts/mart_region_weekly"].passed
    assert evaluations["marts/mart_region_weekly"].metadata["mismatched_weeks"].value == 1
    assert all(
        evaluations[key].passed
        for key in (
            "marts/mart_vendor_weekly",
            "marts/mart_country_weekly",
            "marts/mart_model_weekly_growth",
        )
    )
