"""Write-audit-publish: copy the checked working warehouse to where analysts read it.

dbt writes into a working database only the pipeline opens. Publishing copies the marts into a
temporary file in an older storage format, next to the published one, then renames it into place:
a reader holding the old file keeps reading it whole, a new reader opens the new one, and a
failure at any point leaves the previous published file as it was. Mart exports to Parquet follow
the same temporary-file-and-rename rule, file by file.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.settings import (
    CITATION_TEMPLATE,
    LICENCE_NOTE,
    PUBLISHED_STORAGE_VERSION,
    DataPaths,
)
from orchestration.storage import atomic_path, connect_duckdb, copy_to_parquet, sql_string

PUBLICATION_TABLE = "publication"


@dataclass(frozen=True)
class Publication:
    """What one publish wrote."""

    published_at: datetime
    data_as_of: datetime
    first_date: str
    last_date: str
    dates: int
    source: str
    citation: str
    tables: dict[str, int]
    warehouse: Path
    warehouse_bytes: int
    exports: list[Path]
    exports_bytes: int


def mart_tables(connection: duckdb.DuckDBPyConnection, database: str) -> list[str]:
    """Names of the tables in ``<database>.marts``, sorted."""
    return [
        name
        for (name,) in connection.execute(
            "select table_name from duckdb_tables() "
            "where database_name = ? and schema_name = 'marts' order by table_name",
            [database],
        ).fetchall()
    ]


def publish_warehouse(paths: DataPaths) -> Publication:
    """Checkpoint the working warehouse, then publish its marts and export them to Parquet."""
    with connect_duckdb(paths.working_warehouse) as working:
        working.execute("checkpoint")

    published_at = datetime.now(UTC)
    with atomic_path(paths.published_warehouse) as temporary, connect_duckdb() as connection:
        connection.execute(f"attach {sql_string(paths.working_warehouse)} as work (read_only)")
        connection.execute(
            f"attach {sql_string(temporary)} as pub (storage_version '{PUBLISHED_STORAGE_VERSION}')"
        )
        connection.execute("create schema pub.marts")
        tables = {}
        for table in mart_tables(connection, "work"):
            connection.execute(
                f"create table pub.marts.{table} as select * from work.marts.{table}"
            )
            tables[table] = connection.execute(
                f"select count(*) from pub.marts.{table}"
            ).fetchone()[0]
        as_of, first_date, last_date, dates, sources = connection.execute(
            """
            select max(as_of), min(date), max(date), count(distinct date),
                   string_agg(distinct source, ', ' order by source)
            from work.marts.fct_model_daily_tokens
            """
        ).fetchone()
        citation = CITATION_TEMPLATE.format(as_of=as_of.astimezone(UTC).isoformat())
        connection.execute(
            f"""
            create table pub.marts.{PUBLICATION_TABLE} as
            select ?::timestamptz as published_at, ?::timestamptz as data_as_of,
                   ?::date as first_date, ?::date as last_date, ?::integer as dates_covered,
                   ?::varchar as source, ?::varchar as citation, ?::varchar as licence
            """,
            [published_at, as_of, first_date, last_date, dates, sources, citation, LICENCE_NOTE],
        )
        # Detaching checkpoints the new file, so it is complete before it is renamed into place.
        connection.execute("detach pub")

    exports = export_marts(paths)
    return Publication(
        published_at=published_at,
        data_as_of=as_of,
        first_date=str(first_date),
        last_date=str(last_date),
        dates=dates,
        source=sources,
        citation=citation,
        tables=tables,
        warehouse=paths.published_warehouse,
        warehouse_bytes=paths.published_warehouse.stat().st_size,
        exports=exports,
        exports_bytes=sum(path.stat().st_size for path in exports),
    )


def export_marts(paths: DataPaths) -> list[Path]:
    """Export every table of the published warehouse's ``marts`` schema to one Parquet file."""
    written = []
    with connect_duckdb(paths.published_warehouse, read_only=True) as connection:
        database = connection.execute("select current_database()").fetchone()[0]
        for table in mart_tables(connection, database):
            target = paths.exports_dir / f"{table}.parquet"
            copy_to_parquet(connection, f"select * from marts.{table}", target)
            written.append(target)
    return written
