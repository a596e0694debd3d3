"""Freshness: when the raw rankings and the published warehouse must have been updated.

OpenRouter takes its daily snapshot at about 02:00 UTC and the daily refresh runs at 02:45; it
fails unless every requested day, yesterday included, has rows. So a materialization between
02:00 and 06:00 UTC means yesterday is in. The daemon evaluates the policy (``freshness:
enabled`` in the service's ``dagster.yaml``), the UI shows each asset's state, and the
``alert_on_late_data`` sensor (:mod:`orchestration.defs.alerts`) posts each asset that turns late.
"""

from datetime import timedelta

import dagster as dg

daily_by_six_utc = dg.FreshnessPolicy.cron(
    deadline_cron="0 6 * * *", lower_bound_delta=timedelta(hours=4), timezone="UTC"
)


def expectation(policy: dg.FreshnessPolicy) -> str:
    """What ``policy`` asks for, in words, for alerts and asset descriptions."""
    # The policy classes are not exported by dagster 1.13; their fields tell them apart.
    if hasattr(policy, "deadline_cron"):
        return (
            f"updated within {policy.lower_bound_delta} before each deadline of cron "
            f"'{policy.deadline_cron}' ({policy.timezone})"
        )
    return f"updated at least every {policy.fail_window.to_timedelta()}"
