"""The dbt project as Dagster assets: one graph from the raw lake to the marts.

All models run in one ``dbt build`` per run, so a run's cost follows the dates it brings, not the
history held. A run over some daily partitions passes its window to dbt in its environment
(:mod:`orchestration.lib.run_window`): the daily fact rebuilds only those dates, the weekly marts
and milestones the weeks from the first of them on, and data tests check those rows. A run
without partitions rebuilds and tests everything. (Partitioning the fact as its own Dagster asset
would split the build into several dbt invocations per run, each paying dbt's start-up.)
dbt data tests surface as asset checks; error-severity tests block downstream assets.
"""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import timedelta
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DbtCliResource, DbtProject, dbt_assets

from orchestration.defs.partitions import run_window
from orchestration.defs.pools import WAREHOUSE_POOL, hold_the_warehouse
from orchestration.defs.project import ENGINE, dbt_project
from orchestration.lib.dbt_invocations import keep_parse_state, new_invocation_dir
from orchestration.lib.dbt_tests import BUILT_IN_TESTS
from orchestration.lib.ingestion.repair import repair_inputs
from orchestration.lib.run_window import EVERY_DATE_ENVIRONMENT
from orchestration.lib.settings import DBT_BUILD_ARGS, DataPaths, data_paths


def _argument(value: Any) -> str:
    """A test argument as a reader would write it: ``ref('x')`` as x, lists comma-separated."""
    if isinstance(value, list):
        return ", ".join(_argument(item) for item in value)
    text = str(value)
    for prefix in ("ref('", "source('"):
        if text.startswith(prefix) and text.endswith("')"):
            return text[len(prefix) : -2].replace("', '", ".")
    return text


def data_test_description(manifest: Mapping[str, Any], test: Mapping[str, Any]) -> str:
    """What a dbt data test asserts: its own description, else its generic test's, with the
    column and arguments it is given; a test without either gets its name, so no check is
    left blank."""
    own = test.get("description") or test.get("meta", {}).get("description")
    if own:
        return own
    generic = test.get("test_metadata") or {}
    name = generic.get("name", "")
    arguments = {
        key: _argument(value)
        for key, value in generic.get("kwargs", {}).items()
        if key not in ("model", "column_name")
    }
    column = test.get("column_name")
    if name in BUILT_IN_TESTS:
        return BUILT_IN_TESTS[name].per_column.format(column_name=column, **arguments)
    macro = manifest["macros"].get(f"macro.{test['package_name']}.test_{name}", {})
    described = macro.get("description") or f"dbt data test {test['name']}."
    given = "; ".join(f"{key}: {value}" for key, value in arguments.items())
    return (f"On `{column}`: " if column else "") + described + (f" ({given})" if given else "")


@contextmanager
def _environment(values: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with ``values`` set, as it was afterwards.

    dagster-dbt starts dbt with a copy of this process's environment and takes no other.
    """
    previous = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in previous.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


class RankingsDbtTranslator(DagsterDbtTranslator):
    """Sources become the raw assets of the same name; models are grouped by their folder;
    every data test's check says what the test asserts."""

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

    def get_asset_check_spec(
        self,
        asset_spec: dg.AssetSpec,
        manifest: Mapping[str, Any],
        unique_id: str,
        project: DbtProject | None,
    ) -> dg.AssetCheckSpec | None:
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None or spec.description:
            return spec
        return dg.AssetCheckSpec(
            spec.name,
            asset=spec.asset_key,
            description=data_test_description(manifest, manifest["nodes"][unique_id]),
            additional_deps=spec.additional_deps,
            blocking=spec.blocking,
            metadata=spec.metadata,
            automation_condition=spec.automation_condition,
            partitions_def=spec.partitions_def,
        )


@dbt_assets(
    manifest=dbt_project.manifest_path,
    dagster_dbt_translator=RankingsDbtTranslator(),
    project=dbt_project,
    pool=WAREHOUSE_POOL,
)
def openrouter_dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource) -> Iterator[Any]:
    """Seed, staging views, the incremental daily fact and the marts, with their data tests."""
    paths = data_paths()
    with hold_the_warehouse(context, paths):  # creates the warehouse's folder
        yield from _build(context, dbt, paths)


def _build(
    context: dg.AssetExecutionContext, dbt: DbtCliResource, paths: DataPaths
) -> Iterator[Any]:
    """Repair the run's inputs if needed, then stream its ``dbt build``."""
    window = run_window(context.run.tags)
    # The lake folders the run reads: its weeks, or every date.
    folders = (
        paths.rankings_date_folders(window.first_week, window.last_week + timedelta(days=6))
        if window
        else None
    )
    repaired = repair_inputs(paths, folders)
    for line in repaired.lines:
        context.log.warning(line)
    # Set even without a window, so that none left in this process's environment applies.
    window_environment = EVERY_DATE_ENVIRONMENT
    every_date = (
        window is None
        or ENGINE.rebuilds_windowed_models_whole
        or repaired.warehouse_state != "built"
    )
    if window and ENGINE.rebuilds_windowed_models_whole:
        context.log.info(f"on {ENGINE.target}, rebuilding every table from the lake for {window}")
    elif window and every_date:
        context.log.warning(
            f"the working warehouse {paths.working_warehouse} holds no daily fact yet: building "
            f"every date from the lake, not only {window}"
        )
    elif window:
        context.log.info(
            f"rebuilding the daily fact for {window}, and the marts from the week of "
            f"{window.first_week} on"
        )
        window_environment = window.dbt_environment(paths)
    # A build of every date recreates the incremental tables (--full-refresh), so that a new
    # version of a model, with columns added or changed, replaces the old table.
    args = [
        *DBT_BUILD_ARGS,
        *(["--full-refresh"] if every_date else []),
        *paths.dbt_vars_arguments(),
    ]
    target = new_invocation_dir(paths, ENGINE, context.run.run_id)
    with _environment(window_environment):
        invocation = dbt.cli(args, context=context, target_path=target)
    try:
        yield from invocation.stream()
    finally:
        # A build whose tests failed parsed the project all the same.
        keep_parse_state(target)


MART_KEYS = [key for key in openrouter_dbt_models.keys if key.path[0] == "marts"]
