"""A full disk, told plainly: which filesystem, holding which of the pipeline's paths.

A write that finds no room fails in whichever library was writing: Python (``ENOSPC``), DuckDB
("No space left on device"), SQLite under Dagster's run storage ("database or disk is full").
Their errors are recognised here by their text, so that every entry point can say the same one
line instead of a traceback.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path

from orchestration.lib.errors import ActionableError

# How each library says its write found no room.
_DISK_FULL_SIGNS = ("No space left on device", "database or disk is full", "[Errno 28]")


class DiskFullError(ActionableError, OSError):
    """A write of the pipeline found no room; the message names the filesystem and the path."""


def error_chain_text(error: BaseException) -> str:
    """The messages of ``error`` and of every error it was raised from or during."""
    texts, seen = [], set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        texts.append(f"{type(current).__name__}: {current}")
        current = current.__cause__ or current.__context__
    return "\n".join(texts)


def means_disk_full(text: str) -> bool:
    """Whether an error's text says a write found no room."""
    return any(sign in text for sign in _DISK_FULL_SIGNS)


def _nearest_existing(path: Path) -> Path:
    """``path``, or its nearest ancestor that exists (a folder a failed run never made)."""
    existing = path.absolute()
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    return existing


def _mount_of(path: Path) -> tuple[Path, str]:
    """The mount point and filesystem type holding ``path``."""
    mount = _nearest_existing(path)
    while not os.path.ismount(mount):
        mount = mount.parent
    kind = "unknown type"
    for line in Path("/proc/mounts").read_text().splitlines():
        fields = line.split()
        if len(fields) > 2 and fields[1] == str(mount):
            kind = fields[2]
    return mount, kind


def _free_bytes(path: Path) -> int:
    return shutil.disk_usage(_nearest_existing(path)).free


def disk_full_error(candidates: Iterable[Path]) -> DiskFullError:
    """The error to report for a full disk: the fullest filesystem among those holding the
    ``candidates`` (the pipeline's folders), named with its mount point, type and free space."""
    path = min(candidates, key=_free_bytes)
    mount, kind = _mount_of(path)
    free = _free_bytes(path)
    return DiskFullError(
        f"no space left on the filesystem mounted at {mount} ({kind}), which holds {path}: "
        f"{free:,} bytes free. Free space there, then run the command again: what was "
        "published before is unchanged, and the next run takes up where this one stopped."
    )
