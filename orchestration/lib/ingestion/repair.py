"""The lake repairs itself from the landing zone; a damaged working warehouse is rebuilt.

Every rankings response records, in ``lake/manifests/rankings_daily/<sha256>.json``, each lake
file it wrote with its row count and SHA-256, and how it was received
(:func:`orchestration.lib.ingestion.lake.record_and_place_lake_files`). :func:`repair_rankings_lake`
compares the lake with those records: a missing, empty, truncated or changed file (another
snapshot's file under its name, say) is moved to ``quarantine/rankings_daily/damaged/`` and written
again from the landing body it came from, once that body is found to hash to its name. Ingestion
records each file before putting it in place, so a file no record lists is not the pipeline's,
whatever its name: a copy, which the warehouse would count twice; it is moved to
``quarantine/rankings_daily/stray/``. A compacted file is checked against its folder's compaction
record (:mod:`orchestration.lib.ingestion.compaction`), and when damaged, each snapshot it held is
written again as a file of its own. Nothing is deleted.
"""

from __future__ import annotations

import os
import re
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb

from orchestration.lib.errors import ActionableError
from orchestration.lib.ingestion.compaction import finish_compactions
from orchestration.lib.ingestion.ingest import ingest_rankings_response
from orchestration.lib.ingestion.lake import (
    compact_timestamp,
    compaction_record,
    compaction_record_path,
    file_sha256,
    kept_lake_manifests,
    lake_lock,
    sha256_hex,
)
from orchestration.lib.responses import FetchedResponse
from orchestration.lib.settings import (
    EXPORTS_RANKINGS_ENDPOINT,
    RANKINGS_ENDPOINT,
    DataPaths,
    warehouse_lock_wait_seconds,
)
from orchestration.lib.storage import connect_duckdb


class UnrepairableLakeError(ActionableError):
    """Lake files are damaged and so are the landing bodies they would be rewritten from."""


@dataclass(frozen=True)
class LakeRepair:
    """One lake file that did not match its record, and what was done about it."""

    path: Path
    problem: str
    action: str


def _folder_date(folder: Path) -> date:
    return date.fromisoformat(folder.name.removeprefix("date="))


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


class _LandingBodyDamaged(Exception):
    """A landing body is missing, or no longer hashes to its name; the message says which."""


def _intact_landing_body(landing: Path | None, sha256: str) -> bytes:
    """The landing body of response ``sha256``, once it is found to hash to its name."""
    if landing is None:
        raise _LandingBodyDamaged("is missing from the landing zone")
    body = landing.read_bytes()
    if sha256_hex(body) != sha256:
        raise _LandingBodyDamaged(f"{landing} no longer hashes to its name")
    return body


def _write_again(paths: DataPaths, manifest: dict, landing: Path, body: bytes, day: date) -> None:
    """Ingest the landed response ``manifest`` records again for ``day``: its file for that date."""
    received_at = datetime.fromisoformat(manifest["received_at"])
    # An exports file is checked again against the manifest it was landed with.
    exports_manifest = manifest.get("exports_manifest")
    response = FetchedResponse(
        body,
        received_at,
        manifest["source"],
        f"repair from {landing}",
        manifest=FetchedResponse(
            (paths.landing_dir / exports_manifest).read_bytes(),
            received_at,
            manifest["source"],
            f"repair from {exports_manifest}",
        )
        if exports_manifest
        else None,
    )
    ingest_rankings_response(paths, response, day, day)


