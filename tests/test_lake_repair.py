"""Damaged lake files are rewritten from the landing zone; a damaged warehouse is rebuilt."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import dagster as dg

from orchestration.definitions import defs
from orchestration.lib.ingestion.lake import file_sha256
from orchestration.lib.settings import DataPaths
from tests.helpers import QUIET, cli, run, run_command

DAYS = ["date=2026-02-10", "date=2026-02-11", "date=2026-02-12"]


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
    """Truncate one file, empty another, copy a third beside itself; return them by damage."""
    truncated, emptied, copied = (
        next((paths.raw_rankings_dir / day).glob("*.parquet")) for day in DAYS
    )
    truncated.write_bytes(truncated.read_bytes()[: truncated.stat().st_size // 2])
    emptied.write_bytes(b"")
    shutil.copy(copied, copied.with_name("copy of snapshot.parquet"))
    return {"truncated": truncated, "emptied": emptied, "copied": copied}


def test_the_next_run_rewrites_damaged_lake_files_from_the_landing_zone(lake_copy: DataPaths):
    assert run("warehouse_job").success
    clean = published_tokens(lake_copy)
    recorded = recorded_hashes(lake_copy)
    damaged = damage_the_lake(lake_copy)

    result = run("warehouse_job")

    assert result.success
    assert published_tokens(lake_copy) == clean
    for path in (damaged["truncated"], damaged["emptied"]):
        name = str(path.relative_to(lake_copy.raw_rankings_dir))
        assert file_sha256(path) == recorded[name]
    quarantine = lake_copy.quarantine_dir / "rankings_daily"
    assert len(list((quarantine / "damaged").rglob("*.parquet"))) == 2
    assert [p.name.split("_", 1)[1] for p in (quarantine / "stray").rglob("*.parquet")] == [
        "copy of snapshot.parquet"
    ]


def test_a_working_warehouse_that_cannot_be_read_is_rebuilt_from_the_lake(lake_copy: DataPaths):
    assert run("warehouse_job").success
    clean = published_tokens(lake_copy)
    lake_copy.working_warehouse.write_bytes(b"not a database" * 1000)
    instance = dg.DagsterInstance.ephemeral()

    daily = defs.resolve_job_def("rankings_job").execute_in_process(
        partition_key="2026-02-12", instance=instance, run_config=QUIET
    )

    assert daily.success
    assert published_tokens(lake_copy) == clean
    assert list(lake_copy.working_warehouse.parent.glob("warehouse.duckdb.damaged-*"))
    logged = " ".join(entry.user_message for entry in instance.all_logs(daily.run_id))
    assert "cannot be read" in logged and "rebuilding it from the lake" in logged
    assert "building every date from the lake" in logged


def test_make_repair_repairs_everything_and_publishes(lake_copy: DataPaths, tmp_path: Path):
    assert run("warehouse_job").success
    clean = published_tokens(lake_copy)
    damage_the_lake(lake_copy)
    lake_copy.working_warehouse.write_bytes(b"")

    repair = run_command(["make", "repair"], DAGSTER_HOME=str(tmp_path / "dagster_home"))

    assert repair.returncode == 0, repair.stdout[-2000:] + repair.stderr[-2000:]
    assert "lake checked: 3 file(s) repaired" in repair.stdout
    assert published_tokens(lake_copy) == clean
