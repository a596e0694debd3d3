"""Concurrency pools; the Dagster instance sets their limits (orchestration/dagster.yaml)."""

# Every step that opens the working DuckDB database shares this pool (limit 1): DuckDB allows
# one writing process, so two steps at once would fail on its lock.
WAREHOUSE_POOL = "duckdb_warehouse"
