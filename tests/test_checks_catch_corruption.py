"""A deliberately corrupted lake or warehouse makes the right check fail, and the run stop."""

from __future__ import annotations

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.checks import tokens_reconcile_with_raw
from orchestration.definitions import defs
from orchestration.settings import DataPaths
from tests.conftest import write_parquet
from tests.pipeline import QUIET, check_results, run

CORRUPTED_DATE = "2026-02-12"


def restate_day(paths: DataPaths, change) -> None:
    """Add a later snapshot of CORRUPTED_DATE with rows ``change(rows)``, bypassing validation."""
    folder = paths.raw_rankings_dir / f"date={CORRUPTED_DATE}"
    rows = pq.read_table(next(folder.glob("*.parquet"))).to_pylist()
    rows = change(rows)
    for row in rows:
        row["as_of"] = row["as_of"].replace(year=2027)
        row["response_sha256"] = "f" * 64
    table = pa.Table.from_pylist(rows, schema=pq.read_schema(next(folder.glob("*.parquet"))))
    write_parquet(table, folder / "20270101T000000Z_ffffffffffffffff.parquet")


def failed_checks(result: dg.ExecuteInProcessResult) -> set[str]:
    return {name for name, passed in check_results(result).items() if not passed}


def test_negative_tokens_fail_the_non_negative_test(lake_copy: DataPaths):
    def negate_first(rows):
        rows[0]["total_tokens"] = -rows[0]["total_tokens"]
        return rows

    restate_day(lake_copy, negate_first)
    result = run("warehouse_job")

    assert not result.success
    assert "marts/fct_model_daily_tokens:non_negative_fct_model_daily_tokens_total_tokens" in (
        failed_checks(result)
    )


def test_duplicated_row_fails_the_uniqueness_test(lake_copy: DataPaths):
    restate_day(lake_copy, lambda rows: [*rows, dict(rows[0])])
    result = run("warehouse_job")

    assert not result.success
    assert any(
        name.startswith("marts/fct_model_daily_tokens:unique_combination_of_columns")
        for name in failed_checks(result)
    )


def test_a_unit_error_fails_the_model_day_ceiling(lake_copy: DataPaths):
    def thousandfold(rows):
        rows[0]["total_tokens"] *= 1000  # tokens reported in thousands, say
        return rows

    restate_day(lake_copy, thousandfold)
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
