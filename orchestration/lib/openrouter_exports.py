"""OpenRouter's keyless daily exports as a rankings source (no API key needed).

Each day OpenRouter publishes an immutable, checksummed snapshot of the rankings: a trailing
30-day window as ``rankings-daily/<snapshot date>.csv``, named by ``<snapshot date>.manifest.json``
and by ``latest.manifest.json`` for the newest. The ``latest.*`` data aliases can mix two
snapshots just after a publish, so only manifests and the dated files they name are read. Bodies
are handed back as received (each file with its manifest); ingestion lands, checks and parses
them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from orchestration.lib.ingestion.openrouter_exports import (
    SNAPSHOT_WINDOW_DAYS,
    validate_exports_manifest,
)
from orchestration.lib.ingestion.validation import InvalidResponseError
from orchestration.lib.openrouter import NotPublishedError, OpenRouterClient
from orchestration.lib.responses import FetchedResponse

EXPORTS_PATH = "/api/v1/datasets/exports/rankings-daily"


@dataclass
class OpenRouterExports:
    """The exports under ``{OPENROUTER_BASE_URL}/api/v1/datasets/exports/``, through the one
    HTTP client (its retries, deadline and rate limit), without a key."""

    client: OpenRouterClient = field(default_factory=OpenRouterClient)
    logger: logging.Logger = field(default=logging.getLogger(__name__), repr=False)

    def _manifest(self, name: str) -> FetchedResponse:
        return replace(self.client.get(f"{EXPORTS_PATH}/{name}"), source="exports")

    def _snapshot_file(self, manifest: FetchedResponse) -> FetchedResponse:
        """The dated CSV file ``manifest`` names, with the manifest attached; an empty body when
        the manifest names none (ingestion then refuses the manifest, with the reason)."""
        try:
            named = validate_exports_manifest(manifest.body, manifest.origin)
        except InvalidResponseError:
            return FetchedResponse(
                b"", manifest.received_at, "exports", manifest.origin, manifest=manifest
            )
        return replace(self.client.get(named.csv_path), source="exports", manifest=manifest)

    def latest_snapshot_date(self) -> tuple[FetchedResponse, date | None]:
        """The newest manifest, and the snapshot date it names (None if it names none)."""
        latest = self._manifest("latest.manifest.json")
        try:
            return latest, validate_exports_manifest(latest.body, latest.origin).snapshot_date
        except InvalidResponseError:
            return latest, None

    def rankings_daily(self, start_date: date, end_date: date) -> list[FetchedResponse]:
        """The snapshots holding ``start_date..end_date``, newest first.

        The newest snapshot, then older ones 29 days apart (a 30-day window, so that each
        overlaps the next by a day whichever day its window ends on) until one holds
        ``start_date`` or the publisher no longer holds older ones (a 404: the days left are
        reported as not covered when the lake is written).
        """
        latest, newest = self.latest_snapshot_date()
        if newest is None or newest <= start_date:
            return [self._snapshot_file(latest)]
        # The snapshot published the day after end_date holds end_date, whichever the window.
        snapshot_date = min(newest, end_date + timedelta(days=1))
        responses = []
        while True:
            if snapshot_date == newest:
                responses.append(self._snapshot_file(latest))
            else:
                try:
                    manifest = self._manifest(f"{snapshot_date.isoformat()}.manifest.json")
                except NotPublishedError:
                    self.logger.warning(
                        f"the exports no longer hold snapshot {snapshot_date} (404): dates "
                        f"before {snapshot_date - timedelta(days=SNAPSHOT_WINDOW_DAYS - 1)} "
                        "cannot be had from them"
                    )
                    break
                responses.append(self._snapshot_file(manifest))
            if snapshot_date - timedelta(days=SNAPSHOT_WINDOW_DAYS) <= start_date:
                break
            snapshot_date -= timedelta(days=SNAPSHOT_WINDOW_DAYS - 1)
        return responses

    def date_range(self) -> tuple[date, date]:
        """The first and last date of the newest snapshot (read from its file's date column;
        the file is fetched again, and landed, when the rankings are ingested)."""
        latest, newest = self.latest_snapshot_date()
        if newest is None:
            raise NotPublishedError(
                f"{latest.origin}: the newest manifest names no snapshot; try again later"
            )
        lines = self._snapshot_file(latest).body.decode("ascii", "replace").splitlines()[1:]
        days = set()
        for line in lines:
            try:
                days.add(date.fromisoformat(line.split(",", 1)[0]))
            except ValueError:
                continue  # ingestion names the bad row
        if not days:
            return newest - timedelta(days=SNAPSHOT_WINDOW_DAYS), newest
        return min(days), max(days)

    def models_catalog(self) -> FetchedResponse:
        """The public model catalogue (no key)."""
        return self.client.models_catalog()
