"""Strict validation of OpenRouter's keyless daily exports: a snapshot's manifest, and the dated
CSV file it names (``../shared``'s Data API notes, section 4; docs/analysts.md).

A file is checked against its manifest (size and SHA-256) before a byte of it is parsed, then
parsed with the same row rules as a Data API response (:func:`validated_rows`), so the lake
holds the same rows whichever feed they came from.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from urllib.parse import urlparse

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.ingestion.validation import (
    InvalidResponseError,
    RankingsSnapshot,
    load_json_object,
    parse_date,
    parse_timestamp,
    validated_rows,
)

EXPORTS_DATASET = "rankings-daily"
EXPORTS_SCHEMA_VERSION = "v1"
CSV_HEADER = "date,model_permaslug,rank,total_tokens,share_of_daily_tokens"
# A snapshot is a trailing 30-day window of complete days.
SNAPSHOT_WINDOW_DAYS = 30
_SHA256 = re.compile(r"[0-9a-f]{64}", re.ASCII)
_RANK = re.compile(r"[1-9][0-9]?", re.ASCII)
_SHARE = re.compile(r"[0-9]+(\.[0-9]+)?([eE][-+]?[0-9]+)?", re.ASCII)


@dataclass(frozen=True)
class ExportsManifest:
    """The fields of a snapshot's manifest the pipeline relies on."""

    snapshot_date: date
    retrieved_at: datetime
    row_count: int
    csv_path: str
    csv_bytes: int
    csv_sha256: str
    schema_version: str


def validate_exports_manifest(body: bytes, file: Path | str) -> ExportsManifest:
    """Validate a ``rankings-daily`` manifest: its dataset, version and the CSV file it names.

    The file must be the dated one of the manifest's snapshot (``<snapshot_date>.csv``): the
    ``latest.*`` aliases can mix two snapshots just after a publish.
    """
    document = load_json_object(body, file, "a manifest with 'snapshot_date' and 'files'")
    if document.get("dataset") != EXPORTS_DATASET:
        raise InvalidResponseError(
            file, f"dataset must be {EXPORTS_DATASET!r}, got {document.get('dataset')!r}"
        )
    version = document.get("schema_version")
    if version != EXPORTS_SCHEMA_VERSION:
        raise InvalidResponseError(
            file, f"schema_version must be {EXPORTS_SCHEMA_VERSION!r}, got {version!r}"
        )
    snapshot_date = parse_date(document.get("snapshot_date"), file, "snapshot_date")
    retrieved_at = parse_timestamp(document.get("retrieved_at"), file, "retrieved_at")
    row_count = document.get("row_count")
    if isinstance(row_count, bool) or not isinstance(row_count, int) or row_count < 0:
        raise InvalidResponseError(file, f"row_count must be a whole number, got {row_count!r}")
    csv = (
        (document.get("files") or {}).get("csv")
        if isinstance(document.get("files"), dict)
        else None
    )
    if not isinstance(csv, dict):
        raise InvalidResponseError(file, "files.csv (url, bytes, sha256) is missing")
    url, size, digest = csv.get("url"), csv.get("bytes"), csv.get("sha256")
    if not isinstance(url, str) or not url:
        raise InvalidResponseError(file, f"files.csv.url must be a URL, got {url!r}")
    path = urlparse(url).path
    if not path.endswith(f"/{EXPORTS_DATASET}/{snapshot_date.isoformat()}.csv"):
        raise InvalidResponseError(
            file,
            f"files.csv.url {url!r} is not the dated file of snapshot {snapshot_date} "
            f"({snapshot_date}.csv): the manifest mixes two snapshots; fetch again in a few "
            "minutes",
        )
    if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
        raise InvalidResponseError(
            file, f"files.csv.bytes must be a positive integer, got {size!r}"
        )
    if not isinstance(digest, str) or not _SHA256.fullmatch(digest):
        raise InvalidResponseError(
            file, f"files.csv.sha256 must be 64 lowercase hex digits, got {digest!r}"
        )
    return ExportsManifest(snapshot_date, retrieved_at, row_count, path, size, digest, version)


def validate_exports_csv(
    body: bytes, file: Path | str, manifest: ExportsManifest
) -> RankingsSnapshot:
    """Parse a dated CSV file the manifest vouched for (size and hash already checked).

    ASCII with CRLF line endings and no quoting; the header as published; ``rank`` 1..50 and
    empty only on the ``other`` row; ``share_of_daily_tokens`` a fraction. The rows are held to
    the Data API's row rules; the snapshot's window is its first to last date, at most
    ``SNAPSHOT_WINDOW_DAYS`` days ending by its snapshot date.
    """
    try:
        text = body.decode("ascii")
    except UnicodeDecodeError as error:
        raise InvalidResponseError(
            file, f"the CSV is not ASCII (byte {error.start} is {body[error.start]:#04x})"
        ) from None
    if not text.endswith("\r\n"):
        raise InvalidResponseError(file, "the CSV's last line has no CRLF ending: truncated?")
    lines = text[: -len("\r\n")].split("\r\n")
    if lines[0] != CSV_HEADER:
        raise InvalidResponseError(file, f"the header must be {CSV_HEADER!r}, got {lines[0]!r}")
    records, shares = [], []
    for index, line in enumerate(lines[1:]):
        fields = line.split(",")
        if len(fields) != 5:
            raise InvalidResponseError(
                file,
                f"a row must have 5 comma-separated fields, got {len(fields)}: {line!r}",
                index,
            )
        day, slug, rank, tokens, share = fields
        if (slug == "other") != (rank == ""):
            raise InvalidResponseError(
                file,
                f"rank must be empty exactly on the 'other' row, got {rank!r} for {slug!r}",
                index,
            )
        if rank and (not _RANK.fullmatch(rank) or int(rank) > 50):
            raise InvalidResponseError(file, f"rank must be 1..50, got {rank!r}", index)
        if not _SHARE.fullmatch(share) or not 0 <= float(share) <= 1 or math.isnan(float(share)):
            raise InvalidResponseError(
                file, f"share_of_daily_tokens must be a fraction 0..1, got {share!r}", index
            )
        records.append({"date": day, "model_permaslug": slug, "total_tokens": tokens})
        shares.append(float(share))
    if len(records) != manifest.row_count:
        raise InvalidResponseError(
            file, f"the CSV has {len(records)} rows, its manifest says {manifest.row_count}"
        )
    if not records:
        raise InvalidResponseError(file, "the CSV has no rows")
    rows = validated_rows(records, file, date.min, date.max)
    first, last = pc.min(rows["date"]).as_py(), pc.max(rows["date"]).as_py()
    if last > manifest.snapshot_date or (last - first).days >= SNAPSHOT_WINDOW_DAYS:
        raise InvalidResponseError(
            file,
            f"dates {first}..{last} are not a trailing window of at most "
            f"{SNAPSHOT_WINDOW_DAYS} days ending by the snapshot date {manifest.snapshot_date}",
        )
    rows = rows.set_column(
        rows.schema.get_field_index("share_of_daily_tokens"),
        "share_of_daily_tokens",
        pa.array(shares, pa.float64()),
    )
    return RankingsSnapshot(manifest.retrieved_at, first, last, manifest.schema_version, rows)
