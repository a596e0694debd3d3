"""Acceptance on the bundled sample: the whole pipeline, dbt tests and asset checks, real files."""

from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
from collections import defaultdict
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from orchestration.defs.assets.dbt import openrouter_dbt_models
from orchestration.lib.ingestion.validation import validate_rankings_response
from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, DataPaths, sample_dir
from tests.helpers import FIXTURES, data_dir, query
from tests.test_publish import MARTS

MINIMAX_M25 = "minimax/minimax-m2.5-20260211"


@pytest.fixture(scope="module")
def built(
    sample_build: tuple[DataPaths, dict[str, bool]], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[DataPaths, dict[str, bool]]]:
    """A private copy of the session's build of the sample (dbt writes in it here), with the
    build's check results."""
    published, checks = sample_build
    root = tmp_path_factory.mktemp("warehouse")
    shutil.copytree(published.data_dir, root, symlinks=True, dirs_exist_ok=True)
    with data_dir(root) as paths:
        yield paths, checks


def test_every_check_runs_and_passes(built):
    _, checks = built
    data_checks = {
        *(
            f"marts/{mart}:reconciles_with_raw_lake_{mart}_total_tokens"
            for mart in (
                "mart_vendor_weekly",
                "mart_country_weekly",
                "mart_region_weekly",
                "mart_model_weekly_growth",
            )
        ),
        "marts/mart_token_milestones:milestones_match_cumulative_tokens",
        "marts/fct_model_daily_tokens:model_day_tokens_below_ceiling",
        "marts/fct_model_daily_tokens:unmapped_vendor_prefixes",
        "marts/fct_model_daily_tokens:published_shares_match_computed_shares",
        "marts/mart_source_coverage:every_day_has_a_snapshot",
        "marts/mart_source_coverage:api_and_exports_agree",
        "marts/mart_market_concentration_weekly:weekly_platform_tokens_above_floor",
        "marts/mart_vendor_weekly:vendor_coverage",
    }
    # Every dbt data test surfaces as an asset check, and every one of them ran.
    dbt_tests = {
        f"{spec.asset_key.to_user_string()}:{spec.name}"
        for spec in openrouter_dbt_models.check_specs
    }
    assert data_checks <= dbt_tests
    assert len(dbt_tests) > 40
    assert set(checks) == dbt_tests
    assert [name for name, passed in checks.items() if not passed] == []


def test_model_weeks_equal_the_published_weekly_figures(built):
    paths, _ = built
    published = {}
    with (FIXTURES / "weekly_top10_flat.csv").open() as handle:
        for row in csv.DictReader(handle):
            covered = date.fromisoformat(row["snapshot_date"]) - timedelta(days=1)
            published[(covered - timedelta(days=covered.weekday()), row["slug"])] = int(
                row["total_tokens"]
            )
    mart = {
        (week, slug): tokens
        for week, slug, tokens in query(
            paths,
            "select week_start, model_permaslug, total_tokens from marts.mart_model_weekly_growth",
        )
    }
    assert mart == published


def test_minimax_m25_leads_its_first_two_weeks(built):
    paths, _ = built
    leaders = dict(
        query(
            paths,
            "select week_start, model_permaslug from marts.mart_model_weekly_growth "
            "where model_rank = 1",
        )
    )
    assert leaders[date(2026, 2, 9)] == MINIMAX_M25
    assert leaders[date(2026, 2, 16)] == MINIMAX_M25


def test_china_overtakes_the_united_states(built):
    paths, _ = built
    shares = defaultdict(dict)
    for week, region, share in query(
        paths, "select week_start, region, token_share from marts.mart_region_weekly"
    ):
        shares[week][region] = share
    assert shares[date(2026, 2, 16)]["China"] > shares[date(2026, 2, 16)]["United States"]
    earlier = [week for week in shares if week < date(2026, 2, 9)]
    assert len(earlier) == 13
    for week in earlier:
        assert shares[week].get("China", 0) < shares[week]["United States"], week


def test_minimax_m25_milestones_match_its_daily_rows(built):
    paths, _ = built
    daily = defaultdict(int)
    for path in sorted((sample_dir() / "rankings_daily").glob("*.json")):
        for row in validate_rankings_response(path.read_bytes(), path).rows.to_pylist():
            if row["model_permaslug"] == MINIMAX_M25:
                daily[row["date"]] += row["total_tokens"]
    crossings = dict(
        query(
            paths,
            "select threshold_tokens, crossed_on from marts.mart_token_milestones "
            "where level = 'model' and model_permaslug = ?",
            [MINIMAX_M25],
        )
    )
    assert {10**12, 2 * 10**12} <= set(crossings)
    for threshold, crossed_on in crossings.items():
        through = sum(tokens for day, tokens in daily.items() if day <= crossed_on)
        before = sum(tokens for day, tokens in daily.items() if day < crossed_on)
        assert before < threshold <= through, (threshold, crossed_on)


def test_mart_token_columns_are_bigint(built):
    paths, _ = built
    token_types = query(
        paths,
        """
        select table_name, column_name, data_type from information_schema.columns
        where table_schema = 'marts' and column_name like '%tokens%'
            -- an average per day, not a count
            and column_name not like '%tokens_per_day'
        """,
    )
    assert token_types and {kind for _, _, kind in token_types} == {"BIGINT"}


def test_every_mart_column_is_documented_and_typed():
    manifest = json.loads((DBT_PROJECT_DIR / "target" / "manifest.json").read_text())
    marts = [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and node["config"]["schema"] == "marts"
    ]
    assert {node["name"] for node in marts} == MARTS
    for node in marts:
        assert node["description"], node["name"]
        assert node["config"]["contract"]["enforced"], node["name"]
        for column in node["columns"].values():
            assert column["description"] and column["data_type"], (node["name"], column["name"])


def test_dbt_docs_generate_describes_the_built_marts(built, tmp_path):
    paths, _ = built
    target = tmp_path / "docs"
    subprocess.run(
        [DBT_EXECUTABLE, "docs", "generate", "--profiles-dir", ".", "--target-path", str(target)],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "PIPELINE_DATA_DIR": str(paths.data_dir)},
        check=True,
        capture_output=True,
    )
    catalog = json.loads((target / "catalog.json").read_text())
    region = catalog["nodes"]["model.openrouter_rankings.mart_region_weekly"]
    assert {"week_start", "region", "token_share", "is_leader"} <= set(region["columns"])
    assert (target / "index.html").exists()


def test_dbt_unit_tests_pass(built, tmp_path):
    # Production builds skip unit tests (fixed inputs, nothing new to learn per run); they run here.
    paths, _ = built
    result = subprocess.run(
        [
            DBT_EXECUTABLE,
            "test",
            "--select",
            "test_type:unit",
            "--profiles-dir",
            ".",
            "--target-path",
            str(tmp_path / "target"),
        ],
        cwd=DBT_PROJECT_DIR,
        env={**os.environ, "PIPELINE_DATA_DIR": str(paths.data_dir)},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout
    # The 16 unit tests, each passed (dbt counts the on-run-start hook in PASS= as well).
    assert "16 of 16 PASS" in result.stdout, result.stdout
