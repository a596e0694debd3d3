"""Schedules: a daily refresh after OpenRouter's snapshot (about 02:00 UTC)."""

from datetime import UTC, datetime, timedelta

import dagster as dg

from orchestration.jobs import catalog_job, rankings_job

# Figures may be restated for recent days, so each refresh re-reads a week: one API call.
REFRESH_DAYS = 7


def refresh_range(scheduled_for: datetime, days: int = REFRESH_DAYS) -> tuple[str, str]:
    """The partition keys of the ``days`` complete UTC days before ``scheduled_for``."""
    last = (scheduled_for.astimezone(UTC) - timedelta(days=1)).date()
    first = last - timedelta(days=days - 1)
    return first.isoformat(), last.isoformat()


@dg.schedule(job=rankings_job, cron_schedule="45 2 * * *", execution_timezone="UTC")
def daily_rankings_refresh(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
    """Refresh the last 7 days of rankings in a single run (one API call)."""
    first, last = refresh_range(context.scheduled_execution_time)
    return dg.RunRequest(
        run_key=f"rankings-{first}-{last}",
        tags={
            "dagster/asset_partition_range_start": first,
            "dagster/asset_partition_range_end": last,
        },
    )


# Before the rankings refresh, so the marts it rebuilds use the fresh catalogue.
daily_catalog_refresh = dg.ScheduleDefinition(
    name="daily_catalog_refresh",
    job=catalog_job,
    cron_schedule="35 2 * * *",
    execution_timezone="UTC",
)
