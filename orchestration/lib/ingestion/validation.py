"""Strict validation of OpenRouter responses, before anything reaches the lake.

Each rule broken raises :class:`InvalidResponseError` naming the file, the row and the rule, so a
bad response can be found and fixed (or reported upstream) without guesswork.
"""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any, NoReturn

import pyarrow as pa
import pyarrow.compute as pc

from orchestration.lib.settings import (
    MAX_CLOCK_SKEW,
    RANKINGS_HISTORY_START,
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


def _load_json_object(body: bytes, file: Path | str) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise InvalidResponseError(file, f"body is not valid JSON ({error})") from None
    if not isinstance(document, dict):
        raise InvalidResponseError(file, "body must be a JSON object with 'data' and 'meta'")
    return document


def _parse_date(value: Any, file: Path | str, what: str, row_index: int | None = None) -> date:
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


def _parse_timestamp(value: Any, file: Path | str, what: str) -> datetime:
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


def parse_token_count(value: Any, file: Path | str, row_index: int) -> int:
    """Parse ``total_tokens``: a decimal string of a non-negative integer that fits in int64.

    Numbers, booleans, floats in any spelling ("1.5", "1e9", "NaN") and negatives are rejected:
    the API sends strings precisely so that 64-bit values are never rounded through a float.
    """
    if not isinstance(value, str) or not _DECIMAL_INTEGER.fullmatch(value):
        raise InvalidResponseError(
            file,
            "total_tokens must be a decimal string of a non-negative integer "
            f'(like "1234"), got {value!r}',
            row_index,
        )
    tokens = int(value)
    if tokens > INT64_MAX:
        raise InvalidResponseError(file, f"total_tokens {value} does not fit in int64", row_index)
    return tokens


def validate_rankings_response(
    body: bytes,
    file: Path | str,
    received_at: datetime | None = None,
    requested_window: tuple[date, date] | None = None,
) -> RankingsSnapshot:
    """Validate a ``/api/v1/datasets/rankings-daily`` response body and parse it exactly.

    ``file`` names where the body is stored (its landing file), for error messages. With
    ``received_at``, a ``meta.as_of`` later than that (beyond ``MAX_CLOCK_SKEW``) is refused; with
    ``requested_window``, the meta window must be the one asked for (an early start clamped to
    the API's first day). Token counts must stay within the ceilings the warehouse's data tests
    enforce, so that what passes here can be built. Unknown extra fields are tolerated, as the
    API may add optional fields within v1.
    """
    document = _load_json_object(body, file)
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
    as_of = _parse_timestamp(meta.get("as_of"), file, "meta.as_of")
    window_start = _parse_date(meta.get("start_date"), file, "meta.start_date")
    window_end = _parse_date(meta.get("end_date"), file, "meta.end_date")
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
    if requested_window is not None:
        expected = (max(requested_window[0], RANKINGS_HISTORY_START), requested_window[1])
        if (window_start, window_end) != expected:
            raise InvalidResponseError(
                file,
                f"meta window {window_start}..{window_end} is not the window the response "
                f"answers ({expected[0]}..{expected[1]}: as asked of the API, or as a sample "
                "file's name gives it)",
            )

    rows = _rows_if_valid(data, window_start, window_end)
    if rows is None:
        _raise_first_invalid_row(data, file, window_start, window_end)
    return RankingsSnapshot(as_of, window_start, window_end, version, rows)


def _rows_if_valid(data: list[Any], window_start: date, window_end: date) -> pa.Table | None:
    """The rows as an Arrow table when every row rule holds, else None (vectorized fast path).

    Finding which row broke which rule is left to :func:`_raise_first_invalid_row`.
    """
    if not all(type(item) is dict for item in data):
        return None
    try:
        dates = pa.array([item.get("date") for item in data], pa.string())
        slugs = pa.array([item.get("model_permaslug") for item in data], pa.string())
        tokens = pa.array([item.get("total_tokens") for item in data], pa.string())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None  # a value that is not a string
    if len(data) == 0:
        return RANKINGS_ROWS_SCHEMA.empty_table()
    if dates.null_count or slugs.null_count or tokens.null_count:
        return None
    if not (
        pc.all(pc.match_substring_regex(tokens, f"^{_DECIMAL_INTEGER.pattern}$")).as_py()
        and pc.all(pc.match_substring_regex(dates, f"^{_ISO_DATE.pattern}$")).as_py()
        and pc.all(pc.greater(pc.utf8_length(pc.utf8_trim_whitespace(slugs)), 0)).as_py()
    ):
        return None
    try:
        token_values = pc.cast(tokens, pa.int64())  # fails on values over int64
        day_values = pc.cast(pc.strptime(dates, "%Y-%m-%d", "s"), pa.date32())
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return None
    # strptime may normalise impossible days; a real date prints back as it was written.
    if not pc.all(pc.equal(pc.cast(day_values, pa.string()), dates)).as_py():
        return None
    bounds = pc.min_max(day_values).as_py()
    if bounds["min"] < window_start or bounds["max"] > window_end:
        return None
    is_other = pc.equal(slugs, OTHER_PERMASLUG)
    ceilings = pc.if_else(is_other, other_day_ceiling_tokens(), model_day_ceiling_tokens())
    if not pc.all(pc.less_equal(token_values, ceilings)).as_py():
        return None
    rows = pa.table(
        [day_values, slugs, token_values, is_other], schema=RANKINGS_ROWS_SCHEMA
    ).append_column("position", pa.array(range(len(data)), pa.int64()))
    per_row = rows.group_by(["date", "model_permaslug"]).aggregate([([], "count_all")])
    if per_row.num_rows != rows.num_rows:
        return None  # duplicate (date, permaslug)
    models = rows.filter(pc.invert(is_other))
    per_date = models.group_by("date").aggregate([([], "count_all"), ("position", "max")])
    if per_date.num_rows and pc.max(per_date["count_all"]).as_py() > MAX_MODEL_ROWS_PER_DATE:
        return None
    others = rows.filter(is_other).select(["date", "position"])
    last_model = others.join(per_date, "date")
    if (
        last_model.num_rows
        and not pc.all(pc.greater(last_model["position"], last_model["position_max"])).as_py()
    ):
        return None  # `other` is not the last row of its date
    return rows.drop_columns(["position"])


def _check_ceiling(tokens: int, permaslug: str, day: date, file: Path | str, index: int) -> None:
    """Refuse a count above the ceiling the warehouse's data tests enforce for its row."""
    if permaslug == OTHER_PERMASLUG:
        ceiling, what = other_day_ceiling_tokens(), "ceiling of the 'other' row"
    else:
        ceiling, what = model_day_ceiling_tokens(), "per-model-day ceiling"
    if tokens > ceiling:
        raise InvalidResponseError(
            file,
            f"total_tokens {tokens} for {permaslug!r} on {day} is above the {what} of {ceiling} "
            "(dbt var model_day_ceiling_tokens): a unit error, or a figure to check with "
            "OpenRouter before raising the ceiling",
            index,
        )


def _raise_first_invalid_row(
    data: list[Any], file: Path | str, window_start: date, window_end: date
) -> NoReturn:
    """Walk the rows in order and raise for the first rule broken, naming the row."""
    seen: set[tuple[date, str]] = set()
    model_rows_per_date: dict[date, int] = defaultdict(int)
    dates_with_other: set[date] = set()
    for index, item in enumerate(data):
        if not isinstance(item, dict):
            raise InvalidResponseError(file, "each row must be a JSON object", index)
        row_date = _parse_date(item.get("date"), file, "date", index)
        if not window_start <= row_date <= window_end:
            raise InvalidResponseError(
                file,
                f"date {row_date} is outside the meta window {window_start}..{window_end}",
                index,
            )
        permaslug = item.get("model_permaslug")
        if not isinstance(permaslug, str) or not permaslug.strip():
            raise InvalidResponseError(
                file, f"model_permaslug must be a non-empty string, got {permaslug!r}", index
            )
        tokens = parse_token_count(item.get("total_tokens"), file, index)
        _check_ceiling(tokens, permaslug, row_date, file, index)
        if (row_date, permaslug) in seen:
            raise InvalidResponseError(
                file, f"duplicate row for date {row_date} and model {permaslug!r}", index
            )
        seen.add((row_date, permaslug))
        if row_date in dates_with_other:
            raise InvalidResponseError(
                file, f"the 'other' row must be the last row of date {row_date}", index
            )
        if permaslug == OTHER_PERMASLUG:
            dates_with_other.add(row_date)
        else:
            model_rows_per_date[row_date] += 1
            if model_rows_per_date[row_date] > MAX_MODEL_ROWS_PER_DATE:
                raise InvalidResponseError(
                    file,
                    f"more than {MAX_MODEL_ROWS_PER_DATE} model rows for date {row_date}",
                    index,
                )
    # The fast path and this walk apply the same rules; reaching here means they disagree.
    raise InvalidResponseError(file, "rows failed validation (fast and row-by-row checks disagree)")


def validate_catalog_response(body: bytes, file: Path | str) -> list[dict[str, Any]]:
    """Validate a ``/api/v1/models`` response body; return its models with every field kept."""
    document = _load_json_object(body, file)
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
