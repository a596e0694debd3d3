"""The dbt project as Dagster assets: one graph from the raw lake to the marts.

All models run in one ``dbt build`` per run. The daily fact ``fct_model_daily_tokens`` is
incremental by date: when the run covers a range of ranking partitions, Dagster passes that range
as the dbt vars ``min_date``/``max_date`` and only those dates are rebuilt (delete+insert); a run
without partitions rebuilds every date.
(Partitioning the fact as its own Dagster asset would split the build into four dbt
invocations per run, each paying dbt's start-up.)
dbt tests surface as asset checks; error-severity tests block downstream assets.
"""

import json
from collections.abc import Iterator, Mapping
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.settings import DBT_PROJECT_DIR, WAREHOUSE_POOL, data_paths

DAILY_FACT_MODEL = "fct_model_daily_tokens"
PARTITION_TAG = "dagster/partition"
RANGE_START_TAG = "dagster/asset_partition_range_start"
RANGE_END_TAG = "dagster/asset_partition_range_end"

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` the manifest is rebuilt on load; `make demo` / `make test` run `dbt parse`.
dbt_project.prepare_if_dev()


class RankingsDbtTranslator(DagsterDbtTranslator):
    """Sources become the raw assets of the same name; models are grouped by their folder."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "source":
            return dg.AssetKey(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "seed":
            return "reference"
        if dbt_resource_props["resource_type"] == "model":
            return dbt_resource_props["fqn"][1]  # staging, intermediate or marts
        return super().get_group_name(dbt_resource_props)


def date_window_vars(run_tags: Mapping[str, str]) -> dict[str, str] | None:
    """The dbt vars for the run's ranking dates, or None when the run has no partitions."""
    if RANGE_START_TAG in run_tags and RANGE_END_TAG in run_tags:
        return {"min_date": run_tags[RANGE_START_TAG], "max_date": run_tags[RANGE_END_TAG]}
    if PARTITION_TAG in run_tags:
        return {"min_date": run_tags[PARTITION_TAG], "max_date": run_tags[PARTITION_TAG]}
    return None


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=RankingsDbtTranslator(),
    project=dbt_project,
    pool=WAREHOUSE_POOL,
)
def openrouter_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Seed, staging views, the incremental daily fact and the marts, with their data tests."""
    data_paths().working_warehouse.parent.mkdir(parents=True, exist_ok=True)
    # dbt unit tests check SQL logic on fixed inputs, so they run in the test suite, not on
    # every production build (dbt's own advice).
    args = ["build", "--exclude-resource-type", "unit_test"]
    window = date_window_vars(context.run.tags)
    if window:
        context.log.info(
            f"rebuilding {DAILY_FACT_MODEL} for {window['min_date']}..{window['max_date']}"
        )
        args += ["--vars", json.dumps(window)]
    yield from dbt.cli(args, context=context).stream()
