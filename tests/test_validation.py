"""Bad payloads fail with a clear error, go to quarantine, and leave the lake unchanged."""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from orchestration.lib.ingestion.ingest import (
    QuarantinedResponseError,
    ingest_catalog_response,
    ingest_rankings_response,
)
from orchestration.lib.responses import FetchedResponse
from orchestration.lib.sample import BundledSample
from orchestration.lib.settings import DataPaths, sample_dir
from tests.helpers import lake_files, rankings_body

START, END = date(2026, 2, 9), date(2026, 2, 15)
AS_OF = "2026-02-16T02:00:00.000Z"
GOOD_ROWS = [
    ("2026-02-09", "minimax/minimax-m2.5-20260211", "900"),
    ("2026-02-09", "moonshotai/kimi-k2.5-0127", "800"),
    ("2026-02-09", "other", "5000"),
]


def fetched(body: bytes) -> FetchedResponse:
    return FetchedResponse(body, datetime(2026, 2, 16, 3, tzinfo=UTC), "api", "test")


def many_models(day: str, count: int) -> list[tuple[str, str, object]]:
    return [(day, f"vendor/model-{i:02d}", str(1000 - i)) for i in range(count)]


BAD_PAYLOADS = {
    "malformed JSON": (b'{"data": [', "not valid JSON", None),
    "missing meta": (b'{"data": []}', "'meta' object is missing", None),
    "wrong version": (rankings_body(GOOD_ROWS, version="v2"), "meta.version must be 'v1'", None),
    "decimal fraction": (
        rankings_body([("2026-02-09", "a/b", "1.5")]),
        "total_tokens must be a decimal string",
        0,
    ),
    "negative": (rankings_body([("2026-02-09", "a/b", "-1")]), "got '-1'", 0),
    "NaN string": (rankings_body([("2026-02-09", "a/b", "NaN")]), "got 'NaN'", 0),
    "exponent": (rankings_body([("2026-02-09", "a/b", "1e9")]), "got '1e9'", 0),
    "boolean": (rankings_body([("2026-02-09", "a/b", True)]), "got True", 0),
    "float number": (rankings_body([("2026-02-09", "a/b", 1000.0)]), "got 1000.0", 0),
    "integer number": (rankings_body([("2026-02-09", "a/b", 1000)]), "got 1000", 0),
    "over int64": (
        rankings_body([("2026-02-09", "a/b", str(2**63))]),
        "does not fit in int64",
        0,
    ),
    "duplicate row": (
        rankings_body([("2026-02-09", "a/b", "10"), ("2026-02-09", "a/b", "9")]),
        "duplicate row for date 2026-02-09 and model 'a/b'",
        1,
    ),
    "52 rows for a date": (
        rankings_body([*many_models("2026-02-09", 51), ("2026-02-09", "other", "5")]),
        "more than 50 model rows for date 2026-02-09",
        50,
    ),
    "other not last": (
        rankings_body([("2026-02-09", "other", "10"), ("2026-02-09", "a/b", "9")]),
        "'other' row must be the last row of date 2026-02-09",
        1,
    ),
    "date outside window": (
        rankings_body([("2026-02-09", "a/b", "10"), ("2026-02-16", "a/b", "9")]),
        "date 2026-02-16 is outside the meta window 2026-02-09..2026-02-15",
        1,
    ),
    "impossible date": (
        rankings_body([("2026-02-30", "a/b", "10")]),
        "not a real date",
        0,
    ),
    "empty permaslug": (rankings_body([("2026-02-09", "", "10")]), "non-empty string", 0),
    "model above the ceiling the data tests enforce": (
        rankings_body([("2026-02-09", "a/b", "10"), ("2026-02-09", "c/d", str(20 * 10**12 + 1))]),
        "is above the per-model-day ceiling of 20000000000000",
        1,
    ),
    "other row above its ceiling": (
        rankings_body([("2026-02-09", "a/b", "10"), ("2026-02-09", "other", str(2 * 10**15 + 1))]),
        "above the ceiling of the 'other' row",
        1,
    ),
    "as_of in the future": (
        rankings_body(GOOD_ROWS, as_of="2026-02-16T03:10:00.000Z"),
        "meta.as_of 2026-02-16T03:10:00+00:00 is in the future",
        None,
    ),
}


@pytest.fixture
def lake_with_one_good_snapshot(paths: DataPaths) -> DataPaths:
    ingest_rankings_response(paths, fetched(rankings_body(GOOD_ROWS)), START, END)
    return paths


@pytest.mark.parametrize("name", BAD_PAYLOADS)
def test_bad_payload_is_quarantined_with_a_clear_error(lake_with_one_good_snapshot, name):
    paths = lake_with_one_good_snapshot
    body, rule, row_index = BAD_PAYLOADS[name]
    raw_before = lake_files(paths.lake_dir / "raw")
    landing_before = lake_files(paths.landing_dir)

    with pytest.raises(QuarantinedResponseError) as raised:
        ingest_rankings_response(paths, fetched(body), START, END)

    message = str(raised.value)
    assert rule in message
    assert "landing/rankings_daily/" in message  # names the file it was stored in
    if row_index is not None:
        assert f"row {row_index}:" in message
    assert "quarantine" in message and "nothing of it reached the lake" in message
    # Nothing reached the lake, and the earlier good snapshot is untouched.
    assert lake_files(paths.lake_dir / "raw") == raw_before
    assert lake_files(paths.landing_dir) == landing_before
    # The quarantine holds the response exactly as received, and the error beside it.
    quarantined = sorted((paths.quarantine_dir / "rankings_daily").glob("*.json"))
    bodies = [p for p in quarantined if not p.name.endswith(".error.json")]
    errors = [p for p in quarantined if p.name.endswith(".error.json")]
    assert [p.read_bytes() for p in bodies] == [body]
    assert rule in json.loads(errors[0].read_text())["error"]


