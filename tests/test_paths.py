"""Paths as users give them: relative, with spaces and quotes; sample files named wrongly."""

from __future__ import annotations

import shutil
import sys
from datetime import date
from pathlib import Path

import duckdb
import pytest

from orchestration.lib.sample import BundledSample
from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, PROJECT_ROOT, sample_dir
from tests.helpers import run_command


@pytest.mark.slow
def test_demo_with_a_relative_data_dir_holding_a_space_and_a_quote(tmp_path: Path):
    relative = "pipeline data/o'brien"
    (tmp_path / "dagster_home").mkdir()

    # Started from tmp_path: the path resolves there, for Python and dbt alike.
    demo = run_command(
        [sys.executable, "-m", "orchestration.cli.demo"],
        cwd=tmp_path,
        timeout=900,
        PIPELINE_DATA_DIR=relative,
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        OPENROUTER_API_KEY=None,
        WAREHOUSE_PATH=None,
    )

    assert demo.returncode == 0, demo.stderr[-3000:]
    data_dir = tmp_path / relative
    with duckdb.connect(str(data_dir / "warehouse.duckdb"), read_only=True) as published:
        (rows,) = published.execute("select count(*) from marts.fct_model_daily_tokens").fetchone()
    assert rows > 0
    assert (data_dir / "build" / "warehouse.duckdb").exists()
    assert not (DBT_PROJECT_DIR / "pipeline data").exists()
    assert not (PROJECT_ROOT / "pipeline data").exists()


@pytest.mark.slow
def test_a_checkout_whose_path_holds_a_space_and_a_quote_loads_the_seeds(tmp_path: Path):
    project = tmp_path / "o'brien checkout" / "dbt_project"
    shutil.copytree(
        DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages")
    )
    data_dir = tmp_path / "data"
    (data_dir / "build").mkdir(parents=True)

    seed = run_command(
        [str(DBT_EXECUTABLE), "seed", "--profiles-dir", ".", "--target", "duckdb"],
        cwd=project,
        timeout=600,
        PIPELINE_DATA_DIR=str(data_dir),
        WAREHOUSE_PATH=None,
    )

    assert seed.returncode == 0, seed.stdout[-3000:]
    with duckdb.connect(str(data_dir / "build" / "warehouse.duckdb"), read_only=True) as built:
        (countries,) = built.execute("select count(*) from reference.vendor_countries").fetchone()
    with (DBT_PROJECT_DIR / "seeds" / "vendor_countries.csv").open() as csv_file:
        assert countries == sum(1 for _ in csv_file) - 1


@pytest.mark.parametrize(
    ("folder", "name"),
    [("rankings_daily", "2026-02-09.json"), ("rankings_daily", "week 7_2026.json")],
)
def test_a_sample_file_with_an_unexpected_name_is_named_in_the_error(
    tmp_path: Path, folder: str, name: str
):
    shutil.copytree(sample_dir(), tmp_path / "sample")
    (tmp_path / "sample" / folder / name).write_text("{}")
    sample = BundledSample(tmp_path / "sample")

    with pytest.raises(ValueError, match=r"must be named <start>_<end>\.json") as raised:
        sample.rankings_daily(date(2026, 2, 9), date(2026, 2, 15))
    assert name in str(raised.value)


def test_a_catalogue_with_an_unexpected_name_is_named_in_the_error(tmp_path: Path):
    shutil.copytree(sample_dir(), tmp_path / "sample")
    (tmp_path / "sample" / "models_catalog" / "latest.json").write_text("{}")

    with pytest.raises(ValueError, match=r"latest\.json: a recorded catalogue must be named"):
        BundledSample(tmp_path / "sample").models_catalog()
