"""Compaction rewrites each date folder's snapshot files as one, losing nothing: every row and
its record stay, a kill at any step loses nothing, repair and retraction still work."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import dagster as dg
import duckdb
import pyarrow.parquet as pq
import pytest

from orchestration.definitions import defs
from orchestration.defs.compaction import compact_after_backfill
from orchestration.defs.dagster_internals import BACKFILL_ID_TAG
from orchestration.defs.partitions import partition_range_tags
from orchestration.lib.ingestion.compaction import compact_rankings_lake
from orchestration.lib.ingestion.lake import compaction_record, file_sha256, retracted_dir
from orchestration.lib.ingestion.repair import repair_rankings_lake
from orchestration.lib.ingestion.retraction import retract_snapshot
from orchestration.lib.settings import DataPaths
from tests.helpers import QUIET, assert_marts_match, published_marts, restate, run, run_command

DAYS = [date(2026, 2, 10), date(2026, 2, 11)]
COLUMNS = (
    "date, model_permaslug, total_tokens, rank_in_day, is_other, share_of_daily_tokens, as_of, "
    "window_start, window_end, api_version, source, fetched_at, response_sha256"
)


def lake_rows(paths: DataPaths, folder: str = "*") -> list[tuple]:
    """Every row in the rankings lake (or one of its folders), in one order."""
    with duckdb.connect() as connection:
        return connection.execute(
            f"select {COLUMNS} from read_parquet(?, hive_partitioning = true, "
            "union_by_name = true) order by all",
            [f"{paths.raw_rankings_dir}/{folder}/*.parquet"],
        ).fetchall()


def folder_of(paths: DataPaths, day: date) -> Path:
    return paths.raw_rankings_dir / f"date={day.isoformat()}"


def restate_twice(paths: DataPaths) -> None:
    """Give each of DAYS three snapshots: the sample's and two restatements."""
    for day in DAYS:
        restate(paths, day, 1000)
        restate(paths, day, 2000)
        assert len(list(folder_of(paths, day).glob("*.parquet"))) == 3


def test_compaction_keeps_every_row_and_records_each_files_rows_and_hash(lake_copy: DataPaths):
    restate_twice(lake_copy)
    rows = lake_rows(lake_copy)

    compactions = compact_rankings_lake(lake_copy)

    assert [compaction.folder for compaction in compactions] == [
        folder_of(lake_copy, day) for day in DAYS
    ]
    assert lake_rows(lake_copy) == rows
    for day in DAYS:
        [compacted] = folder_of(lake_copy, day).glob("*.parquet")
        record = compaction_record(lake_copy, compacted.parent.name)
        assert record["file"] == compacted.name and compacted.name.startswith("compacted_")
        assert record["sha256"] == file_sha256(compacted)
        assert record["rows"] == pq.read_metadata(compacted).num_rows
        day_rows = len(lake_rows(lake_copy, compacted.parent.name)) // 3
        assert [entry["rows"] for entry in record["snapshots"].values()] == [day_rows] * 3
        snapshot_columns = ["as_of", "fetched_at", "response_sha256"]
        keys = [
            tuple(row.values())
            for row in pq.read_table(compacted, columns=snapshot_columns).to_pylist()
        ]
        assert keys == sorted(keys), "sorted by snapshot"
    assert repair_rankings_lake(lake_copy) == []
    assert compact_rankings_lake(lake_copy) == [], "nothing left to compact"

    # A snapshot already compacted, ingested again, adds nothing; a new one lands beside the
    # compacted file and the next compaction merges it.
    restate(lake_copy, DAYS[0], 1000)
    assert len(list(folder_of(lake_copy, DAYS[0]).glob("*.parquet"))) == 1
    restate(lake_copy, DAYS[0], 3000)
    rows = lake_rows(lake_copy)
    [compaction] = compact_rankings_lake(lake_copy)
    assert compaction.files_before == 2
    assert lake_rows(lake_copy) == rows
    assert len(compaction_record(lake_copy, f"date={DAYS[0]}")["snapshots"]) == 4


