"""dbt exposures (dbt_project/models/exposures.yml) as external assets: who reads which marts.

Dagster does not run them; they end the lineage in the UI where dbt docs ends it.
"""

import json

import dagster as dg

from orchestration.defs.assets.dbt import RankingsDbtTranslator
from orchestration.defs.project import dbt_project

EXPOSURES_GROUP = "exposures"


def exposure_specs() -> list[dg.AssetSpec]:
    """One external asset per dbt exposure, depending on the dbt assets it reads."""
    manifest = json.loads(dbt_project.manifest_path.read_text())
    translator = RankingsDbtTranslator()
    return [
        dg.AssetSpec(
            key=dg.AssetKey([EXPOSURES_GROUP, exposure["name"]]),
            deps=[
                translator.get_asset_key(manifest["nodes"][unique_id])
                for unique_id in exposure["depends_on"]["nodes"]
            ],
            description=exposure["description"],
            group_name=EXPOSURES_GROUP,
            kinds={exposure["type"]},
            metadata={"maturity": exposure.get("maturity") or "", "url": exposure.get("url") or ""},
        )
        for exposure in manifest["exposures"].values()
    ]
