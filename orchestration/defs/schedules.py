"""Schedules: a daily refresh after OpenRouter's snapshot (about 02:00 UTC), then compaction.

They are on when the code location loads with ``PIPELINE_SCHEDULES=running`` (``make serve``),
and off otherwise (``make ui`` on the sample): a person turns them on in the UI.
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from orchestration.defs.compaction import compact_lake_job
from orchestration.defs.jobs import catalog_job, rankings_job
from orchestration.defs.partitions import daily_partitions, partition_range_tags
from orchestration.lib.settings import live_source_enabled, schedules_running

# Figures may be restated for recent days, so each refresh re-reads a week: one API call.
REFRESH_DAYS = 7


def refresh_range(scheduled_for: datetime, days: int = REFRESH_DAYS) -> tuple[date, date]:
    """The ``days`` complete UTC days before ``scheduled_for``: first and last."""
    last = (scheduled_for.astimezone(UTC) - timedelta(days=1)).date()
    return last - timedelta(days=days - 1), last


DEFAULT_STATUS = (
    dg.DefaultScheduleStatus.RUNNING if schedules_running() else dg.DefaultScheduleStatus.STOPPED
)


@dg.schedule(
    job=rankings_job,
    cron_schedule="45 2 * * *",
    execution_timezone="UTC",
    default_status=DEFAULT_STATUS,
)
def daily_rankings_refresh(
    context: dg.ScheduleEvaluationContext,
) -> dg.RunRequest | dg.SkipReason:
    """Refresh the last 7 days of rankings in a single run (one API call, or the newest exports
    snapshot)."""
    first, last = refresh_range(context.scheduled_execution_time)
    if not live_source_enabled():
        return dg.SkipReason(
            f"the source is the bundled sample: it ends on "
            f"{daily_partitions.get_last_partition_key()} and has no rankings for "
            f"{first}..{last}; set OPENROUTER_API_KEY, or RANKINGS_SOURCE=exports (no key), "
            "to refresh from OpenRouter"
        )
    return dg.RunRequest(run_key=f"rankings-{first}-{last}", tags=partition_range_tags(first, last))


# Before the rankings refresh, so the marts it rebuilds use the fresh catalogue.
daily_catalog_refresh = dg.ScheduleDefinition(
    name="daily_catalog_refresh",
    job=catalog_job,
    cron_schedule="35 2 * * *",
    execution_timezone="UTC",
    default_status=DEFAULT_STATUS,
)

# After the daily refresh (02:45), which adds a file to each date its snapshot restates.
daily_lake_compaction = dg.ScheduleDefinition(
    name="daily_lake_compaction",
    job=compact_lake_job,
    cron_schedule="30 4 * * *",
    execution_timezone="UTC",
    default_status=DEFAULT_STATUS,
)
