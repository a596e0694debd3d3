"""Raw assets: ranking snapshots and the model catalogue, from the API or the bundled sample."""

import warnings
from datetime import date, timedelta
from pathlib import Path

import dagster as dg

from orchestration.defs.freshness import daily_by_six_utc
from orchestration.defs.partitions import daily_partitions
from orchestration.lib.ingestion.ingest import (
    RankingsIngestResult,
    days_between,
    ingest_catalog_response,
    ingest_rankings_response,
    missing_dates,
)
from orchestration.lib.responses import RankingsSource
from orchestration.lib.settings import data_paths, rankings_source_name

RAW_GROUP = "raw"

# Single-run backfills are beta in Dagster 1.13; this code location uses them on purpose (one
# run, and one API call per 366 days, for a backfill of any length), so it is not news for users.
warnings.filterwarnings(
    "ignore", message="Parameter `backfill_policy` of function `asset`", category=dg.BetaWarning
)


def _relative(path: Path) -> str:
    paths = data_paths()
    try:
        return str(path.relative_to(paths.data_dir))
    except ValueError:
        return str(path)


def _listed(days: list[date]) -> str:
    return ", ".join(str(day) for day in days[:10]) + (", ..." if len(days) > 10 else "")


def missing_dates_message(
    start_date: date, end_date: date, missing: list[date], results: list[RankingsIngestResult]
) -> str:
    """Why the run has no rows for ``missing`` days, and what to do: a retracted snapshot served
    again is named; otherwise the source has not published the days (yet)."""
    retracted = [
        result for result in results if result.retracted and set(missing) & set(result.dates)
    ]
    reasons = [
        f"snapshot {result.response_sha256} (as of {result.as_of.isoformat()}) holds "
        f"{_listed(sorted(set(missing) & set(result.dates)))} but was retracted "
        f"({result.retracted}), and the source serves it again: its rows are not used"
        for result in retracted
    ]
    unserved = sorted(set(missing) - {day for result in retracted for day in result.dates})
    if unserved:
        reasons.append(f"no rows for {_listed(unserved)}: the source has not published them (yet)")
    return (
        f"{len(missing)} of the requested day(s) {start_date}..{end_date} have no usable rows: "
        + "; ".join(reasons)
        + ". Run these partitions again once the source publishes "
        + ("corrected figures" if retracted else "them")
        + ", or leave them out of the run."
    )


@dg.asset(
    group_name=RAW_GROUP,
    partitions_def=daily_partitions,
    # One run (and one API call per 366 days) for a backfill of any length.
    backfill_policy=dg.BackfillPolicy.single_run(),
    kinds={"python", "parquet"},
    freshness_policy=daily_by_six_utc,
    description=(
        "Daily token counts per model from OpenRouter's rankings-daily Data API or its keyless "
        "daily exports (RANKINGS_SOURCE), one Parquet file per snapshot per date "
        "(hive-partitioned by date). Every snapshot is kept: restated figures land beside the "
        "older ones. Days no snapshot holds are gaps, listed in dates_not_covered."
    ),
)
def raw_rankings_daily(
    context: dg.AssetExecutionContext, rankings_source: dg.ResourceParam[RankingsSource]
) -> dg.MaterializeResult:
    """Fetch the partition range, land every response as received, validate, write Parquet."""
    window = context.partition_time_window
    start_date = window.start.date()
    end_date = (window.end - timedelta(days=1)).date()
    paths = data_paths()
    results = [
        ingest_rankings_response(paths, response, start_date, end_date)
        for response in rankings_source.rankings_daily(start_date, end_date)
    ]
    kept = [result for result in results if not result.retracted]
    dates = sorted({day for result in kept for day in result.dates})
    written = [path for result in results for path in result.written]
    already = [path for result in results for path in result.already_present]
    context.log.info(
        f"{start_date}..{end_date}: {len(results)} response(s), {len(written)} Parquet file(s) "
        f"written, {len(already)} already present"
    )
    for result in results:
        if result.retracted:
            context.log.warning(
                f"snapshot {result.response_sha256} was retracted ({result.retracted}): its rows "
                "are not written again"
            )
    # A day no snapshot's window holds is a gap in what the source has: recorded, and the
    # rest is built. A day a snapshot answers for without rows is missing data: the run fails.
    covered = {
        day
        for result in results
        for day in days_between(max(result.window[0], start_date), min(result.window[1], end_date))
    }
    not_covered = [day for day in days_between(start_date, end_date) if day not in covered]
    missing = [day for day in missing_dates(start_date, end_date, dates) if day in covered]
    if missing or not covered:
        # The rows that came are landed and kept; the run stops so that nothing downstream
        # publishes these dates as if they were complete.
        raise dg.Failure(
            description=missing_dates_message(start_date, end_date, missing, results)
            if missing
            else f"no snapshot from the {rankings_source_name()} source holds any day of "
            f"{start_date}..{end_date}: nothing to build. Choose days the source holds.",
            metadata={"missing_dates": dg.MetadataValue.json([str(d) for d in missing])},
        )
    if not_covered:
        context.log.warning(
            f"{len(not_covered)} day(s) of {start_date}..{end_date} are in no snapshot the "
            f"{rankings_source_name()} source served ({_listed(not_covered)}): a gap, recorded "
            "in mart_source_coverage; the weeks and months it touches are marked incomplete"
        )
    return dg.MaterializeResult(
        metadata={
            "rows": sum(result.rows for result in results),
            "dates_covered": len(dates),
            "first_date": str(dates[0]) if dates else None,
            "last_date": str(dates[-1]) if dates else None,
            "sum_total_tokens": sum(result.total_tokens for result in results),
            "as_of": ", ".join(sorted({result.as_of.isoformat() for result in results})),
            "response_sha256": ", ".join(result.response_sha256 for result in results),
            "landing_files": ", ".join(_relative(result.landing_file) for result in results),
            "parquet_files_written": len(written),
            "parquet_files_already_present": len(already),
            "parquet_paths": dg.MetadataValue.json([_relative(path) for path in written + already]),
            "source": ", ".join(sorted({result.source for result in results})),
            "dates_not_covered": dg.MetadataValue.json([str(day) for day in not_covered]),
        }
    )


@dg.asset(
    group_name=RAW_GROUP,
    kinds={"python", "parquet"},
    description=(
        "Snapshots of OpenRouter's public model catalogue (/api/v1/models?output_modalities=all), "
        "one Parquet file per snapshot, with flattened columns and each model's raw JSON."
    ),
)
def raw_models_catalog(
    context: dg.AssetExecutionContext, rankings_source: dg.ResourceParam[RankingsSource]
) -> dg.MaterializeResult:
    """Fetch the catalogue, land it as received, validate, write one Parquet snapshot."""
    response = rankings_source.models_catalog()
    result = ingest_catalog_response(data_paths(), response)
    context.log.info(
        f"catalogue: {result.models} models, "
        + ("written" if result.written else "already present")
        + f" at {result.parquet_file}"
    )
    return dg.MaterializeResult(
        metadata={
            "rows": result.models,
            "as_of": result.as_of.isoformat(),
            "response_sha256": result.response_sha256,
            "landing_file": _relative(result.landing_file),
            "parquet_path": _relative(result.parquet_file),
            "written": result.written,
            "source": response.source,
        }
    )
