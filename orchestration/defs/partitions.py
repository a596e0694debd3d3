"""Partitions: raw rankings are partitioned by data date (UTC); a run's window comes from them.

The run tags Dagster sets for one partition or a range of them are read and written only here.
"""

from collections.abc import Mapping
from datetime import date, timedelta

import dagster as dg

from orchestration.lib.run_window import RunWindow
from orchestration.lib.sample import BundledSample
from orchestration.lib.settings import RANKINGS_HISTORY_START, live_source_enabled, sample_dir


def daily_partitions_definition() -> dg.DailyPartitionsDefinition:
    """One partition per UTC day the source can have.

    From OpenRouter (Data API or exports): from the API's first day to yesterday (the current
    UTC day is still live and changes between calls). From the bundled sample: exactly the days
    it holds, so the UI does not list hundreds of days as missing that the sample never had.
    """
    if live_source_enabled():
        return dg.DailyPartitionsDefinition(
            start_date=RANKINGS_HISTORY_START.isoformat(), timezone="UTC"
        )
    first, last = BundledSample(sample_dir()).date_range()
    return dg.DailyPartitionsDefinition(
        start_date=first.isoformat(),
        end_date=(last + timedelta(days=1)).isoformat(),
        timezone="UTC",
    )


daily_partitions = daily_partitions_definition()

PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"


def partition_range_tags(first: date, last: date) -> dict[str, str]:
    """Run tags for one run over the daily partitions ``first..last``."""
    return {RANGE_START_TAG: first.isoformat(), RANGE_END_TAG: last.isoformat()}


def run_window(run_tags: Mapping[str, str]) -> RunWindow | None:
    """The dates of the run's partitions, or None for a run without partitions (every date)."""
    if RANGE_START_TAG in run_tags and RANGE_END_TAG in run_tags:
        first, last = run_tags[RANGE_START_TAG], run_tags[RANGE_END_TAG]
    elif PARTITION_TAG in run_tags:
        first = last = run_tags[PARTITION_TAG]
    else:
        return None
    return RunWindow(date.fromisoformat(first), date.fromisoformat(last))
