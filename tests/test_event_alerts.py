"""Each new ranking event of the published warehouse is posted to the alert webhook once, with
its figure, citation and as_of; also across a restart of the daemon that runs the sensor."""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import dagster as dg
import duckdb
import pytest
from pytest_httpserver import HTTPServer

from orchestration.defs.alerts import alert_on_ranking_events
from orchestration.lib.errors import ActionableError
from orchestration.lib.settings import PROJECT_ROOT, DataPaths
from tests.helpers import (
    free_port,
    stop_make_with_sigterm,
    user_environment,
    wait_until,
    without_the_virtualenv,
)

POSTED_KINDS = "region_overtook,weekly_surge,weekly_drop"


def evaluate() -> str:
    """One evaluation of the sensor, as the daemon runs it; its skip message."""
    with dg.instance_for_test() as instance:
        result = alert_on_ranking_events(dg.build_sensor_context(instance=instance))
    return result.skip_message


def posted_payloads(httpserver: HTTPServer) -> list[dict]:
    return [json.loads(request.data) for request, _ in httpserver.log]


def published_events(paths: DataPaths, kinds: str) -> dict[str, list]:
    """The active events of ``kinds`` in the published warehouse, by id: date, headline, as_of."""
    with duckdb.connect(str(paths.published_warehouse), read_only=True) as connection:
        rows = connection.execute(
            "select event_id, event_date, headline, as_of from marts.mart_ranking_events "
            "where status = 'active' and list_contains(string_split(?, ','), event_kind)",
            [kinds],
        ).fetchall()
    return {
        event_id: (event_date, headline, as_of) for event_id, event_date, headline, as_of in rows
    }


@pytest.fixture
def webhook(httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch) -> HTTPServer:
    httpserver.expect_request("/hooks/events", method="POST").respond_with_data("ok")
    monkeypatch.setenv("ALERT_WEBHOOK_URL", httpserver.url_for("/hooks/events"))
    return httpserver


def test_new_events_post_once_the_old_are_skipped_and_a_withdrawal_posts_once(
    built_copy: DataPaths, webhook: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    every_event = published_events(built_copy, "region_overtook,entered_weekly_top_n")
    with duckdb.connect(str(built_copy.published_warehouse), read_only=True) as connection:
        (newest,) = connection.execute(
            "select max(event_date) from marts.mart_ranking_events"
        ).fetchone()
    monkeypatch.setenv("ALERT_EVENT_KINDS", "region_overtook,entered_weekly_top_n")
    monkeypatch.setenv("ALERT_EVENTS_LOOKBACK_DAYS", "14")

    assert evaluate().startswith("posted ")
    recent = {
        event_id
        for event_id, (event_date, _, _) in every_event.items()
        if (newest - event_date).days <= 14
    }
    payloads = posted_payloads(webhook)
    # A first evaluation announces the two weeks to the newest event, not the whole history.
    assert {payload["event_id"] for payload in payloads} == recent
    assert len(payloads) == len(recent) > 0
    for payload in payloads:
        # The citation names the snapshot the event's figures come from.
        _, headline, as_of = every_event[payload["event_id"]]
        assert payload["as_of"] == as_of.isoformat()
        assert payload["text"] == (
            f"{headline}\nSource: OpenRouter (openrouter.ai/rankings), as of {as_of.isoformat()}."
        )

    # Nothing new: nothing posted; a kind switched on later posts its new events only.
    assert evaluate() == "posted 0 new event(s) and 0 withdrawal(s)"
    monkeypatch.setenv("ALERT_EVENT_KINDS", "region_overtook,entered_weekly_top_n,weekly_drop")
    assert evaluate() == "posted 0 new event(s) and 0 withdrawal(s)"
    assert len(webhook.log) == len(recent)

    # A restatement takes a posted event back: its withdrawal is posted, once.
    withdrawn = sorted(recent)[0]
    with duckdb.connect(str(built_copy.published_warehouse)) as connection:
        connection.execute(
            "update marts.mart_ranking_events set status = 'withdrawn' where event_id = ?",
            [withdrawn],
        )
    assert evaluate() == "posted 0 new event(s) and 1 withdrawal(s)"
    assert evaluate() == "posted 0 new event(s) and 0 withdrawal(s)"
    last = posted_payloads(webhook)[-1]
    assert last["event_id"] == withdrawn and last["status"] == "withdrawn"
    assert last["text"].startswith("Withdrawn: ")


def test_an_unknown_event_kind_is_refused_naming_the_known_ones(
    built_copy: DataPaths, webhook: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ALERT_EVENT_KINDS", "region_overtook,rank_flip")
    with pytest.raises(ValueError, match=r"unknown event kinds \['rank_flip'\].*weekly_surge"):
        evaluate()
    assert webhook.log == []


def test_a_damaged_ledger_stops_posting_with_its_path_and_what_to_do(
    built_copy: DataPaths, webhook: HTTPServer
):
    assert evaluate().startswith("posted ")
    posted = len(webhook.log)
    built_copy.posted_events_ledger.write_text('{"posted": [')
    with pytest.raises(ActionableError, match="cannot be read") as refused:
        evaluate()
    assert str(built_copy.posted_events_ledger) in str(refused.value)
    assert "delete it to start again" in str(refused.value)
    # Nothing was posted again, and the damaged file is left for a person to look at.
    assert len(webhook.log) == posted
    assert built_copy.posted_events_ledger.read_text() == '{"posted": ['


def ledger_written_after(ledger: Path, moment: float) -> bool:
    return ledger.exists() and ledger.stat().st_mtime > moment


@pytest.mark.slow
def test_make_ui_posts_each_event_once_across_a_daemon_restart(
    built_copy: DataPaths, webhook: HTTPServer, tmp_path: Path
):
    expected = published_events(built_copy, POSTED_KINDS)
    port = free_port()
    environment = {
        **user_environment(),
        "PATH": without_the_virtualenv(os.environ["PATH"]),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
        "ALERT_EVENT_KINDS": POSTED_KINDS,
        "ALERT_EVENTS_LOOKBACK_DAYS": "3650",
        # The Data API: no first-start runs; with the schedules stopped nothing runs at all.
        "RANKINGS_SOURCE": "api",
        "OPENROUTER_API_KEY": "sk-or-v1-test-key-never-sent",
    }

    def start_ui() -> subprocess.Popen:
        return subprocess.Popen(
            ["make", "ui", f"UI_PORT={port}"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    ui = start_ui()
    try:
        wait_until(
            "every event posted",
            lambda: len(webhook.log) >= len(expected),
            timeout=600,
            interval=2,
            process=ui,
            diagnostics=lambda: f"{len(webhook.log)} of {len(expected)} posted",
        )
    finally:
        stop_make_with_sigterm(ui, port)
    posted = [payload["event_id"] for payload in posted_payloads(webhook)]
    assert sorted(posted) == sorted(expected)  # each once

    restarted_at = time.time()
    ui = start_ui()
    try:
        # The restarted daemon's sensor has evaluated (it rewrites the ledger every time).
        wait_until(
            "the sensor evaluated after the restart",
            lambda: ledger_written_after(built_copy.posted_events_ledger, restarted_at),
            timeout=600,
            interval=2,
            process=ui,
        )
    finally:
        stop_make_with_sigterm(ui, port)
    assert len(webhook.log) == len(expected)
