"""First start of the service: on a Dagster instance that has never built the warehouse, run what
``make demo`` runs, once, as real runs through the daemon's queue, so that the UI shows runs,
materializations, checks and freshness from the first minutes instead of an empty service.

The catalogue and the rankings of every day the source holds first, then, once both have
succeeded, the whole warehouse build. Run keys make each request once, also after a restart. On
the bundled sample that is its whole range; on the keyless exports, the last 30 days (the days a
snapshot holds). With the Data API nothing is run here: the daily schedule brings the days in
(``make demo`` with the key ingests the whole history).
"""

from datetime import UTC, date, datetime, timedelta

import dagster as dg

from orchestration.defs.assets.raw import raw_rankings_daily
from orchestration.defs.dagster_internals import RUN_KEY_TAG
from orchestration.defs.jobs import catalog_job, rankings_job, warehouse_job
from orchestration.defs.partitions import partition_range_tags
from orchestration.lib.ingestion.openrouter_exports import SNAPSHOT_WINDOW_DAYS
from orchestration.lib.sample import BundledSample
from orchestration.lib.settings import rankings_source_name, sample_dir, schedules_running

CATALOG_KEY = "first-start-catalog"
RANKINGS_KEY = "first-start-rankings"
WAREHOUSE_KEY = "first-start-warehouse"


def first_start_range() -> tuple[date, date] | None:
    """The days the first start ingests, or None when it runs nothing (the Data API)."""
    source = rankings_source_name()
    if source == "sample":
        return BundledSample(sample_dir()).date_range()
    if source == "exports":
        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        return yesterday - timedelta(days=SNAPSHOT_WINDOW_DAYS - 1), yesterday
    return None


def _run(instance: dg.DagsterInstance, run_key: str) -> dg.DagsterRun | None:
    """The newest run this sensor requested with ``run_key``, if any."""
    runs = instance.get_runs(dg.RunsFilter(tags={RUN_KEY_TAG: run_key}), limit=1)
    return runs[0] if runs else None


@dg.sensor(
    jobs=[catalog_job, rankings_job, warehouse_job],
    # On in the service (PIPELINE_SCHEDULES=running), as the schedules are.
    default_status=(
        dg.DefaultSensorStatus.RUNNING if schedules_running() else dg.DefaultSensorStatus.STOPPED
    ),
    minimum_interval_seconds=15,
    description=(
        "On an instance that has never built the warehouse, run what make demo runs, once: the "
        "catalogue and the source's days, then the warehouse build."
    ),
)
def first_start_runs(context: dg.SensorEvaluationContext) -> dg.SensorResult | dg.SkipReason:
    """Request the first-start runs, stage by stage; skip, saying why, otherwise."""
    instance = context.instance
    if context.cursor == "done":
        return dg.SkipReason("the first start is over")
    if context.cursor != "ingesting":
        if instance.get_runs_count(dg.RunsFilter(job_name=warehouse_job.name)):
            return dg.SensorResult(
                skip_reason="this instance has built the warehouse before", cursor="done"
            )
        days = first_start_range()
        if days is None:
            return dg.SensorResult(
                skip_reason="with the Data API the daily schedule brings the days in",
                cursor="done",
            )
        first, last = days
        return dg.SensorResult(
            run_requests=[
                dg.RunRequest(run_key=CATALOG_KEY, job_name=catalog_job.name),
                dg.RunRequest(
                    run_key=RANKINGS_KEY,
                    job_name=rankings_job.name,
                    tags=partition_range_tags(first, last),
                    asset_selection=[raw_rankings_daily.key],
                ),
            ],
            cursor="ingesting",
        )
    runs = [_run(instance, key) for key in (CATALOG_KEY, RANKINGS_KEY)]
    if any(run is None or not run.is_finished for run in runs):
        return dg.SkipReason("waiting for the first-start catalogue and rankings runs")
    if any(run.status != dg.DagsterRunStatus.SUCCESS for run in runs):
        return dg.SensorResult(
            skip_reason="a first-start run failed (see its run); the warehouse is not built",
            cursor="done",
        )
    return dg.SensorResult(
        run_requests=[dg.RunRequest(run_key=WAREHOUSE_KEY, job_name=warehouse_job.name)],
        cursor="done",
    )
