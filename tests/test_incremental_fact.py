"""A partitioned run rebuilds the daily fact for its own dates only, with the latest snapshot."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import duckdb

from orchestration.ingestion.ingest import ingest_rankings_response
from orchestration.resources.sources import FetchedResponse
from orchestration.settings import DataPaths, sample_dir
from tests.pipeline import check_results, query, run

RESTATED_DAY = date(2026, 2, 12)
UNTOUCHED_DAY = date(2026, 2, 20)


def restate(paths: DataPaths, day: date, extra_tokens: int) -> int:
    """Ingest a later, valid snapshot of ``day`` with its leader's tokens raised; return them."""
    sample = json.loads(
        (sample_dir() / "rankings_daily" / "2026-02-09_2026-02-15.json").read_text()
    )
    rows = [row for row in sample["data"] if row["date"] == day.isoformat()]
    rows[0]["total_tokens"] = str(int(rows[0]["total_tokens"]) + extra_tokens)
    body = {
        "data": rows,
        "meta": {**sample["meta"], "as_of": "2026-03-01T02:00:00.000Z"},
    }
    response = FetchedResponse(json.dumps(body).encode(), datetime.now(UTC), "live", "test")
    ingest_rankings_response(paths, response, day, day)
    return int(rows[0]["total_tokens"])


def test_one_day_run_rebuilds_that_day_only(lake_copy: DataPaths):
    assert run("warehouse_job").success
    # Mark the fact's rows of another day, to see whether the next run rebuilds them.
    with duckdb.connect(str(lake_copy.working_warehouse)) as connection:
        connection.execute(
            "update marts.fct_model_daily_tokens set source = 'marker' where date = ?",
            [UNTOUCHED_DAY],
        )
    restated_tokens = restate(lake_copy, RESTATED_DAY, extra_tokens=10**9)

    result = run("rankings_job", partition_key=RESTATED_DAY.isoformat())

    assert result.success
    assert all(check_results(result).values())
    leader = query(
        lake_copy,
        "select max(total_tokens), min(as_of) from marts.fct_model_daily_tokens where date = ?",
        [RESTATED_DAY],
    )[0]
    assert leader[0] == restated_tokens
    assert leader[1].isoformat().startswith("2026-03-01T02:00:00")
    sources = query(
        lake_copy,
        "select distinct source from marts.fct_model_daily_tokens where date = ?",
        [UNTOUCHED_DAY],
    )
    assert sources == [("marker",)]
