"""What ``make demo`` prints when it is done: what was ingested, how the checks went, what was
published, three headlines from the published marts with the citation, and what to try next."""

from __future__ import annotations

import json
import os
from collections import Counter, defaultdict
from pathlib import Path

import dagster as dg

from orchestration.cli.display import shown
from orchestration.defs.project import dbt_project
from orchestration.lib.dbt_tests import BUILT_IN_TESTS
from orchestration.lib.settings import PROJECT_ROOT, DataPaths
from orchestration.lib.sql_queries import china_overtaking, run_query
from orchestration.lib.storage import connect_duckdb


def first_sentence(text: str, limit: int = 64) -> str:
    """The first sentence of ``text``, cut at a word to at most ``limit`` characters."""
    sentence = text.split(". ")[0].rstrip(".")
    if len(sentence) <= limit:
        return sentence
    return sentence[: sentence.rfind(" ", 0, limit - 3)] + "..."


def ingested_lines(paths: DataPaths, source: str) -> list[str]:
    """Snapshots, rows, dates and tokens in the lake, and the catalogue's models."""
    with connect_duckdb() as connection:
        rows, dates, snapshots, tokens, first, last, models = run_query(
            connection,
            "summary/lake_contents",
            rankings_files=f"{paths.raw_rankings_dir}/*/*.parquet",
            catalog_files=f"{paths.raw_catalog_dir}/*.parquet",
        ).fetchone()
    return [
        f"Ingested from the {source}",
        f"  rankings   {snapshots} snapshots: {rows:,} rows over {dates} days ({first}..{last}), "
        f"{tokens / 1e12:,.1f}T tokens  -> {shown(paths.raw_rankings_dir)}",
        f"  catalogue  {models} models  -> {shown(paths.raw_catalog_dir)}",
    ]


