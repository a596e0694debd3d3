"""The Parquet lake: landing copies of responses, quarantine, Parquet files, and the manifests
recording what each response wrote (row counts and SHA-256, checked by
:mod:`orchestration.lib.ingestion.repair`).

Nothing here ever modifies or deletes a landed body or a Parquet file; a manifest is rewritten
whole as files are added to it, each file recorded before it is put in place, so that every file
the pipeline put in the lake is recorded and a file no record lists is not the pipeline's. Every
write is atomic (:mod:`orchestration.lib.storage`), so readers see a whole file or none; file
names carry the snapshot's ``as_of`` and the response's SHA-256, so ingesting the same response
again adds nothing and a restated snapshot lands beside the older one. Compaction
(:mod:`orchestration.lib.ingestion.compaction`) later rewrites a ``date=`` folder's files as one,
recording it in the folder's compaction record; a snapshot file that record holds counts as
present, so ingesting its response again adds nothing either.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.lib.ingestion.validation import RankingsSnapshot
from orchestration.lib.settings import RANKINGS_ENDPOINT, DataPaths
from orchestration.lib.storage import (
    file_lock,
    place_staged_files,
    scratch_connection,
    sql_string,
    staged_partitioned_parquet,
    write_bytes_atomic,
)

RAW_CATALOG_SCHEMA = pa.schema(
    [
        ("id", pa.string()),
        ("canonical_slug", pa.string()),
        ("name", pa.string()),
        ("created", pa.timestamp("s", tz="UTC")),
        ("hugging_face_id", pa.string()),
        ("context_length", pa.int64()),
        ("modality", pa.string()),
        # USD per token, kept as the exact decimal strings the API sends.
        ("prompt_price", pa.string()),
        ("completion_price", pa.string()),
        ("raw_json", pa.string()),
        ("as_of", pa.timestamp("us", tz="UTC")),
        ("source", pa.string()),
        ("fetched_at", pa.timestamp("us", tz="UTC")),
        ("response_sha256", pa.string()),
    ]
)


def sha256_hex(body: bytes) -> str:
    """The SHA-256 of a response body, as lowercase hex."""
    return hashlib.sha256(body).hexdigest()


def compact_timestamp(moment: datetime) -> str:
    """A file-name-safe UTC timestamp, e.g. ``20260216T020000Z``."""
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


@dataclass(frozen=True)
class LandedResponse:
    """A response body stored exactly as received."""

    path: Path
    sha256: str
    body: bytes


def land_response(
    paths: DataPaths,
    endpoint: str,
    body: bytes,
    received_at: datetime,
    label: str | None = None,
    suffix: str = ".json",
) -> LandedResponse:
    """Store a response body as received, before any parsing.

    Files are content-addressed (``<label>_<sha256><suffix>``, the label by default when it was
    received): a body already landed is not written again, and a landed file is never modified.
    """
    digest = sha256_hex(body)
    folder = paths.landing_dir / endpoint
    existing = sorted(folder.glob(f"*_{digest}{suffix}")) if folder.exists() else []
    if existing:
        return LandedResponse(existing[0], digest, body)
    path = folder / f"{label or compact_timestamp(received_at)}_{digest}{suffix}"
    write_bytes_atomic(path, body)
    return LandedResponse(path, digest, body)


def quarantine_response(
    paths: DataPaths, endpoint: str, landed: LandedResponse, error: Exception
) -> Path:
    """Move an invalid response out of landing into quarantine, with a sidecar giving the error."""
    folder = paths.quarantine_dir / endpoint
    target = folder / landed.path.name
    sidecar = target.with_name(f"{target.stem}.error.json")
    write_bytes_atomic(
        sidecar,
        json.dumps(
            {"landing_file": str(landed.path), "sha256": landed.sha256, "error": str(error)},
            indent=2,
        ).encode(),
    )
    folder.mkdir(parents=True, exist_ok=True)
    os.replace(landed.path, target)
    return target


def retracted_dir(paths: DataPaths) -> Path:
    """Where retracted snapshots' lake files and records are kept."""
    return paths.quarantine_dir / RANKINGS_ENDPOINT / "retracted"


