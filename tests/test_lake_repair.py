"""Damaged lake files are rewritten from the landing zone; a damaged warehouse is rebuilt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg
import pytest

from orchestration.cli.running import error_message
from orchestration.definitions import defs
from orchestration.lib.ingestion.lake import file_sha256
from orchestration.lib.settings import DataPaths
from tests.helpers import QUIET, cli, run, run_command

DAYS = ["date=2026-02-10", "date=2026-02-11", "date=2026-02-12"]
# Named as ingestion names files, with the SHA-256 of no response in the lake.
PIPELINE_NAMED_COPY = "20260301T020000Z_0123456789abcdef.parquet"


def published_tokens(paths: DataPaths) -> list[dict]:
    return cli(
        paths.published_warehouse,
        "select date, sum(total_tokens) as tokens from marts.fct_model_daily_tokens "
        "group by date order by date",
    )


def recorded_hashes(paths: DataPaths) -> dict[str, str]:
    return {
        name: entry["sha256"]
        for manifest in paths.lake_manifests_dir.glob("*.json")
        for name, entry in json.loads(manifest.read_text())["files"].items()
    }


def damage_the_lake(paths: DataPaths) -> dict[str, Path]:
    """Truncate one file, empty another, put another snapshot's file in place of a third, and
    copy a fourth beside itself twice: once named as a copy, once named as the pipeline names its
    files (with another snapshot's SHA-256); return them by damage."""
    truncated, emptied, copied = (
        next((paths.raw_rankings_dir / day).glob("*.parquet")) for day in DAYS
    )
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    emptied.write_bytes(b"")
    [replaced] = (paths.raw_rankings_dir / "date=2026-02-17").glob("*.parquet")
    [other_snapshot] = (paths.raw_rankings_dir / "date=2026-02-13").glob("*.parquet")
    shutil.copy(other_snapshot, replaced)
    shutil.copy(copied, copied.with_name("copy of snapshot.parquet"))
    shutil.copy(copied, copied.with_name(PIPELINE_NAMED_COPY))
    return {"truncated": truncated, "emptied": emptied, "replaced": replaced, "copied": copied}


@pytest.mark.slow
def test_the_next_run_rewrites_damaged_lake_files_from_the_landing_zone(built_copy: DataPaths):
    clean = published_tokens(built_copy)
    recorded = recorded_hashes(built_copy)
    damaged = damage_the_lake(built_copy)

    result = run("warehouse_job")

    assert result.success
    assert published_tokens(built_copy) == clean
    for path in (damaged["truncated"], damaged["emptied"], damaged["replaced"]):
        name = str(path.relative_to(built_copy.raw_rankings_dir))
        assert file_sha256(path) == recorded[name]
    quarantine = built_copy.quarantine_dir / "rankings_daily"
    assert len(list((quarantine / "damaged").rglob("*.parquet"))) == 3
    assert sorted(p.name.split("_", 1)[1] for p in (quarantine / "stray").rglob("*.parquet")) == [
        PIPELINE_NAMED_COPY,
        "copy of snapshot.parquet",
    ]


@pytest.mark.slow
def test_a_working_warehouse_that_cannot_be_read_is_rebuilt_from_the_lake(built_copy: DataPaths):
    clean = published_tokens(built_copy)
    built_copy.working_warehouse.write_bytes(b"not a database" * 1000)
    instance = dg.DagsterInstance.ephemeral()

    daily = defs.resolve_job_def("rankings_job").execute_in_process(
        partition_key="2026-02-12", instance=instance, run_config=QUIET
    )

    assert daily.success
    assert published_tokens(built_copy) == clean
    assert list(built_copy.working_warehouse.parent.glob("warehouse.duckdb.damaged-*"))
    logged = " ".join(entry.user_message for entry in instance.all_logs(daily.run_id))
    assert "cannot be read" in logged and "rebuilding it from the lake" in logged
    assert "building every date from the lake" in logged


@pytest.mark.slow
def test_make_repair_repairs_everything_and_publishes(built_copy: DataPaths, tmp_path: Path):
    clean = published_tokens(built_copy)
    damage_the_lake(built_copy)
    built_copy.working_warehouse.write_bytes(b"")

    repair = run_command(["make", "repair"], DAGSTER_HOME=str(tmp_path / "dagster_home"))

    assert repair.returncode == 0, repair.stdout[-2000:] + repair.stderr[-2000:]
    assert "lake checked: 5 file(s) repaired" in repair.stdout
    assert published_tokens(built_copy) == clean


def test_a_damaged_file_whose_landing_body_is_damaged_too_fails_naming_the_backup(
    built_copy: DataPaths, tmp_path: Path
):
    clean = published_tokens(built_copy)
    [damaged] = (built_copy.raw_rankings_dir / DAYS[0]).glob("*.parquet")
    damaged.write_bytes(b"")
    sha16 = damaged.stem.rsplit("_", 1)[1]
    [landing] = (built_copy.landing_dir / "rankings_daily").glob(f"*_{sha16}*.json")
    landing.write_bytes(landing.read_bytes()[:100])

    result = run("warehouse_job")

    assert not result.success
    [failure] = result.get_step_failure_events()
    message = error_message(failure.step_failure_data.error)
    assert f"{damaged} is empty and its landing body {landing} no longer hashes" in message
    assert "cannot be fetched again" in message and "restore the landing body" in message
    assert "re-fetch" not in message
    assert published_tokens(built_copy) == clean

    repair = run_command(["make", "repair"], DAGSTER_HOME=str(tmp_path / "dagster_home"))

    assert repair.returncode != 0
    assert "Traceback" not in repair.stderr
    [line] = [line for line in repair.stderr.splitlines() if not line.startswith("make: ***")]
    assert line.startswith("make repair: snapshot files cannot be repaired:"), repair.stderr
    assert damaged.exists() and damaged.stat().st_size == 0, "left where it is, for the backup"
