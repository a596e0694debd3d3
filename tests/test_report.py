"""The report: written, self-contained, true to the marts, and drawn in a real browser."""

from __future__ import annotations

import base64
import re
from datetime import date
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.assets.serving import rankings_report
from orchestration.lib.charts import SERIES_COLOURS, VEGA_LITE_VERSION, vega_libraries
from orchestration.lib.reporting import (
    Chart,
    claims_chart,
    events_timeline_chart,
    fastest_growers_chart,
    region_share_chart,
    render_html,
    top_vendors_chart,
    trillion_club_chart,
)
from orchestration.lib.settings import PROJECT_ROOT, DataPaths
from orchestration.lib.storage import connect_duckdb
from tests.browser import chromium_tab
from tests.helpers import data_dir

CHARTS = [
    "region_share",
    "top_vendors",
    "fastest_growers",
    "trillion_token_club",
    "ranking_events",
    "claim_checks",
]
CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-05-11T00:00:00+00:00."


@pytest.fixture(scope="module")
def charts(published_sample: DataPaths) -> dict[str, Chart]:
    """Every chart of the report, built from the published sample."""
    with connect_duckdb(published_sample.published_warehouse, read_only=True) as connection:
        [(scope_note,)] = connection.execute(
            "select share_scope_note from marts.publication"
        ).fetchall()
        subtitle = [CITATION, scope_note]
        return {
            "region_share": region_share_chart(connection, subtitle)[0],
            "top_vendors": top_vendors_chart(connection, subtitle),
            "fastest_growers": fastest_growers_chart(connection, subtitle)[0],
            "trillion_token_club": trillion_club_chart(connection, subtitle),
            "ranking_events": events_timeline_chart(connection, subtitle),
            "claim_checks": claims_chart(connection, subtitle),
        }


def layers(spec: dict) -> list[dict]:
    return spec.get("layer", [spec])


def test_report_and_every_image_are_written(published_sample: DataPaths):
    reports = published_sample.reports_dir
    assert (reports / "index.html").stat().st_size > 0
    for chart in CHARTS:
        image = reports / f"{chart}.png"
        assert image.read_bytes().startswith(b"\x89PNG\r\n\x1a\n"), chart


def test_every_chart_carries_the_citation_as_of_and_share_scope(charts: dict[str, Chart]):
    # The PNG is drawn from the same spec, so a shared image keeps its source.
    for chart in charts.values():
        citation, scope, licence = chart.spec["title"]["subtitle"]
        assert citation == CITATION, chart.slug
        # The sample has no `other` row: each image says its shares are of listed models only.
        assert scope.startswith("Shares are of the listed models' tokens only"), chart.slug
        assert licence == "Licensed under CC BY 4.0.", chart.slug


def test_a_vendor_absent_for_a_week_is_a_gap_not_a_line(charts: dict[str, Chart]):
    rows = charts["top_vendors"].rows
    weeks = {week for week, _, _ in rows}
    minimax = [tokens for _, vendor, tokens in rows if vendor == "MiniMax"]
    # Every charted week has a row per vendor; MiniMax's 9 absent weeks hold no figure, which
    # Vega-Lite draws as a break in the line (not a zero, not a bridge).
    assert len(minimax) == len(weeks) == 26
    assert sum(tokens is None for tokens in minimax) == 9
    assert "Anthropic" in {vendor for _, vendor, _ in rows}  # display names, not slugs
    assert not any("/" in vendor for _, vendor, _ in rows)


def test_every_line_has_its_own_colour_and_dash(charts: dict[str, Chart]):
    for slug in ["top_vendors", "trillion_token_club"]:
        [lines] = [
            layer for layer in layers(charts[slug].spec) if "strokeDash" in layer["encoding"]
        ]
        colour = lines["encoding"]["color"]["scale"]
        dash = lines["encoding"]["strokeDash"]["scale"]
        styles = list(zip(colour["range"], map(tuple, dash["range"]), strict=True))
        assert colour["domain"] == dash["domain"]
        assert len(set(styles)) == len(styles) == len(colour["domain"]), slug
    assert len(
        charts["trillion_token_club"].spec["layer"][0]["encoding"]["color"]["scale"]["domain"]
    ) > len(SERIES_COLOURS)


def test_fastest_growers_shows_only_growth_by_display_name(charts: dict[str, Chart]):
    chart = charts["fastest_growers"]
    assert chart.rows and all(growth > 0 for *_, growth in chart.rows)
    assert chart.rows[0][0] == "DeepSeek: DeepSeek V4 Flash"
    assert "3 other models ranked in both weeks declined and are not drawn" in chart.caption


def test_the_club_is_measured_from_launch(charts: dict[str, Chart]):
    chart = charts["trillion_token_club"]
    minimax = [
        (days, tokens) for name, days, tokens in chart.rows if name == "MiniMax: MiniMax M2.5"
    ]
    # Launched 2026-02-12, first charted week ends 2026-02-15: 3 days after launch.
    assert minimax[0][0] == 3
    # Gemini 2.5 Flash was launched before the data begins: its start is not in the data.
    assert "Google: Gemini 2.5 Flash" not in {name for name, _, _ in chart.rows}
    assert "launched earlier or are not in the catalogue" in chart.caption


