"""The report: charts of the race, from the published marts, viewable offline.

``index.html`` draws each chart interactively (hover for exact figures, click the legend to show
one series) with the Vega libraries inlined, so nothing is fetched at view time; under each chart
are the figures it plots and its PNG, which carries the citation and the data's ``as_of`` so an
image shared on its own keeps its source. Charts cover the latest ``REPORT_WEEKS`` weeks, so the
report reads and draws the same amount whatever history is held.
"""

from __future__ import annotations

import html
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import altair as alt
import duckdb

from orchestration.lib.charts import (
    cited,
    embedding_script,
    records,
    render_png,
    series_lines,
    vega_libraries,
)
from orchestration.lib.settings import DataPaths
from orchestration.lib.sql_queries import china_overtaking, run_query
from orchestration.lib.storage import connect_duckdb, write_bytes_atomic

REGION_COLOURS = {
    "China": "#e15759",
    "United States": "#4e79a7",
    "Europe": "#59a14f",
    "Other": "#b07aa1",
    "Unattributed": "#bab0ac",
    "Undisclosed": "#9c755f",
}
MILESTONE_LINES = (10**12, 2 * 10**12, 5 * 10**12)
TOP_VENDORS = 6
TOP_GROWERS = 10
CLUB_LINES = 12
REPORT_WEEKS = 104
# Days from the first charted week to the newest: REPORT_WEEKS weeks are charted.
CHARTED_DAYS = 7 * (REPORT_WEEKS - 1)
MAX_WEEK_TICKS = 8


def week_axis(
    weeks: list[date], field: str = "week_start", title: str = "week starting (Monday)"
) -> alt.X:
    """The week axis, its ticks on Mondays: ISO weeks start on Monday, and Vega's own week ticks
    fall on Sundays. Every n-th week of ``weeks`` is labelled, at most ``MAX_WEEK_TICKS``."""
    shown = sorted(set(weeks))
    step = max(1, -(-len(shown) // MAX_WEEK_TICKS))
    ticks = [alt.DateTime(year=w.year, month=w.month, date=w.day, utc=True) for w in shown[::step]]
    return alt.X(
        f"utcyearmonthdate({field}):T",
        title=title,
        axis=alt.Axis(values=ticks, format="%Y-%m-%d", labelAngle=-30),
    )


WEEK_TOOLTIP = alt.Tooltip("utcyearmonthdate(week_start):T", title="week starting")


@dataclass(frozen=True)
class Chart:
    """One chart of the report: its name, its Vega-Lite spec, caption and the figures it plots."""

    slug: str
    title: str
    caption: str
    spec: dict[str, Any]
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


def region_share_chart(
    connection: duckdb.DuckDBPyConnection, subtitle: list[str]
) -> tuple[Chart, date | None]:
    """Weekly token share by region, stacked, with the week China overtook the US marked.

    A region with no tokens in a week has a share of 0 there, so the stack is filled with zeros.
    """
    columns = ["week_start", "region", "token_share"]
    rows = run_query(connection, "report/region_shares", charted_days=CHARTED_DAYS).fetchall()
    shares: dict[date, dict[str, float]] = {}
    for week, region, share in rows:
        shares.setdefault(week, {})[region] = share
    regions = [region for region in REGION_COLOURS if any(region in s for s in shares.values())]
    overtaken = china_overtaking(connection)
    overtaking = overtaken[0] if overtaken else None
    title = "Weekly token share by region"
    week = week_axis(list(shares))
    areas = (
        alt.Chart(alt.Data(values=records(columns, rows)))
        .mark_area(opacity=0.85)
        .encode(
            x=week,
            y=alt.Y(
                "token_share:Q",
                stack="zero",
                title="share of weekly tokens",
                axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1]),
            ),
            color=alt.Color(
                "region:N",
                scale=alt.Scale(
                    domain=regions, range=[REGION_COLOURS[region] for region in regions]
                ),
            ),
            order=alt.Order("region:N"),
            tooltip=[WEEK_TOOLTIP, "region:N", alt.Tooltip("token_share:Q", format=".1%")],
        )
    )
    layers: list[alt.Chart] = [areas]
    if overtaking in shares:
        marker = alt.Chart(alt.Data(values=[{"week_start": overtaking.isoformat()}]))
        layers += [
            marker.mark_rule(strokeDash=[5, 3], color="black").encode(x=week),
            marker.mark_text(align="left", dx=5, y=12, fontSize=11).encode(
                x=week, text=alt.value(f"China overtakes the US, week of {overtaking:%d %b %Y}")
            ),
        ]
    caption = (
        f"China first overtook the United States in the week of {overtaking}."
        if overtaking
        else "China has not overtaken the United States in the weeks shown."
    )
    spec = cited(alt.layer(*layers), title, subtitle)
    return Chart("region_share", title, caption, spec, columns, rows), overtaking


