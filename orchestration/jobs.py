"""Jobs: refresh ranking partitions, refresh the catalogue."""

import dagster as dg

from orchestration.assets.raw import raw_models_catalog, raw_rankings_daily
from orchestration.partitions import daily_partitions

rankings_job = dg.define_asset_job(
    name="rankings_job",
    selection=dg.AssetSelection.assets(raw_rankings_daily),
    partitions_def=daily_partitions,
    description="Ingest a range of ranking dates.",
)

catalog_job = dg.define_asset_job(
    name="catalog_job",
    selection=dg.AssetSelection.assets(raw_models_catalog),
    description="Snapshot the model catalogue.",
)
