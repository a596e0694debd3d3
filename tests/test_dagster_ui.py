"""The Dagster webserver loads the code location from workspace.yaml, with every definition."""

from __future__ import annotations

import os
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


def test_webserver_shows_every_asset_check_job_and_schedule(tmp_path: Path):
    port = free_port()
    webserver = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster-webserver"),
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "DAGSTER_HOME": str(tmp_path), "PIPELINE_DATA_DIR": str(tmp_path)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        url = f"http://127.0.0.1:{port}/graphql"
        deadline = time.monotonic() + 120
        while True:
            try:
                response = requests.post(url, json={"query": WORKSPACE_QUERY}, timeout=10)
                if response.ok:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, "webserver did not answer"
            time.sleep(1)
    finally:
        webserver.terminate()
        webserver.wait(timeout=30)

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
        "rebuild_after_retraction",
        "recover_dead_runs",
    }