def top_vendors_chart(connection: duckdb.DuckDBPyConnection, subtitle: list[str]) -> Chart:
    """Weekly tokens of the vendors with the most tokens over the weeks shown.

    A week in which a vendor had no ranked tokens is a gap in its line, not a point at zero and
    not a line drawn across: absent from the data is not the same as zero usage.
    """
    columns = ["week_start", "vendor_name", "total_tokens"]
    rows = run_query(
        connection, "report/top_vendors", charted_days=CHARTED_DAYS, top_vendors=TOP_VENDORS
    ).fetchall()
    absent = sum(1 for row in rows if row[2] is None)
    title = f"Weekly tokens of the top {TOP_VENDORS} vendors"
    lines = series_lines(
        records(columns, rows),
        series_field="vendor_name",
        series_title="vendor",
        tokens_field="total_tokens",
        x=week_axis([row[0] for row in rows]),
        y_title="tokens per week (trillions)",
        tooltip=[
            WEEK_TOOLTIP,
            alt.Tooltip("vendor_name:N", title="vendor"),
            alt.Tooltip("total_tokens:Q", title="tokens", format=",d"),
        ],
    )
    caption = (
        "Vendors ranked by their tokens over the weeks shown. A gap is a week with no ranked "
        f"tokens for that vendor ({absent} vendor-weeks here); it is not drawn as zero or "
        "bridged by a line."
    )
    return Chart("top_vendors", title, caption, cited(lines, title, subtitle), columns, rows)


def fastest_growers_chart(
    connection: duckdb.DuckDBPyConnection, subtitle: list[str]
) -> tuple[Chart, date | None]:
    """Week-over-week growth of the models that grew most in the latest complete week.

    Only growth is drawn: the models that shrank are counted in the caption.
    """
    latest = connection.execute(
        "select max(week_start) from marts.mart_model_weekly_growth where is_complete_week"
    ).fetchone()[0]
    columns = ["display_name", "total_tokens", "prev_week_tokens", "wow_growth_pct"]
    rows = run_query(
        connection, "report/fastest_growers", week=latest, top_growers=TOP_GROWERS
    ).fetchall()
    (declined,) = run_query(connection, "report/declined_models", week=latest).fetchone()
    title = f"Fastest-growing models, week of {latest}"
    bars = (
        alt.Chart(alt.Data(values=records(columns, rows)))
        .mark_bar(color="#f28e2b")
        .encode(
            x=alt.X("wow_growth_pct:Q", title="week-over-week growth (%)"),
            y=alt.Y("display_name:N", sort="-x", title=None),
            tooltip=[
                alt.Tooltip("display_name:N", title="model"),
                alt.Tooltip("wow_growth_pct:Q", title="growth (%)", format=".1f"),
                alt.Tooltip("total_tokens:Q", title="tokens", format=",d"),
                alt.Tooltip("prev_week_tokens:Q", title="week before", format=",d"),
            ],
        )
    )
    caption = (
        f"The {len(rows)} models ranked that week and the week before whose tokens grew most; "
        f"{declined} other models ranked in both weeks declined and are not drawn."
    )
    return Chart(
        "fastest_growers", title, caption, cited(bars, title, subtitle), columns, rows
    ), latest


