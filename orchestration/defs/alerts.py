"""Alerts: every failed run of the code location (a failed blocking check fails its run) and
every asset that misses its freshness deadline is posted to ``ALERT_WEBHOOK_URL``, with what
failed and a link to it in the UI; with no URL set, it is logged."""

import json
from datetime import UTC, datetime

import dagster as dg

from orchestration.defs.freshness import expectation
from orchestration.lib.alerts import LateAsset, RunFailure, post_alert
from orchestration.lib.settings import alert_webhook_url, dagster_ui_url


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
