"""Strict validation of OpenRouter responses, before anything reaches the lake.

Each rule broken raises :class:`InvalidResponseError` naming the file, the row and the rule, so a
bad response can be found and fixed (or reported upstream) without guesswork.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.settings import (
    MAX_CLOCK_SKEW,
    model_day_ceiling_tokens,
    other_day_ceiling_tokens,
)

SUPPORTED_API_VERSION = "v1"
OTHER_PERMASLUG = "other"
MAX_MODEL_ROWS_PER_DATE = 50
INT64_MAX = 2**63 - 1

_DECIMAL_INTEGER = re.compile(r"[0-9]+", re.ASCII)
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", re.ASCII)


class InvalidResponseError(ValueError):
    """A response broke a validation rule; names the file, the row (if any) and the rule."""

    def __init__(self, file: Path | str, rule: str, row_index: int | None = None):
        self.file = str(file)
        self.rule = rule
        self.row_index = row_index
        where = f"{self.file}" + (f", row {row_index}" if row_index is not None else "")
        super().__init__(f"invalid response {where}: {rule}")


RANKINGS_ROWS_SCHEMA = pa.schema(
    [
        ("date", pa.date32()),
        ("model_permaslug", pa.string()),
        ("total_tokens", pa.int64()),
        ("is_other", pa.bool_()),
        # Only the exports publish each row's share of the day (null from the Data API).
        ("share_of_daily_tokens", pa.float64()),
    ]
)


@dataclass(frozen=True)
class RankingsSnapshot:
    """A validated rankings-daily response: its ``meta`` block and its rows, parsed exactly.

    ``rows`` is an Arrow table (``RANKINGS_ROWS_SCHEMA``) in the response's order.
    """

    as_of: datetime
    window_start: date
    window_end: date
    api_version: str
    rows: pa.Table


def load_json_object(
    body: bytes, file: Path | str, expected: str = "a JSON object with 'data' and 'meta'"
) -> dict[str, Any]:
    """The JSON object ``body`` holds; ``expected`` says what it should be, for the error."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidResponseError(file, f"body is not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise InvalidResponseError(file, f"body must be {expected}")
    return document


