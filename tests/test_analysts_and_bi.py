"""Analysts' SQL files and BI tools' SQLAlchemy access, against the published warehouse."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

from orchestration.lib.settings import PROJECT_ROOT, DataPaths
from tests.test_publish import EMPTY_ON_THE_SAMPLE

QUERIES = sorted((PROJECT_ROOT / "queries").glob("*.sql"))
DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


def run_query_file(database: Path, query: Path) -> list[dict]:
    """Run one SQL file with the DuckDB CLI analysts use, read-only; its rows as dicts."""
    with query.open() as sql:
        completed = subprocess.run(
            [str(DUCKDB_CLI), "-readonly", "-json", str(database)],
            stdin=sql,
            capture_output=True,
            text=True,
            check=True,
        )
    return json.loads(completed.stdout)


def test_there_is_a_query_for_each_question():
    assert {path.stem for path in QUERIES} == {
        "vendor_leaderboard",
        "china_overtakes_us",
        "trillion_token_club",
        "fastest_growing_models",
        "market_concentration",
        "fastest_growing_vendor_in_month",
        "launch_to_trillion",
        "restated_figures",
        "model_family_rollup",
        "spend_range",
        "claim_checks",
    }


@pytest.mark.parametrize("query", QUERIES, ids=[path.stem for path in QUERIES])
def test_each_analyst_query_explains_itself_and_returns_cited_rows(
    published_sample: DataPaths, query
):
    assert query.read_text().startswith("-- "), "each file opens with what it answers"
    rows = run_query_file(published_sample.published_warehouse, query)
    assert rows, f"{query.name} returned no rows"
    assert all(
        row["citation"].startswith("Source: OpenRouter (openrouter.ai/rankings), as of")
        for row in rows
    )
    if "source" in query.read_text():
        assert {row["source"] for row in rows} == {"sample"}


def test_china_overtakes_us_query_names_the_week(published_sample: DataPaths):
    rows = run_query_file(
        published_sample.published_warehouse, PROJECT_ROOT / "queries" / "china_overtakes_us.sql"
    )
    changes = [row["week_start"] for row in rows if row["lead_change"] == "China overtakes the US"]
    assert changes[0] == "2026-02-09"


def test_bi_tools_see_every_mart_with_plain_types_read_only(published_sample: DataPaths):
    engine = sa.create_engine(
        f"duckdb:///{published_sample.published_warehouse}", connect_args={"read_only": True}
    )
    inspector = sa.inspect(engine)
    tables = inspector.get_table_names(schema="marts")
    assert {"mart_vendor_weekly", "mart_region_weekly", "mart_token_milestones"} <= set(tables)
    with engine.connect() as connection:
        for table in tables:
            columns = inspector.get_columns(table, schema="marts")
            kinds = {column["name"]: str(column["type"]).upper() for column in columns}
            assert not [name for name, kind in kinds.items() if "HUGEINT" in kind or kind == "NULL"]
            for name, kind in kinds.items():
                if name.endswith("tokens"):
                    assert kind == "BIGINT", (table, name, kind)
                if name in {"week_start", "date", "crossed_on", "first_seen_date", "first_date"}:
                    assert kind == "DATE", (table, name, kind)
            rows = connection.execute(sa.text(f"select count(*) from marts.{table}")).scalar()
            # The sample has one snapshot per date: nothing was restated.
            assert rows > 0 or table in EMPTY_ON_THE_SAMPLE, table
        with pytest.raises(sa.exc.DBAPIError, match="read-only"):
            connection.execute(sa.text("delete from marts.mart_region_weekly"))
    engine.dispose()


def test_the_new_questions_have_the_answers_docs_analysts_states(published_sample: DataPaths):
    database = published_sample.published_warehouse
    fastest = run_query_file(
        database, PROJECT_ROOT / "queries" / "fastest_growing_vendor_in_month.sql"
    )
    launch = run_query_file(database, PROJECT_ROOT / "queries" / "launch_to_trillion.sql")
    restated = run_query_file(database, PROJECT_ROOT / "queries" / "restated_figures.sql")
    families = run_query_file(database, PROJECT_ROOT / "queries" / "model_family_rollup.sql")
    spend = run_query_file(database, PROJECT_ROOT / "queries" / "spend_range.sql")
    answers = (PROJECT_ROOT / "docs" / "analysts.md").read_text()
    for stated in (
        f"{fastest[0]['vendor_name']}, {fastest[0]['mom_growth_pct']}%",
        f"{launch[0]['display_name']}, {launch[0]['days_from_launch']} days",
        restated[0]["note"],
        f"{families[0]['model_family_name']} ({families[0]['entries']} entries)",
        "{vendor_slug}: {spend_low_usd:,.0f} to {spend_high_usd:,.0f} USD".format(**spend[0]),
    ):
        assert stated in answers, stated
    assert all(row["spend_low_usd"] <= row["spend_high_usd"] for row in spend)
