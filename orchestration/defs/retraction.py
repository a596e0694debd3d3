"""Retracting a bad snapshot from Dagster: a job that quarantines its lake files, and a sensor
that then rebuilds the dates it covered (the same as ``make retract``, for the UI and the
daemon)."""

from datetime import date

import dagster as dg

from orchestration.defs.jobs import WAREHOUSE_ASSET_KEYS, rankings_job
from orchestration.defs.partitions import partition_range_tags
from orchestration.lib.ingestion.lake import retraction_record
from orchestration.lib.ingestion.retraction import retract_snapshot
from orchestration.lib.settings import data_paths


class RetractionConfig(dg.Config):
    """Which snapshot to take back, and why (the reason is recorded beside its files)."""

    response_sha256: str
    reason: str


@dg.op
def retract_rankings_snapshot(
    context: dg.OpExecutionContext, config: RetractionConfig
) -> dg.Output[list[str]]:
    """Move the snapshot's lake files to quarantine; its landing body stays as received."""
    retraction = retract_snapshot(data_paths(), config.response_sha256, config.reason)
    dates = [day.isoformat() for day in retraction.dates]
    context.log.info(
        f"retracted {retraction.response_sha256} ({retraction.reason}): "
        f"{len(retraction.moved_files)} lake file(s) quarantined, dates {dates}"
    )
    return dg.Output(
        dates,
        metadata={
            "response_sha256": retraction.response_sha256,
            "reason": retraction.reason,
            "dates": dg.MetadataValue.json(dates),
        },
    )


@dg.job(
    description=(
        "Take back a landed rankings snapshot by its response_sha256: its lake files move to "
        "quarantine with the reason, its landing body stays, ingestion never writes it again; "
        "the sensor rebuild_after_retraction then rebuilds and republishes the dates it covered."
    )
)
def retract_snapshot_job() -> None:
    retract_rankings_snapshot()


@dg.run_status_sensor(
    run_status=dg.DagsterRunStatus.SUCCESS,
    monitored_jobs=[retract_snapshot_job],
    request_job=rankings_job,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def rebuild_after_retraction(context: dg.RunStatusSensorContext) -> dg.RunRequest | dg.SkipReason:
    """After a retraction, rebuild (without ingesting) the dates the snapshot covered."""
    config = context.dagster_run.run_config["ops"]["retract_rankings_snapshot"]["config"]
    record = retraction_record(data_paths(), config["response_sha256"])
    if not record or not record["dates"]:
        return dg.SkipReason("the retracted snapshot had no rows in the lake: nothing to rebuild")
    dates = [date.fromisoformat(day) for day in record["dates"]]
    return dg.RunRequest(
        run_key=f"rebuild-after-{context.dagster_run.run_id}",
        tags=partition_range_tags(min(dates), max(dates)),
        asset_selection=WAREHOUSE_ASSET_KEYS,
    )
