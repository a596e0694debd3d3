"""The bundled sample reproduces the published weekly figures exactly."""

from __future__ import annotations

import csv
import json
from collections import defaultdict
from datetime import date, timedelta
from pathlib import Path

from orchestration.lib.ingestion.validation import validate_rankings_response
from orchestration.lib.settings import sample_dir
from tests.helpers import FIXTURES


def weekly_figures() -> dict[tuple[date, str], int]:
    """Published weekly totals keyed by (week Monday, permaslug), from the fixture CSV."""
    figures = {}
    with (FIXTURES / "weekly_top10_flat.csv").open() as handle:
        for row in csv.DictReader(handle):
            covered = date.fromisoformat(row["snapshot_date"]) - timedelta(days=1)
            monday = covered - timedelta(days=covered.weekday())
            figures[(monday, row["slug"])] = int(row["total_tokens"])
    return figures


def sample_files() -> list[Path]:
    return sorted((sample_dir() / "rankings_daily").glob("*.json"))


def test_every_sample_response_is_valid_and_named_by_its_window():
    files = sample_files()
    assert len(files) == 26
    for path in files:
        snapshot = validate_rankings_response(path.read_bytes(), path)
        assert path.stem == f"{snapshot.window_start}_{snapshot.window_end}"
        assert snapshot.window_start.weekday() == 0
        assert snapshot.window_end - snapshot.window_start == timedelta(days=6)
        assert not any(snapshot.rows["is_other"].to_pylist())


def test_daily_rows_sum_to_the_published_weekly_figures():
    sums: dict[tuple[date, str], int] = defaultdict(int)
    for path in sample_files():
        for row in validate_rankings_response(path.read_bytes(), path).rows.to_pylist():
            monday = row["date"] - timedelta(days=row["date"].weekday())
            sums[(monday, row["model_permaslug"])] += row["total_tokens"]

    assert dict(sums) == weekly_figures()
    assert len(sums) == 247


def test_days_before_a_models_creation_date_get_no_tokens():
    path = sample_dir() / "rankings_daily" / "2026-02-09_2026-02-15.json"
    days = {
        row["date"]
        for row in validate_rankings_response(path.read_bytes(), path).rows.to_pylist()
        if row["model_permaslug"] == "minimax/minimax-m2.5-20260211"
    }
    # The catalogue says MiniMax M2.5 was created on 2026-02-12.
    assert days == {date(2026, 2, 12), date(2026, 2, 13), date(2026, 2, 14), date(2026, 2, 15)}


def test_sample_catalogue_is_a_real_models_response():
    files = sorted((sample_dir() / "models_catalog").glob("*.json"))
    assert [p.name for p in files] == ["2026-05-07.json"]
    models = json.loads(files[0].read_bytes())["data"]
    assert len(models) == 368
