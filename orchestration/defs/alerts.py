"""Alerts: every failed run of the code location (a failed blocking check fails its run) and
every asset that misses its freshness deadline is posted to ``ALERT_WEBHOOK_URL``, with what
failed and a link to it in the UI; with no URL set, it is logged. Each new ranking event of the
published warehouse is posted there once."""

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg

from orchestration.defs.freshness import expectation
from orchestration.lib.alerts import (
    EventLedger,
    LateAsset,
    RankingEvent,
    RunFailure,
    post_alert,
    published_ranking_events,
)
from orchestration.lib.settings import (
    alert_event_kinds,
    alert_events_lookback_days,
    alert_webhook_url,
    dagster_ui_url,
    data_paths,
)


def send(context: dg.SensorEvaluationContext, payload: dict) -> None:
    """Post ``payload`` to the alert webhook, or log its text when none is set."""
    webhook = alert_webhook_url()
    if webhook:
        post_alert(webhook, payload)
        context.log.info(f"alert posted: {payload['text'].splitlines()[0]}")
    else:
        context.log.warning(payload["text"])


def failed_checks(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """``<asset>:<check>`` for every check of the run that did not pass."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ASSET_CHECK_EVALUATION, limit=10_000
    ).records
    evaluations = [record.event_log_entry.dagster_event.event_specific_data for record in records]
    return sorted(
        f"{evaluation.asset_key.to_user_string()}:{evaluation.check_name}"
        for evaluation in evaluations
        if not evaluation.passed
    )


@dg.run_failure_sensor(default_status=dg.DefaultSensorStatus.RUNNING)
def alert_on_run_failure(context: dg.RunFailureSensorContext) -> None:
    """Post a failed run, with what failed in it, to the alert webhook (or log it)."""
    run = context.dagster_run
    failure = RunFailure(
        job=run.job_name,
        run_id=run.run_id,
        failed_steps=sorted({event.step_key for event in context.get_step_failure_events()}),
        failed_checks=failed_checks(context.instance, run.run_id),
        error=context.failure_event.message or "",
        run_url=f"{dagster_ui_url()}/runs/{run.run_id}",
    )
    send(context, failure.payload())


def last_materialized(instance: dg.DagsterInstance, key: dg.AssetKey) -> str:
    """When ``key`` was last materialized, in UTC, or "never"."""
    event = instance.get_latest_materialization_event(key)
    if event is None:
        return "never"
    return datetime.fromtimestamp(event.timestamp, UTC).isoformat(timespec="seconds")


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def alert_on_late_data(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    """Post each asset whose freshness state turned FAIL since the last alert for it.

    The cursor keeps, per asset, when its last alerted failure began: one alert per lapse.
    """
    policies = {
        node.key: node.freshness_policy_or_from_metadata
        for node in context.repository_def.asset_graph.asset_nodes
        if node.freshness_policy_or_from_metadata is not None
    }
    alerted: dict[str, float] = json.loads(context.cursor or "{}")
    records = context.instance.get_freshness_state_records(list(policies))
    late = []
    for key, record in sorted(records.items()):
        name, since = key.to_user_string(), record.updated_at.timestamp()
        # FreshnessState is a str enum that dagster 1.13 does not export.
        if record.freshness_state != "FAIL" or since <= alerted.get(name, 0.0):
            continue
        late_asset = LateAsset(
            asset=name,
            expectation=expectation(policies[key]),
            last_updated=last_materialized(context.instance, key),
            asset_url=f"{dagster_ui_url()}/assets/{'/'.join(key.path)}",
        )
        send(context, late_asset.payload())
        alerted[name] = since
        late.append(name)
    context.update_cursor(json.dumps(alerted, sort_keys=True))
    return dg.SkipReason(f"late: {', '.join(late)}" if late else "no asset turned late")


def first_ledger(events: list[RankingEvent], ledger_path: Path) -> EventLedger:
    """The ledger of a first evaluation: events dated more than ``ALERT_EVENTS_LOOKBACK_DAYS``
    before the newest are history, not news, and are skipped."""
    ledger = EventLedger(ledger_path, posted=set(), skipped=set(), withdrawals_posted=set())
    if events:
        cutoff = max(event.event_date for event in events) - timedelta(
            days=alert_events_lookback_days()
        )
        ledger.skipped = {event.event_id for event in events if event.event_date < cutoff}
    return ledger


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def alert_on_ranking_events(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    """Post each new ranking event of the published warehouse (``mart_ranking_events``) once to
    the alert webhook, with its figure, citation and as_of, and once more if a restatement
    withdraws it. Only published events count (a failing check keeps bad figures from being
    published, and so from being announced); ``ALERT_EVENT_KINDS`` says which kinds post. The
    ledger of events dealt with lives beside the data (``data/alerts/``), so that a restart, a
    new Dagster home or a replay of old dates never posts an event twice."""
    webhook = alert_webhook_url()
    if not webhook:
        return dg.SkipReason("no ALERT_WEBHOOK_URL: ranking events are not posted")
    paths = data_paths()
    if not paths.published_warehouse.exists():
        return dg.SkipReason("nothing published yet")
    events = published_ranking_events(paths.published_warehouse)
    kinds = alert_event_kinds()
    ledger = EventLedger.load(paths.posted_events_ledger)
    if ledger is None:
        ledger = first_ledger(events, paths.posted_events_ledger)
        context.log.info(f"first evaluation: {len(ledger.skipped)} older event(s) not posted")
    posted = withdrawn = 0
    for event in events:
        if ledger.is_new(event.event_id) and event.status == "active":
            if event.event_kind in kinds:
                post_alert(webhook, event.payload())
                ledger.posted.add(event.event_id)
                posted += 1
            else:
                ledger.skipped.add(event.event_id)
        elif (
            event.status == "withdrawn"
            and event.event_id in ledger.posted
            and event.event_id not in ledger.withdrawals_posted
        ):
            post_alert(webhook, event.payload(withdrawn=True))
            ledger.withdrawals_posted.add(event.event_id)
            withdrawn += 1
        else:
            continue
        ledger.save()
    ledger.save()
    return dg.SkipReason(f"posted {posted} new event(s) and {withdrawn} withdrawal(s)")