def repair_rankings_lake(paths: DataPaths, folders: list[Path] | None = None) -> list[LakeRepair]:
    """Check the lake's ``date=`` folders (all when ``folders`` is None) and repair them.

    A compacted file is checked against its folder's compaction record; when damaged, each
    snapshot it holds is written again from its landing body, as a file of its own.

    Raises :class:`UnrepairableLakeError`, after repairing everything else, when a damaged file's
    landing body is damaged or missing too: that snapshot cannot be fetched again (the API serves
    only its newest figures), so it must come back from a backup.
    """
    if folders is None:
        folders = sorted(paths.raw_rankings_dir.glob("date=*"))
    with lake_lock(paths):
        finish_compactions(paths, folders)
    compactions = {
        folder.name: record
        for folder in folders
        if (record := compaction_record(paths, folder.name))
    }
    # A retracted snapshot's files were taken out of the lake on purpose: one found there again
    # is a stray like any file no record lists.
    manifests = kept_lake_manifests(paths)
    wanted = {folder.name for folder in folders}
    # Snapshot files whose rows are in their folder's compacted file are checked as part of it.
    compacted = {
        f"{folder_name}/{name}"
        for folder_name, record in compactions.items()
        for name in record["snapshots"]
    }
    recorded = {
        name: manifest
        for manifest in manifests.values()
        for name in manifest["files"]
        if name.split("/")[0] in wanted and name not in compacted
    }
    landed = {
        path.stem.rsplit("_", 1)[1]: path
        for endpoint, pattern in (
            (RANKINGS_ENDPOINT, "*.json"),
            (EXPORTS_RANKINGS_ENDPOINT, "*.csv"),
        )
        for path in (paths.landing_dir / endpoint).glob(pattern)
    }
    # Every file a record lists: any other file in a folder is a stray.
    listed = set(recorded) | {f"{name}/{record['file']}" for name, record in compactions.items()}
    repairs, unrepairable = [], []
    for name, manifest in sorted(recorded.items()):
        sha256 = manifest["response_sha256"]
        path = paths.raw_rankings_dir / name
        problem = _problem(path, manifest["files"][name])
        if problem is None:
            continue
        landing = landed.get(sha256)
        try:
            body = _intact_landing_body(landing, sha256)
        except _LandingBodyDamaged as damaged:
            unrepairable.append(f"{path} is {problem} and its landing body {damaged}")
            continue
        if path.exists():
            _move_to_quarantine(paths, path, "damaged")
        _write_again(paths, manifest, landing, body, _folder_date(path.parent))
        repairs.append(LakeRepair(path, problem, f"written again from {landing.name}"))
    for folder_name, record in sorted(compactions.items()):
        path = paths.raw_rankings_dir / folder_name / record["file"]
        problem = _problem(path, record)
        if problem is None:
            continue
        responses = sorted({entry["response_sha256"] for entry in record["snapshots"].values()})
        try:
            bodies = {
                sha256: _intact_landing_body(landed.get(sha256), sha256) for sha256 in responses
            }
        except _LandingBodyDamaged as damaged:
            unrepairable.append(
                f"{path} is {problem} and a landing body of a snapshot it holds {damaged}"
            )
            continue
        if path.exists():
            _move_to_quarantine(paths, path, "damaged")
        # Without the record, the snapshots' own files are written again.
        compaction_record_path(paths, folder_name).unlink()
        for sha256 in responses:
            _write_again(
                paths, manifests[sha256], landed[sha256], bodies[sha256], _folder_date(path.parent)
            )
        listed |= {f"{folder_name}/{name}" for name in record["snapshots"]}
        repairs.append(
            LakeRepair(
                path,
                problem,
                f"its {len(responses)} snapshot(s) written again from the landing zone",
            )
        )
    for folder in folders:
        for path in sorted(folder.glob("*.parquet")):
            if str(path.relative_to(paths.raw_rankings_dir)) in listed:
                continue
            target = _move_to_quarantine(paths, path, "stray")
            problem = "not written by the pipeline: no record lists it"
            repairs.append(LakeRepair(path, problem, f"moved to {target}"))
    if unrepairable:
        raise UnrepairableLakeError(
            f"snapshot files cannot be repaired: {'; '.join(unrepairable)}. A snapshot cannot be "
            "fetched again (the API serves only its newest figures): restore the landing body "
            f"from a backup into {paths.landing_dir / RANKINGS_ENDPOINT}, then run `make repair`"
        )
    return repairs


