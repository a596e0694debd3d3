"""SQL kept in ``.sql`` files, and the one loader that runs them on a DuckDB connection.

The report's, the demo summary's and the alerts' queries live in ``orchestration/lib/sql/``
(``report/``, ``summary/``, ``alerts/``); the analysts' example queries in ``queries/``
(``analysts/`` here). Where the report or the summary answers a question an analyst's query
answers, it runs that query, so each figure has one definition: when China overtook the US is
``queries/china_overtakes_us.sql``.

Parameters are DuckDB variables, set before the query and read in it with
``getvariable('name')``: the files stay plain SQL that sqlfluff lints, and Python only renders.
"""

from __future__ import annotations

from datetime import date
from functools import cache
from pathlib import Path
from typing import Any

import duckdb

from orchestration.lib.settings import PROJECT_ROOT

SQL_FOLDERS = {
    "report": Path(__file__).parent / "sql" / "report",
    "summary": Path(__file__).parent / "sql" / "summary",
    "publish": Path(__file__).parent / "sql" / "publish",
    "alerts": Path(__file__).parent / "sql" / "alerts",
    "analysts": PROJECT_ROOT / "queries",
}
OVERTAKING = "China overtakes the US"


@cache
def sql_text(name: str) -> str:
    """The text of query ``name`` (``<folder>/<file stem>``, e.g. ``report/region_shares``)."""
    folder, _, stem = name.partition("/")
    return (SQL_FOLDERS[folder] / f"{stem}.sql").read_text()


def run_query(
    connection: duckdb.DuckDBPyConnection, name: str, **variables: Any
) -> duckdb.DuckDBPyConnection:
    """Run query ``name`` with ``variables`` set for its ``getvariable()`` calls; fetch from the
    result."""
    for variable, value in variables.items():
        connection.execute(f"set variable {variable} = ?", [value])
    return connection.execute(sql_text(name))


def china_overtaking(connection: duckdb.DuckDBPyConnection) -> tuple[date, float, float] | None:
    """The first week China's token share overtook the United States' (after a week it did not),
    with both shares in percent, by the analysts' query; None if it never did."""
    for week, china_pct, us_pct, lead_change, _citation in run_query(
        connection, "analysts/china_overtakes_us"
    ).fetchall():
        if lead_change == OVERTAKING:
            return week, china_pct, us_pct
    return None
