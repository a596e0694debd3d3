"""Compacting the lake from Dagster: a job that rewrites each ``date=`` folder's snapshot files
as one (the same as ``make compact``; ``daily_lake_compaction`` schedules it), and a sensor that
runs it after a backfill, which writes a file for every date it covers."""

import dagster as dg

from orchestration.defs.dagster_internals import BACKFILL_ID_TAG
from orchestration.defs.jobs import rankings_job
from orchestration.defs.pools import WAREHOUSE_POOL, hold_the_warehouse
from orchestration.lib.ingestion.compaction import compact_rankings_lake
from orchestration.lib.ingestion.repair import repair_rankings_lake
from orchestration.lib.settings import data_paths


# In the warehouse's pool: the builds in it read the lake, and must not see a folder between
# its compacted file's arrival and its replaced files' removal.
@dg.op(pool=WAREHOUSE_POOL)
def compact_rankings_lake_folders(context: dg.OpExecutionContext) -> dg.Output[None]:
    """Repair the lake (a damaged file is never merged), then compact every folder holding more
    than one file."""
    paths = data_paths()
    with hold_the_warehouse(context, paths):
        for repair in repair_rankings_lake(paths):
            context.log.warning(f"lake file {repair.path}: {repair.problem}; {repair.action}")
        compactions = compact_rankings_lake(paths)
    files_before = sum(compaction.files_before for compaction in compactions)
    context.log.info(
        f"compacted {len(compactions)} date folder(s): {files_before} file(s) rewritten as "
        f"{sum(compaction.compacted_file is not None for compaction in compactions)}"
    )
    return dg.Output(
        None,
        metadata={
            "folders_compacted": len(compactions),
            "files_rewritten": files_before,
            "rows_rewritten": sum(compaction.rows for compaction in compactions),
        },
    )


@dg.job(
    description=(
        "Compact the rankings lake: each date folder's snapshot files are rewritten as one, "
        "every row of every snapshot kept, with row counts and hashes recorded for repair. The "
        "warehouse built from the lake is unchanged, so nothing is rebuilt."
    )
)
def compact_lake_job() -> None:
    compact_rankings_lake_folders()


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[rankings_job],
    request_job=compact_lake_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def compact_after_backfill(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    """After a backfill's run (one run for the whole range), compact the lake it wrote to."""
    backfill = context.dagster_run.tags.get(BACKFILL_ID_TAG)
    if backfill is None:
        return dg.SkipReason("not a backfill: the daily compaction schedule compacts its files")
    return dg.RunRequest(run_key=f"compact-after-{context.dagster_run.run_id}")
