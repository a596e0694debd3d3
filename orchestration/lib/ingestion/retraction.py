"""Taking back a bad snapshot without hand surgery.

Retracting a rankings snapshot (by its ``response_sha256``) moves its lake files to
``quarantine/rankings_daily/retracted/<sha256>/`` and records why in ``<sha256>.retraction.json``
beside them. Where compaction merged its files, its rows are written there under their files'
names, and the compacted files are rewritten without them. Its landing body stays where it is,
as received. Ingestion never writes a retracted snapshot again (the same body fetched again is
skipped), and the dates it covered are rebuilt by the run that follows (``make retract`` starts
it; in Dagster, ``retract_snapshot_job`` is followed by a rebuild of those dates).
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path

from orchestration.lib.ingestion.compaction import take_snapshot_out_of_compacted_files
from orchestration.lib.ingestion.lake import lake_lock, retracted_dir, retraction_record
from orchestration.lib.settings import EXPORTS_RANKINGS_ENDPOINT, RANKINGS_ENDPOINT, DataPaths
from orchestration.lib.storage import fsync_directory, write_bytes_atomic

_SHA256_PREFIX = re.compile(r"[0-9a-f]{16,64}")


class RetractionError(ValueError):
    """A snapshot cannot be retracted as asked; the message says why and what to do."""


@dataclass(frozen=True)
class Retraction:
    """What retracting one snapshot did."""

    response_sha256: str
    reason: str
    retracted_at: datetime
    landing_file: Path
    dates: list[date]
    moved_files: list[Path]

    @property
    def record(self) -> dict:
        """The retraction as written to its ``.retraction.json``."""
        return {
            "response_sha256": self.response_sha256,
            "reason": self.reason,
            "retracted_at": self.retracted_at.isoformat(),
            "landing_file": str(self.landing_file),
            "dates": [day.isoformat() for day in self.dates],
            "moved_files": [str(path) for path in self.moved_files],
        }


def _landed_snapshot(paths: DataPaths, sha256_prefix: str) -> Path:
    if not _SHA256_PREFIX.fullmatch(sha256_prefix):
        raise RetractionError(
            f"{sha256_prefix!r} is not a response_sha256: give at least its first 16 lowercase "
            "hex digits (the raw rows' response_sha256 column, or the landing file's name)"
        )
    matches = sorted(
        path
        for endpoint in (RANKINGS_ENDPOINT, EXPORTS_RANKINGS_ENDPOINT)
        for path in (paths.landing_dir / endpoint).glob(f"*_{sha256_prefix}*.*")
    )
    if len(matches) != 1:
        found = "no landed rankings response" if not matches else f"{len(matches)} responses"
        raise RetractionError(
            f"{found} in {paths.landing_dir / RANKINGS_ENDPOINT} match {sha256_prefix!r}; "
            "give the response_sha256 of exactly one landed snapshot"
        )
    return matches[0]


def retract_snapshot(paths: DataPaths, sha256_prefix: str, reason: str) -> Retraction:
    """Move the lake files of one landed snapshot to quarantine, and record why.

    Safe to repeat, and to resume after a crash: each call moves whatever lake files of the
    snapshot remain, and the record lists every file in its quarantine folder (the first
    reason and time are kept).
    """
    if not reason.strip():
        raise RetractionError("say why the snapshot is retracted (a reason is recorded)")
    landing_file = _landed_snapshot(paths, sha256_prefix)
    sha256 = landing_file.stem.rsplit("_", 1)[1]
    target_dir = retracted_dir(paths) / sha256
    # Under the lake's lock: a compaction running meanwhile could otherwise read a file as it
    # moves out and write its rows back into a compacted file.
    with lake_lock(paths):
        for lake_file in sorted(paths.raw_rankings_dir.glob(f"date=*/*_{sha256[:16]}.parquet")):
            target = target_dir / lake_file.parent.name / lake_file.name
            target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(lake_file, target)
            fsync_directory(lake_file.parent)
        take_snapshot_out_of_compacted_files(paths, sha256, target_dir)
    moved = sorted(target_dir.glob("date=*/*.parquet")) if target_dir.exists() else []
    earlier = retraction_record(paths, sha256) or {}
    retracted_at = earlier.get("retracted_at") or datetime.now(UTC).isoformat()
    dates = {date.fromisoformat(path.parent.name.removeprefix("date=")) for path in moved}
    retraction = Retraction(
        response_sha256=sha256,
        reason=earlier.get("reason", reason),
        retracted_at=datetime.fromisoformat(retracted_at),
        landing_file=landing_file,
        dates=sorted(dates),
        moved_files=moved,
    )
    write_bytes_atomic(
        retracted_dir(paths) / f"{sha256}.retraction.json",
        json.dumps(retraction.record, indent=2).encode(),
    )
    return retraction
