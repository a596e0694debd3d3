"""Atomic file writes: the one way the pipeline puts a file where readers can see it.

A file is written under a temporary name in its target folder (the name does not end in the
target's extension, so globbing readers never see it), flushed to disk, then renamed into place:
readers see the whole old file or the whole new one, never a part.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq


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


def write_bytes_atomic(path: Path, body: bytes) -> None:
    """Write ``body`` to ``path`` atomically."""
    with atomic_path(path) as temporary:
        temporary.write_bytes(body)


def write_parquet_atomic(data: pa.Table | pa.RecordBatchReader, path: Path) -> None:
    """The one Parquet writer: a table, or a stream of record batches, written atomically."""
    with atomic_path(path) as temporary:
        if isinstance(data, pa.Table):
            pq.write_table(data, temporary, compression="zstd")
            return
        with pq.ParquetWriter(temporary, data.schema, compression="zstd") as writer:
            for batch in data:
                writer.write_batch(batch)
