"""Compaction: a ``date=`` folder's snapshot files rewritten as one file, every row kept.

The lake writes one file per snapshot per date. With the keyless exports each daily snapshot
restates the trailing 30 days, so a date folder gains a file a day for a month: some 11,000
small files a year, each opened by every read. :func:`compact_rankings_lake` rewrites each folder
holding more than one file as one, ``compacted_<sha256 prefix>.parquet``, sorted by snapshot
(``as_of``, ``fetched_at``, ``response_sha256``), then as each snapshot was written. Every row of
every snapshot stays, so restatements stay visible and the warehouse built from the lake is the
same. One file per date, not per month: a run over a few dates still reads only their folders.

A folder's compaction record (:func:`orchestration.lib.ingestion.lake.compaction_record`) names
its compacted file, with rows and SHA-256, and every snapshot file whose rows it holds: repair
checks the compacted file as it checks any other, and rewrites it from the landing bodies of
those snapshots. Each folder is compacted under the lake's lock, in steps a kill may stop
anywhere:

1. the folder's files are checked against their records and merged into a hidden staged file,
   whose rows per snapshot are checked against the records;
2. the record is written, atomically: this is the commit;
3. the staged file is renamed into place, and the files it replaces are removed.

Killed before 2, the folder is as it was (the staged file is removed next time). Killed after,
:func:`finish_compactions` (run first by compaction, repair and retraction) completes 3. A
replaced file's rows are in the compacted file, and its response's body in the landing zone.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from orchestration.lib.errors import ActionableError
from orchestration.lib.ingestion.lake import (
    compaction_record,
    compaction_record_path,
    file_sha256,
    kept_lake_manifests,
    lake_lock,
)
from orchestration.lib.settings import DataPaths
from orchestration.lib.storage import (
    copy_to_parquet,
    fsync_directory,
    scratch_connection,
    sql_string,
    write_bytes_atomic,
)

COMPACTED_FILE_PREFIX = "compacted_"
# Within a snapshot, the order ingestion writes its rows in.
_ROW_ORDER = "as_of, fetched_at, response_sha256, is_other, total_tokens desc, model_permaslug"


class CompactionError(ActionableError):
    """A folder was left as it was: its files do not match their records."""


@dataclass(frozen=True)
class FolderCompaction:
    """One ``date=`` folder rewritten: how many files it held, and the one it holds now."""

    folder: Path
    files_before: int
    # None when no row is left (the folder's only snapshot was taken out).
    compacted_file: Path | None
    rows: int


def _staged_path(folder: Path, compacted_name: str) -> Path:
    return folder / f".{compacted_name}.staged"


def _replaced_files(folder: Path, record: dict) -> list[Path]:
    """The files of ``folder`` whose rows the record's compacted file holds: snapshot files,
    and the compacted file it replaced, by the name the record gives. Any other file is left to
    repair, which moves a file no record lists to quarantine instead of deleting it."""
    return [
        path
        for path in sorted(folder.glob("*.parquet"))
        if path.name != record["file"]
        and (path.name in record["snapshots"] or path.name == record.get("replaces"))
    ]


def _remove(files: list[Path], folder: Path) -> None:
    for path in files:
        path.unlink()
    fsync_directory(folder)


def finish_compactions(paths: DataPaths, folders: list[Path]) -> None:
    """Complete the compactions of ``folders`` a kill interrupted after their commit, and remove
    the staged files of those it interrupted before. Call it holding the lake's lock.

    A compacted file that does not match its record is left to repair, with the files it would
    replace: those still hold their rows.
    """
    for folder in folders:
        record = compaction_record(paths, folder.name)
        staged = _staged_path(folder, record["file"]) if record else None
        for leftover in folder.glob(".*"):
            if leftover != staged:
                leftover.unlink()
        if record is None:
            continue
        compacted = folder / record["file"]
        if staged.exists() and not compacted.exists():
            os.replace(staged, compacted)
            fsync_directory(folder)
        staged.unlink(missing_ok=True)
        replaced = _replaced_files(folder, record)
        if replaced and compacted.exists() and file_sha256(compacted) == record["sha256"]:
            _remove(replaced, folder)


def _recorded_snapshot_files(paths: DataPaths) -> dict[str, dict]:
    """Every snapshot file the kept manifests record, by path from the rankings folder: its
    ``rows``, ``sha256`` and ``response_sha256``."""
    return {
        name: {**entry, "response_sha256": sha256}
        for sha256, manifest in kept_lake_manifests(paths).items()
        for name, entry in manifest["files"].items()
    }


def _rewrite_folder(
    paths: DataPaths, folder: Path, recorded: dict[str, dict], without: str | None = None
) -> FolderCompaction | None:
    """Rewrite ``folder``'s files as one, leaving out the rows of snapshot ``without`` (a
    ``response_sha256``) if given; None when there is nothing to do (one file or none)."""
    record = compaction_record(paths, folder.name)
    snapshots = dict(record["snapshots"]) if record else {}
    members, damaged = [], []
    for path in sorted(folder.glob("*.parquet")):
        if record and path.name == record["file"]:
            expected = record
        elif entry := recorded.get(f"{folder.name}/{path.name}"):
            expected = entry
            snapshots[path.name] = {
                "response_sha256": entry["response_sha256"],
                "rows": entry["rows"],
            }
        else:
            continue  # no record lists it: repair moves it out
        members.append(path)
        if file_sha256(path) != expected["sha256"]:
            damaged.append(path.name)
    if damaged:
        raise CompactionError(
            f"{folder}: {', '.join(damaged)} do not match their records (truncated or changed "
            "since written); the folder was left as it was. Run `make repair`, which rewrites "
            "them from the landing zone, then compact again"
        )
    if without is None and len(members) < 2:
        return None
    snapshots = {
        name: entry for name, entry in snapshots.items() if entry["response_sha256"] != without
    }
    expected_rows = {entry["response_sha256"]: entry["rows"] for entry in snapshots.values()}
    staging = folder / ".compaction.staged"
    with scratch_connection() as connection:
        files = ", ".join(sql_string(path) for path in members)
        query = f"""
            select * from read_parquet([{files}], hive_partitioning = true, union_by_name = true)
            where response_sha256 is distinct from {sql_string(without)}
            order by {_ROW_ORDER}
        """
        copy_to_parquet(connection, query, staging)
        rows = dict(
            connection.execute(
                f"select response_sha256, count(*) from read_parquet({sql_string(staging)}) "
                "group by all"
            ).fetchall()
        )
    if rows != expected_rows:
        staging.unlink()
        raise CompactionError(
            f"{folder}: the merged file holds {rows} rows per snapshot where the records say "
            f"{expected_rows}; the folder was left as it was. Run `make repair`, then compact again"
        )
    total = sum(rows.values())
    if not total:
        # Nothing left: removing the record is the commit.
        staging.unlink()
        compaction_record_path(paths, folder.name).unlink(missing_ok=True)
        fsync_directory(paths.lake_compactions_dir)
        _remove(members, folder)
        return FolderCompaction(folder, len(members), None, 0)
    digest = file_sha256(staging)
    name = f"{COMPACTED_FILE_PREFIX}{digest[:16]}.parquet"
    os.replace(staging, _staged_path(folder, name))
    new_record = {
        "folder": folder.name,
        "file": name,
        "rows": total,
        "sha256": digest,
        "compacted_at": datetime.now(UTC).isoformat(),
        "snapshots": snapshots,
        # The folder's compacted file before this one, whose rows this one holds.
        "replaces": record["file"] if record else None,
    }
    write_bytes_atomic(
        compaction_record_path(paths, folder.name),
        json.dumps(new_record, indent=1, sort_keys=True).encode(),
    )
    finish_compactions(paths, [folder])
    return FolderCompaction(folder, len(members), folder / name, total)


def compact_rankings_lake(
    paths: DataPaths, folders: list[Path] | None = None
) -> list[FolderCompaction]:
    """Rewrite each of the lake's ``date=`` folders (all when ``folders`` is None) that holds more
    than one file as one file; return what was rewritten.

    Raises :class:`CompactionError`, after compacting every other folder, for a folder whose
    files do not match their records: ``make repair`` first.
    """
    if folders is None:
        folders = sorted(paths.raw_rankings_dir.glob("date=*"))
    compactions, errors = [], []
    with lake_lock(paths):
        finish_compactions(paths, folders)
        recorded = _recorded_snapshot_files(paths)
        for folder in folders:
            try:
                if compaction := _rewrite_folder(paths, folder, recorded):
                    compactions.append(compaction)
            except CompactionError as error:
                errors.append(str(error))
    if errors:
        raise CompactionError("; ".join(errors))
    return compactions


def take_snapshot_out_of_compacted_files(
    paths: DataPaths, sha256: str, target_dir: Path
) -> list[Path]:
    """Move the rows of snapshot ``sha256`` out of the compacted files holding them, each
    folder's into ``target_dir/<date=...>/<its snapshot file name>``; return those files.

    Safe to repeat after a kill: a file already written is kept, and a folder whose record no
    longer lists the snapshot is done. Call it holding the lake's lock.
    """
    written = []
    recorded = _recorded_snapshot_files(paths)
    for record_path in sorted(paths.lake_compactions_dir.glob("date=*.json")):
        record = json.loads(record_path.read_text())
        names = [
            name
            for name, entry in record["snapshots"].items()
            if entry["response_sha256"] == sha256
        ]
        if not names:
            continue
        folder = paths.raw_rankings_dir / record["folder"]
        finish_compactions(paths, [folder])
        [name] = names
        compacted = folder / record["file"]
        if not compacted.exists() or file_sha256(compacted) != record["sha256"]:
            raise CompactionError(
                f"{compacted} does not match its record, so snapshot {sha256} cannot be "
                "taken out of it: run `make repair`, then retract again"
            )
        target = target_dir / folder.name / name
        if not target.exists():
            with scratch_connection() as connection:
                copy_to_parquet(
                    connection,
                    f"""
                    select * from read_parquet(
                        {sql_string(compacted)}, hive_partitioning = true
                    )
                    where response_sha256 = {sql_string(sha256)}
                    order by {_ROW_ORDER}
                    """,
                    target,
                )
        _rewrite_folder(paths, folder, recorded, without=sha256)
        written.append(target)
    return written
