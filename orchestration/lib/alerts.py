"""Alerts: a JSON message to a webhook (Slack-compatible: its ``text`` is the message), for a
failed run, a late asset, or a ranking event; and the ledger of the ranking events posted."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import requests

from orchestration.lib.errors import ActionableError
from orchestration.lib.settings import CITATION_TEMPLATE
from orchestration.lib.sql_queries import run_query
from orchestration.lib.storage import connect_duckdb, write_bytes_atomic


@dataclass(frozen=True)
class RunFailure:
    """What a person needs to know about a failed run to act on it."""

    job: str
    run_id: str
    failed_steps: list[str]
    failed_checks: list[str]
    error: str
    run_url: str

    def payload(self) -> dict:
        """The webhook message: ``text`` for Slack and the like, the details as fields."""
        lines = [f"Pipeline run failed: job {self.job}, run {self.run_id}"]
        if self.failed_checks:
            lines.append("Failed checks: " + ", ".join(self.failed_checks))
        if self.failed_steps:
            lines.append("Failed steps: " + ", ".join(self.failed_steps))
        if self.error:
            lines.append(f"Error: {self.error[:500]}")
        lines.append(f"Run: {self.run_url}")
        return {
            "text": "\n".join(lines),
            "job": self.job,
            "run_id": self.run_id,
            "failed_steps": self.failed_steps,
            "failed_checks": self.failed_checks,
            "run_url": self.run_url,
        }


def post_alert(webhook_url: str, payload: dict, timeout_seconds: float = 10.0) -> None:
    """POST ``payload`` as JSON to ``webhook_url``; raise if the webhook does not accept it."""
    response = requests.post(webhook_url, json=payload, timeout=timeout_seconds)
    response.raise_for_status()


@dataclass(frozen=True)
class LateAsset:
    """An asset that missed its freshness deadline: what was expected, and where to look."""

    asset: str
    expectation: str
    last_updated: str
    asset_url: str

    def payload(self) -> dict:
        """The webhook message, in the same shape as :meth:`RunFailure.payload`."""
        text = (
            f"Data is late: {self.asset} missed its freshness deadline ({self.expectation}). "
            f"Last updated: {self.last_updated}.\nAsset: {self.asset_url}"
        )
        return {
            "text": text,
            "asset": self.asset,
            "expectation": self.expectation,
            "last_updated": self.last_updated,
            "asset_url": self.asset_url,
        }


@dataclass(frozen=True)
class RankingEvent:
    """One row of ``mart_ranking_events``: what happened, the figure, and the data it is from."""

    event_id: str
    event_kind: str
    event_date: date
    subject: str
    measured_value: float | None
    threshold: float | None
    headline: str
    status: str
    as_of: datetime

    def payload(self, withdrawn: bool = False) -> dict:
        """The webhook message: the headline with its citation; a withdrawal when a restatement
        took the (already posted) event back."""
        citation = CITATION_TEMPLATE.format(as_of=self.as_of.isoformat())
        headline = (
            f"Withdrawn: {self.headline} (restated figures no longer show it)"
            if withdrawn
            else self.headline
        )
        return {
            "text": f"{headline}\n{citation}",
            "event_id": self.event_id,
            "event_kind": self.event_kind,
            "event_date": self.event_date.isoformat(),
            "subject": self.subject,
            "measured_value": self.measured_value,
            "threshold": self.threshold,
            "status": "withdrawn" if withdrawn else self.status,
            "as_of": self.as_of.isoformat(),
            "citation": citation,
        }


def published_ranking_events(published_warehouse: Path) -> list[RankingEvent]:
    """Every event of the published warehouse's ``mart_ranking_events``, oldest first."""
    with connect_duckdb(published_warehouse, read_only=True) as connection:
        rows = run_query(connection, "alerts/ranking_events").fetchall()
    return [RankingEvent(*row) for row in rows]


@dataclass
class EventLedger:
    """Which ranking events the alert sensor has dealt with (``DataPaths.posted_events_ledger``):
    each event is considered once, when first seen, and posted then or never (``skipped``: a
    kind not posted, or older than the first evaluation's look-back); a posted event's
    withdrawal is posted once. Saved after every post, atomically, so that a restart loses at
    most the one post in flight."""

    path: Path
    posted: set[str]
    skipped: set[str]
    withdrawals_posted: set[str]

    @classmethod
    def load(cls, path: Path) -> EventLedger | None:
        """The ledger at ``path``, or None before the sensor's first evaluation wrote one."""
        if not path.exists():
            return None
        try:
            ledger = json.loads(path.read_text())
            return cls(
                path,
                set(ledger["posted"]),
                set(ledger["skipped"]),
                set(ledger["withdrawals_posted"]),
            )
        except (ValueError, KeyError, TypeError) as error:
            raise ActionableError(
                f"The ledger of posted ranking events {path} cannot be read ({error}). Nothing "
                "is posted until it can: restore it, or delete it to start again (the events of "
                "the last ALERT_EVENTS_LOOKBACK_DAYS days are then posted once more)."
            ) from error

    def is_new(self, event_id: str) -> bool:
        """Whether the event was never seen."""
        return event_id not in self.posted and event_id not in self.skipped

    def save(self) -> None:
        """Write the ledger atomically."""
        ledger = {
            "posted": sorted(self.posted),
            "skipped": sorted(self.skipped),
            "withdrawals_posted": sorted(self.withdrawals_posted),
        }
        write_bytes_atomic(self.path, json.dumps(ledger, indent=1).encode())
