"""A failed run, with the check that failed it, and late data are posted to the alert webhook."""

from __future__ import annotations

import json
import time

import dagster as dg
import pytest

# The daemon's record of a state change; dagster 1.13 does not export it at the top level.
from dagster._core.definitions.freshness import FreshnessState, FreshnessStateChange
from pytest_httpserver import HTTPServer

from orchestration.definitions import defs
from orchestration.defs.alerts import alert_on_late_data, alert_on_run_failure
from orchestration.lib.settings import DataPaths
from tests.helpers import QUIET, thousandfold_first_row, write_later_snapshot


@pytest.mark.slow
def test_a_failed_check_is_posted_with_the_job_run_check_and_link(
    lake_copy: DataPaths, httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    write_later_snapshot(lake_copy, "2026-02-12", thousandfold_first_row)
    instance = dg.DagsterInstance.ephemeral()
    failed = defs.resolve_job_def("warehouse_job").execute_in_process(
        instance=instance, run_config=QUIET, raise_on_error=False
    )
    assert not failed.success
    monkeypatch.setenv("ALERT_WEBHOOK_URL", httpserver.url_for("/alerts"))
    monkeypatch.setenv("DAGSTER_UI_URL", "http://dagster.internal:3000")
    httpserver.expect_request("/alerts", method="POST").respond_with_data("ok")

    context = dg.build_run_status_sensor_context(
        sensor_name="alert_on_run_failure",
        dagster_event=failed.get_run_failure_event(),
        dagster_instance=instance,
        dagster_run=failed.dagster_run,
    ).for_run_failure()
    alert_on_run_failure(context)

    [(request, _)] = httpserver.log
    payload = json.loads(request.data)
    assert payload["job"] == "warehouse_job" and payload["run_id"] == failed.run_id
    assert "marts/fct_model_daily_tokens:model_day_tokens_below_ceiling" in payload["failed_checks"]
    assert payload["failed_steps"] == ["openrouter_dbt_models"]
    assert payload["run_url"] == f"http://dagster.internal:3000/runs/{failed.run_id}"
    # Slack and the like show `text`: it says all of it.
    for part in ("warehouse_job", failed.run_id, "model_day_tokens_below_ceiling", "/runs/"):
        assert part in payload["text"]


def test_an_asset_that_turns_late_is_posted_once_with_its_deadline_and_link(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ALERT_WEBHOOK_URL", httpserver.url_for("/alerts"))
    monkeypatch.setenv("DAGSTER_UI_URL", "http://dagster.internal:3000")
    httpserver.expect_request("/alerts", method="POST").respond_with_data("ok")
    instance = dg.DagsterInstance.ephemeral()
    published = dg.AssetKey("published_warehouse")
    instance.report_runless_asset_event(dg.AssetMaterialization(published))
    # What the daemon records when the 06:00 UTC deadline passes with no new materialization.
    instance.report_runless_asset_event(
        FreshnessStateChange(
            key=published,
            previous_state=FreshnessState.PASS,
            new_state=FreshnessState.FAIL,
            state_change_timestamp=time.time(),
        )
    )
    context = dg.build_sensor_context(instance=instance, definitions=defs)

    alert_on_late_data(context)
    alert_on_late_data(
        dg.build_sensor_context(instance=instance, definitions=defs, cursor=context.cursor)
    )

    [(request, _)] = httpserver.log  # one alert per lapse, not one per tick
    payload = json.loads(request.data)
    assert payload["asset"] == "published_warehouse"
    assert payload["asset_url"] == "http://dagster.internal:3000/assets/published_warehouse"
    assert "cron '0 6 * * *' (UTC)" in payload["expectation"]
    assert payload["last_updated"] != "never"
    assert "published_warehouse" in payload["text"] and "late" in payload["text"]
