"""The engines dbt builds the warehouse with, and what differs between them outside dbt's SQL.

The engine is the dbt target, ``DBT_TARGET``: read once (``orchestration.defs.project.ENGINE``,
from :func:`orchestration.lib.settings.dbt_target`) and passed on from there. Where engines
differ, each difference has one place:

- SQL: dispatched macros in ``dbt_project/macros/`` (``spark__*`` beside ``default__*``), and the
  one per-target setting in ``dbt_project.yml`` (the windowed models' materialization);
- connection: ``dbt_project/profiles.yml``, an output per target;
- Python: here alone: dbt's target folder, whether the windowed models are rebuilt whole,
  where publishing reads the built marts from, and how a path goes into Spark's Java options.

A third engine takes an output in ``profiles.yml``, a class here with its name in
:data:`ENGINES` (and in ``settings.DBT_ENGINE_TARGETS``), and dispatched macros where its SQL
differs (docs/architecture.md).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import duckdb

from orchestration.lib.settings import DataPaths
from orchestration.lib.storage import connect_duckdb, sql_string


@dataclass(frozen=True)
class Engine:
    """DuckDB, the default: dbt builds into the working DuckDB file."""

    target: str = "duckdb"
    # Whether the windowed models (dbt_project.yml) are tables rebuilt whole on every run.
    rebuilds_windowed_models_whole: bool = False

    @property
    def target_path(self) -> Path:
        """dbt's target folder for the engine, inside ``dbt_project/``: one manifest per engine,
        since models are configured per engine."""
        return Path("target") if self.target == "duckdb" else Path("target") / self.target

    def attach_built_marts(self, connection: duckdb.DuckDBPyConnection, paths: DataPaths) -> None:
        """The marts dbt built, attached to ``connection`` as ``work``: the working database,
        checkpointed, read-only."""
        with connect_duckdb(paths.working_warehouse) as working:
            working.execute("checkpoint")
        connection.execute(f"attach {sql_string(paths.working_warehouse)} as work (read_only)")


@dataclass(frozen=True)
class SparkEngine(Engine):
    """Apache Spark (dbt-spark): tables written as Parquet folders under the Spark warehouse.

    Spark's Parquet tables cannot delete rows (that takes Delta or Iceberg), so the windowed
    models are tables rebuilt whole; publishing still replaces only the window's rows.
    """

    rebuilds_windowed_models_whole: bool = True

    def attach_built_marts(self, connection: duckdb.DuckDBPyConnection, paths: DataPaths) -> None:
        """The Parquet folder of each table Spark wrote, loaded into memory as ``work``; Spark's
        timestamps (UTC, without a zone) become ``timestamptz`` as DuckDB's are, so both engines
        publish the same file."""
        connection.execute("attach ':memory:' as work")
        connection.execute("create schema work.marts")
        for folder in sorted((paths.spark_warehouse_dir / "marts.db").iterdir()):
            files = f"read_parquet({sql_string(f'{folder}/*.parquet')})"
            columns = connection.execute(f"describe select * from {files}").fetchall()
            select = ", ".join(
                f"timezone('UTC', {name}) as {name}" if data_type == "TIMESTAMP" else name
                for name, data_type, *_ in columns
            )
            connection.execute(
                f"create table work.marts.{folder.name} as select {select} from {files}"
            )


def java_system_property(name: str, value: str | Path) -> str:
    """``-Dname=value`` as one option of a Spark ``extraJavaOptions`` string.

    Spark splits that string into options as a shell would, so the value goes in double quotes
    with its backslashes and double quotes escaped: a path with a space or a quote stays one
    option (``dbt_project/profiles.yml`` writes the same in Jinja).
    """
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'-D{name}="{escaped}"'


# Every engine the pipeline builds with, by dbt target (dbt_project/profiles.yml).
ENGINES: dict[str, Engine] = {
    "duckdb": Engine(),
    # Spark in the pipeline's process (`local[*]`), and through a Thrift server (a cluster).
    "spark": SparkEngine("spark"),
    "spark_thrift": SparkEngine("spark_thrift"),
}
