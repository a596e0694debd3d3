"""Alerts: a JSON message to a webhook (Slack-compatible: its ``text`` is the message)."""

from __future__ import annotations

from dataclasses import dataclass

import requests


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
