"""`make docs` serves dbt's documentation site of the built project, and stops with everything it
started when its `make` is sent SIGTERM."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
import requests

from orchestration.lib.settings import PROJECT_ROOT, DataPaths
from tests.helpers import (
    free_port,
    stop_make_with_sigterm,
    user_environment,
    wait_until,
    without_the_virtualenv,
)

# make docs: dbt's documentation server.
pytestmark = pytest.mark.service


def test_make_docs_serves_the_site_and_stops_on_sigterm(
    published_sample: DataPaths, tmp_path: Path
):
    port = free_port()
    output = tmp_path / "make-docs.log"
    with output.open("w") as log:
        docs = subprocess.Popen(
            ["make", "docs", f"DOCS_PORT={port}"],
            cwd=PROJECT_ROOT,
            env={
                **user_environment(),
                "PATH": without_the_virtualenv(os.environ["PATH"]),
                "PIPELINE_DATA_DIR": str(published_sample.data_dir),
            },
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            manifest = wait_until(
                f"dbt docs serving on port {port}",
                lambda: requests.get(f"http://127.0.0.1:{port}/manifest.json", timeout=10).json(),
                timeout=300,
                process=docs,
            )
        finally:
            stop_make_with_sigterm(docs, port)

    # Stopped quietly: no traceback from the server on the terminal.
    assert "Traceback" not in output.read_text()
    assert "model.openrouter_rankings.mart_region_weekly" in manifest["nodes"]
    # dbt's anonymous usage tracking is off, so the site loads no tracker.
    assert manifest["metadata"]["send_anonymous_usage_stats"] is False
