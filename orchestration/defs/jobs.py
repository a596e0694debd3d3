"""Jobs: ingest dates and rebuild the warehouse; rebuild it alone; snapshot the catalogue."""

import dagster as dg

from orchestration.defs.assets.dbt import openrouter_dbt_models
from orchestration.defs.assets.raw import raw_models_catalog, raw_rankings_daily
from orchestration.defs.assets.serving import published_warehouse, rankings_report

# Everything built from the lake: every dbt model (the marts also need the seed and the
# catalogue staging, which are not downstream of the rankings), the publish and the report.
WAREHOUSE_ASSETS = [openrouter_dbt_models, published_warehouse, rankings_report]
WAREHOUSE_ASSET_KEYS = [key for assets in WAREHOUSE_ASSETS for key in assets.keys]

rankings_job = dg.define_asset_job(
    name="rankings_job",
    selection=dg.AssetSelection.assets(raw_rankings_daily, *WAREHOUSE_ASSETS),
    description=(
        "Ingest a range of ranking dates; rebuild the daily fact for those dates, and the weekly "
        "marts and milestones from the first week they touch; test the rebuilt rows; then "
        "publish them and the report."
    ),
)

warehouse_job = dg.define_asset_job(
    name="warehouse_job",
    selection=dg.AssetSelection.assets(*WAREHOUSE_ASSETS),
    description=(
        "Rebuild the whole warehouse from the lake (every date), run every check, then publish "
        "the warehouse and the report."
    ),
)

catalog_job = dg.define_asset_job(
    name="catalog_job",
    selection=dg.AssetSelection.assets(raw_models_catalog),
    description="Snapshot the model catalogue (the next warehouse build picks it up).",
)
