"""A real BI client: ``make bi`` serves Apache Superset with the project's dashboard, reading the
published warehouse read-only, and its charts draw in headless Chromium."""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from orchestration.lib.settings import PROJECT_ROOT, DataPaths
from tests.browser import chromium_tab
from tests.helpers import (
    free_port,
    stop_make_with_sigterm,
    user_environment,
    wait_until,
    without_the_virtualenv,
)

# make bi: Superset, read in headless Chromium.
pytestmark = [pytest.mark.browser, pytest.mark.service]

CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-05-11T00:00:00+00:00."
CHARTS = [
    "Weekly token share by region",
    "Top vendors by tokens",
    "Ranking events",
    "Published claims, tested",
    "Source",
]
FILTERS = ["Weeks", "Region", "Vendor"]


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture(scope="module")
def bi_data(published_sample: DataPaths, tmp_path_factory: pytest.TempPathFactory) -> DataPaths:
    """A copy of the published sample, in a folder whose name has a space and a quote: Superset
    opens the warehouse through a URI holding its path."""
    folder = tmp_path_factory.mktemp("bi") / "published q'sample"
    shutil.copytree(published_sample.data_dir, folder, symlinks=True)
    return DataPaths(folder)


@pytest.fixture(scope="module")
def superset(bi_data: DataPaths, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``make bi`` from a plain shell on the published sample; its URL while it serves."""
    port = free_port()
    log = (tmp_path_factory.mktemp("superset") / "make-bi.log").open("w")
    server = subprocess.Popen(
        ["make", "bi"],
        cwd=PROJECT_ROOT,
        env={
            **user_environment(),
            "PATH": without_the_virtualenv(os.environ["PATH"]),
            "PIPELINE_DATA_DIR": str(bi_data.data_dir),
            "BI_PORT": str(port),
        },
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        # The first start installs Superset's virtualenv.
        wait_until(
            f"Superset answered {url}/health",
            lambda: requests.get(f"{url}/health", timeout=10).text == "OK",
            timeout=900,
            interval=2,
            process=server,
            diagnostics=lambda: Path(log.name).read_text()[-5000:],
        )
        # make bi says what it does: each set-up step with its time.
        said = Path(log.name).read_text()
        for step in ("Superset's own database brought up to date", "the dashboard imported"):
            assert re.search(rf"make bi: {re.escape(step)} \.\.\. \d+s", said), said[-3000:]
        yield url
    finally:
        # `kill <pid of make>`: gunicorn and its workers stop too, and the port is freed.
        stop_make_with_sigterm(server, port)
        log.close()


def test_the_dashboard_draws_every_chart_from_the_published_warehouse(
    superset: str, bi_data: DataPaths, tmp_path: Path
):
    warehouse_before = sha256(bi_data.published_warehouse)
    password = (bi_data.superset_state_dir / "admin_password").read_text().strip()
    assert (bi_data.superset_state_dir / "admin_password").stat().st_mode & 0o077 == 0

    with chromium_tab(width=1400, height=1000) as tab:
        page = tab.page
        page.goto(f"{superset}/login/")
        page.fill("#username", "admin")
        page.fill("#password", password)
        page.keyboard.press("Enter")
        page.wait_for_url(lambda url: "/login" not in url, timeout=60_000)
        page.goto(f"{superset}/superset/dashboard/openrouter-rankings/?standalone=1")
        # Every chart drawn: the line chart's canvas and both tables' rows.
        page.locator(".chart-container canvas").first.wait_for(timeout=120_000)
        page.get_by_text("Anthropic", exact=True).first.wait_for(timeout=60_000)
        page.get_by_text(CITATION).first.wait_for(timeout=60_000)
        # The events (newest first) and the claims with their verdicts.
        page.get_by_text("vendor_overtook", exact=True).first.wait_for(timeout=60_000)
        page.get_by_text("Chinese tech press quoting OpenRouter", exact=True).first.wait_for(
            timeout=60_000
        )
        page.get_by_text("reproduced", exact=True).first.wait_for(timeout=60_000)
        # What the shares are of, visible on the dashboard (the sample: listed models only).
        page.get_by_text(
            "Shares are of the listed models' tokens only", exact=False
        ).first.wait_for(timeout=30_000)
        for title in CHARTS:
            assert page.get_by_text(title, exact=True).first.is_visible(), title
        boxes = [
            page.locator(".chart-container").nth(index).bounding_box()
            for index in range(page.locator(".chart-container").count())
        ]
        assert len(boxes) == len(CHARTS)
        assert all(box and box["width"] > 200 and box["height"] > 50 for box in boxes), boxes
        assert page.locator(".alert-danger, .ant-alert-error").count() == 0
        # No chart says its data was cut off by a row limit.
        assert page.get_by_text("row limit", exact=False).count() == 0
        # Dates as dates: the Source table shows the first day, not a timestamp.
        page.get_by_text("2025-11-10", exact=True).first.wait_for(timeout=30_000)
        assert page.get_by_text("2025-11-10T00:00:00", exact=False).count() == 0
        # The native filters are there (the filter bar is hidden in standalone mode).
        filters = tab.page.evaluate(
            "async () => (await (await fetch('/api/v1/dashboard/openrouter-rankings')).json())"
            ".result.json_metadata"
        )
        names = [f["name"] for f in json.loads(filters)["native_filter_configuration"]]
        assert names == FILTERS
        page.wait_for_timeout(1_500)  # the line chart's drawing animation, for the screenshot
        page.screenshot(path=tmp_path / "superset-dashboard.png", full_page=True)

    assert tab.script_errors == []
    # Nothing left the machine: the only thing refused is the usage pixel Superset's page
    # embeds, which the project's content security policy stops in the browser.
    assert tab.refused_requests == []
    assert all(
        "gateway.scarf.sh" in error and "Content Security Policy" in error
        for error in tab.console_errors
    ), tab.console_errors
    # Read, never written.
    assert sha256(bi_data.published_warehouse) == warehouse_before
    assert (tmp_path / "superset-dashboard.png").stat().st_size > 0