def test_a_compacted_file_no_record_names_is_moved_to_quarantine_not_deleted(
    lake_copy: DataPaths,
):
    restate_twice(lake_copy)
    compact_rankings_lake(lake_copy)
    folder = folder_of(lake_copy, DAYS[0])
    [compacted] = folder.glob("*.parquet")
    restate(lake_copy, DAYS[0], 3000)
    rows = lake_rows(lake_copy)
    stray = folder / "compacted_0123456789abcdef.parquet"
    stray.write_bytes(compacted.read_bytes())

    # Compacting again replaces the recorded compacted file, by name, and leaves the stray.
    compact_rankings_lake(lake_copy)
    record = compaction_record(lake_copy, folder.name)
    assert record["replaces"] == compacted.name
    assert sorted(path.name for path in folder.glob("*.parquet")) == sorted(
        [record["file"], stray.name]
    )

    repair_rankings_lake(lake_copy)
    assert [path.name for path in folder.glob("*.parquet")] == [record["file"]]
    assert list((lake_copy.quarantine_dir / "rankings_daily" / "stray").rglob(f"*_{stray.name}"))
    assert lake_rows(lake_copy) == rows


# Runs compaction in its own process, which dies (os._exit, as a SIGKILL leaves it) right after
# the named step of its first folder.
KILLED_COMPACTION = """
import os, sys
from orchestration.lib.ingestion import compaction
from orchestration.lib.settings import data_paths

step = sys.argv[1]
def dying_after(function):
    def wrapper(*args, **kwargs):
        function(*args, **kwargs)
        os._exit(9)
    return wrapper
if step == "staged":
    compaction.copy_to_parquet = dying_after(compaction.copy_to_parquet)
elif step == "committed":
    compaction.write_bytes_atomic = dying_after(compaction.write_bytes_atomic)
else:  # the compacted file in place, the files it replaces not yet removed
    compaction.fsync_directory = dying_after(compaction.fsync_directory)
compaction.compact_rankings_lake(data_paths())
"""


@pytest.mark.parametrize("step", ["staged", "committed", "placed"])
def test_a_compaction_killed_half_way_loses_nothing(lake_copy: DataPaths, step: str):
    restate_twice(lake_copy)
    rows = lake_rows(lake_copy)
    folder = folder_of(lake_copy, DAYS[0])

    killed = subprocess.run([sys.executable, "-c", KILLED_COMPACTION, step], check=False)

    assert killed.returncode == 9
    assert set(rows) <= set(lake_rows(lake_copy)), "no row is missing while it is stopped"
    if step == "staged":
        assert compaction_record(lake_copy, folder.name) is None
        assert lake_rows(lake_copy) == rows, "before its commit, the folder is as it was"
    else:
        assert compaction_record(lake_copy, folder.name) is not None

    # The next run's repair completes it (or clears what it staged); the lake is as compacted.
    repair_rankings_lake(lake_copy, [folder])
    assert not list(folder.glob(".*"))
    assert lake_rows(lake_copy) == rows
    compact_rankings_lake(lake_copy)
    assert lake_rows(lake_copy) == rows
    for day in DAYS:
        assert len(list(folder_of(lake_copy, day).glob("*.parquet"))) == 1
    assert repair_rankings_lake(lake_copy) == []


def test_retraction_after_compaction_takes_the_snapshots_rows_out_of_the_compacted_file(
    lake_copy: DataPaths,
):
    folder = folder_of(lake_copy, DAYS[0])
    sample_rows = lake_rows(lake_copy, folder.name)
    restated_tokens = restate(lake_copy, DAYS[0], 1000)
    [restated] = [path for path in folder.glob("*.parquet") if path.name.startswith("2026030")]
    sha16 = restated.stem.rsplit("_", 1)[1]
    compact_rankings_lake(lake_copy)

    retraction = retract_snapshot(lake_copy, sha16, "restatement under review")

    assert retraction.dates == [DAYS[0]]
    assert lake_rows(lake_copy, folder.name) == sample_rows
    [kept] = (retracted_dir(lake_copy) / retraction.response_sha256 / folder.name).iterdir()
    assert kept.name == restated.name
    assert pq.read_metadata(kept).num_rows == len(sample_rows)
    assert max(pq.read_table(kept)["total_tokens"].to_pylist()) == restated_tokens
    [compacted] = folder.glob("*.parquet")
    record = compaction_record(lake_copy, folder.name)
    assert (record["file"], record["sha256"]) == (compacted.name, file_sha256(compacted))
    sample_sha256 = sample_rows[0][-1]
    assert [entry["response_sha256"] for entry in record["snapshots"].values()] == [sample_sha256]
    assert repair_rankings_lake(lake_copy) == []
    # Repeated (after a kill, say), it changes nothing.
    assert retract_snapshot(lake_copy, sha16, "again").moved_files == [kept]
    assert lake_rows(lake_copy, folder.name) == sample_rows


