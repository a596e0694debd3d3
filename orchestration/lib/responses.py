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
    # The feed: the Data API, OpenRouter's keyless exports, or the bundled sample.
    source: Literal["api", "exports", "sample"]
    origin: str
    # The start and end date a rankings response answers (asked of the live API, or named by a
    # sample file): its meta window must match.
    requested_window: tuple[date, date] | None = None
    # An exports file comes with the manifest that named it: both are landed, and the file is
    # checked against the manifest's size and SHA-256. When the manifest named no file that
    # could be fetched, ``body`` is empty and ingestion refuses the manifest.
    manifest: FetchedResponse | None = None


class RankingsSource(Protocol):
    """Where raw responses come from (the Data API, the keyless exports or the bundled sample)."""

    def rankings_daily(self, start_date: date, end_date: date) -> list[FetchedResponse]:
        """Rankings-daily responses covering ``start_date..end_date`` (inclusive)."""
        ...

    def models_catalog(self) -> FetchedResponse:
        """One model catalogue response."""
        ...

    def date_range(self) -> tuple[date, date]:
        """The first and last data date the source can serve now."""
        ...
