"""The Dagster code location: every asset, check, job, schedule and resource."""

import dagster as dg

from orchestration.assets.dbt import dbt_project, openrouter_dbt_models
from orchestration.assets.raw import raw_models_catalog, raw_rankings_daily
from orchestration.assets.serve import published_warehouse, rankings_report
from orchestration.checks import python_checks
from orchestration.jobs import catalog_job, rankings_job, warehouse_job
from orchestration.resources.dbt import InstalledDbtCliResource
from orchestration.resources.sources import BundledSample, OpenRouterClient, RankingsSource
from orchestration.schedules import daily_catalog_refresh, daily_rankings_refresh
from orchestration.settings import (
    API_KEY_ENV_VAR,
    DBT_EXECUTABLE,
    live_api_enabled,
    sample_dir,
)


def rankings_source() -> RankingsSource:
    """The live API when ``OPENROUTER_API_KEY`` is set, otherwise the bundled sample."""
    if live_api_enabled():
        return OpenRouterClient(api_key=dg.EnvVar(API_KEY_ENV_VAR))
    return BundledSample(sample_dir=str(sample_dir()))


defs = dg.Definitions(
    assets=[
        raw_rankings_daily,
        raw_models_catalog,
        openrouter_dbt_models,
        published_warehouse,
        rankings_report,
    ],
    asset_checks=python_checks,
    jobs=[rankings_job, warehouse_job, catalog_job],
    schedules=[daily_rankings_refresh, daily_catalog_refresh],
    resources={
        "rankings_source": rankings_source(),
        "dbt": InstalledDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE),
    },
)
