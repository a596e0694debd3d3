"""The static report: charts of the race, from the published marts, viewable offline.

``index.html`` embeds each chart as a PNG (also written beside it) together with the table of
figures it plots, and the citation with the data's ``as_of``. Charts cover the latest
``REPORT_WEEKS`` weeks, so the report reads and draws the same amount whatever history is held.
"""

from __future__ import annotations

import base64
import html
import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import matplotlib

matplotlib.use("Agg")  # no display: render to files only

import matplotlib.pyplot as plt

from orchestration.lib.settings import DataPaths
from orchestration.lib.storage import connect_duckdb, write_bytes_atomic

REGION_COLOURS = {
    "China": "#d62728",
    "United States": "#1f77b4",
    "Europe": "#2ca02c",
    "Other": "#9467bd",
    "Unattributed": "#b0b0b0",
}
MILESTONE_LINES = (10**12, 2 * 10**12, 5 * 10**12)
TOP_VENDORS = 6
TOP_GROWERS = 10
CLUB_LINES = 12
REPORT_WEEKS = 104
# The first week charted: REPORT_WEEKS weeks back from the newest week held.
CHARTED_WEEKS = f"""
    week_start >= (select max(week_start) from marts.mart_region_weekly)
        - interval {7 * (REPORT_WEEKS - 1)} day
"""


@dataclass(frozen=True)
class Chart:
    """One chart of the report: its file, its caption and the figures it plots."""

    slug: str
    title: str
    caption: str
    png: bytes
    columns: list[str]
    rows: list[tuple]


@dataclass(frozen=True)
class Report:
    """What the report was built from and where it was written."""

    html_path: Path
    image_paths: list[Path]
    citation: str
    is_sample: bool
    overtaking_week: date | None
    latest_complete_week: date | None
    leaders: list[tuple]


