"""Serving assets: publish the checked warehouse, then the report built from it."""

import base64

import dagster as dg

from orchestration.defs.assets.dbt import MART_KEYS, openrouter_dbt_models
from orchestration.defs.dagster_internals import latest_started_check_executions
from orchestration.defs.freshness import daily_by_six_utc
from orchestration.defs.partitions import run_window
from orchestration.defs.pools import WAREHOUSE_POOL, hold_the_warehouse
from orchestration.defs.project import ENGINE, dbt_project
from orchestration.lib.publishing import publish_warehouse
from orchestration.lib.reporting import build_report
from orchestration.lib.run_window import rebuilt_rows_by_table
from orchestration.lib.settings import DataPaths, data_paths

SERVE_GROUP = "serve"


def blocking_warehouse_checks() -> list[dg.AssetCheckKey]:
    """Every blocking check on the warehouse: the dbt data tests of error severity."""
    return [spec.key for spec in openrouter_dbt_models.check_specs if spec.blocking]


def failing_blocking_checks(instance: dg.DagsterInstance, whole_warehouse: bool) -> list[str]:
    """Blocking warehouse checks whose latest execution does not vouch for what is published.

    That is a check that did not pass (or never ran), and, for a publish of the whole warehouse,
    also one whose latest execution covered only some dates: a run over some dates checks those
    dates, so rows of an earlier failed run over other dates may still sit in the working
    database. Dagster already stops this asset in a run where an upstream blocking check fails;
    this also guards it when it is materialized on its own.
    """
    check_keys = blocking_warehouse_checks()
    latest = latest_started_check_executions(instance, check_keys)
    failed, not_run, partly_checked = [], [], []
    for key in check_keys:
        record = latest.get(key)
        name = f"{key.asset_key.to_user_string()}:{key.name}"
        if record is not None and record.status.value == "FAILED":
            failed.append(name)
        elif record is None or record.status.value != "SUCCEEDED":
            not_run.append(f"{name} (not run)")
        elif whole_warehouse:
            check_run = instance.get_run_by_id(record.run_id)
            if check_run is None or run_window(check_run.tags) is not None:
                partly_checked.append(f"{name} (checked only some dates)")
    # The checks that failed first: they say what is wrong; the others follow from them.
    return sorted(failed) + sorted(not_run) + sorted(partly_checked)


@dg.asset(
    deps=MART_KEYS,
    group_name=SERVE_GROUP,
    pool=WAREHOUSE_POOL,
    kinds={"duckdb", "parquet"},
    freshness_policy=daily_by_six_utc,
    description=(
        "The published warehouse (data/warehouse.duckdb, readable by DuckDB 1.4+) and one Parquet "
        "export per mart, replaced atomically only after every blocking check has passed."
    ),
)
def published_warehouse(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Write-audit-publish: copy the audited marts to where analysts and BI tools read them."""
    paths = data_paths()
    with hold_the_warehouse(context, paths):
        return _publish(context, paths)


def _publish(context: dg.AssetExecutionContext, paths: DataPaths) -> dg.MaterializeResult:
    """Publish the working warehouse if every blocking check vouches for it."""
    window = run_window(context.run.tags)
    failing = failing_blocking_checks(context.instance, whole_warehouse=window is None)
    if failing:
        raise dg.Failure(
            description=(
                f"not publishing: {len(failing)} blocking check(s) do not vouch for the data "
                f"({', '.join(failing[:5])}{', ...' if len(failing) > 5 else ''}); the published "
                "warehouse and exports are unchanged. If a snapshot is wrong, take it back with "
                "`make retract SNAPSHOT=<response_sha256> REASON=...` (or retract_snapshot_job), "
                "which rebuilds its dates; otherwise fix the data and run warehouse_job, which "
                "checks every date (docs/operations.md)."
            ),
            metadata={"failing_checks": dg.MetadataValue.json(failing[:50])},
        )
    publication = publish_warehouse(
        paths, ENGINE, window, rebuilt_rows_by_table(dbt_project.manifest_path)
    )
    context.log.info(f"published {publication.warehouse}; {publication.citation}")
    return dg.MaterializeResult(
        metadata={
            "path": str(publication.warehouse),
            "published_at": publication.published_at.isoformat(),
            "data_as_of": publication.data_as_of.isoformat(),
            "dates_covered": publication.dates,
            "first_date": publication.first_date,
            "last_date": publication.last_date,
            "source": publication.source,
            "citation": publication.citation,
            "table_rows": dg.MetadataValue.json(publication.tables),
            "warehouse_bytes": publication.warehouse_bytes,
            "exports_dir": str(paths.exports_dir),
            "exports_bytes": publication.exports_bytes,
        }
    )


@dg.asset(
    deps=[published_warehouse],
    group_name=SERVE_GROUP,
    kinds={"html", "vega"},
    description=(
        "A static report (data/reports/index.html plus a PNG per chart) of the race between "
        "regions, vendors and models, from the published warehouse; viewable offline."
    ),
)
def rankings_report(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    """Render the charts and the report from the published marts."""
    report = build_report(data_paths())
    chart = base64.b64encode(report.image_paths[0].read_bytes()).decode()
    leaders = "\n".join(f"| {region} | {share}% |" for region, share in report.leaders)
    preview = (
        f"**Token share by region, week of {report.latest_complete_week}**\n\n"
        f"| region | share |\n| --- | --- |\n{leaders}\n\n"
        + (
            f"China first overtook the United States in the week of {report.overtaking_week}.\n\n"
            if report.overtaking_week
            else ""
        )
        # Inlined: the UI is served to a browser that cannot read this machine's files.
        + f"![region share](data:image/png;base64,{chart})\n\n"
        + f"Report: `{report.html_path}`\n\n{report.citation}"
        + (" (bundled sample)" if report.is_sample else "")
    )
    return dg.MaterializeResult(
        metadata={
            "preview": dg.MetadataValue.md(preview),
            "report_path": dg.MetadataValue.path(str(report.html_path)),
            "images": dg.MetadataValue.json([str(path) for path in report.image_paths]),
            "citation": report.citation,
        }
    )
