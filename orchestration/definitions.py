"""The Dagster code location (``workspace.yaml``, ``dagster dev``): every asset, check, job,
schedule, sensor and resource, assembled from :mod:`orchestration.defs`."""

import dagster as dg

from orchestration.defs.alerts import (
    alert_on_late_data,
    alert_on_ranking_events,
    alert_on_run_failure,
)
from orchestration.defs.assets.dbt import openrouter_dbt_models
from orchestration.defs.assets.exposures import exposure_specs
from orchestration.defs.assets.raw import raw_models_catalog, raw_rankings_daily
from orchestration.defs.assets.serving import published_warehouse, rankings_report
from orchestration.defs.compaction import compact_after_backfill, compact_lake_job
from orchestration.defs.first_start import first_start_runs
from orchestration.defs.jobs import catalog_job, rankings_job, warehouse_job
from orchestration.defs.project import dbt_project
from orchestration.defs.resources import InstalledDbtCliResource, rankings_source
from orchestration.defs.retraction import rebuild_after_retraction, retract_snapshot_job
from orchestration.defs.run_recovery import recover_dead_runs
from orchestration.defs.schedules import (
    daily_catalog_refresh,
    daily_lake_compaction,
    daily_rankings_refresh,
)
from orchestration.lib.settings import DBT_EXECUTABLE

defs = dg.Definitions(
    assets=[
        raw_rankings_daily,
        raw_models_catalog,
        openrouter_dbt_models,
        published_warehouse,
        rankings_report,
        *exposure_specs(),
    ],
    jobs=[rankings_job, warehouse_job, catalog_job, retract_snapshot_job, compact_lake_job],
    schedules=[daily_rankings_refresh, daily_catalog_refresh, daily_lake_compaction],
    sensors=[
        rebuild_after_retraction,
        compact_after_backfill,
        recover_dead_runs,
        alert_on_run_failure,
        alert_on_late_data,
        alert_on_ranking_events,
        first_start_runs,
    ],
    # Each run's steps in its one process, one after another (the warehouse pool serializes them
    # anyway): a step starts without loading the code location again, and a run whose process
    # is killed leaves no step process behind (run monitoring, orchestration/defs/run_recovery.py).
    executor=dg.in_process_executor,
    resources={
        "rankings_source": rankings_source(),
        "dbt": InstalledDbtCliResource(
            project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE, target=dbt_project.target
        ),
    },
)
