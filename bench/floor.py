"""Run bench/floor.sql: the marts computed by DuckDB alone, into a fresh database file.

``python -m bench.floor LAKE_DIR SEED_CSV DATABASE``
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb

FLOOR_SQL = Path(__file__).with_name("floor.sql")
FLOOR_TABLES = (
    "fct_model_daily_tokens",
    "mart_vendor_weekly",
    "mart_country_weekly",
    "mart_region_weekly",
    "mart_model_weekly_growth",
    "mart_token_milestones",
    "mart_market_concentration_weekly",
)


def run_floor(lake: Path, seed: Path, database: Path) -> None:
    """Compute every floor table from ``lake`` into ``database`` (replaced if present)."""
    database.unlink(missing_ok=True)
    script = FLOOR_SQL.read_text().replace("{lake}", str(lake)).replace("{seed}", str(seed))
    with duckdb.connect(str(database)) as connection:
        connection.execute(script)


if __name__ == "__main__":
    run_floor(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3]))
