"""The service's first start runs what `make demo` runs, once: the catalogue and the sample's
days, then (once both succeeded) the warehouse build; never again on an instance that built it."""

from __future__ import annotations

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.defs.dagster_internals import RUN_KEY_TAG
from orchestration.defs.first_start import (
    CATALOG_KEY,
    RANKINGS_KEY,
    WAREHOUSE_KEY,
    first_start_runs,
)
from orchestration.lib.sample import BundledSample
from orchestration.lib.settings import DataPaths, sample_dir
from tests.helpers import QUIET


def evaluate(instance: dg.DagsterInstance, cursor: str | None):
    context = dg.build_sensor_context(instance=instance, cursor=cursor, definitions=defs)
    return first_start_runs(context)


def run_requested(instance: dg.DagsterInstance, request: dg.RunRequest) -> dg.DagsterRun:
    """Execute a requested run in process, tagged as the daemon tags it."""
    job = defs.resolve_job_def(request.job_name)
    result = job.execute_in_process(
        instance=instance,
        tags={**request.tags, RUN_KEY_TAG: request.run_key},
        asset_selection=request.asset_selection,
        run_config=QUIET,
        raise_on_error=False,
    )
    return result.dagster_run


@pytest.mark.slow
def test_the_first_start_ingests_then_builds_once(tmp_path, monkeypatch):
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.setenv("RANKINGS_SOURCE", "sample")
    instance = dg.DagsterInstance.ephemeral()

    first = evaluate(instance, None)
    assert first.cursor == "ingesting"
    catalog, rankings = first.run_requests
    assert (catalog.run_key, catalog.job_name) == (CATALOG_KEY, "catalog_job")
    assert (rankings.run_key, rankings.job_name) == (RANKINGS_KEY, "rankings_job")
    days = BundledSample(sample_dir()).date_range()
    assert rankings.tags["dagster/asset_partition_range_start"] == str(days[0])
    assert rankings.tags["dagster/asset_partition_range_end"] == str(days[1])

    # Nothing more until both have run; then the warehouse build, and nothing after it.
    waiting = evaluate(instance, "ingesting")
    assert isinstance(waiting, dg.SkipReason)
    for request in (catalog, rankings):
        assert run_requested(instance, request).status == dg.DagsterRunStatus.SUCCESS
    build = evaluate(instance, "ingesting")
    [warehouse] = build.run_requests
    assert (warehouse.run_key, warehouse.job_name, build.cursor) == (
        WAREHOUSE_KEY,
        "warehouse_job",
        "done",
    )
    assert run_requested(instance, warehouse).status == dg.DagsterRunStatus.SUCCESS
    assert DataPaths(tmp_path).published_warehouse.exists()
    assert isinstance(evaluate(instance, "done"), dg.SkipReason)
    # A new cursor on an instance that has built the warehouse (a reset sensor): nothing.
    again = evaluate(instance, None)
    assert again.run_requests in (None, []) and again.cursor == "done"


def test_with_the_data_api_the_first_start_runs_nothing(monkeypatch):
    monkeypatch.setenv("OPENROUTER_API_KEY", "sk-or-test")
    monkeypatch.delenv("RANKINGS_SOURCE", raising=False)
    result = evaluate(dg.DagsterInstance.ephemeral(), None)
    assert not result.run_requests and result.cursor == "done"
