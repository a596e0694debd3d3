"""Write-audit-publish: copy the checked working warehouse to where analysts read it.

dbt writes into a working database only the pipeline opens. Publishing writes a temporary file
next to the published one, then renames it into place: a reader holding the old file keeps
reading it whole, a new reader opens the new one, and a failure at any point leaves the previous
published file as it was. Mart exports to Parquet follow the same temporary-file-and-rename
rule, file by file.

A run without dates copies every mart into a new file in an older storage format. A run over
some dates starts from a copy of the published file and replaces only the rows it rebuilt and
audited (each model's ``meta.rebuilt_rows``, see :mod:`orchestration.lib.run_window`): the
published file holds exactly what has passed the checks, and the run does not re-copy the whole
history table by table.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import duckdb

from orchestration.lib.engines import Engine
from orchestration.lib.run_window import RunWindow
from orchestration.lib.settings import (
    CITATION_TEMPLATE,
    LICENCE_NOTE,
    PUBLISHED_STORAGE_VERSION,
    DataPaths,
)
from orchestration.lib.sql_queries import run_query
from orchestration.lib.storage import (
    atomic_path,
    connect_duckdb,
    copy_to_parquet,
    sql_string,
    switch_symlink,
)

PUBLICATION_TABLE = "publication"


def share_scope(dates: int, dates_with_other: int) -> tuple[str, str]:
    """What the published shares are shares of: ``all tokens`` when every day has its ``other``
    row (the Data API, the exports), else ``listed models only``; and the sentence saying so."""
    if dates and dates_with_other == dates:
        return "all tokens", (
            "Shares are of all tokens on OpenRouter (models outside the daily top 50 included, "
            "as `other`)."
        )
    without_other = dates - dates_with_other
    return "listed models only", (
        "Shares are of the listed models' tokens only, not of all tokens: "
        f"{without_other} of {dates} days have no `other` row (the bundled sample holds each "
        "week's top models only)."
    )


@dataclass(frozen=True)
class PublishChanges:
    """What a publish changed against the previous one (all 0 for the first)."""

    previous_published_at: datetime | None = None
    dates_added: int = 0
    rows_added: int = 0
    tokens_added: int = 0
    dates_restated: int = 0
    tokens_restated: int = 0
    dates_removed: int = 0

    def sentence(self) -> str:
        """The changes in words, for the demo's output and the publication table."""
        if self.previous_published_at is None:
            return "The first publish: every day is new."
        parts = [
            f"{self.dates_added} day(s) added ({self.rows_added:,} rows, "
            f"{self.tokens_added / 1e12:,.2f}T tokens)",
            f"{self.dates_restated} day(s) restated (net {self.tokens_restated / 1e12:+,.4f}T "
            "tokens)",
        ]
        if self.dates_removed:
            parts.append(f"{self.dates_removed} day(s) taken out")
        since = self.previous_published_at.astimezone(UTC).isoformat(timespec="seconds")
        return f"Since the publish of {since}: " + ", ".join(parts) + "."


def changes_since_previous_publish(
    connection: duckdb.DuckDBPyConnection, paths: DataPaths
) -> PublishChanges:
    """Compare the new marts (attached as ``pub``) with the published file still in place."""
    if not paths.published_warehouse.exists():
        return PublishChanges()
    connection.execute(f"attach {sql_string(paths.published_warehouse)} as previous (read_only)")
    try:
        return PublishChanges(*run_query(connection, "publish/changes").fetchone())
    finally:
        connection.execute("detach previous")


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
    share_scope: str
    changes: PublishChanges
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


