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
    retraction_record,
    write_rankings_snapshot,
)
from orchestration.lib.ingestion.openrouter_exports import (
    validate_exports_csv,
    validate_exports_manifest,
)
from orchestration.lib.ingestion.validation import (
    InvalidResponseError,
    RankingsSnapshot,
    validate_catalog_response,
    validate_rankings_response,
)
from orchestration.lib.responses import FetchedResponse
from orchestration.lib.settings import (
    CATALOG_ENDPOINT,
    EXPORTS_MANIFESTS_ENDPOINT,
    EXPORTS_RANKINGS_ENDPOINT,
    RANKINGS_ENDPOINT,
    DataPaths,
)
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
    # The first and last date the snapshot answers for (its meta window, or an exports file's
    # dates): a day in it without rows is missing data, a day outside it is not covered.
    window: tuple[date, date]
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
        f"error beside it in {target.stem}.error.json; nothing of it reached the lake. Fix or "
        "re-fetch the source and run again; report persistent errors to OpenRouter."
    ) from error


def _landed_exports_snapshot(
    paths: DataPaths, response: FetchedResponse, manifest_response: FetchedResponse
) -> tuple[LandedResponse, RankingsSnapshot, Path]:
    """Land an exports file and its manifest, check the file against the manifest and against
    the file landed before for the same snapshot date, then parse it; anything refused is
    quarantined with the reason. The landed file, its rows, and the landed manifest."""
    landed_manifest = land_response(
        paths, EXPORTS_MANIFESTS_ENDPOINT, manifest_response.body, manifest_response.received_at
    )
    try:
        manifest = validate_exports_manifest(landed_manifest.body, landed_manifest.path)
    except InvalidResponseError as error:
        _quarantine_and_raise(
            paths, EXPORTS_MANIFESTS_ENDPOINT, landed_manifest, manifest_response, error
        )
    landed = land_response(
        paths,
        EXPORTS_RANKINGS_ENDPOINT,
        response.body,
        response.received_at,
        label=manifest.snapshot_date.isoformat(),
        suffix=".csv",
    )
    try:
        if (len(landed.body), landed.sha256) != (manifest.csv_bytes, manifest.csv_sha256):
            raise InvalidResponseError(
                landed.path,
                f"the file is not the one its manifest ({landed_manifest.path.name}) names: "
                f"the manifest says {manifest.csv_bytes} bytes with SHA-256 "
                f"{manifest.csv_sha256}, the file has {len(landed.body)} bytes with SHA-256 "
                f"{landed.sha256}. Damaged or cut off in transit, or a manifest read just "
                "after a publish that mixes two snapshots: fetch again in a few minutes",
            )
        earlier = [
            path
            for path in landed.path.parent.glob(f"{manifest.snapshot_date.isoformat()}_*.csv")
            if path != landed.path
        ]
        if earlier:
            raise InvalidResponseError(
                landed.path,
                f"snapshot {manifest.snapshot_date} was published again with other content "
                f"(SHA-256 {landed.sha256}), although the publisher promises its dated files "
                f"never change; the file landed before ({earlier[0].name}) is kept and used. "
                "Report it to OpenRouter",
            )
        snapshot = validate_exports_csv(landed.body, landed.path, manifest)
    except InvalidResponseError as error:
        _quarantine_and_raise(paths, EXPORTS_RANKINGS_ENDPOINT, landed, response, error)
    return landed, snapshot, landed_manifest.path


def ingest_rankings_response(
    paths: DataPaths, response: FetchedResponse, start_date: date, end_date: date
) -> RankingsIngestResult:
    """Land the body (and an exports file's manifest), validate it, then write its rows for
    dates in ``start_date..end_date``."""
    exports_manifest = None
    if response.manifest is not None:
        landed, snapshot, exports_manifest = _landed_exports_snapshot(
            paths, response, response.manifest
        )
    else:
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
    result = RankingsIngestResult(
        landing_file=landed.path,
        response_sha256=landed.sha256,
        as_of=snapshot.as_of,
        source=response.source,
        window=(snapshot.window_start, snapshot.window_end),
        dates=dates,
    )
    if retraction := retraction_record(paths, landed.sha256):
        result.retracted = retraction["reason"]
        return result
    result.written, result.already_present = write_rankings_snapshot(
        paths,
        snapshot,
        start_date,
        end_date,
        response.source,
        response.received_at,
        landed.sha256,
        exports_manifest,
    )
    result.rows = in_range.num_rows
    result.total_tokens = pc.sum(in_range["total_tokens"]).as_py() or 0
    return result


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


def days_between(first: date, last: date) -> list[date]:
    """Every date from ``first`` to ``last``, inclusive (none when ``last`` is before it)."""
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def missing_dates(first: date, last: date, covered: Iterable[date]) -> list[date]:
    """The dates of ``first..last`` that no ingested row covers, in order."""
    present = set(covered)
    return [day for day in days_between(first, last) if day not in present]
