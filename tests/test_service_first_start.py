"""`make serve` on the bundled sample shows the pipeline working: on a new service instance it runs
what `make demo` runs, through the daemon, so the UI has runs, materializations, checks and
freshness from the first minutes."""

from __future__ import annotations

import os
import time
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.dagster_internals import RUN_KEY_TAG
from orchestration.defs.first_start import CATALOG_KEY, RANKINGS_KEY, WAREHOUSE_KEY
from orchestration.lib.postgres import LocalPostgresCluster
from orchestration.lib.settings import DataPaths
from tests.helpers import (
    free_port,
    graphql,
    stop_make_with_sigterm,
    wait_until,
)
from tests.test_service import FRESHNESS_QUERY, let_the_postgres_user_reach, start_make_serve

# make serve: PostgreSQL, the Dagster daemon and webserver.
pytestmark = pytest.mark.service

MATERIALIZED_QUERY = """
query {
  assetNodes {
    assetKey { path }
    assetMaterializations(limit: 1) { runId }
  }
}
"""


def test_make_serve_on_the_sample_runs_the_demo_jobs_once_through_the_daemon(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    let_the_postgres_user_reach(data)
    ui_port, postgres_port = free_port(), free_port()
    started = time.monotonic()
    service = start_make_serve(
        data,
        tmp_path / "serve.log",
        ui_port,
        postgres_port,
        RANKINGS_SOURCE="sample",
        OPENROUTER_API_KEY=None,
    )
    paths = DataPaths(data)
    try:
        cluster = LocalPostgresCluster(paths.postgres_cluster_dir, postgres_port)
        wait_until(
            "the service's PostgreSQL up and its instance configured",
            lambda: (paths.service_dagster_home / "dagster.yaml").exists() and cluster.is_running(),
            timeout=300,
            process=service,
            diagnostics=lambda: (tmp_path / "serve.log").read_text()[-3000:],
        )
        os.environ["DAGSTER_POSTGRES_URL"] = cluster.url()
        instance = dg.DagsterInstance.from_config(str(paths.service_dagster_home))

        def first_start_run(key: str) -> dg.DagsterRun | None:
            runs = instance.get_runs(dg.RunsFilter(tags={RUN_KEY_TAG: key}), limit=1)
            return runs[0] if runs and runs[0].is_finished else None

        build = wait_until(
            "the first-start warehouse build finished",
            lambda: first_start_run(WAREHOUSE_KEY),
            timeout=900,
            interval=2,
            process=service,
            diagnostics=lambda: (tmp_path / "serve.log").read_text()[-3000:],
        )
        print(f"first start built and published after {time.monotonic() - started:.0f} s")
        runs = [first_start_run(key) for key in (CATALOG_KEY, RANKINGS_KEY)] + [build]
        assert [run.status for run in runs] == [dg.DagsterRunStatus.SUCCESS] * 3
        assert paths.published_warehouse.exists()
        # Each run once: no second request after the build.
        assert len(instance.get_runs(dg.RunsFilter(job_name="warehouse_job"))) == 1

        # The UI shows the materializations and evaluates freshness.
        graphql_url = f"http://127.0.0.1:{ui_port}/graphql"
        nodes = graphql(graphql_url, MATERIALIZED_QUERY)["assetNodes"]
        materialized = {
            "/".join(node["assetKey"]["path"])
            for node in nodes
            if node.get("assetMaterializations")
        }
        assert {"raw_rankings_daily", "published_warehouse", "rankings_report"} <= materialized

        def freshness() -> set[str]:
            found = graphql(graphql_url, FRESHNESS_QUERY)["assetNodes"]
            return {node["freshnessStatusInfo"]["freshnessStatus"] for node in found}

        # Evaluated by the daemon: the sample ends in May 2026, so it is late, not unknown.
        wait_until(
            "freshness evaluated",
            lambda: freshness() and "UNKNOWN" not in freshness(),
            timeout=300,
            interval=2,
            diagnostics=lambda: f"freshness: {freshness()}",
        )
        instance.dispose()
    finally:
        os.environ.pop("DAGSTER_POSTGRES_URL", None)
        log_before_stopping = len((tmp_path / "serve.log").read_bytes())
        stop_make_with_sigterm(service, ui_port, timeout=300)
    # Stopped in order (the daemon's sensors before its code server, whose going made sensor
    # ticks fail): an idle service stops without an error.
    stopping = (tmp_path / "serve.log").read_bytes()[log_before_stopping:].decode()
    assert "Traceback" not in stopping and "Error" not in stopping, stopping
