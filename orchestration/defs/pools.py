"""Concurrency pools; the Dagster instance sets their limits (orchestration/dagster.yaml)."""

import dagster as dg

# Every step that opens the working DuckDB database shares this pool (limit 1): DuckDB allows
# one writing process, so two steps at once would fail on its lock. Each also holds the
# warehouse lock (orchestration/lib/storage.py), which orders them when the pool lets two through.
WAREHOUSE_POOL = "duckdb_warehouse"


def waiting_for_the_warehouse(context: dg.AssetExecutionContext | dg.OpExecutionContext) -> None:
    """Say in the run's log that its step waits for another to finish with the warehouse."""
    context.log.warning(
        "waiting for the working warehouse: another step is building or publishing it, or "
        "compacting the lake"
    )
