"""`make demo` on the other sources a user can pick: OpenRouter's keyless exports (served by a real
HTTP server on 127.0.0.1) and a folder of snapshots with a gap between them."""

from __future__ import annotations

import json
import shutil
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.settings import DataPaths, sample_dir
from tests.fake_exports import FakeExports, exports_of_the_sample
from tests.helpers import make_demo

# make demo, as a user runs it.
pytestmark = pytest.mark.slow


def published(paths: DataPaths, sql: str) -> list[tuple]:
    """Rows of ``sql`` run on the published warehouse, as an analyst reads it."""
    with duckdb.connect(str(paths.published_warehouse), read_only=True) as warehouse:
        return warehouse.execute(sql).fetchall()


def test_make_demo_from_the_keyless_exports_names_the_source_and_its_as_of(tmp_path: Path):
    exports = FakeExports(exports_of_the_sample([date(2026, 5, 11)]))
    try:
        demo = make_demo(tmp_path, RANKINGS_SOURCE="exports", OPENROUTER_BASE_URL=exports.url)
    finally:
        exports.close()

    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    output = demo.stdout
    assert f"from the OpenRouter keyless daily exports ({exports.url})" in output
    assert "Running the pipeline on 2026-04-11..2026-05-10" in output
    assert "Coverage: 30 days (2026-04-11..2026-05-10) from the exports feed(s)" in output
    assert "no gaps" in output
    assert "as of 2026-05-11T01:46:00+00:00" in output
    paths = DataPaths(tmp_path / "data")
    [(source, citation)] = published(paths, "select source, citation from marts.publication")
    assert source == "exports" and "as of 2026-05-11T01:46:00+00:00" in citation
    report = (paths.reports_dir / "index.html").read_text()
    assert "exports" in report and "2026-05-11T01:46:00+00:00" in report


def test_a_sample_folder_with_a_gap_builds_publishes_and_shows_the_gap(tmp_path: Path):
    # Two weekly snapshots taken out, and 2 days of the first put back: 12 days no snapshot holds.
    folder = tmp_path / "sample"
    shutil.copytree(sample_dir(), folder)
    recorded = folder / "rankings_daily"
    first_week = recorded / "2026-03-30_2026-04-05.json"
    response = json.loads(first_week.read_text())
    kept = {"2026-03-30", "2026-03-31"}
    response["data"] = [row for row in response["data"] if row["date"] in kept]
    response["meta"]["end_date"] = "2026-03-31"
    (recorded / "2026-03-30_2026-03-31.json").write_text(json.dumps(response))
    first_week.unlink()
    (recorded / "2026-04-06_2026-04-12.json").unlink()
    gap = [date(2026, 4, 1) + timedelta(days=offset) for offset in range(12)]

    demo = make_demo(tmp_path, RANKINGS_SAMPLE_DIR=str(folder))

    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    output = demo.stdout
    assert "12 day(s) no snapshot holds (gaps): 2026-04-01, 2026-04-02" in output
    assert "2 ISO week(s) not whole" in output
    assert "warning: raw_rankings_daily: 12 day(s)" in output
    paths = DataPaths(tmp_path / "data")
    rows = published(
        paths,
        "select date, week_start, is_complete_week from marts.mart_source_coverage "
        "where not is_covered order by date",
    )
    assert [row[0] for row in rows] == gap
    assert {row[1] for row in rows} == {date(2026, 3, 30), date(2026, 4, 6)}
    assert not any(row[2] for row in rows)
    weeks = published(
        paths,
        "select week_start, is_complete_week from marts.mart_market_concentration_weekly "
        "where week_start in ('2026-03-30', '2026-04-06', '2026-04-13') order by 1",
    )
    # The week with 2 days is there and incomplete; the week with none has no row to compare.
    assert weeks == [(date(2026, 3, 30), False), (date(2026, 4, 13), True)]