def publish_warehouse(
    paths: DataPaths,
    engine: Engine,
    window: RunWindow | None = None,
    rebuilt_rows: Mapping[str, str] | None = None,
) -> Publication:
    """Publish the marts ``engine`` built and export them to Parquet.

    With the run's ``window`` and a published file already there, only the rows the run rebuilt
    (``rebuilt_rows``: table -> predicate over the window's parameters; a table not named is
    copied whole) are replaced in a copy of it; otherwise every mart is copied.
    """
    published_at = datetime.now(UTC)
    incremental = window is not None and paths.published_warehouse.exists()
    with atomic_path(paths.published_warehouse) as temporary, connect_duckdb() as connection:
        engine.attach_built_marts(connection, paths)
        if incremental:
            shutil.copyfile(paths.published_warehouse, temporary)
            connection.execute(f"attach {sql_string(temporary)} as pub")
            connection.execute(f"drop table pub.marts.{PUBLICATION_TABLE}")
            replace_rebuilt_rows(connection, window, rebuilt_rows or {})
        else:
            connection.execute(
                f"attach {sql_string(temporary)} as pub "
                f"(storage_version '{PUBLISHED_STORAGE_VERSION}')"
            )
            connection.execute("create schema pub.marts")
            for table in mart_tables(connection, "work"):
                connection.execute(
                    f"create table pub.marts.{table} as select * from work.marts.{table}"
                )
        tables = {
            table: connection.execute(f"select count(*) from pub.marts.{table}").fetchone()[0]
            for table in mart_tables(connection, "pub")
        }
        as_of, first_date, last_date, dates_covered, sources, dates_with_other = connection.execute(
            """
                select max(as_of), min(date), max(date), count(distinct date),
                       string_agg(distinct source, ', ' order by source),
                       count(distinct date) filter (where is_other)
                from pub.marts.fct_model_daily_tokens
                """
        ).fetchone()
        citation = CITATION_TEMPLATE.format(as_of=as_of.astimezone(UTC).isoformat())
        scope, scope_note = share_scope(dates_covered, dates_with_other)
        changes = changes_since_previous_publish(connection, paths)
        connection.execute(
            f"""
            create table pub.marts.{PUBLICATION_TABLE} as
            select ?::timestamptz as published_at, ?::timestamptz as data_as_of,
                   ?::date as first_date, ?::date as last_date, ?::integer as dates_covered,
                   ?::varchar as source, ?::varchar as citation, ?::varchar as licence,
                   ?::varchar as share_scope, ?::varchar as share_scope_note,
                   ?::timestamptz as previous_published_at, ?::integer as dates_added,
                   ?::bigint as rows_added, ?::bigint as tokens_added,
                   ?::integer as dates_restated, ?::bigint as tokens_restated,
                   ?::integer as dates_removed, ?::varchar as changes
            """,
            [
                published_at,
                as_of,
                first_date,
                last_date,
                dates_covered,
                sources,
                citation,
                LICENCE_NOTE,
                scope,
                scope_note,
                changes.previous_published_at,
                changes.dates_added,
                changes.rows_added,
                changes.tokens_added,
                changes.dates_restated,
                changes.tokens_restated,
                changes.dates_removed,
                changes.sentence(),
            ],
        )
        # Detaching checkpoints the new file, so it is complete before it is renamed into place.
        connection.execute("detach pub")

    exports = export_marts(
        paths,
        published_at,
        {
            "as_of": as_of.astimezone(UTC).isoformat(),
            "source": sources,
            "citation": citation,
            "licence": LICENCE_NOTE,
            "share_scope": scope,
            "share_scope_note": scope_note,
        },
    )
    return Publication(
        published_at=published_at,
        data_as_of=as_of,
        first_date=str(first_date),
        last_date=str(last_date),
        dates=dates_covered,
        source=sources,
        citation=citation,
        share_scope=scope,
        changes=changes,
        tables=tables,
        warehouse=paths.published_warehouse,
        warehouse_bytes=paths.published_warehouse.stat().st_size,
        exports=exports,
        exports_bytes=sum(path.stat().st_size for path in exports),
    )


def replace_rebuilt_rows(
    connection: duckdb.DuckDBPyConnection, window: RunWindow, rebuilt_rows: Mapping[str, str]
) -> None:
    """In ``pub`` (a copy of the published file), replace what a run over ``window`` rebuilt.

    A table new to the working warehouse, or whose columns changed, is copied whole.
    """
    parameters = window.parameters()
    working = mart_tables(connection, "work")
    published = set(mart_tables(connection, "pub"))
    for table in published - set(working):
        connection.execute(f"drop table pub.marts.{table}")
    for table in working:
        rebuilt = rebuilt_rows.get(table)
        source = f"select * from work.marts.{table}"
        if rebuilt and table in published and _same_columns(connection, table):
            # DuckDB takes exactly the parameters a statement names.
            used = {name: value for name, value in parameters.items() if f"${name}" in rebuilt}
            connection.execute(f"delete from pub.marts.{table} where {rebuilt}", used)
            connection.execute(f"insert into pub.marts.{table} {source} where {rebuilt}", used)
        else:
            connection.execute(f"drop table if exists pub.marts.{table}")
            connection.execute(f"create table pub.marts.{table} as {source}")


def _same_columns(connection: duckdb.DuckDBPyConnection, table: str) -> bool:
    columns = """
        select column_name, data_type from duckdb_columns()
        where database_name = ? and schema_name = 'marts' and table_name = ?
        order by column_index
    """
    return (
        connection.execute(columns, ["work", table]).fetchall()
        == connection.execute(columns, ["pub", table]).fetchall()
    )


def export_marts(
    paths: DataPaths, published_at: datetime, metadata: Mapping[str, str]
) -> list[Path]:
    """Export every table of the published warehouse's ``marts`` schema to one Parquet file.

    The files of one publish go to a new folder of ``exports/versions``, each carrying
    ``metadata`` (as_of, source, citation, share_scope) in its key-value metadata; then the link
    ``exports/marts`` is switched to that folder in one rename. A reader of several files sees
    one publish, never two mixed. The folder it replaced stays for readers still in it; older
    ones are removed.
    """
    version = paths.exports_versions_dir / (
        f"{published_at.strftime('%Y%m%dT%H%M%S%fZ')}-{uuid.uuid4().hex[:8]}"
    )
    written = []
    with connect_duckdb(paths.published_warehouse, read_only=True) as connection:
        database = connection.execute("select current_database()").fetchone()[0]
        for table in mart_tables(connection, database):
            target = version / f"{table}.parquet"
            copy_to_parquet(connection, f"select * from marts.{table}", target, metadata)
            written.append(paths.exports_dir / target.name)
    version.mkdir(parents=True, exist_ok=True)
    previous = switch_symlink(paths.exports_dir, version)
    for folder in paths.exports_versions_dir.iterdir():
        if folder.is_dir() and folder not in (version, previous):
            shutil.rmtree(folder, ignore_errors=True)
    return written