def retraction_record(paths: DataPaths, sha256: str) -> dict | None:
    """The record of the retraction of snapshot ``sha256``, or None if it was not retracted.

    ``sha256`` may be a leading part of it, as long as one record matches.
    """
    records = sorted(retracted_dir(paths).glob(f"{sha256}*.retraction.json"))
    return json.loads(records[0].read_text()) if len(records) == 1 else None


def kept_lake_manifests(paths: DataPaths) -> dict[str, dict]:
    """The manifest of each response whose files belong in the lake, by ``response_sha256``:
    a retracted snapshot's files were taken out on purpose, so its manifest is left out."""
    manifests = (
        json.loads(path.read_text()) for path in sorted(paths.lake_manifests_dir.glob("*.json"))
    )
    return {
        manifest["response_sha256"]: manifest
        for manifest in manifests
        if not retraction_record(paths, manifest["response_sha256"])
    }


def rankings_file_name(as_of: datetime, sha256: str) -> str:
    """The name of a snapshot's file in each date folder: ``<as_of>_<sha256 prefix>.parquet``."""
    return f"{compact_timestamp(as_of)}_{sha256[:16]}.parquet"


def write_rankings_snapshot(
    paths: DataPaths,
    snapshot: RankingsSnapshot,
    start_date: date,
    end_date: date,
    source: str,
    fetched_at: datetime,
    sha256: str,
    exports_manifest: Path | None = None,
) -> tuple[list[Path], list[Path]]:
    """Write the snapshot's rows dated ``start_date..end_date``, one Parquet file per date.

    ``rank_in_day`` is the position within the date by tokens descending, ties alphabetical by
    permaslug (the API's order), the ``other`` row excluded. Each new file is recorded in the
    response's manifest, then put in place. Returns ``(written, already_present)``: a file already
    present for the same snapshot and date is left as it is, which makes re-ingesting a response
    idempotent.
    """
    with scratch_connection() as connection:
        connection.register("snapshot_rows", snapshot.rows)
        query = """
            select
                date,
                model_permaslug,
                total_tokens,
                case when not is_other then cast(row_number() over (
                    partition by date, is_other order by total_tokens desc, model_permaslug
                ) as integer) end as rank_in_day,
                is_other,
                share_of_daily_tokens,
                $as_of::timestamptz as as_of,
                $window_start::date as window_start,
                $window_end::date as window_end,
                $api_version as api_version,
                $source as source,
                $fetched_at::timestamptz as fetched_at,
                $sha256 as response_sha256
            from snapshot_rows
            where date between $start_date::date and $end_date::date
            order by date, is_other, total_tokens desc, model_permaslug
        """
        parameters = {
            "as_of": snapshot.as_of,
            "window_start": snapshot.window_start,
            "window_end": snapshot.window_end,
            "api_version": snapshot.api_version,
            "source": source,
            "fetched_at": fetched_at,
            "sha256": sha256,
            "start_date": start_date,
            "end_date": end_date,
        }
        # COPY takes no prepared parameters: inline them as literals.
        for name, value in parameters.items():
            query = query.replace(f"${name}", sql_string(value))
        with staged_partitioned_parquet(
            connection,
            query,
            paths.raw_rankings_dir,
            "date",
            rankings_file_name(snapshot.as_of, sha256),
        ) as staged:
            return record_and_place_lake_files(
                paths, sha256, source, fetched_at, staged, exports_manifest
            )


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def catalog_table(
    models: list[dict[str, Any]], as_of: datetime, source: str, fetched_at: datetime, sha256: str
) -> pa.Table:
    """A catalogue snapshot as an Arrow table: flattened columns plus each model's raw JSON."""

    def created(model: dict[str, Any]) -> datetime | None:
        value = model.get("created")
        return None if value is None else datetime.fromtimestamp(value, tz=UTC)

    def nested(model: dict[str, Any], parent: str, key: str) -> Any:
        container = model.get(parent)
        return container.get(key) if isinstance(container, dict) else None

    count = len(models)
    return pa.table(
        {
            "id": [model["id"] for model in models],
            "canonical_slug": [model["canonical_slug"] for model in models],
            "name": [_text_or_none(model.get("name")) for model in models],
            "created": [created(model) for model in models],
            "hugging_face_id": [_text_or_none(model.get("hugging_face_id")) for model in models],
            "context_length": [model.get("context_length") for model in models],
            "modality": [
                _text_or_none(nested(model, "architecture", "modality")) for model in models
            ],
            "prompt_price": [_text_or_none(nested(model, "pricing", "prompt")) for model in models],
            "completion_price": [
                _text_or_none(nested(model, "pricing", "completion")) for model in models
            ],
            "raw_json": [json.dumps(model, sort_keys=True) for model in models],
            "as_of": [as_of] * count,
            "source": [source] * count,
            "fetched_at": [fetched_at] * count,
            "response_sha256": [sha256] * count,
        },
        schema=RAW_CATALOG_SCHEMA,
    )


