"""Alerts: every failed run of the code location (a failed blocking check fails its run) is
posted to ``ALERT_WEBHOOK_URL``, naming the job, the run, the failed steps and checks, and a link
to the run in the UI; with no URL set, it is logged."""

import dagster as dg

from orchestration.lib.alerts import RunFailure, post_alert
from orchestration.lib.settings import alert_webhook_url, dagster_ui_url


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
    webhook = alert_webhook_url()
    if webhook:
        post_alert(webhook, failure.payload())
        context.log.info(f"alert for run {run.run_id} posted")
    else:
        context.log.warning(failure.payload()["text"])
