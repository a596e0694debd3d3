"""The keyless exports as a source: served by a real HTTP server on 127.0.0.1 from the bundled
sample converted to the exports format, landed as received, checked against their manifests,
and refused (quarantined, nothing published changing) when tampered, truncated, published again
with other content, or named by a manifest that mixes two snapshots."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import dagster as dg
import pytest

from orchestration.lib.ingestion.ingest import QuarantinedResponseError, ingest_rankings_response
from orchestration.lib.ingestion.repair import repair_rankings_lake
from orchestration.lib.openrouter import OpenRouterClient
from orchestration.lib.openrouter_exports import OpenRouterExports
from orchestration.lib.responses import FetchedResponse
from orchestration.lib.settings import (
    EXPORTS_MANIFESTS_ENDPOINT,
    EXPORTS_RANKINGS_ENDPOINT,
    DataPaths,
)
from tests.fake_exports import DATASET, FakeExports, exports_of_the_sample
from tests.helpers import lake_files, query, rankings_body, run

# The sample ends on 2026-05-10: the snapshot published the next day holds its last 30 days,
# and one 29 days older holds the 30 days before those (with a day in common).
NEWEST = date(2026, 5, 11)
OLDER = NEWEST - timedelta(days=29)


@pytest.fixture
def exports() -> Iterator[FakeExports]:
    server = FakeExports(exports_of_the_sample([OLDER, NEWEST]))
    yield server
    server.close()


def exports_source(server: FakeExports) -> OpenRouterExports:
    return OpenRouterExports(OpenRouterClient(base_url=server.url, max_attempts=1))


def ingest(paths: DataPaths, server: FakeExports, first: date, last: date) -> list:
    return [
        ingest_rankings_response(paths, response, first, last)
        for response in exports_source(server).rankings_daily(first, last)
    ]


def file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_a_backfill_lands_each_snapshot_as_received_and_says_what_it_could_not_get(
    built_copy: DataPaths, exports: FakeExports
):
    results = ingest(built_copy, exports, date(2026, 3, 1), date(2026, 5, 10))

    # Newest first, then the older snapshot; the one before that is no longer held (404).
    assert [result.window for result in results] == [
        (NEWEST - timedelta(days=30), NEWEST - timedelta(days=1)),
        (OLDER - timedelta(days=30), OLDER - timedelta(days=1)),
    ]
    assert f"{DATASET}/{(OLDER - timedelta(days=29)).isoformat()}.manifest.json" in exports.requests
    # Only manifests and the dated files they name are read, never the `latest` data alias.
    assert f"{DATASET}/latest.csv" not in exports.requests
    # Each file is landed byte for byte, with the manifest that named it beside it.
    landed = sorted((built_copy.landing_dir / EXPORTS_RANKINGS_ENDPOINT).glob("*.csv"))
    served = [exports.snapshots[OLDER], exports.snapshots[NEWEST]]
    assert [path.read_bytes() for path in landed] == served
    assert [path.name.split("_")[0] for path in landed] == [str(OLDER), str(NEWEST)]
    assert len(list((built_copy.landing_dir / EXPORTS_MANIFESTS_ENDPOINT).glob("*.json"))) == 2
    # Rows carry their feed, the manifest's retrieved_at as as_of, and the published share.
    rows = query(
        built_copy,
        "select source, min(as_of)::varchar, count(*), round(sum(share_of_daily_tokens)) "
        "from read_parquet(?, hive_partitioning = true, union_by_name = true) "
        "where response_sha256 = ? group by source",
        [f"{built_copy.raw_rankings_dir}/*/*.parquet", results[0].response_sha256],
    )
    assert rows == [("exports", "2026-05-11 01:46:00+00", results[0].rows, 30.0)]


def test_tampered_and_truncated_files_are_quarantined_naming_both_hashes(
    built_copy: DataPaths, exports: FakeExports
):
    published = file_digest(built_copy.published_warehouse)
    lake_before = lake_files(built_copy.raw_rankings_dir)
    body = exports.snapshots[NEWEST]
    cases = {
        "tampered": body.replace(b",1", b",2", 1),
        "truncated": body[: len(body) // 2],
    }
    for fault, served in cases.items():
        exports.served_csv[NEWEST] = served
        with pytest.raises(QuarantinedResponseError) as refused:
            ingest(built_copy, exports, date(2026, 5, 1), date(2026, 5, 10))
        message = str(refused.value)
        assert hashlib.sha256(body).hexdigest() in message, fault
        assert hashlib.sha256(served).hexdigest() in message, fault
        assert f"{len(body)} bytes" in message and f"{len(served)} bytes" in message, fault
        quarantined = built_copy.quarantine_dir / EXPORTS_RANKINGS_ENDPOINT
        kept = [path.read_bytes() for path in quarantined.glob("*.csv")]
        assert served in kept, fault
    assert lake_files(built_copy.raw_rankings_dir) == lake_before
    assert file_digest(built_copy.published_warehouse) == published


def test_a_dated_file_published_again_with_other_content_is_quarantined_not_used(
    built_copy: DataPaths, exports: FakeExports
):
    ingest(built_copy, exports, date(2026, 5, 1), date(2026, 5, 10))
    lake_before = lake_files(built_copy.raw_rankings_dir)
    first = exports.snapshots[NEWEST]
    # The publisher rewrites the "immutable" file, with a manifest that matches the new bytes.
    exports.snapshots[NEWEST] = first.replace(b",1", b",3", 1)

    with pytest.raises(QuarantinedResponseError, match="published again with other content"):
        ingest(built_copy, exports, date(2026, 5, 1), date(2026, 5, 10))

    landed = list((built_copy.landing_dir / EXPORTS_RANKINGS_ENDPOINT).glob("*.csv"))
    assert [path.read_bytes() for path in landed] == [first]
    assert lake_files(built_copy.raw_rankings_dir) == lake_before


@pytest.mark.parametrize("mix", ["hash of the snapshot before", "the latest alias as its file"])
def test_a_manifest_mixing_two_snapshots_is_quarantined(
    built_copy: DataPaths, exports: FakeExports, mix: str
):
    newer = NEWEST + timedelta(days=1)
    exports.snapshots.update(exports_of_the_sample([newer]))
    published = file_digest(built_copy.published_warehouse)
    lake_before = lake_files(built_copy.raw_rankings_dir)
    mixed = exports.manifest(newer)
    if mix == "hash of the snapshot before":
        mixed["files"]["csv"] = exports.manifest(NEWEST)["files"]["csv"] | {
            "url": mixed["files"]["csv"]["url"]
        }
        endpoint, expected = EXPORTS_RANKINGS_ENDPOINT, "not the one its manifest"
    else:
        mixed["files"]["csv"]["url"] = f"{exports.url}{DATASET}/latest.csv"
        endpoint, expected = EXPORTS_MANIFESTS_ENDPOINT, "mixes two snapshots"
    exports.latest_manifest_override = mixed

    with pytest.raises(QuarantinedResponseError, match=expected):
        ingest(built_copy, exports, date(2026, 5, 1), date(2026, 5, 11))

    sidecars = list((built_copy.quarantine_dir / endpoint).glob("*.error.json"))
    assert len(sidecars) == 1
    assert "fetch again in a few minutes" in json.loads(sidecars[0].read_text())["error"]
    assert f"{DATASET}/latest.csv" not in exports.requests
    assert lake_files(built_copy.raw_rankings_dir) == lake_before
    assert file_digest(built_copy.published_warehouse) == published


def test_a_damaged_lake_file_of_an_exports_snapshot_is_written_again_from_its_landing(
    lake_copy: DataPaths, exports: FakeExports
):
    [result] = ingest(lake_copy, exports, date(2026, 5, 1), date(2026, 5, 10))
    damaged = result.written[0]
    intact = damaged.read_bytes()
    damaged.write_bytes(intact[: len(intact) // 2])

    repairs = repair_rankings_lake(lake_copy)

    assert [repair.path for repair in repairs] == [damaged]
    assert damaged.read_bytes() == intact


@pytest.mark.slow
def test_where_both_feeds_hold_a_day_their_difference_is_a_warning_not_a_block(
    built_copy: DataPaths, exports: FakeExports
):
    day = date(2026, 5, 10)
    ingest(built_copy, exports, day, day)
    # The Data API's figure for the day, 1% above the exports' for one model, fetched later.
    exports_rows = [
        line.split(",")
        for line in exports.snapshots[NEWEST].decode().split("\r\n")[1:-1]
        if line.startswith(str(day))
    ]
    api_rows = [
        (str(day), slug, str(int(tokens) * 101 // 100 if rank == "1" else int(tokens)))
        for _, slug, rank, tokens, _ in exports_rows
    ]
    body = rankings_body(api_rows, str(day), str(day), as_of="2026-05-12T02:00:00Z")
    ingest_rankings_response(
        built_copy,
        FetchedResponse(body, datetime(2026, 5, 12, 3, tzinfo=UTC), "api", "test"),
        day,
        day,
    )

    result = run("warehouse_job")

    assert result.success
    checks = {e.check_name: (e.passed, e.severity) for e in result.get_asset_check_evaluations()}
    assert checks["api_and_exports_agree"] == (False, dg.AssetCheckSeverity.WARN)
    assert checks["published_shares_match_computed_shares"][0]
    [(restated, first, latest)] = query(
        built_copy,
        "select count(*), min(first_source), min(latest_source) from marts.mart_restatements "
        "where date = ? and absolute_change <> 0",
        [day],
    )
    # The day's first snapshot is the sample's (the exports' equal it); only the model the API
    # revised changed, and each side names its feed.
    assert (restated, first, latest) == (1, "sample", "api")