def test_report_is_self_contained_and_holds_the_data_and_citation(published_sample: DataPaths):
    page = (published_sample.reports_dir / "index.html").read_text()
    # Nothing to fetch: no remote script, stylesheet, image or link.
    assert not re.search(r"(src|href)=['\"]https?:", page)
    for chart in CHARTS:
        assert f"<section id='{chart}'>" in page
        assert f"<div class='chart' id='chart-{chart}'>" in page
    assert CITATION in page
    assert "bundled sample" in page
    assert "China first overtook the United States in the week of 2026-02-09." in page
    # Chart data: the region shares, the vendors, the week's growers and the club members.
    assert "<td>2026-02-16</td><td>China</td><td>0.59" in page
    assert "<td>MiniMax: MiniMax M2.5</td>" in page
    assert "Fastest-growing models, week of 2026-05-04" in page


def test_the_vega_libraries_are_bundled_once_and_inlined_in_every_report(tmp_path: Path):
    cache = tmp_path / "report-assets"
    libraries = vega_libraries(cache)
    [kept] = cache.iterdir()
    made = kept.stat().st_mtime_ns
    # Made once per vl-convert release and Vega-Lite version: the next report reads the file.
    assert vega_libraries(cache) == libraries
    assert kept.stat().st_mtime_ns == made
    assert VEGA_LITE_VERSION in kept.name
    assert "window.vegaEmbed=" in libraries
    page = render_html([], CITATION, False, "coverage", "scope", libraries)
    assert f"<script>{libraries}</script>" in page


@pytest.mark.browser
def test_the_report_draws_every_chart_in_chromium(published_sample: DataPaths, tmp_path: Path):
    report = published_sample.reports_dir / "index.html"
    with chromium_tab() as tab:
        tab.page.goto(report.as_uri())
        tab.page.wait_for_selector(
            f".chart[data-rendered='true'] >> nth={len(CHARTS) - 1}", timeout=30_000
        )
        for chart in CHARTS:
            drawing = tab.page.locator(f"#chart-{chart} svg").first
            box = drawing.bounding_box()
            assert box and box["width"] > 300 and box["height"] > 200, chart
        assert tab.page.get_by_text(CITATION).first.is_visible()
        # Hover a bar: the tooltip gives the exact figures.
        tab.page.locator("#chart-fastest_growers svg .mark-rect path").first.hover()
        tooltip = tab.page.locator("#vg-tooltip-element")
        tooltip.wait_for(state="visible", timeout=5_000)
        assert "growth (%)" in tooltip.inner_text()
        tab.page.screenshot(path=tmp_path / "report.png", full_page=True)
    assert tab.script_errors == []
    assert tab.console_errors == []
    assert tab.refused_requests == []
    assert (tmp_path / "report.png").stat().st_size > 0


@pytest.mark.browser
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


def test_week_axes_tick_on_mondays(charts: dict[str, Chart]):
    # ISO weeks start on Monday: a tick under "week starting" must fall on one.
    for slug in ("region_share", "top_vendors"):
        axes = [
            layer["encoding"]["x"]["axis"]
            for layer in layers(charts[slug].spec)
            if "axis" in layer.get("encoding", {}).get("x", {})
        ]
        assert axes, slug
        for axis in axes:
            ticks = [date(v["year"], v["month"], v["date"]) for v in axis["values"]]
            assert 2 <= len(ticks) <= 8, slug
            assert all(tick.weekday() == 0 for tick in ticks), (slug, ticks)


def test_the_claims_chart_lists_every_seeded_claim_with_its_source_and_verdict(
    charts: dict[str, Chart],
):
    chart = charts["claim_checks"]
    seeded = (PROJECT_ROOT / "dbt_project" / "seeds" / "published_claims.csv").read_text()
    assert len(chart.rows) == len(seeded.strip().splitlines()) - 1 == 22
    by_claim = {row[0]: row for row in chart.rows}
    assert {row[6] for row in chart.rows} <= {"reproduced", "differs", "not testable"}
    # China's 5.16T in the week of 16 February is reproduced (top 10 = the models held).
    china = by_claim["China's models processed 5.16T tokens in the week of 16-22 February"]
    assert china[1] == "Chinese tech press quoting OpenRouter" and china[6] == "reproduced"
    # The whole platform's 13T is not testable on data without the `other` row.
    platform = by_claim["The whole platform processed 13T tokens in the week ending 9 February"]
    assert platform[6] == "not testable" and "no `other` row" in platform[8]


def test_the_events_timeline_shows_china_overtaking_and_the_m25_launch(charts: dict[str, Chart]):
    headlines = {(str(day), headline) for day, _, headline in charts["ranking_events"].rows}
    assert ("2026-02-09", "China overtook United States in the week of 2026-02-09 (now #1)") in (
        headlines
    )
    assert (
        "2026-02-09",
        "MiniMax: MiniMax M2.5 entered the weekly top 10 at #1 in the week of 2026-02-09",
    ) in headlines
