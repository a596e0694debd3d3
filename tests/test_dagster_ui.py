"""`make ui` loads the code location from a fresh shell, with every definition."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

from orchestration.definitions import defs
from orchestration.lib.settings import PROJECT_ROOT

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
              schedules { name }
              sensors { name }
              assetNodes {
                assetKey { path }
                assetChecksOrError { ... on AssetChecks { checks { name } } }
              }
            }
          }
        }
      }
    }
  }
}
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def without_the_virtualenv(path: str) -> str:
    """``PATH`` as a plain shell has it: the virtualenv's bin folder not on it."""
    venv_bin = str(Path(sys.executable).parent)
    return os.pathsep.join(part for part in path.split(os.pathsep) if part != venv_bin)


def test_make_ui_loads_every_asset_check_job_schedule_and_sensor(tmp_path: Path):
    port = free_port()
    # Exactly as the README says, from a shell where the virtualenv is not activated.
    ui = subprocess.Popen(
        ["make", "ui", f"UI_PORT={port}"],
        cwd=PROJECT_ROOT,
        env={
            **os.environ,
            "PATH": without_the_virtualenv(os.environ["PATH"]),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "PIPELINE_DATA_DIR": str(tmp_path / "data"),
        },
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        deadline = time.monotonic() + 180
        while True:
            try:
                response = requests.post(url, json={"query": WORKSPACE_QUERY}, timeout=10)
                entries = response.json()["data"]["workspaceOrError"].get("locationEntries")
                if entries and entries[0]["locationOrLoadError"]:
                    break  # the code location finished loading (or failed to)
            except (requests.ConnectionError, ValueError, KeyError, TypeError):
                pass
            assert ui.poll() is None, "make ui exited"
            assert time.monotonic() < deadline, "the code location did not load"
            time.sleep(1)
    finally:
        # Ctrl-C, as a user stops it: dagster dev then stops its webserver, daemon and code
        # servers too.
        os.killpg(ui.pid, signal.SIGINT)
        ui.wait(timeout=60)

    workspace = response.json()["data"]["workspaceOrError"]
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
    assert jobs == {"rankings_job", "warehouse_job", "catalog_job", "retract_snapshot_job"}
    assert {s["name"] for s in repository["schedules"]} == {
        "daily_rankings_refresh",
        "daily_catalog_refresh",
    }
    assert {s["name"] for s in repository["sensors"]} == {
        "alert_on_run_failure",
        "rebuild_after_retraction",
        "recover_dead_runs",
    }
