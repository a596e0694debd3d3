"""Partitions: raw rankings are partitioned by data date (UTC)."""

import dagster as dg

from orchestration.settings import RANKINGS_HISTORY_START

# The last partition is yesterday: the current UTC day is still live and changes between calls.
daily_partitions = dg.DailyPartitionsDefinition(
    start_date=RANKINGS_HISTORY_START.isoformat(), timezone="UTC"
)