def catalog_parquet_path(paths: DataPaths, as_of: datetime, sha256: str) -> Path:
    """Where one catalogue snapshot lives: ``<as_of>_<sha256>.parquet``."""
    return paths.raw_catalog_dir / f"{compact_timestamp(as_of)}_{sha256[:16]}.parquet"


def file_sha256(path: Path) -> str:
    """The SHA-256 of a file's bytes, as lowercase hex."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def _manifest_path(paths: DataPaths, sha256: str) -> Path:
    return paths.lake_manifests_dir / f"{sha256}.json"


@contextmanager
def lake_lock(paths: DataPaths) -> Iterator[None]:
    """Hold the rankings lake's lock: one process at a time adds, compacts or takes out files."""
    with file_lock(paths.lake_manifests_dir / ".lock"):
        yield


def compaction_record_path(paths: DataPaths, folder: str) -> Path:
    """Where the compaction record of ``date=`` folder ``folder`` (its name) is kept."""
    return paths.lake_compactions_dir / f"{folder}.json"


def compaction_record(paths: DataPaths, folder: str) -> dict | None:
    """The compaction record of ``date=`` folder ``folder``, or None if it was never compacted.

    ``file``: the folder's compacted file, with its ``rows`` and ``sha256``; ``snapshots``: each
    snapshot file it holds (by the name the response's manifest gives it), with its
    ``response_sha256`` and ``rows``; ``replaces``: the folder's compacted file before it, if any.
    """
    path = compaction_record_path(paths, folder)
    return json.loads(path.read_text()) if path.exists() else None


def compacted_snapshot_files(paths: DataPaths, folder: str) -> set[str]:
    """The names of the snapshot files whose rows ``folder``'s compacted file holds."""
    record = compaction_record(paths, folder)
    return set(record["snapshots"]) if record else set()


def record_and_place_lake_files(
    paths: DataPaths,
    sha256: str,
    source: str,
    received_at: datetime,
    staged: Mapping[Path, Path],
    exports_manifest: Path | None = None,
) -> tuple[list[Path], list[Path]]:
    """Put the files of response ``sha256`` (``{lake path: staged file}``) in the lake, each
    recorded in the response's manifest, with row count and hash, before it is put in place.

    The lake's lock serializes writers: two runs ingesting the same response at once would
    otherwise each write the manifest without the other's files. Returns ``(written,
    already_present)``: a lake path already taken, or held by its folder's compacted file, is
    left as it is.
    """
    with lake_lock(paths):
        compacted = {
            folder: compacted_snapshot_files(paths, folder)
            for folder in {target.parent.name for target in staged}
        }
        written = {
            target: file
            for target, file in staged.items()
            if not target.exists() and target.name not in compacted[target.parent.name]
        }
        if written:
            _add_to_manifest(paths, sha256, source, received_at, written, exports_manifest)
        place_staged_files(written)
    return list(written), [target for target in staged if target not in written]


def _add_to_manifest(
    paths: DataPaths,
    sha256: str,
    source: str,
    received_at: datetime,
    files: dict[Path, Path],
    exports_manifest: Path | None,
) -> None:
    manifest_path = _manifest_path(paths, sha256)
    manifest = (
        json.loads(manifest_path.read_text())
        if manifest_path.exists()
        else {
            "response_sha256": sha256,
            "source": source,
            "received_at": received_at.isoformat(),
            "files": {},
        }
    )
    if exports_manifest is not None:
        manifest["exports_manifest"] = str(exports_manifest.relative_to(paths.landing_dir))
    for target, staged in files.items():
        manifest["files"][str(target.relative_to(paths.raw_rankings_dir))] = {
            "rows": pq.read_metadata(staged).num_rows,
            "sha256": file_sha256(staged),
        }
    write_bytes_atomic(manifest_path, json.dumps(manifest, indent=1, sort_keys=True).encode())