def parse_date(value: Any, file: Path | str, what: str, row_index: int | None = None) -> date:
    """``value`` as a date if it is a real ``YYYY-MM-DD`` string; otherwise the error."""
    if not isinstance(value, str) or not _ISO_DATE.fullmatch(value):
        raise InvalidResponseError(
            file, f"{what} must be a YYYY-MM-DD string, got {value!r}", row_index
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidResponseError(
            file, f"{what} is not a real date: {value!r}", row_index
        ) from None


def parse_timestamp(value: Any, file: Path | str, what: str) -> datetime:
    """``value`` as a datetime if it is ISO 8601 with a UTC offset; otherwise the error."""
    if not isinstance(value, str):
        raise InvalidResponseError(
            file, f"{what} must be an ISO 8601 timestamp string, got {value!r}"
        )
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise InvalidResponseError(
            file, f"{what} is not an ISO 8601 timestamp: {value!r}"
        ) from None
    if parsed.tzinfo is None:
        raise InvalidResponseError(file, f"{what} must carry a UTC offset, got {value!r}")
    return parsed


def validate_rankings_response(
    body: bytes,
    file: Path | str,
    received_at: datetime | None = None,
    requested_window: tuple[date, date] | None = None,
) -> RankingsSnapshot:
    """Validate a ``/api/v1/datasets/rankings-daily`` response body and parse it exactly.

    ``file`` names where the body is stored (its landing file), for error messages. With
    ``received_at``, a ``meta.as_of`` later than that (beyond ``MAX_CLOCK_SKEW``) is refused; with
    ``requested_window``, the meta window must be that one (the window a request is answered
    with, or a sample file's name gives). Token counts must stay within the ceilings the
    warehouse's data tests enforce, so that what passes here can be built. Unknown extra fields
    are tolerated, as the API may add optional fields within v1.
    """
    document = load_json_object(body, file)
    meta = document.get("meta")
    if not isinstance(meta, dict):
        raise InvalidResponseError(file, "'meta' object is missing")
    data = document.get("data")
    if not isinstance(data, list):
        raise InvalidResponseError(file, "'data' list is missing")
    version = meta.get("version")
    if version != SUPPORTED_API_VERSION:
        raise InvalidResponseError(
            file, f"meta.version must be {SUPPORTED_API_VERSION!r}, got {version!r}"
        )
    as_of = parse_timestamp(meta.get("as_of"), file, "meta.as_of")
    window_start = parse_date(meta.get("start_date"), file, "meta.start_date")
    window_end = parse_date(meta.get("end_date"), file, "meta.end_date")
    if window_start > window_end:
        raise InvalidResponseError(
            file, f"meta.start_date {window_start} is after meta.end_date {window_end}"
        )
    if received_at is not None and as_of > received_at + MAX_CLOCK_SKEW:
        raise InvalidResponseError(
            file,
            f"meta.as_of {as_of.isoformat()} is in the future: the response was received at "
            f"{received_at.isoformat()}",
        )
    if requested_window is not None and (window_start, window_end) != requested_window:
        asked_start, asked_end = requested_window
        raise InvalidResponseError(
            file,
            f"meta window {window_start}..{window_end} is not the window the response answers "
            f"({asked_start}..{asked_end}: as asked of the API, or as a sample file's name "
            "gives it)",
        )

    rows = validated_rows(data, file, window_start, window_end)
    return RankingsSnapshot(as_of, window_start, window_end, version, rows)


class _RowRules:
    """Each row rule checked on every row at once (Arrow), recording the first row breaking it."""

    def __init__(self, data: list[Any]):
        self.data = data
        self.broken: list[tuple[int, str]] = []

    def first(self, failing: pa.Array | pa.ChunkedArray, rule: Callable[[int], str]) -> None:
        """Record ``rule`` (worded for its first failing row) if any row of ``failing`` is true."""
        index = pc.index(pc.fill_null(failing, False), True).as_py()
        if index >= 0:
            self.broken.append((index, rule(index)))

    def value(self, index: int, field: str) -> Any:
        return self.data[index].get(field)


def _strings(values: list[Any]) -> pa.Array:
    """``values`` as Arrow strings, anything that is not a string as null."""
    return pa.array([value if type(value) is str else None for value in values], pa.string())


def validated_rows(
    data: list[Any], file: Path | str, window_start: date, window_end: date
) -> pa.Table:
    """The rows as an Arrow table (``RANKINGS_ROWS_SCHEMA``), every row rule checked in one pass.

    A rule is checked only on the rows that passed the rules it builds on (a date must parse
    before it can be in the window). If any is broken, the error names each broken rule with the
    first row that breaks it, the earliest row first.
    """
    rules = _RowRules(data)
    objects = pa.array([type(item) is dict for item in data], pa.bool_())
    rules.first(pc.invert(objects), lambda _: "each row must be a JSON object")
    items = [item if type(item) is dict else {} for item in data]
    dates = _strings([item.get("date") for item in items])
    slugs = _strings([item.get("model_permaslug") for item in items])
    tokens = _strings([item.get("total_tokens") for item in items])

    date_shaped = pc.fill_null(pc.match_substring_regex(dates, f"^{_ISO_DATE.pattern}$"), False)
    rules.first(
        pc.and_(objects, pc.invert(date_shaped)),
        lambda i: f"date must be a YYYY-MM-DD string, got {rules.value(i, 'date')!r}",
    )
    # strptime normalises an impossible day; a real date prints back as it was written.
    day_values = pc.cast(
        pc.strptime(
            pc.if_else(date_shaped, dates, "1970-01-01"), "%Y-%m-%d", "s", error_is_null=True
        ),
        pa.date32(),
    )
    real_date = pc.and_(
        date_shaped, pc.fill_null(pc.equal(pc.cast(day_values, pa.string()), dates), False)
    )
    rules.first(
        pc.and_(date_shaped, pc.invert(real_date)),
        lambda i: f"date is not a real date: {rules.value(i, 'date')!r}",
    )
    outside = pc.or_(pc.less(day_values, window_start), pc.greater(day_values, window_end))
    rules.first(
        pc.and_(real_date, outside),
        lambda i: (
            f"date {rules.value(i, 'date')} is outside the meta window {window_start}..{window_end}"
        ),
    )
    named = pc.fill_null(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(slugs)), 0), False)
    rules.first(
        pc.and_(objects, pc.invert(named)),
        lambda i: (
            f"model_permaslug must be a non-empty string, got {rules.value(i, 'model_permaslug')!r}"
        ),
    )
    # The API sends counts as strings so that 64-bit values are never rounded through a float:
    # numbers, booleans, fractions in any spelling ("1.5", "1e9", "NaN") and negatives are refused.
    decimal = pc.fill_null(pc.match_substring_regex(tokens, f"^{_DECIMAL_INTEGER.pattern}$"), False)
    rules.first(
        pc.and_(objects, pc.invert(decimal)),
        lambda i: (
            "total_tokens must be a decimal string of a non-negative integer "
            f'(like "1234"), got {rules.value(i, "total_tokens")!r}'
        ),
    )
    # int64's maximum has 19 digits: a count with more, or with 19 sorting after it, is too big.
    digits = pc.utf8_length(pc.utf8_ltrim(pc.if_else(decimal, tokens, "0"), "0"))
    too_long = pc.or_(
        pc.greater(digits, len(str(INT64_MAX))),
        pc.and_(
            pc.equal(digits, len(str(INT64_MAX))),
            pc.greater(pc.utf8_ltrim(pc.if_else(decimal, tokens, "0"), "0"), str(INT64_MAX)),
        ),
    )
    fits = pc.and_(decimal, pc.invert(too_long))
    rules.first(
        pc.and_(decimal, too_long),
        lambda i: f"total_tokens {rules.value(i, 'total_tokens')} does not fit in int64",
    )
    token_values = pc.cast(pc.if_else(fits, tokens, "0"), pa.int64())
    is_other = pc.fill_null(pc.equal(slugs, OTHER_PERMASLUG), False)
    ceilings = pc.if_else(is_other, other_day_ceiling_tokens(), model_day_ceiling_tokens())

    def above_ceiling(index: int) -> str:
        slug, count = rules.value(index, "model_permaslug"), rules.value(index, "total_tokens")
        what = "ceiling of the 'other' row" if slug == OTHER_PERMASLUG else "per-model-day ceiling"
        ceiling = ceilings[index].as_py()
        return (
            f"total_tokens {count} for {slug!r} on {rules.value(index, 'date')} is above the "
            f"{what} of {ceiling} (dbt var model_day_ceiling_tokens): a unit error, or a figure "
            "to check with OpenRouter before raising the ceiling"
        )

    rules.first(pc.and_(fits, pc.greater(token_values, ceilings)), above_ceiling)

    # Rules across rows, over the rows whose date and model are good.
    keyed = pa.table(
        {
            "date": day_values,
            "model_permaslug": slugs,
            "is_other": is_other,
            "position": pa.array(range(len(data)), pa.int64()),
        }
    ).filter(pc.and_(real_date, named))
    first_of_key = keyed.group_by(["date", "model_permaslug"], use_threads=False).aggregate(
        [("position", "min")]
    )
    repeats = keyed.join(first_of_key, ["date", "model_permaslug"]).filter(
        pc.field("position") > pc.field("position_min")
    )
    if repeats.num_rows:
        index = pc.min(repeats["position"]).as_py()
        rules.broken.append(
            (
                index,
                f"duplicate row for date {rules.value(index, 'date')} and model "
                f"{rules.value(index, 'model_permaslug')!r}",
            )
        )
    first_other = (
        keyed.filter(pc.field("is_other"))
        .group_by("date", use_threads=False)
        .aggregate([("position", "min")])
    )
    after_other = keyed.join(first_other, "date").filter(
        ~pc.field("is_other") & (pc.field("position") > pc.field("position_min"))
    )
    if after_other.num_rows:
        index = pc.min(after_other["position"]).as_py()
        rules.broken.append(
            (index, f"the 'other' row must be the last row of date {rules.value(index, 'date')}")
        )
    # The 51st model row of a date breaks the limit (positions are in the response's order).
    models = keyed.filter(~pc.field("is_other"))
    counts = models.group_by("date", use_threads=False).aggregate([([], "count_all")])
    crowded = counts.filter(pc.field("count_all") > MAX_MODEL_ROWS_PER_DATE)
    if crowded.num_rows:
        index = min(
            models.filter(pc.equal(pc.field("date"), day))["position"][
                MAX_MODEL_ROWS_PER_DATE
            ].as_py()
            for day in crowded["date"].to_pylist()
        )
        rules.broken.append(
            (
                index,
                f"more than {MAX_MODEL_ROWS_PER_DATE} model rows for date "
                f"{rules.value(index, 'date')}",
            )
        )

    if rules.broken:
        broken = sorted(rules.broken)
        (index, rule), *others = broken
        also = "; ".join(f"row {i}: {text}" for i, text in others)
        raise InvalidResponseError(file, rule + (f" (also broken: {also})" if also else ""), index)
    shares = pa.nulls(len(data), pa.float64())
    return pa.table(
        [day_values, slugs, token_values, is_other, shares], schema=RANKINGS_ROWS_SCHEMA
    )


def validate_catalog_response(body: bytes, file: Path | str) -> list[dict[str, Any]]:
    """Validate a ``/api/v1/models`` response body; return its models with every field kept."""
    document = load_json_object(body, file)
    models = document.get("data")
    if not isinstance(models, list):
        raise InvalidResponseError(file, "'data' list is missing")
    for index, model in enumerate(models):
        if not isinstance(model, dict):
            raise InvalidResponseError(file, "each model must be a JSON object", index)
        for field in ("id", "canonical_slug"):
            value = model.get(field)
            if not isinstance(value, str) or not value.strip():
                raise InvalidResponseError(
                    file, f"model {field} must be a non-empty string, got {value!r}", index
                )
        for field in ("created", "context_length"):
            value = model.get(field)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
                raise InvalidResponseError(
                    file, f"model {field} must be an integer or null, got {value!r}", index
                )
    return models
