"""The semantic layer: `make metrics` queries MetricFlow against the published warehouse, and its
metrics agree with the marts."""

from __future__ import annotations

import csv
import os
import re
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.settings import DataPaths
from tests.helpers import run_command, without_the_virtualenv


def test_make_metrics_gives_two_metrics_by_week_and_region_as_the_marts_do(
    published_sample: DataPaths, tmp_path: Path
):
    out = tmp_path / "metrics.csv"
    completed = run_command(
        [
            "make",
            "metrics",
            "ARGS=--metrics tokens,open_weights_share "
            f"--group-by metric_time__week,entry_day__region --csv {out}",
        ],
        PATH=without_the_virtualenv(os.environ["PATH"]),
        PIPELINE_DATA_DIR=str(published_sample.data_dir),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with out.open() as handle:
        metrics = {
            (row["metric_time__week"][:10], row["entry_day__region"]): row
            for row in csv.DictReader(handle)
        }

    with duckdb.connect(str(published_sample.published_warehouse), read_only=True) as connection:
        marts = connection.execute(
            """
            select
                cast(region.week_start as varchar),
                region.region,
                region.total_tokens,
                sum(case when daily.open_weights then daily.total_tokens else 0 end)
                    / sum(daily.total_tokens)
            from marts.mart_region_weekly as region
            inner join marts.fct_model_daily_tokens as daily
                on region.week_start = daily.week_start and region.region = daily.region
            group by all
            """
        ).fetchall()
    assert len(marts) == len(metrics) > 26  # every region of every week
    for week, region, tokens, open_weights_share in marts:
        row = metrics[(week, region)]
        assert int(row["tokens"]) == tokens
        assert float(row["open_weights_share"]) == pytest.approx(open_weights_share, abs=1e-9)


def test_the_semantic_layer_reads_the_published_warehouse_beside_bi_readers(
    published_sample: DataPaths,
):
    # A BI tool holds the published file open read-only; a writer could not open it now.
    before = published_sample.published_warehouse.read_bytes()
    with duckdb.connect(str(published_sample.published_warehouse), read_only=True):
        completed = run_command(
            [
                "make",
                "metrics",
                "ARGS=--metrics vendor_hhi --group-by metric_time__week --order metric_time__week",
            ],
            PATH=without_the_virtualenv(os.environ["PATH"]),
            PIPELINE_DATA_DIR=str(published_sample.data_dir),
        )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    assert "vendor_hhi" in completed.stdout
    # Weeks in order, as the README's command prints them.
    weeks = re.findall(r"\b(\d{4}-\d{2}-\d{2})", completed.stdout)
    assert len(weeks) > 20 and weeks == sorted(weeks)
    assert published_sample.published_warehouse.read_bytes() == before


def test_make_metrics_counts_ranking_events_by_kind_as_the_mart_holds_them(
    published_sample: DataPaths, tmp_path: Path
):
    out = tmp_path / "events.csv"
    completed = run_command(
        [
            "make",
            "metrics",
            "ARGS=--metrics ranking_events,active_ranking_events "
            f"--group-by ranking_event__event_kind --csv {out}",
        ],
        PATH=without_the_virtualenv(os.environ["PATH"]),
        PIPELINE_DATA_DIR=str(published_sample.data_dir),
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    with out.open() as handle:
        counted = {
            row["ranking_event__event_kind"]: (
                int(row["ranking_events"]),
                int(row["active_ranking_events"]),
            )
            for row in csv.DictReader(handle)
        }
    with duckdb.connect(str(published_sample.published_warehouse), read_only=True) as connection:
        held = {
            kind: (events, active)
            for kind, events, active in connection.execute(
                "select event_kind, count(*), count(*) filter (where status = 'active') "
                "from marts.mart_ranking_events group by event_kind"
            ).fetchall()
        }
    assert counted == held
    assert {"region_overtook", "weekly_surge", "model_milestone"} <= set(counted)
