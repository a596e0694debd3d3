"""Concurrency pools; the Dagster instance sets their limits (orchestration/dagster.yaml)."""

from collections.abc import Iterator
from contextlib import contextmanager

import dagster as dg

from orchestration.lib.settings import DataPaths
from orchestration.lib.storage import warehouse_steps_lock

# Every step that opens the working DuckDB database shares this pool (limit 1): DuckDB allows
# one writing process, so two steps at once would fail on its lock. Each also holds the
# warehouse lock (hold_the_warehouse), which orders them when the pool lets two through.
WAREHOUSE_POOL = "duckdb_warehouse"


@contextmanager
def hold_the_warehouse(
    context: dg.AssetExecutionContext | dg.OpExecutionContext, paths: DataPaths
) -> Iterator[None]:
    """Hold the working warehouse's lock for a step of the pool, saying in the run's log when
    another step makes it wait."""

    def waiting() -> None:
        context.log.warning(
            "waiting for the working warehouse: another step is building or publishing it, or "
            "compacting the lake"
        )

    with warehouse_steps_lock(paths, on_wait=waiting):
        yield