def trillion_club_chart(connection: duckdb.DuckDBPyConnection, subtitle: list[str]) -> Chart:
    """Cumulative tokens of the club's largest models against days since each model's launch.

    Measured from launch (the catalogue's ``created`` date), not from first appearance: a model
    already ranked on the first day of data would otherwise seem to start that day with nothing
    behind it. So only members launched within the data are drawn, whose whole life is held;
    week by week (the cumulative total at the end of each charted week), with a gap where a
    model had no ranked tokens that week.
    """
    columns = ["display_name", "days_since_launch", "cumulative_tokens"]
    club = {"threshold_tokens": MILESTONE_LINES[0]}
    rows = run_query(
        connection,
        "report/trillion_club",
        charted_days=CHARTED_DAYS,
        club_lines=CLUB_LINES,
        **club,
    ).fetchall()
    members, launched_before = run_query(connection, "report/club_members", **club).fetchone()
    models = list(dict.fromkeys(model for model, _, _ in rows))
    title = "The trillion-token club: cumulative tokens since launch"
    lines = series_lines(
        records(columns, rows),
        series_field="display_name",
        series_title="model",
        tokens_field="cumulative_tokens",
        x=alt.X("days_since_launch:Q", title="days since launch"),
        y_title="cumulative tokens (trillions)",
        tooltip=[
            alt.Tooltip("display_name:N", title="model"),
            alt.Tooltip("days_since_launch:Q", title="days since launch"),
            alt.Tooltip("cumulative_tokens:Q", title="cumulative tokens", format=",d"),
        ],
        point=alt.OverlayMarkDef(size=12),
    )
    thresholds = alt.Chart(
        alt.Data(
            values=[{"trillions": t / 1e12, "label": f"{t // 10**12}T"} for t in MILESTONE_LINES]
        )
    )
    layers = alt.layer(
        lines,
        thresholds.mark_rule(color="grey", strokeDash=[2, 3]).encode(y="trillions:Q"),
        thresholds.mark_text(align="left", dx=3, dy=-6, color="grey").encode(
            y="trillions:Q", x=alt.value(0), text="label:N"
        ),
    )
    caption = (
        f"Days are counted from each model's launch (its catalogue date), not from its first day "
        f"in the data, which for a model already ranked when the data begins is the data's first "
        f"day rather than the model's. So only members launched within the data are drawn: the "
        f"{len(models)} largest of {members - launched_before}; {launched_before} of the "
        f"{members} members launched earlier or are not in the catalogue (see the milestones "
        f"mart). Points are week ends; a gap is a week with no ranked tokens."
    )
    return Chart(
        "trillion_token_club", title, caption, cited(layers, title, subtitle), columns, rows
    )


VERDICT_COLOURS = {"reproduced": "#59a14f", "differs": "#e15759", "not testable": "#bab0ac"}


