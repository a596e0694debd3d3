"""The static report: written, self-contained, with each chart's data and the citation."""

from __future__ import annotations

import base64
import re

import dagster as dg

from orchestration.defs.assets.serving import rankings_report
from orchestration.lib.settings import DataPaths
from tests.helpers import data_dir

CHARTS = ["region_share", "top_vendors", "fastest_growers", "trillion_token_club"]


def test_report_and_every_image_are_written(published_sample: DataPaths):
    reports = published_sample.reports_dir
    assert (reports / "index.html").stat().st_size > 0
    for chart in CHARTS:
        image = reports / f"{chart}.png"
        assert image.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), chart


def test_report_is_self_contained_and_holds_the_data_and_citation(published_sample: DataPaths):
    page = (published_sample.reports_dir / "index.html").read_text()
    # Nothing to fetch: every image is inline, no script, stylesheet or remote link.
    assert not re.search(r"(src|href)=['\"]https?:", page)
    assert page.count("data:image/png;base64,") == len(CHARTS)
    for chart in CHARTS:
        assert f"<section id='{chart}'>" in page
    assert "Source: OpenRouter (openrouter.ai/rankings), as of 2026-05-11T00:00:00+00:00." in page
    assert "bundled sample" in page
    assert "China first overtook the United States in the week of 2026-02-09." in page
    # Chart data: the region shares, the vendors, the week's growers and the club members.
    assert "<td>2026-02-16</td><td>China</td><td>0.59</td>" in page
    assert "<td>minimax/minimax-m2.5-20260211</td>" in page
    assert "Fastest-growing models, week of 2026-05-04" in page


def test_the_report_preview_in_the_ui_carries_its_chart_inline(published_sample: DataPaths):
    # The UI is read in a browser that cannot open this machine's files.
    with data_dir(published_sample.data_dir):
        result = dg.materialize([rankings_report], instance=dg.DagsterInstance.ephemeral())
    [materialization] = result.asset_materializations_for_node("rankings_report")
    preview = materialization.metadata["preview"].value
    [image] = re.findall(r"!\[[^\]]*\]\(([^)]*)\)", preview)
    assert image.startswith("data:image/png;base64,")
    assert base64.b64decode(image.split(",", 1)[1]).startswith(b"\x89PNG\r\n\x1a\n")
    assert "Source: OpenRouter (openrouter.ai/rankings), as of " in preview
