"""Land, validate and write one response: the path every response takes, live or sample."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import NoReturn

import pyarrow.compute as pc

from orchestration.lib.ingestion.lake import (
    LandedResponse,
    catalog_parquet_path,
    catalog_table,
    land_response,
    quarantine_response,
    write_rankings_snapshot,
)
from orchestration.lib.ingestion.retraction import retraction_record
from orchestration.lib.ingestion.validation import (
    InvalidResponseError,
    validate_catalog_response,
    validate_rankings_response,
)
from orchestration.lib.responses import FetchedResponse
from orchestration.lib.settings import CATALOG_ENDPOINT, RANKINGS_ENDPOINT, DataPaths
from orchestration.lib.storage import copy_to_parquet, scratch_connection


class QuarantinedResponseError(RuntimeError):
    """A response failed validation and was moved to quarantine; nothing reached the lake."""


@dataclass
class RankingsIngestResult:
    """What ingesting one rankings response did."""

    landing_file: Path
    response_sha256: str
    as_of: datetime
    source: str
    rows: int = 0
    total_tokens: int = 0
    # The dates in range the snapshot holds (written to the lake unless it was retracted).
    dates: list[date] = field(default_factory=list)
    written: list[Path] = field(default_factory=list)
    already_present: list[Path] = field(default_factory=list)
    # The reason, when the snapshot was retracted earlier: its rows are then not written.
    retracted: str | None = None


@dataclass
class CatalogIngestResult:
    """What ingesting one catalogue response did."""

    landing_file: Path
    response_sha256: str
    as_of: datetime
    models: int
    parquet_file: Path
    written: bool


def _quarantine_and_raise(
    paths: DataPaths,
    endpoint: str,
    landed: LandedResponse,
    response: FetchedResponse,
    error: InvalidResponseError,
) -> NoReturn:
    target = quarantine_response(paths, endpoint, landed, error)
    raise QuarantinedResponseError(
        f"{error} (received from {response.origin}). The response was moved to {target} with the "
        f"error beside it in {target.with_suffix('.error.json').name}; nothing of it reached the "
        "lake. Fix or re-fetch the source and run again; report persistent API errors to "
        "OpenRouter."
    ) from error


def ingest_rankings_response(
    paths: DataPaths, response: FetchedResponse, start_date: date, end_date: date
) -> RankingsIngestResult:
    """Land the body, validate it, then write its rows for dates in ``start_date..end_date``."""
    landed = land_response(paths, RANKINGS_ENDPOINT, response.body, response.received_at)
    try:
        snapshot = validate_rankings_response(
            landed.body, landed.path, response.received_at, response.requested_window
        )
    except InvalidResponseError as error:
        _quarantine_and_raise(paths, RANKINGS_ENDPOINT, landed, response, error)
    in_range = snapshot.rows.filter(
        (pc.field("date") >= start_date) & (pc.field("date") <= end_date)
    )
    dates = sorted(set(in_range["date"].to_pylist()))
    if retraction := retraction_record(paths, landed.sha256):
        return RankingsIngestResult(
            landing_file=landed.path,
            response_sha256=landed.sha256,
            as_of=snapshot.as_of,
            source=response.source,
            dates=dates,
            retracted=retraction["reason"],
        )
    written, already_present = write_rankings_snapshot(
        paths, snapshot, start_date, end_date, response.source, response.received_at, landed.sha256
    )
    return RankingsIngestResult(
        landing_file=landed.path,
        response_sha256=landed.sha256,
        as_of=snapshot.as_of,
        source=response.source,
        rows=in_range.num_rows,
        total_tokens=pc.sum(in_range["total_tokens"]).as_py() or 0,
        dates=dates,
        written=written,
        already_present=already_present,
    )


def ingest_catalog_response(paths: DataPaths, response: FetchedResponse) -> CatalogIngestResult:
    """Land the body, validate it, then write it as one Parquet snapshot (if not already there)."""
    landed = land_response(paths, CATALOG_ENDPOINT, response.body, response.received_at)
    try:
        models = validate_catalog_response(landed.body, landed.path)
    except InvalidResponseError as error:
        _quarantine_and_raise(paths, CATALOG_ENDPOINT, landed, response, error)
    # The catalogue has no meta block: its snapshot time is when it was received.
    as_of = response.received_at
    existing = sorted(paths.raw_catalog_dir.glob(f"*_{landed.sha256[:16]}.parquet"))
    already = bool(existing)
    path = existing[0] if already else catalog_parquet_path(paths, as_of, landed.sha256)
    if not already:
        table = catalog_table(models, as_of, response.source, response.received_at, landed.sha256)
        with scratch_connection() as connection:
            connection.register("catalog_rows", table)
            copy_to_parquet(connection, "select * from catalog_rows", path)
    return CatalogIngestResult(
        landing_file=landed.path,
        response_sha256=landed.sha256,
        as_of=as_of,
        models=len(models),
        parquet_file=path,
        written=not already,
    )


def missing_dates(first: date, last: date, covered: Iterable[date]) -> list[date]:
    """The dates of ``first..last`` that no ingested row covers, in order."""
    present = set(covered)
    days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
    return [day for day in days if day not in present]