def claims_chart(connection: duckdb.DuckDBPyConnection, subtitle: list[str]) -> Chart:
    """Each published claim against the warehouse's figure under its deciding reading, as the
    warehouse's figure in percent of the claim's, coloured by verdict; the table under it
    names each claim's source (``queries/claim_checks.sql``)."""
    columns = [
        "claim",
        "publisher",
        "published_on",
        "url",
        "claimed_value",
        "computed_value",
        "verdict",
        "deciding_reading",
        "not_testable_reason",
    ]
    rows = [
        (claim, publisher, published_on, url, claimed, computed, verdict, reading, reason)
        for (
            _,
            claim,
            publisher,
            published_on,
            url,
            claimed,
            computed,
            verdict,
            reading,
            reason,
            _,
        ) in run_query(connection, "analysts/claim_checks").fetchall()
    ]
    values = [
        {**record, "percent_of_claim": 100 * record["computed_value"] / record["claimed_value"]}
        for record in records(columns, rows)
        if record["computed_value"] is not None and record["claimed_value"]
    ]
    title = "Published claims, tested against the warehouse"
    points = (
        alt.Chart(alt.Data(values=values))
        .mark_point(filled=True, size=90)
        .encode(
            x=alt.X("percent_of_claim:Q", title="the warehouse's figure, % of the claim's"),
            y=alt.Y("claim:N", title=None, sort=None, axis=alt.Axis(labelLimit=420)),
            color=alt.Color(
                "verdict:N",
                scale=alt.Scale(domain=list(VERDICT_COLOURS), range=list(VERDICT_COLOURS.values())),
            ),
            tooltip=[
                alt.Tooltip("claim:N"),
                alt.Tooltip("publisher:N"),
                alt.Tooltip("claimed_value:Q", title="claimed", format=",.4~g"),
                alt.Tooltip("computed_value:Q", title="warehouse", format=",.4~g"),
                alt.Tooltip("verdict:N"),
                alt.Tooltip("deciding_reading:N", title="reading"),
            ],
        )
    )
    hundred = (
        alt.Chart(alt.Data(values=[{"x": 100}]))
        .mark_rule(color="grey", strokeDash=[2, 3])
        .encode(x="x:Q")
    )
    verdicts = [row[6] for row in rows]
    caption = (
        f"{len(rows)} figures news reports and analysts published: "
        f"{verdicts.count('reproduced')} reproduced, {verdicts.count('differs')} differ, "
        f"{verdicts.count('not testable')} not testable on this data. Each is read as reported "
        "and under its plausible alternatives (the window through the day before or the whole "
        "month, top 5, top 10 or every named model); the point is the deciding reading. "
        "The table below gives each source and reading; every reading is in "
        "marts.mart_claim_checks."
    )
    return Chart(
        "claim_checks", title, caption, cited(alt.layer(hundred, points), title, subtitle),
        columns, rows,
    )  # fmt: skip


def events_timeline_chart(connection: duckdb.DuckDBPyConnection, subtitle: list[str]) -> Chart:
    """The ranking events of the charted weeks on a timeline, one row per kind (hover for each
    event's headline)."""
    columns = ["event_date", "event_kind", "headline"]
    rows = run_query(connection, "report/ranking_events", charted_days=CHARTED_DAYS).fetchall()
    title = "Ranking events: launches, overtakes, surges and milestones"
    points = (
        alt.Chart(alt.Data(values=records(columns, rows)))
        .mark_circle(size=70, opacity=0.8)
        .encode(
            x=week_axis(
                [day - timedelta(days=day.weekday()) for day, _, _ in rows],
                field="event_date",
                title="date (weekly events on their week's Monday)",
            ),
            y=alt.Y("event_kind:N", title=None),
            color=alt.Color("event_kind:N", legend=None),
            tooltip=[
                alt.Tooltip("utcyearmonthdate(event_date):T", title="date"),
                alt.Tooltip("headline:N"),
            ],
        )
    )
    caption = (
        f"{len(rows)} events on complete days and weeks (marts.mart_ranking_events; the daily "
        "top-10 entries are left out here): a model entering the weekly top 10, overtakes among "
        "the top 5 and between regions, week-on-week surges and drops beyond a median-absolute-"
        "deviation threshold, undisclosed models above 5% of a day's tokens, and milestones."
    )
    return Chart("ranking_events", title, caption, cited(points, title, subtitle), columns, rows)


def _table(columns: list[str], rows: list[tuple]) -> str:
    head = "".join(f"<th>{html.escape(column)}</th>" for column in columns)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(str(value))}</td>" for value in row) + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


FEED_NAMES = {
    "api": "the OpenRouter Data API",
    "exports": "OpenRouter's keyless daily exports",
    "sample": "the bundled sample",
}


def coverage_note(feeds: str, days: int, gap_dates: list) -> str:
    """Which feeds the figures come from, and the days no snapshot holds."""
    named = " and ".join(FEED_NAMES.get(feed, feed) for feed in feeds.split(", "))
    gaps = (
        f"{len(gap_dates)} day(s) no snapshot holds (gaps; their weeks are incomplete): "
        + ", ".join(str(day) for day in gap_dates[:12])
        + (", ..." if len(gap_dates) > 12 else "")
        if gap_dates
        else "no gaps"
    )
    return f"Figures from {named} ({feeds}), {days} days: {gaps}."