def test_each_broken_rule_is_named_with_the_first_row_breaking_it(paths: DataPaths):
    body = rankings_body(
        [
            ("2026-02-09", "a/b", "10"),
            ("2026-02-30", "c/d", "9"),
            ("2026-02-09", "e/f", "1.5"),
            ("2026-02-31", "g/h", "8"),
            ("2026-02-09", "a/b", "7"),
        ]
    )

    with pytest.raises(QuarantinedResponseError) as raised:
        ingest_rankings_response(paths, fetched(body), START, END)

    message = str(raised.value)
    assert (
        ", row 1: date is not a real date: '2026-02-30' (also broken: row 2: total_tokens must "
        in (message)
    )
    assert "row 4: duplicate row for date 2026-02-09 and model 'a/b')" in message
    assert "2026-02-31" not in message, "each rule once, at its first row"


def test_a_live_response_for_another_window_than_asked_is_quarantined(paths: DataPaths):
    response = replace(
        fetched(rankings_body(GOOD_ROWS)), requested_window=(date(2026, 2, 9), date(2026, 2, 16))
    )

    with pytest.raises(QuarantinedResponseError, match="is not the window the response answers"):
        ingest_rankings_response(paths, response, START, END)
    assert not paths.raw_rankings_dir.exists()


def test_a_sample_file_whose_meta_window_is_not_its_name_is_quarantined_naming_it(
    paths: DataPaths, tmp_path: Path
):
    sample = tmp_path / "sample"
    shutil.copytree(sample_dir(), sample)
    misnamed = sample / "rankings_daily" / "2026-02-09_2026-02-15.json"
    document = json.loads(misnamed.read_text())
    document["meta"]["end_date"] = "2026-02-16"
    misnamed.write_text(json.dumps(document))
    [response] = BundledSample(sample).rankings_daily(START, END)

    with pytest.raises(QuarantinedResponseError) as refused:
        ingest_rankings_response(paths, response, START, END)

    message = str(refused.value)
    assert f"received from {misnamed}" in message
    assert "meta window 2026-02-09..2026-02-16 is not the window the response answers" in message
    assert not paths.raw_rankings_dir.exists()


def test_a_sample_file_from_before_the_apis_first_day_is_taken_as_named(
    paths: DataPaths, tmp_path: Path
):
    # The benchmark's synthetic histories reach back decades: only the live API clamps a start.
    sample = tmp_path / "sample" / "rankings_daily"
    sample.mkdir(parents=True)
    (sample / "1990-01-01_1990-01-02.json").write_bytes(
        rankings_body(
            [("1990-01-01", "a/b", "10"), ("1990-01-02", "a/b", "20")],
            start="1990-01-01",
            end="1990-01-02",
            as_of=AS_OF,
        )
    )
    first, last = date(1990, 1, 1), date(1990, 1, 2)
    [response] = BundledSample(sample.parent).rankings_daily(first, last)

    assert ingest_rankings_response(paths, response, first, last).rows == 2


def test_unknown_extra_fields_are_tolerated(paths: DataPaths):
    document = json.loads(rankings_body(GOOD_ROWS))
    document["meta"]["new_field"] = 1
    document["data"][0]["prompt_tokens"] = "12"
    result = ingest_rankings_response(paths, fetched(json.dumps(document).encode()), START, END)
    assert result.rows == 3


@pytest.mark.parametrize(
    ("models", "rule"),
    [
        ({"models": []}, "'data' list is missing"),
        ({"data": [{"id": "a/b"}]}, "model canonical_slug must be a non-empty string"),
        ({"data": [{"id": "a/b", "canonical_slug": "a/b-1", "created": "x"}]}, "created"),
    ],
)
def test_bad_catalogue_is_quarantined(paths: DataPaths, models, rule):
    with pytest.raises(QuarantinedResponseError, match=rule):
        ingest_catalog_response(paths, fetched(json.dumps(models).encode()))
    assert not paths.raw_catalog_dir.exists()
    assert len(list((paths.quarantine_dir / "models_catalog").glob("*.error.json"))) == 1


def test_catalogue_keeps_unknown_fields_in_raw_json(paths: DataPaths):
    model = {
        "id": "minimax/minimax-m2.5",
        "canonical_slug": "minimax/minimax-m2.5-20260211",
        "name": "MiniMax: MiniMax M2.5",
        "created": 1770854400,
        "hugging_face_id": "MiniMaxAI/MiniMax-M2.5",
        "pricing": {"prompt": "0.0000003", "completion": "0.0000012"},
        "benchmarks": {"new": True},
    }
    result = ingest_catalog_response(paths, fetched(json.dumps({"data": [model]}).encode()))
    row = pq.read_table(result.parquet_file).to_pylist()[0]
    assert row["prompt_price"] == "0.0000003"
    assert json.loads(row["raw_json"])["benchmarks"] == {"new": True}
