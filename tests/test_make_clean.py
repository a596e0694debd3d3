"""`make clean` keeps what cannot be fetched again; deleting the lake takes an explicit target."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from orchestration.lib.settings import PROJECT_ROOT

DERIVED = ["build/warehouse.duckdb", "warehouse.duckdb", "exports/marts/x.parquet", "reports/a.png"]
KEPT = [
    "lake/landing/rankings_daily/20260216T000000Z_ab.json",
    "lake/raw/rankings_daily/date=2026-02-09/20260216T000000Z_ab.parquet",
    "lake/quarantine/rankings_daily/20260217T000000Z_cd.json",
]


def make(target: str, tmp_path: Path, *variables: str) -> subprocess.CompletedProcess:
    """Run ``make target`` in the repository, with every generated path under ``tmp_path``."""
    environment = {
        **os.environ,
        "PIPELINE_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    return subprocess.run(
        ["make", target, f"DBT_TARGET_DIR={tmp_path / 'target'}", *variables],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
    )


def populate(tmp_path: Path) -> None:
    for name in [*DERIVED, *KEPT]:
        path = tmp_path / "data" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    (tmp_path / "dagster_home").mkdir()
    (tmp_path / "target").mkdir()


def test_clean_removes_derived_files_and_keeps_the_lake(tmp_path: Path):
    populate(tmp_path)

    assert make("clean", tmp_path).returncode == 0

    assert [name for name in DERIVED if (tmp_path / "data" / name).exists()] == []
    assert not (tmp_path / "target").exists()
    assert all((tmp_path / "data" / name).exists() for name in KEPT)
    assert (tmp_path / "dagster_home").exists()


def test_destroying_the_lake_says_what_it_destroys_and_needs_confirmation(tmp_path: Path):
    populate(tmp_path)

    refused = make("destroy-lake", tmp_path)
    assert refused.returncode != 0
    assert "restated figures cannot be downloaded again" in refused.stdout
    assert all((tmp_path / "data" / name).exists() for name in KEPT)

    assert make("destroy-lake", tmp_path, "CONFIRM=yes").returncode == 0
    assert not (tmp_path / "data" / "lake").exists()
    assert not (tmp_path / "dagster_home").exists()
