"""Charts as Vega-Lite specs (built with Altair): one spec per chart, drawn two ways.

The report embeds each spec as an interactive chart (tooltips with exact figures, series toggled
from the legend) through the Vega libraries that vl-convert bundles, inlined in the page so
nothing is fetched at view time; vl-convert also renders the same spec to the PNG that is shared
on its own. Every spec carries the citation, the data's ``as_of`` and what its shares are of in
its subtitle, so all
drawings do.
"""

from __future__ import annotations

import json
from datetime import date
from importlib.metadata import version
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert

from orchestration.lib.storage import write_bytes_atomic

# Vega-Lite release of the specs Altair writes; the inlined libraries and the PNGs use it too.
VEGA_LITE_VERSION = "v" + ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
WIDTH, HEIGHT = 860, 360
# Ten well-separated colours (Tableau 10); past ten series, dashes tell lines apart.
SERIES_COLOURS = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f",
    "#edc948", "#b07aa1", "#ff9da7", "#9c755f", "#bab0ac",
]  # fmt: skip
SERIES_DASHES = [[1, 0], [7, 3], [2, 2]]
# Legend entries drawn as line samples, so a series' dash shows beside its colour.
LINE_LEGEND = alt.Legend(symbolType="stroke", symbolStrokeWidth=2.5, labelLimit=320)


def series_styles(names: list[str]) -> tuple[alt.Scale, alt.Scale]:
    """A colour scale and a dash scale giving each of ``names`` its own colour and dash pair."""
    if len(names) > len(SERIES_COLOURS) * len(SERIES_DASHES):
        raise ValueError(f"{len(names)} series is more than the styles can tell apart")
    colours = [SERIES_COLOURS[i % len(SERIES_COLOURS)] for i in range(len(names))]
    dashes = [SERIES_DASHES[i // len(SERIES_COLOURS)] for i in range(len(names))]
    return alt.Scale(domain=names, range=colours), alt.Scale(domain=names, range=dashes)


def per_trillion(field: str) -> str:
    """A Vega expression for ``field`` in trillions that keeps a missing value missing (a gap)."""
    return f"datum.{field} == null ? null : datum.{field} / 1e12"


def records(columns: list[str], rows: list[tuple]) -> list[dict[str, Any]]:
    """Rows as JSON-ready records: dates as ISO strings, which Vega-Lite reads as UTC dates."""
    return [
        {
            column: value.isoformat() if isinstance(value, date) else value
            for column, value in zip(columns, row, strict=True)
        }
        for row in rows
    ]


def cited(chart: alt.TopLevelMixin, title: str, subtitle: list[str]) -> dict[str, Any]:
    """The chart's spec, titled, with ``subtitle`` (the citation, and what its shares are of)
    and the licence under the title, at the report's size."""
    return chart.properties(
        title=alt.TitleParams(
            title, subtitle=[*subtitle, "Licensed under CC BY 4.0."], anchor="start"
        ),
        width=WIDTH,
        height=HEIGHT,
    ).to_dict()


def legend_toggle(field: str) -> alt.Parameter:
    """A selection bound to the legend: clicking a series shows it alone (shift adds others)."""
    return alt.selection_point(fields=[field], bind="legend")


def series_lines(
    values: list[dict[str, Any]],
    *,
    series_field: str,
    series_title: str,
    tokens_field: str,
    x: alt.X,
    y_title: str,
    tooltip: list[alt.Tooltip],
    point: bool | alt.OverlayMarkDef = True,
) -> alt.Chart:
    """One line per value of ``series_field`` showing ``tokens_field`` in trillions.

    Each series gets its own colour and dash pair, drawn as such in the legend, where clicking a
    series shows it alone; a missing value is a gap in its line.
    """
    colour, dash = series_styles(list(dict.fromkeys(value[series_field] for value in values)))
    toggle = legend_toggle(series_field)
    legend = {"title": series_title, "legend": LINE_LEGEND}
    return (
        alt.Chart(alt.Data(values=values))
        .transform_calculate(trillions=per_trillion(tokens_field))
        .mark_line(point=point)
        .encode(
            x=x,
            y=alt.Y("trillions:Q", title=y_title),
            color=alt.Color(f"{series_field}:N", scale=colour, **legend),
            strokeDash=alt.StrokeDash(f"{series_field}:N", scale=dash, **legend),
            opacity=alt.when(toggle).then(alt.value(1)).otherwise(alt.value(0.12)),
            tooltip=tooltip,
        )
        .add_params(toggle)
    )


def render_png(spec: dict[str, Any]) -> bytes:
    """The spec drawn as a PNG, with no data fetched from anywhere."""
    return vl_convert.vegalite_to_png(
        spec, vl_version=VEGA_LITE_VERSION, scale=1.5, allowed_base_urls=[]
    )


def vega_libraries(cache_dir: Path) -> str:
    """Vega, Vega-Lite and Vega-Embed as one script setting ``window.vegaEmbed``.

    Bundling them costs about 1.8 CPU-seconds and the result depends only on the vl-convert
    release and the Vega-Lite version, so it is made once per pair and kept in ``cache_dir``.
    """
    cached = cache_dir / f"vega-libraries-{version('vl-convert-python')}-{VEGA_LITE_VERSION}.js"
    if not cached.exists():
        write_bytes_atomic(
            cached, vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION).encode()
        )
    return cached.read_text()


def embedding_script(specs: dict[str, dict[str, Any]]) -> str:
    """One ES module drawing each spec into the element with its id, with the ``vegaEmbed``
    that :func:`vega_libraries` sets.

    A chart that fails to draw says so in its element instead of leaving it empty.
    """
    # "<" escaped so that no string in the data can close the script element.
    specs_json = json.dumps(specs).replace("<", "\\u003c")
    return f"""
const specs = {specs_json};
for (const [id, spec] of Object.entries(specs)) {{
  const element = document.getElementById(id);
  try {{
    await vegaEmbed(element, spec, {{actions: false, renderer: "svg"}});
    element.dataset.rendered = "true";
  }} catch (error) {{
    element.textContent = "This chart could not be drawn: " + error;
    throw error;
  }}
}}
"""