def dbt_test_kinds() -> tuple[dict[str, str], dict[str, str]]:
    """Each dbt test's kind (its generic test, or its own name), and what each kind asserts."""
    manifest = json.loads(Path(dbt_project.manifest_path).read_text())
    kinds = {
        node["name"]: (node.get("test_metadata") or {}).get("name") or node["name"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
    }
    purposes = {name: test.per_kind for name, test in BUILT_IN_TESTS.items()}
    for macro in manifest["macros"].values():
        if macro["name"].startswith("test_") and macro.get("description"):
            purposes[macro["name"].removeprefix("test_")] = macro["description"]
    for node in manifest["nodes"].values():
        if node["resource_type"] == "test" and node.get("description"):
            purposes.setdefault(node["name"], node["description"])
    return kinds, purposes


def check_lines(evaluations: list[dg.AssetCheckEvaluation], log_path: Path) -> list[str]:
    """Every check's result, grouped by what the check asserts; each failure by name."""
    kinds, purposes = dbt_test_kinds()
    by_kind: dict[str, Counter] = defaultdict(Counter)
    failures = []
    for evaluation in evaluations:
        kind = kinds.get(evaluation.check_name, evaluation.check_name)
        outcome = "passed" if evaluation.passed else evaluation.severity.value.lower()
        by_kind[kind][outcome] += 1
        if not evaluation.passed:
            failures.append(
                f"  {outcome.upper()}: {evaluation.check_name} on "
                f"{evaluation.asset_key.to_user_string()}"
            )
    passed = sum(counts["passed"] for counts in by_kind.values())
    lines = [
        f"Checks: {passed} of {len(evaluations)} passed (dbt tests, shown as asset checks in "
        f"`make ui`; each one's output is in {shown(log_path)})"
    ]
    width = max((len(kind) for kind in by_kind), default=0)
    for kind, counts in sorted(by_kind.items(), key=lambda item: -item[1].total()):
        mark = "ok " if counts["passed"] == counts.total() else "!! "
        lines.append(
            f"  {mark}{kind:<{width}}  {counts['passed']:>2}/{counts.total():<2}  "
            f"{first_sentence(purposes.get(kind, ''))}"
        )
    return lines + failures


def published_lines(paths: DataPaths) -> list[str]:
    """The published warehouse's tables and their row counts."""
    with connect_duckdb(paths.published_warehouse, read_only=True) as warehouse:
        tables = [
            name
            for (name,) in warehouse.execute(
                "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
            ).fetchall()
        ]
        counts = {
            name: warehouse.execute(f"select count(*) from marts.{name}").fetchone()[0]
            for name in tables
        }
        [(changes,)] = warehouse.execute("select changes from marts.publication").fetchall()
    width = max(len(name) for name in tables)
    cells = [
        f"marts.{name:<{width}} {counts[name]:>6,} {'row' if counts[name] == 1 else 'rows'} "
        for name in tables
    ]
    # Two tables a line: the summary stays short as marts are added.
    half = -(-len(cells) // 2)
    return [
        f"Published {shown(paths.published_warehouse)} (read-only for analysts and BI tools), "
        f"Parquet in {shown(paths.exports_dir)}",
        f"  {changes}",
        *(
            f"  {left}  {right}".rstrip()
            for left, right in zip(cells[:half], [*cells[half:], ""], strict=True)
        ),
    ]


def coverage_lines(paths: DataPaths) -> list[str]:
    """The days the published marts cover, from which feeds, and the gaps: days no snapshot
    holds, and the weeks they leave incomplete (``marts.mart_source_coverage``)."""
    with connect_duckdb(paths.published_warehouse, read_only=True) as warehouse:
        days, first, last, feeds, gap_days, gaps, incomplete, weeks = run_query(
            warehouse, "summary/coverage"
        ).fetchone()
    lines = [f"Coverage: {days} days ({first}..{last}) from the {feeds} feed(s)"]
    if gap_days:
        listed = ", ".join(str(day) for day in gaps[:12]) + (", ..." if gap_days > 12 else "")
        lines.append(f"  {gap_days} day(s) no snapshot holds (gaps): {listed}")
    else:
        lines.append("  no gaps: a snapshot holds every day")
    if incomplete:
        listed = ", ".join(str(week) for week in weeks[:8]) + (", ..." if incomplete > 8 else "")
        lines.append(
            f"  {incomplete} ISO week(s) not whole (is_complete_week false): weeks of {listed}"
        )
    lines.append("  per day: select * from marts.mart_source_coverage")
    return lines


def headline_lines(paths: DataPaths) -> list[str]:
    """The week China overtook the US, the latest week's #1 model and the newest 1T model."""
    with connect_duckdb(paths.published_warehouse, read_only=True) as warehouse:
        citation, licence, scope, scope_note = warehouse.execute(
            "select citation, licence, share_scope, share_scope_note from marts.publication"
        ).fetchone()
        overtaking = china_overtaking(warehouse)
        leader = run_query(warehouse, "summary/latest_leader").fetchone()
        newest = run_query(warehouse, "summary/newest_trillion_model").fetchone()
    of_tokens = "of all tokens" if scope == "all tokens" else "of the listed models' tokens"
    lines = ["Headlines"]
    if overtaking:
        week, china_pct, us_pct = overtaking
        lines.append(
            f"  China overtook the United States in the week of {week}: "
            f"{china_pct:.1f}% {of_tokens} against {us_pct:.1f}%."
        )
    if leader:
        week, name, tokens, share = leader
        lines.append(
            f"  #1 model in the week of {week}: {name}, {tokens / 1e12:.2f}T tokens "
            f"({share:.1%} {of_tokens} that week)."
        )
    if newest:
        name, crossed_on, days_from_launch, days_to_cross = newest
        since = (
            f"{days_from_launch} days after launch"
            if days_from_launch is not None
            else f"{days_to_cross} days after it first appeared"
        )
        lines.append(f"  Newest trillion-token model: {name}, 1T on {crossed_on}, {since}.")
    return [*lines, f"  {scope_note}", f"  {citation} {licence}"]


def insight_lines(paths: DataPaths) -> list[str]:
    """What no tracker shows: published claims tested, the newest ranking events, and the next
    milestone crossings forecast, with the forecasts' record so far."""
    with connect_duckdb(paths.published_warehouse, read_only=True) as warehouse:
        verdicts = run_query(warehouse, "summary/claim_verdicts").fetchone()
        events = run_query(warehouse, "summary/newest_events", rows_shown=2).fetchall()
        crossings = run_query(warehouse, "summary/next_crossings", rows_shown=2).fetchall()
        scored, hits, coverage = run_query(warehouse, "summary/forecast_record").fetchone()
    lines = [
        "Claims, events, forecasts",
        f"  Published claims: {verdicts[0]} reproduced, {verdicts[1]} differ, {verdicts[2]} not "
        "testable on this data (queries/claim_checks.sql)",
    ]
    lines += [f"  Event: {headline}" for _, headline in events]
    for name, threshold, projected, low, high in crossings:
        interval = f"{low}..{high}" if high else f"from {low}"
        lines.append(
            f"  Forecast: {name} passes {threshold / 1e12:.0f}T cumulative tokens on {projected} "
            f"({interval})"
        )
    if scored:
        lines.append(
            f"  Past forecasts scored: {scored}, {hits} within a week, interval covered "
            f"{coverage:.0%} (marts.mart_forecast_scores)"
        )
    return lines


def next_command_lines(paths: DataPaths) -> list[str]:
    """Commands to try next, with the paths this run wrote."""
    duckdb_cli = shown(PROJECT_ROOT / ".venv" / "bin" / "duckdb")
    warehouse = shown(paths.published_warehouse)
    ui_port = os.environ.get("UI_PORT", "3000")
    commands = [
        ("the report, in a browser", shown(paths.reports_dir / "index.html")),
        ("query the marts", f"{duckdb_cli} -readonly {warehouse}"),
        (
            "an example query",
            f"{duckdb_cli} -readonly {warehouse} -f queries/china_overtakes_us.sql",
        ),
        ("these runs in the Dagster UI", f"make ui   (http://127.0.0.1:{ui_port})"),
        ("the Superset dashboard", "make bi"),
        (
            "a metric",
            'make metrics ARGS="--metrics tokens,china_share --group-by metric_time__week '
            '--order metric_time__week"',
        ),
    ]
    width = max(len(purpose) for purpose, _ in commands)
    return [
        "Next",
        *(f"  {purpose + ':':<{width + 1}}  {command}" for purpose, command in commands),
    ]
