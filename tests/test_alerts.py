"""A failed run, with the check that failed it, is posted to the alert webhook."""

from __future__ import annotations

import json

import dagster as dg
import pytest
from pytest_httpserver import HTTPServer

from orchestration.definitions import defs
from orchestration.defs.alerts import alert_on_run_failure
from orchestration.lib.settings import DataPaths
from tests.helpers import QUIET, thousandfold_first_row, write_later_snapshot


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
