"""What every source of OpenRouter data hands back: response bodies exactly as received.

Parsing and validation happen only after a body has been landed, in
:mod:`orchestration.lib.ingestion.ingest`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal, Protocol


@dataclass(frozen=True)
class FetchedResponse:
    """A response body as received, with where and when it came from."""

    body: bytes
    received_at: datetime
    source: Literal["live", "sample"]
    origin: str
    # The start and end date a rankings response answers (asked of the live API, or named by a
    # sample file): its meta window must match.
    requested_window: tuple[date, date] | None = None


class RankingsSource(Protocol):
    """Where raw responses come from (the live API or the bundled sample)."""

    def rankings_daily(self, start_date: date, end_date: date) -> list[FetchedResponse]:
        """Rankings-daily responses covering ``start_date..end_date`` (inclusive)."""
        ...

    def models_catalog(self) -> FetchedResponse:
        """One model catalogue response."""
        ...