def render_html(
    charts: list[Chart],
    citation: str,
    is_sample: bool,
    coverage: str,
    scope_note: str,
    libraries: str,
) -> str:
    """The whole report as one HTML document with nothing to fetch: ``libraries`` (the Vega
    libraries, :func:`vega_libraries`) are inlined before the script drawing the charts.

    Each chart's PNG is linked (written beside the page) and shown if the script cannot run.
    """
    sample_note = (
        "<p class='note'>This report shows the bundled sample: 26 weeks of real weekly top-model "
        f"figures spread over days. {html.escape(scope_note)}</p>"
        if is_sample
        else f"<p class='note'>{html.escape(scope_note)}</p>"
    )
    sections = "".join(
        f"<section id='{chart.slug}'><h2>{html.escape(chart.title)}</h2>"
        f"<div class='chart' id='chart-{chart.slug}'>"
        f"<noscript><img alt='{html.escape(chart.title)}' src='{chart.slug}.png'></noscript></div>"
        f"<p>{html.escape(chart.caption)} <a href='{chart.slug}.png'>PNG</a></p>"
        f"<details><summary>Data</summary>{_table(chart.columns, chart.rows)}</details></section>"
        for chart in charts
    )
    script = embedding_script({f"chart-{chart.slug}": chart.spec for chart in charts})
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>OpenRouter rankings report</title>
<style>
body {{ font-family: sans-serif; max-width: 1100px; margin: 2em auto; color: #222; }}
img {{ max-width: 100%; }} table {{ border-collapse: collapse; font-size: 0.8em; }}
td, th {{ border: 1px solid #ccc; padding: 2px 6px; }}
.chart {{ min-height: 420px; }}
.note {{ background: #fff3cd; padding: 0.6em; }}
.citation {{ font-weight: bold; }}
</style></head><body>
<h1>OpenRouter model-usage rankings</h1>
<p class="citation">{html.escape(citation)} Licensed under CC BY 4.0.</p>
<p class="coverage">{html.escape(coverage)}</p>
{sample_note}<p>Hover a chart for exact figures; click a legend entry to show that series alone
(shift-click to add more, click the background to show all).</p>
{sections}
<footer><p class="citation">{html.escape(citation)}</p></footer>
<script>{libraries}</script>
<script type="module">{script}</script>
</body></html>
"""


def build_report(paths: DataPaths) -> Report:
    """Render every chart from the published warehouse and write the report atomically."""
    with connect_duckdb(paths.published_warehouse, read_only=True) as connection:
        citation, source, scope_note = connection.execute(
            "select citation, source, share_scope_note from marts.publication"
        ).fetchone()
        # Every PNG says what its shares are of, as it may be shared on its own.
        subtitle = [citation, scope_note]
        region_chart, overtaking = region_share_chart(connection, subtitle)
        growers_chart, latest_week = fastest_growers_chart(connection, subtitle)
        charts = [
            region_chart,
            top_vendors_chart(connection, subtitle),
            growers_chart,
            trillion_club_chart(connection, subtitle),
            events_timeline_chart(connection, subtitle),
            claims_chart(connection, subtitle),
        ]
        leaders = run_query(connection, "report/region_leaders").fetchall()
        days, _, _, feeds, _, gap_dates, _, _ = run_query(connection, "summary/coverage").fetchone()
    is_sample = "sample" in source
    image_paths = []
    for chart in charts:
        path = paths.reports_dir / f"{chart.slug}.png"
        write_bytes_atomic(path, render_png(chart.spec))
        image_paths.append(path)
    html_path = paths.reports_dir / "index.html"
    coverage = coverage_note(feeds, days, gap_dates or [])
    write_bytes_atomic(
        html_path,
        render_html(
            charts,
            citation,
            is_sample,
            coverage,
            scope_note,
            vega_libraries(paths.report_assets_dir),
        ).encode(),
    )
    return Report(html_path, image_paths, citation, is_sample, overtaking, latest_week, leaders)
