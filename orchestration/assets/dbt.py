"""The dbt project as Dagster assets: one graph from the raw lake to the marts.

All models run in one ``dbt build`` per run, so a run's cost follows the dates it brings, not the
history held. When the run covers a range of ranking partitions, Dagster passes that range as
the dbt vars ``min_date``/``max_date`` (and the lake folders holding it): the daily fact
``fct_model_daily_tokens`` rebuilds only those dates, and the weekly marts and milestones only
the weeks from the first of them on (delete+insert). A run without partitions rebuilds every date.
(Partitioning the fact as its own Dagster asset would split the build into four dbt
invocations per run, each paying dbt's start-up.)
dbt tests surface as asset checks; error-severity tests block downstream assets.
"""

import json
from collections.abc import Iterator, Mapping
from datetime import date
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.settings import (
    DBT_BUILD_ARGS,
    DBT_PROJECT_DIR,
    WAREHOUSE_POOL,
    DataPaths,
    data_paths,
)

DAILY_FACT_MODEL = "fct_model_daily_tokens"
PARTITION_TAG = "dagster/partition"
# A run over more days than this reads the whole lake instead of listing date folders (the
# list travels on dbt's command line).
MAX_LISTED_PARTITIONS = 1000
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


def run_date_window(run_tags: Mapping[str, str]) -> tuple[date, date] | None:
    """The first and last ranking date of the run's partitions, or None when it has none."""
    if RANGE_START_TAG in run_tags and RANGE_END_TAG in run_tags:
        first, last = run_tags[RANGE_START_TAG], run_tags[RANGE_END_TAG]
    elif PARTITION_TAG in run_tags:
        first = last = run_tags[PARTITION_TAG]
    else:
        return None
    return date.fromisoformat(first), date.fromisoformat(last)


def date_window_vars(first: date, last: date, paths: DataPaths) -> dict[str, Any]:
    """dbt vars for a run over ``first..last``: the dates, and the lake folders that hold them.

    Past ``MAX_LISTED_PARTITIONS`` days the folders are not listed and dbt reads the whole lake.
    """
    window: dict[str, Any] = {"min_date": first.isoformat(), "max_date": last.isoformat()}
    if (last - first).days < MAX_LISTED_PARTITIONS:
        folders = paths.rankings_date_folders(first, last)
        if folders:
            window["rankings_lake_partitions"] = [folder.name for folder in folders]
    return window


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=RankingsDbtTranslator(),
    project=dbt_project,
    pool=WAREHOUSE_POOL,
)
def openrouter_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Seed, staging views, the incremental daily fact and the marts, with their data tests."""
    data_paths().working_warehouse.parent.mkdir(parents=True, exist_ok=True)
    args = list(DBT_BUILD_ARGS)
    window = run_date_window(context.run.tags)
    if window:
        first, last = window
        context.log.info(
            f"rebuilding {DAILY_FACT_MODEL} for {first}..{last}, and the marts from the week of "
            f"{first} on"
        )
        args += ["--vars", json.dumps(date_window_vars(first, last, data_paths()))]
    yield from dbt.cli(args, context=context).stream()