def _png(figure: plt.Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png", dpi=110)
    plt.close(figure)
    return buffer.getvalue()


def china_overtaking_week(shares: dict[date, dict[str, float]]) -> date | None:
    """The first week China's share exceeds the United States' after a week it did not."""
    previous_behind = False
    for week in sorted(shares):
        ahead = shares[week].get("China", 0.0) > shares[week].get("United States", 0.0)
        if ahead and previous_behind:
            return week
        previous_behind = not ahead
    return None


def region_share_chart(connection: duckdb.DuckDBPyConnection) -> tuple[Chart, date | None]:
    """Weekly token share by region, stacked, with the week China overtook the US marked."""
    rows = connection.execute(
        f"""
        select week_start, region, token_share from marts.mart_region_weekly
        where {CHARTED_WEEKS} order by 1, 2
        """
    ).fetchall()
    shares: dict[date, dict[str, float]] = {}
    for week, region, share in rows:
        shares.setdefault(week, {})[region] = share
    weeks = sorted(shares)
    regions = [region for region in REGION_COLOURS if any(region in s for s in shares.values())]
    overtaking = china_overtaking_week(shares)

    figure, axis = plt.subplots(figsize=(10, 4.8))
    axis.stackplot(
        weeks,
        [[shares[week].get(region, 0.0) for week in weeks] for region in regions],
        labels=regions,
        colors=[REGION_COLOURS[region] for region in regions],
        alpha=0.85,
    )
    if overtaking:
        axis.axvline(overtaking, color="black", linestyle="--", linewidth=1.2)
        axis.annotate(
            f"China overtakes the US\nweek of {overtaking:%d %b %Y}",
            xy=(overtaking, 0.95),
            xytext=(8, 0),
            textcoords="offset points",
            va="top",
            fontsize=9,
        )
    axis.set_ylim(0, 1)
    axis.set_ylabel("share of weekly tokens")
    axis.legend(loc="lower left", fontsize=8)
    axis.set_title("Weekly token share by region")
    caption = (
        f"China first overtook the United States in the week of {overtaking}."
        if overtaking
        else "China has not overtaken the United States in the weeks shown."
    )
    return (
        Chart(
            "region_share",
            "Weekly token share by region",
            caption,
            _png(figure),
            ["week_start", "region", "token_share"],
            [(week, region, round(share, 4)) for week, region, share in rows],
        ),
        overtaking,
    )


def top_vendors_chart(connection: duckdb.DuckDBPyConnection) -> Chart:
    """Weekly tokens of the vendors with the most tokens overall."""
    rows = connection.execute(
        f"""
        with charted_weeks as (
            select * from marts.mart_vendor_weekly where {CHARTED_WEEKS}
        ),
        top_vendors as (
            select vendor_slug from charted_weeks where vendor_slug <> 'other'
            group by vendor_slug order by sum(total_tokens) desc, vendor_slug limit {TOP_VENDORS}
        )
        select week_start, vendor_slug, total_tokens from charted_weeks
        where vendor_slug in (select vendor_slug from top_vendors) order by 2, 1
        """
    ).fetchall()
    figure, axis = plt.subplots(figsize=(10, 4.8))
    for vendor in dict.fromkeys(vendor for _, vendor, _ in rows):
        points = [(week, tokens / 1e12) for week, v, tokens in rows if v == vendor]
        axis.plot([p[0] for p in points], [p[1] for p in points], marker=".", label=vendor)
    axis.set_ylabel("tokens per week (trillions)")
    axis.legend(fontsize=8)
    axis.set_title(f"Weekly tokens of the top {TOP_VENDORS} vendors")
    return Chart(
        "top_vendors",
        f"Weekly tokens of the top {TOP_VENDORS} vendors",
        "Vendors ranked by their tokens over the weeks shown.",
        _png(figure),
        ["week_start", "vendor_slug", "total_tokens"],
        rows,
    )


def fastest_growers_chart(connection: duckdb.DuckDBPyConnection) -> tuple[Chart, date | None]:
    """Week-over-week growth of the fastest-growing models of the latest complete week."""
    latest = connection.execute(
        "select max(week_start) from marts.mart_model_weekly_growth where is_complete_week"
    ).fetchone()[0]
    rows = connection.execute(
        f"""
        select model_permaslug, total_tokens, prev_week_tokens, round(wow_growth_pct, 1)
        from marts.mart_model_weekly_growth
        where week_start = ? and wow_growth_pct is not null and model_rank is not null
        order by wow_growth_pct desc, model_permaslug limit {TOP_GROWERS}
        """,
        [latest],
    ).fetchall()
    figure, axis = plt.subplots(figsize=(10, 4.8))
    labels = [row[0] for row in rows][::-1]
    axis.barh(labels, [row[3] for row in rows][::-1], color="#ff7f0e")
    axis.axvline(0, color="black", linewidth=0.8)
    axis.set_xlabel("week-over-week growth (%)")
    axis.set_title(f"Fastest-growing models, week of {latest}")
    return (
        Chart(
            "fastest_growers",
            f"Fastest-growing models, week of {latest}",
            "Models ranked that week and the week before, by week-over-week growth.",
            _png(figure),
            ["model_permaslug", "total_tokens", "prev_week_tokens", "wow_growth_pct"],
            rows,
        ),
        latest,
    )


def trillion_club_chart(connection: duckdb.DuckDBPyConnection) -> Chart:
    """Cumulative tokens of the club's largest models against days since each was first seen.

    Week by week (the cumulative total at the end of each charted week), so the chart reads the
    same number of rows whatever history is held.
    """
    rows = connection.execute(
        f"""
        with club as (
            select distinct model_permaslug from marts.mart_token_milestones
            where level = 'model'
        ),
        charted_weeks as (
            select
                model_permaslug,
                least(week_start + 6, (select last_date from marts.publication))
                    - first_seen_date as days_since_first_seen,
                cumulative_tokens
            from marts.mart_model_weekly_growth
            where {CHARTED_WEEKS} and model_permaslug in (select model_permaslug from club)
        ),
        largest as (
            select model_permaslug from charted_weeks
            group by model_permaslug
            order by max(cumulative_tokens) desc, model_permaslug
            limit {CLUB_LINES}
        )
        select model_permaslug, days_since_first_seen, cumulative_tokens from charted_weeks
        where model_permaslug in (select model_permaslug from largest)
        order by 1, 2
        """
    ).fetchall()
    members = connection.execute(
        "select count(distinct model_permaslug) from marts.mart_token_milestones "
        "where level = 'model'"
    ).fetchone()[0]
    figure, axis = plt.subplots(figsize=(10, 5.5))
    for model in dict.fromkeys(model for model, _, _ in rows):
        points = [(days, tokens / 1e12) for m, days, tokens in rows if m == model]
        axis.plot([p[0] for p in points], [p[1] for p in points], linewidth=1.2, label=model)
    for threshold in MILESTONE_LINES:
        axis.axhline(threshold / 1e12, color="grey", linestyle=":", linewidth=1)
        axis.annotate(f"{threshold // 10**12}T", xy=(0, threshold / 1e12), fontsize=8, va="bottom")
    axis.set_xlabel("days since first seen")
    axis.set_ylabel("cumulative tokens (trillions)")
    axis.legend(fontsize=7)
    axis.set_title("The trillion-token club")
    return Chart(
        "trillion_token_club",
        "The trillion-token club",
        f"Cumulative tokens from the first day each model appears, at the end of each week shown; "
        f"the {CLUB_LINES} largest of the {members} models that crossed 1T are drawn.",
        _png(figure),
        ["model_permaslug", "days_since_first_seen", "cumulative_tokens"],
        rows,
    )


def _table(columns: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def render_html(charts: list[Chart], citation: str, is_sample: bool) -> str:
    """The whole report as one HTML document with nothing to fetch."""
    sample_note = (
        "<p class='note'>This report shows the bundled sample: 26 weeks of real weekly top-model "
        "figures spread over days, with no <code>other</code> row, so shares are of the top "
        "models only.</p>"
        if is_sample
        else ""
    )
    sections = "".join(
        f"<section id='{chart.slug}'><h2>{html.escape(chart.title)}</h2>"
        f"<img alt='{html.escape(chart.title)}' src='data:image/png;base64,"
        f"{base64.b64encode(chart.png).decode()}'>"
        f"<p>{html.escape(chart.caption)}</p>"
        f"<details><summary>Data</summary>{_table(chart.columns, chart.rows)}</details></section>"
        for chart in charts
    )
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenRouter rankings report</title>
<style>
body {{ font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}
img {{ max-width: 100%; }} table {{ border-collapse: collapse; font-size: 0.8em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; }}
.note {{ background: #fff3cd; padding: 0.6em; }}
.citation {{ font-weight: bold; }}
</style></head><body>
<h1>OpenRouter model-usage rankings</h1>
<p class="citation">{html.escape(citation)} Licensed under CC BY 4.0.</p>
{sample_note}{sections}
<footer><p class="citation">{html.escape(citation)}</p></footer>
</body></html>
"""


def build_report(paths: DataPaths) -> Report:
    """Render every chart from the published warehouse and write the report atomically."""
    with connect_duckdb(paths.published_warehouse, read_only=True) as connection:
        citation, source = connection.execute(
            "select citation, source from marts.publication"
        ).fetchone()
        region_chart, overtaking = region_share_chart(connection)
        growers_chart, latest_week = fastest_growers_chart(connection)
        charts = [
            region_chart,
            top_vendors_chart(connection),
            growers_chart,
            trillion_club_chart(connection),
        ]
        leaders = connection.execute(
            """
            select region, round(token_share * 100, 1)
            from marts.mart_region_weekly
            where week_start = (select max(week_start) from marts.mart_region_weekly
                                where is_complete_week)
            order by token_share desc
            """
        ).fetchall()
    is_sample = "sample" in source
    image_paths = []
    for chart in charts:
        path = paths.reports_dir / f"{chart.slug}.png"
        write_bytes_atomic(path, chart.png)
        image_paths.append(path)
    html_path = paths.reports_dir / "index.html"
    write_bytes_atomic(html_path, render_html(charts, citation, is_sample).encode())
    return Report(html_path, image_paths, citation, is_sample, overtaking, latest_week, leaders)