def test_a_damaged_compacted_file_is_written_again_from_the_landing_zone(lake_copy: DataPaths):
    restate_twice(lake_copy)
    rows = lake_rows(lake_copy)
    compact_rankings_lake(lake_copy)
    folder = folder_of(lake_copy, DAYS[0])
    [compacted] = folder.glob("*.parquet")
    compacted.write_bytes(compacted.read_bytes()[:1000])

    [repair] = repair_rankings_lake(lake_copy)

    assert repair.path == compacted and "truncated" in repair.problem
    assert "3 snapshot(s) written again" in repair.action
    assert lake_rows(lake_copy) == rows
    assert compaction_record(lake_copy, folder.name) is None
    assert len(list(folder.glob("*.parquet"))) == 3
    damaged = lake_copy.quarantine_dir / "rankings_daily" / "damaged" / folder.name
    assert [path.name.split("_", 1)[1] for path in damaged.iterdir()] == [compacted.name]
    assert repair_rankings_lake(lake_copy) == []


@pytest.mark.slow
def test_make_compact_leaves_the_warehouse_built_from_the_lake_as_it_was(
    built_copy: DataPaths, tmp_path: Path
):
    restate_twice(built_copy)
    assert run("warehouse_job").success
    before = published_marts(built_copy.published_warehouse)
    files = len(list(built_copy.raw_rankings_dir.glob("date=*/*.parquet")))

    compact = run_command(["make", "compact"], DAGSTER_HOME=str(tmp_path / "dagster_home"))

    assert compact.returncode == 0, compact.stdout[-2000:] + compact.stderr[-2000:]
    assert f"lake compacted: {files} file(s) before, {files - 4} now" in compact.stdout
    assert run("warehouse_job").success
    after = published_marts(built_copy.published_warehouse)
    # The publication row counts what changed since the publish before: nothing, this time.
    [publication] = after.pop("publication")[1]
    assert publication[-6:] == (0, 0, 0, 0, 0, 0)
    before.pop("publication")
    # Doubles to 1e-12: a sum's order follows the files read, and compaction changes them.
    assert_marts_match(after, before, tolerance=1e-12)


def test_a_backfill_is_followed_by_a_compaction_and_a_daily_run_is_not(lake_copy: DataPaths):
    restate_twice(lake_copy)
    instance = dg.DagsterInstance.ephemeral()
    rankings_job = defs.resolve_job_def("rankings_job")
    runs = {
        name: rankings_job.execute_in_process(
            instance=instance,
            tags={**partition_range_tags(*DAYS), **tags},
            asset_selection=[dg.AssetKey("raw_rankings_daily")],
            run_config=QUIET,
        )
        for name, tags in (("daily", {}), ("backfill", {BACKFILL_ID_TAG: "backfill-1"}))
    }
    requests = {
        name: compact_after_backfill(
            dg.build_run_status_sensor_context(
                sensor_name="compact_after_backfill",
                dagster_instance=instance,
                dagster_run=result.dagster_run,
                dagster_event=result.get_run_success_event(),
            )
        )
        for name, result in runs.items()
    }

    assert isinstance(requests["daily"], dg.SkipReason)
    assert isinstance(requests["backfill"], dg.RunRequest)
    compacted = defs.resolve_job_def("compact_lake_job").execute_in_process(instance=instance)
    assert compacted.success
    for day in DAYS:
        assert len(list(folder_of(lake_copy, day).glob("*.parquet"))) == 1
