"""`make ui` loads the code location from a fresh shell, with every definition, honestly."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from orchestration.definitions import defs
from orchestration.lib.settings import PROJECT_ROOT
from tests.helpers import (
    free_port,
    stop_make_with_sigterm,
    user_environment,
    wait_for_code_location,
    without_the_virtualenv,
)

# make ui: the Dagster webserver.
pytestmark = pytest.mark.service

WORKSPACE_QUERY = """
query {
  workspaceOrError {
    __typename
    ... on Workspace {
      locationEntries {
        name
        locationOrLoadError {
          __typename
          ... on PythonError { message }
          ... on RepositoryLocation {
            repositories {
              jobs { name }
              schedules { name scheduleState { status } }
              sensors { name }
              assetNodes {
                assetKey { path }
                partitionKeys
                assetChecksOrError { ... on AssetChecks { checks { name description } } }
              }
            }
          }
        }
      }
    }
  }
}
"""


def test_make_ui_loads_every_asset_check_job_schedule_and_sensor(tmp_path: Path):
    port = free_port()
    # Exactly as the README says, from a shell where the virtualenv is not activated.
    ui = subprocess.Popen(
        ["make", "ui", f"UI_PORT={port}"],
        cwd=PROJECT_ROOT,
        env={
            **user_environment(),
            "PATH": without_the_virtualenv(os.environ["PATH"]),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "PIPELINE_DATA_DIR": str(tmp_path / "data"),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        workspace = wait_for_code_location(f"http://127.0.0.1:{port}/graphql", WORKSPACE_QUERY, ui)
    finally:
        # `kill <pid of make>`: dagster dev, its webserver, daemon and code servers stop too.
        stop_make_with_sigterm(ui, port)

    assert workspace["__typename"] == "Workspace"
    [location] = workspace["locationEntries"]
    assert location["name"] == "openrouter_rankings"
    loaded = location["locationOrLoadError"]
    assert loaded["__typename"] == "RepositoryLocation", loaded.get("message")
    [repository] = loaded["repositories"]

    graph = defs.get_repository_def().asset_graph
    assert {"/".join(node["assetKey"]["path"]) for node in repository["assetNodes"]} == {
        key.to_user_string() for key in graph.get_all_asset_keys()
    }
    shown_checks = {
        ("/".join(node["assetKey"]["path"]), check["name"])
        for node in repository["assetNodes"]
        for check in node["assetChecksOrError"].get("checks", [])
    }
    assert shown_checks == {
        (key.asset_key.to_user_string(), key.name) for key in graph.asset_check_keys
    }
    jobs = {job["name"] for job in repository["jobs"] if not job["name"].startswith("__")}
    assert jobs == {
        "rankings_job",
        "warehouse_job",
        "catalog_job",
        "retract_snapshot_job",
        "compact_lake_job",
    }
    # On the sample the schedules are off: nothing runs by itself in a demo UI.
    assert {(s["name"], s["scheduleState"]["status"]) for s in repository["schedules"]} == {
        ("daily_rankings_refresh", "STOPPED"),
        ("daily_catalog_refresh", "STOPPED"),
        ("daily_lake_compaction", "STOPPED"),
    }
    assert {s["name"] for s in repository["sensors"]} == {
        "alert_on_run_failure",
        "alert_on_late_data",
        "rebuild_after_retraction",
        "compact_after_backfill",
        "recover_dead_runs",
        "first_start_runs",
        "alert_on_ranking_events",
    }

    # The UI is honest on the sample: every check says what it asserts, and the partitions are
    # the sample's 182 days, not every day since 2025 shown as missing.
    undescribed = [
        check["name"]
        for node in repository["assetNodes"]
        for check in node["assetChecksOrError"].get("checks", [])
        if not (check["description"] or "").strip()
    ]
    assert undescribed == []
    [raw] = [n for n in repository["assetNodes"] if n["assetKey"]["path"] == ["raw_rankings_daily"]]
    assert (raw["partitionKeys"][0], raw["partitionKeys"][-1]) == ("2025-11-10", "2026-05-10")
    assert len(raw["partitionKeys"]) == 182
