"""Atomic file writes, the one Parquet writer (DuckDB's COPY), and file locks.

A file is written under a temporary name in its target folder (the name does not end in the
target's extension, so globbing readers never see it), flushed to disk, then renamed into place:
readers see the whole old file or the whole new one, never a part.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import duckdb

from orchestration.lib.settings import DUCKDB_MEMORY_LIMIT, DataPaths


def fsync_directory(directory: Path) -> None:
    """Make a rename in ``directory`` durable."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; when the block succeeds, move it into place."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    try:
        yield temporary
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, path)
        fsync_directory(path.parent)
    finally:
        temporary.unlink(missing_ok=True)


@contextmanager
def file_lock(path: Path, on_wait: Callable[[], None] | None = None) -> Iterator[None]:
    """Hold the exclusive lock on ``path`` (created if missing): one holder at a time, across
    processes; ``on_wait()`` is called first when another holder makes this one wait. The
    kernel releases it when its holder exits, even killed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a") as lock:
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            if on_wait is not None:
                on_wait()
            fcntl.flock(lock, fcntl.LOCK_EX)
        yield


@contextmanager
def warehouse_steps_lock(
    paths: DataPaths, on_wait: Callable[[], None] | None = None
) -> Iterator[None]:
    """Hold the lock the working warehouse's steps take turns by (not DuckDB's own lock on the
    file): one step at a time builds or publishes it, or compacts the lake the builds read.

    These are the steps of the warehouse pool, which already orders them; the lock also holds
    when two steps claim the pool's one slot at the same instant (seen with two commands started
    at once on SQLite storage), where DuckDB would refuse the second build its database.
    """
    with file_lock(paths.working_warehouse.with_name(".warehouse.lock"), on_wait):
        yield


def write_bytes_atomic(path: Path, body: bytes) -> None:
    """Write ``body`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(body)


def connect_duckdb(
    database: Path | str = ":memory:", read_only: bool = False
) -> duckdb.DuckDBPyConnection:
    """Open a DuckDB database within the pipeline's memory budget (``DUCKDB_MEMORY_LIMIT``)."""
    return duckdb.connect(
        str(database), read_only=read_only, config={"memory_limit": DUCKDB_MEMORY_LIMIT}
    )


_scratch_database: duckdb.DuckDBPyConnection | None = None


def scratch_connection() -> duckdb.DuckDBPyConnection:
    """A cursor on this process's in-memory DuckDB, for writing Parquet from Arrow tables.

    Opening a DuckDB database costs tens of milliseconds; a cursor costs microseconds.
    """
    global _scratch_database
    if _scratch_database is None:
        _scratch_database = connect_duckdb()
    return _scratch_database.cursor()


def sql_string(value: object) -> str:
    """``value`` as a SQL string literal, for SQL built as text (COPY, ATTACH, file lists)."""
    return "'" + str(value).replace("'", "''") + "'"


def copy_to_parquet(
    connection: duckdb.DuckDBPyConnection,
    query: str,
    path: Path,
    metadata: Mapping[str, str] | None = None,
) -> None:
    """Write the result of ``query`` to one Parquet file, atomically (DuckDB streams it).

    ``metadata`` goes into the file's key-value metadata (keys are plain identifiers).
    """
    options = "format parquet, compression zstd"
    if metadata:
        pairs = ", ".join(f"{key}: {sql_string(value)}" for key, value in metadata.items())
        options += f", kv_metadata {{{pairs}}}"
    with atomic_path(path) as temporary:
        connection.execute(f"copy ({query}) to {sql_string(temporary)} ({options})")


def switch_symlink(link: Path, target: Path) -> Path | None:
    """Point ``link`` at ``target`` in one rename; return what it pointed at before, if anything.

    A folder found where the link goes (exports written before links were used) is moved to
    ``<target's parent>/previous-<uuid>`` first, so it is kept and the switch can happen.
    """
    previous = None
    if link.is_symlink():
        previous = link.resolve()
    elif link.exists():
        previous = target.parent / f"previous-{uuid.uuid4().hex[:8]}"
        os.replace(link, previous)
    temporary = link.with_name(f".{link.name}.{uuid.uuid4().hex}.tmp")
    os.symlink(os.path.relpath(target, link.parent), temporary)
    os.replace(temporary, link)
    fsync_directory(link.parent)
    return previous


@contextmanager
def staged_partitioned_parquet(
    connection: duckdb.DuckDBPyConnection,
    query: str,
    folder: Path,
    partition_column: str,
    file_name: str,
) -> Iterator[dict[Path, Path]]:
    """Write ``query`` as one file per value of ``partition_column``, staged and flushed to disk;
    yield ``{folder/<column>=<value>/<file_name>: staged file}``.

    The files are written in one pass in a hidden staging folder, which is removed when the block
    ends: the caller places the files it wants with :func:`place_staged_files` inside the block,
    after recording them, so that no file is ever in place without its record.
    """
    staging = folder / f".staging-{uuid.uuid4().hex}"
    folder.mkdir(parents=True, exist_ok=True)
    try:
        connection.execute(
            f"""
            copy ({query}) to {sql_string(staging)} (
                format parquet, compression zstd, partition_by ({partition_column}),
                write_partition_columns true, filename_pattern 'part_{{i}}'
            )
            """
        )
        staged = {}
        if staging.exists():
            os.sync()  # one flush for every staged file, instead of an fsync per small file
            for partition in sorted(staging.iterdir()):
                [staged_file] = list(partition.iterdir())
                staged[folder / partition.name / file_name] = staged_file
        yield staged
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def place_staged_files(files: Mapping[Path, Path]) -> None:
    """Rename staged files to their targets (``{target: staged}``), durably."""
    for target, staged in files.items():
        target.parent.mkdir(parents=True, exist_ok=True)
        os.replace(staged, target)
    if files:
        os.sync()  # make the renames durable


def remove_stale_temporary_files(paths: DataPaths) -> list[Path]:
    """Delete what dead writers left in the pipeline's folders: temporary files, staging folders.

    ``atomic_path`` names its temporary files ``.<name>.<uuid>.tmp`` (DuckDB adds ``.tmp.wal``
    beside a database being written) and partitioned writes stage in ``.staging-<uuid>``; none is
    ever read. Call it only when no run is writing, since a live writer's files look the same.
    """
    folders = [
        paths.data_dir,
        paths.working_warehouse.parent,
        paths.raw_rankings_dir,
        paths.raw_catalog_dir,
        paths.lake_manifests_dir,
        *(folder for folder in paths.exports_versions_dir.glob("*") if folder.is_dir()),
        paths.exports_dir.parent,
        paths.reports_dir,
        *(folder for folder in paths.landing_dir.glob("*") if folder.is_dir()),
        *(folder for folder in paths.quarantine_dir.glob("*") if folder.is_dir()),
    ]
    removed = []
    for folder in folders:
        for path in sorted(folder.glob(".*")):
            if path.is_dir() and path.name.startswith(".staging-"):
                shutil.rmtree(path, ignore_errors=True)
                removed.append(path)
            elif (path.is_file() or path.is_symlink()) and path.name.endswith((".tmp", ".tmp.wal")):
                path.unlink(missing_ok=True)
                removed.append(path)
    return removed