class WarehouseLockedError(ActionableError):
    """Another program held the working warehouse open for longer than a run waits."""


# How DuckDB says another process holds a database file: "... Conflicting lock is held in
# <program> (PID <pid>) ...".
_LOCK_CONFLICT = re.compile(r"Could not set lock on file.*?held in (?P<holder>.+? \(PID \d+\))?")


def working_warehouse_state(database: Path, lock_wait_seconds: float = 0.0) -> str:
    """``built`` (it opens and holds the daily fact), ``unbuilt`` (absent, or no fact yet: a
    run must build every date) or ``unreadable`` (damaged: set it aside and build every date).

    A file another process holds open is not damaged: it is waited for up to
    ``lock_wait_seconds``, then :class:`WarehouseLockedError` names the holder.
    """
    if not database.exists():
        return "unbuilt"
    deadline = time.monotonic() + lock_wait_seconds
    while True:
        try:
            with connect_duckdb(database, read_only=True) as connection:
                (tables,) = connection.execute(
                    "select count(*) from duckdb_tables() "
                    "where schema_name = 'marts' and table_name = 'fct_model_daily_tokens'"
                ).fetchone()
            return "built" if tables else "unbuilt"
        except duckdb.Error as error:
            locked = _LOCK_CONFLICT.search(str(error))
            if not locked:
                return "unreadable"
            if time.monotonic() >= deadline:
                holder = locked["holder"] or "another process"
                raise WarehouseLockedError(
                    f"the working warehouse {database} is held open by {holder}, which did not "
                    f"let go within {lock_wait_seconds:.0f}s (WAREHOUSE_LOCK_WAIT_SECONDS); it "
                    "was left as it is. Close that program (analysts read the published "
                    "warehouse.duckdb, not this working copy) and run again."
                ) from None
            time.sleep(min(1.0, max(0.0, deadline - time.monotonic())))


def set_aside_damaged_warehouse(database: Path) -> Path:
    """Move a working DuckDB file that cannot be read out of the way, for a full rebuild."""
    target = database.with_name(f"{database.name}.damaged-{compact_timestamp(datetime.now(UTC))}")
    os.replace(database, target)
    wal = database.with_name(database.name + ".wal")
    if wal.exists():
        os.replace(wal, target.with_name(target.name + ".wal"))
    return target


@dataclass(frozen=True)
class InputsRepair:
    """What repairing a run's inputs did, and the working warehouse's state afterwards."""

    lake: list[LakeRepair]
    warehouse_set_aside: Path | None
    # "built", or "unbuilt" (absent, empty or set aside: the run builds every date).
    warehouse_state: str

    @property
    def lines(self) -> list[str]:
        """What was done, one line each."""
        lines = [
            f"lake file {repair.path}: {repair.problem}; {repair.action}" for repair in self.lake
        ]
        if self.warehouse_set_aside:
            lines.append(
                f"the working warehouse cannot be read (moved to {self.warehouse_set_aside}): "
                "rebuilding it from the lake, which holds everything it derives from"
            )
        return lines


def repair_inputs(paths: DataPaths, folders: list[Path] | None = None) -> InputsRepair:
    """Repair the lake's ``date=`` folders (all when ``folders`` is None) and set aside a working
    warehouse that cannot be read: it is derived data, rebuilt from the lake by the next build.

    Waits for another program holding the warehouse (``WAREHOUSE_LOCK_WAIT_SECONDS``), never
    taking a held file for a damaged one.
    """
    lake = repair_rankings_lake(paths, folders)
    state = working_warehouse_state(paths.working_warehouse, warehouse_lock_wait_seconds())
    set_aside = None
    if state == "unreadable":
        set_aside = set_aside_damaged_warehouse(paths.working_warehouse)
        state = "unbuilt"
    return InputsRepair(lake, set_aside, state)
