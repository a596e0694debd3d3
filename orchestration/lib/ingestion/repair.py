"""The lake repairs itself from the landing zone; a damaged working warehouse is rebuilt.

Every rankings response records, in ``lake/manifests/rankings_daily/<sha256>.json``, each lake
file it wrote with its row count and SHA-256, and how it was received
(:func:`orchestration.lib.ingestion.lake.record_lake_files`). :func:`repair_rankings_lake`
compares the lake with those records: a missing, empty, truncated or changed file is moved to
``quarantine/rankings_daily/damaged/`` and written again from the landing body it came from; a
copy of a file (named otherwise than ingestion names files, or an extra file of a recorded
response) is moved to ``quarantine/rankings_daily/stray/``, since the pipeline would count its
rows twice. Files of responses with no record (written before records existed) are left as they
are. Nothing is deleted.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.lib.ingestion.ingest import ingest_rankings_response
from orchestration.lib.ingestion.lake import compact_timestamp, file_sha256
from orchestration.lib.ingestion.retraction import retraction_record
from orchestration.lib.responses import FetchedResponse
from orchestration.lib.settings import RANKINGS_ENDPOINT, DataPaths
from orchestration.lib.storage import connect_duckdb

# How ingestion names lake files: <as_of>_<first 16 hex digits of the response's SHA-256>.
_LAKE_FILE_NAME = re.compile(r"[0-9]{8}T[0-9]{6}Z_(?P<sha>[0-9a-f]{16})\.parquet")


@dataclass(frozen=True)
class LakeRepair:
    """One lake file that did not match its record, and what was done about it."""

    path: Path
    problem: str
    action: str


def _problem(path: Path, expected: dict) -> str | None:
    """What is wrong with a recorded lake file, or None when it matches its record."""
    if not path.exists():
        return "missing"
    if path.stat().st_size == 0:
        return "empty"
    if file_sha256(path) != expected["sha256"]:
        return "truncated or changed since it was written"
    return None


def _move_to_quarantine(paths: DataPaths, path: Path, why: str) -> Path:
    stamp = compact_timestamp(datetime.now(UTC))
    folder = paths.quarantine_dir / RANKINGS_ENDPOINT / why / path.parent.name
    target = folder / f"{stamp}_{path.name}"
    target.parent.mkdir(parents=True, exist_ok=True)
    os.replace(path, target)
    return target


def repair_rankings_lake(paths: DataPaths, folders: list[Path] | None = None) -> list[LakeRepair]:
    """Check the lake's ``date=`` folders (all when ``folders`` is None) and repair them."""
    if folders is None:
        folders = sorted(paths.raw_rankings_dir.glob("date=*"))
    wanted = {folder.name for folder in folders}
    manifests = [
        json.loads(path.read_text()) for path in sorted(paths.lake_manifests_dir.glob("*.json"))
    ]
    recorded = {
        name: manifest
        for manifest in manifests
        for name in manifest["files"]
        if name.split("/")[0] in wanted
    }
    landed = {
        path.stem.rsplit("_", 1)[1]: path
        for path in (paths.landing_dir / RANKINGS_ENDPOINT).glob("*.json")
    }
    repairs = []
    for name, manifest in sorted(recorded.items()):
        if retraction_record(paths, manifest["response_sha256"]):
            continue  # taken back on purpose: its files are in quarantine
        path = paths.raw_rankings_dir / name
        problem = _problem(path, manifest["files"][name])
        if problem is None:
            continue
        if path.exists():
            _move_to_quarantine(paths, path, "damaged")
        landing = landed[manifest["response_sha256"]]
        day = date.fromisoformat(path.parent.name.removeprefix("date="))
        response = FetchedResponse(
            landing.read_bytes(),
            datetime.fromisoformat(manifest["received_at"]),
            manifest["source"],
            f"repair from {landing}",
        )
        ingest_rankings_response(paths, response, day, day)
        repairs.append(LakeRepair(path, problem, f"written again from {landing.name}"))
    recorded_folders = {
        (name.split("/")[0], manifest["response_sha256"][:16])
        for name, manifest in recorded.items()
    }
    for folder in folders:
        for path in sorted(folder.glob("*.parquet")):
            name = str(path.relative_to(paths.raw_rankings_dir))
            if name in recorded:
                continue
            # Named as ingestion names files and no other file of its response recorded here:
            # written before records existed, or its record was lost. A copy is named otherwise,
            # or sits beside the recorded file of its response.
            pipeline_name = _LAKE_FILE_NAME.fullmatch(path.name)
            if pipeline_name and (folder.name, pipeline_name["sha"]) not in recorded_folders:
                continue
            target = _move_to_quarantine(paths, path, "stray")
            repairs.append(LakeRepair(path, "a copy: no record lists it", f"moved to {target}"))
    return repairs


def working_warehouse_state(database: Path) -> str:
    """``built`` (it opens and holds the daily fact), ``unbuilt`` (absent, or no fact yet: a
    run must build every date) or ``unreadable`` (damaged: set it aside and build every date)."""
    if not database.exists():
        return "unbuilt"
    try:
        with connect_duckdb(database, read_only=True) as connection:
            (tables,) = connection.execute(
                "select count(*) from duckdb_tables() "
                "where schema_name = 'marts' and table_name = 'fct_model_daily_tokens'"
            ).fetchone()
    except duckdb.Error:
        return "unreadable"
    return "built" if tables else "unbuilt"


def set_aside_damaged_warehouse(database: Path) -> Path:
    """Move a working DuckDB file that cannot be read out of the way, for a full rebuild."""
    target = database.with_name(f"{database.name}.damaged-{compact_timestamp(datetime.now(UTC))}")
    os.replace(database, target)
    wal = database.with_name(database.name + ".wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + ".wal"))
    return target
