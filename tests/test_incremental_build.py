"""A partitioned run rebuilds only what its dates change, and ends where a full build would."""

from __future__ import annotations

import os
import subprocess
from datetime import date

import duckdb
import pytest

from orchestration.lib.settings import (
    DBT_BUILD_ARGS,
    DBT_EXECUTABLE,
    DBT_PROJECT_DIR,
    DataPaths,
)
from tests.helpers import check_results, cli, mismatched_rows, query, restate, run

RESTATED_DAY = date(2026, 2, 12)
UNTOUCHED_DAY = date(2026, 2, 20)


@pytest.mark.slow
def test_one_day_runs_rebuild_their_day_only_and_dbt_parses_once(built_copy: DataPaths):
    # Mark the fact's rows of another day, to see whether the next run rebuilds them.
    with duckdb.connect(str(built_copy.working_warehouse)) as connection:
        connection.execute(
            "update marts.fct_model_daily_tokens set source = 'marker' where date = ?",
            [UNTOUCHED_DAY],
        )
    restated_tokens = restate(built_copy, RESTATED_DAY, extra_tokens=10**9)

    result = run("rankings_job", partition_key=RESTATED_DAY.isoformat())

    assert result.success
    assert all(check_results(result).values())
    leader = query(
        built_copy,
        "select max(total_tokens), min(as_of) from marts.fct_model_daily_tokens where date = ?",
        [RESTATED_DAY],
    )[0]
    assert leader[0] == restated_tokens
    assert leader[1].isoformat().startswith("2026-03-01T02:00:00")
    sources = query(
        built_copy,
        "select distinct source from marts.fct_model_daily_tokens where date = ?",
        [UNTOUCHED_DAY],
    )
    assert sources == [("marker",)]

    # The next day's run has another window and starts from the first run's parse state (this
    # data directory's, not the project's): dbt reuses it and does not parse the project again.
    result = run("rankings_job", partition_key=UNTOUCHED_DAY.isoformat())

    assert result.success
    invocations = sorted(
        (built_copy.dbt_invocations_dir / "duckdb").glob("*/dbt.log"),
        key=lambda log: log.stat().st_mtime,
    )
    last_log = invocations[-1].read_text()
    assert "Unable to do partial parsing" not in last_log
    assert "Partial parsing enabled, no changes found, skipping parsing" in last_log
    assert query(
        built_copy,
        "select distinct source from marts.fct_model_daily_tokens where date = ?",
        [UNTOUCHED_DAY],
    ) != [("marker",)]


def mart_rows(database: str) -> dict[str, list[tuple]]:
    """Every table of the ``marts`` schema, rows sorted."""
    with duckdb.connect(database, read_only=True) as connection:
        tables = connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts'"
        ).fetchall()
        return {
            table: connection.execute(f"select * from marts.{table} order by all").fetchall()
            for (table,) in tables
        }


def differing_marts(left: dict[str, list[tuple]], right: dict[str, list[tuple]]) -> list[str]:
    """The tables of ``right`` whose rows differ from ``left``'s (doubles to 1e-12)."""
    return [
        table
        for table, rows in right.items()
        if len(left[table]) != len(rows) or mismatched_rows(left[table], rows, 1e-12)
    ]


@pytest.mark.slow
def test_restating_an_old_day_leaves_every_mart_as_a_full_build_would(built_copy: DataPaths):
    # Two trillion more tokens on an old day move later weeks' growth and cumulative figures,
    # and the leader's milestone crossings: all must follow, not only the restated week.
    restate(built_copy, RESTATED_DAY, extra_tokens=2 * 10**12)
    before = mart_rows(str(built_copy.working_warehouse))

    result = run("rankings_job", partition_key=RESTATED_DAY.isoformat())
    assert result.success
    assert all(check_results(result).values())
    incremental = mart_rows(str(built_copy.working_warehouse))

    full_build = built_copy.data_dir / "full_build.duckdb"
    subprocess.run(
        [
            DBT_EXECUTABLE,
            *DBT_BUILD_ARGS,
            "--full-refresh",
            "--profiles-dir",
            ".",
            "--target-path",
            str(built_copy.data_dir / "dbt_target"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "WAREHOUSE_PATH": str(full_build)},
        check=True,
        capture_output=True,
    )
    rebuilt = mart_rows(str(full_build))

    assert set(incremental) == set(rebuilt)
    changed = differing_marts(before, rebuilt)
    assert {
        "mart_model_weekly_growth",
        "mart_token_milestones",
        "mart_vendor_monthly",
        "mart_restatements",
        "mart_restatements_weekly",
    } <= set(changed)
    different = differing_marts(incremental, rebuilt)
    assert different == []
    # The restated day shows as a restatement: first and latest snapshot, 2T apart.
    restated = query(
        built_copy,
        "select snapshots, sum(absolute_change), count(*) filter (where absolute_change <> 0) "
        "from marts.mart_restatements where date = ? group by snapshots",
        [RESTATED_DAY],
    )
    assert restated == [(2, 2 * 10**12, 1)]

    # Publishing replaced only the rebuilt rows in a copy of the published file: it holds what a
    # full publish would, and the analysts' older DuckDB client still opens it.
    published = mart_rows(str(built_copy.published_warehouse))
    assert published.pop("publication")
    assert published == incremental
    days = cli(built_copy.published_warehouse, "select dates_covered from marts.publication")
    assert days == [{"dates_covered": 182}]


@pytest.mark.slow
def test_a_whole_warehouse_run_replaces_a_table_an_older_version_built(built_copy: DataPaths):
    # An older version of the milestones mart, without a column this version adds.
    with duckdb.connect(str(built_copy.working_warehouse)) as connection:
        connection.execute("alter table marts.mart_token_milestones drop column days_from_launch")

    assert run("warehouse_job").success

    columns = query(
        built_copy,
        "select column_name from information_schema.columns "
        "where table_schema = 'marts' and table_name = 'mart_token_milestones'",
    )
    assert ("days_from_launch",) in columns
