"""The Dagster code location: every asset, check, job, schedule and resource."""

import dagster as dg

from orchestration.assets.raw import raw_models_catalog, raw_rankings_daily
from orchestration.jobs import catalog_job, rankings_job
from orchestration.resources.sources import BundledSample, OpenRouterClient, RankingsSource
from orchestration.schedules import daily_catalog_refresh, daily_rankings_refresh
from orchestration.settings import API_KEY_ENV_VAR, live_api_enabled, sample_dir


def rankings_source() -> RankingsSource:
    """The live API when ``OPENROUTER_API_KEY`` is set, otherwise the bundled sample."""
    if live_api_enabled():
        return OpenRouterClient(api_key=dg.EnvVar(API_KEY_ENV_VAR))
    return BundledSample(sample_dir=str(sample_dir()))


defs = dg.Definitions(
    assets=[raw_rankings_daily, raw_models_catalog],
    jobs=[rankings_job, catalog_job],
    schedules=[daily_rankings_refresh, daily_catalog_refresh],
    resources={"rankings_source": rankings_source()},
)
