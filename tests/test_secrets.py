"""The API key never appears in logs, landing or lake files, Dagster metadata or error text."""

from __future__ import annotations

import logging
import sys
import traceback
from datetime import date
from pathlib import Path

import dagster as dg
import pytest
from pytest_httpserver import HTTPServer

from orchestration.defs.assets.raw import raw_rankings_daily
from orchestration.lib.openrouter import RANKINGS_PATH, OpenRouterClient, OpenRouterError
from orchestration.lib.settings import DataPaths, api_key
from tests.helpers import rankings_body, run_command

FAKE_KEY = "sk-or-v1-RECOGNISABLE-FAKE-KEY-7f3a9c"


def files_containing(root: Path, needle: bytes) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file() and needle in p.read_bytes()]


def materialize_once(server: HTTPServer, instance: dg.DagsterInstance) -> dg.ExecuteInProcessResult:
    client = OpenRouterClient(
        base_url=server.url_for("/").rstrip("/"),
        api_key=api_key(),
        backoff_base_seconds=0.01,
        max_attempts=2,
        logger=dg.get_dagster_logger("openrouter"),
    )
    return dg.materialize(
        [raw_rankings_daily],
        resources={"rankings_source": client},
        instance=instance,
        partition_key="2026-02-09",
        raise_on_error=False,
    )


def test_api_key_is_never_written_logged_or_echoed(
    paths: DataPaths,
    httpserver: HTTPServer,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    capfd: pytest.CaptureFixture,
):
    monkeypatch.setenv("OPENROUTER_API_KEY", FAKE_KEY)
    caplog.set_level(logging.DEBUG)
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    body = rankings_body(
        [("2026-02-09", "minimax/minimax-m2.5-20260211", "900")],
        start="2026-02-09",
        end="2026-02-09",
    )
    # First a success (the server insists on the key), then a 500 and a 401 whose bodies echo it.
    httpserver.expect_ordered_request(
        RANKINGS_PATH, headers={"Authorization": f"Bearer {FAKE_KEY}"}
    ).respond_with_data(body)
    httpserver.expect_ordered_request(RANKINGS_PATH).respond_with_json(
        {"error": {"code": 500, "message": f"upstream failed for {FAKE_KEY}"}}, status=500
    )
    httpserver.expect_ordered_request(RANKINGS_PATH).respond_with_json(
        {"error": {"code": 401, "message": f"User not found for key {FAKE_KEY}"}}, status=401
    )

    with dg.DagsterInstance.local_temp(str(dagster_home)) as instance:
        succeeded = materialize_once(httpserver, instance)
        failed = materialize_once(httpserver, instance)

        assert succeeded.success and not failed.success
        error_text = str(failed.failure_data_for_node("raw_rankings_daily").error)
        assert "Set OPENROUTER_API_KEY" in error_text
        assert FAKE_KEY not in error_text
        records = instance.fetch_materializations(
            dg.AssetKey("raw_rankings_daily"), limit=10
        ).records
        assert records
        for record in records:
            assert FAKE_KEY not in repr(record.asset_materialization.metadata)
        all_events = instance.all_logs(succeeded.run_id) + instance.all_logs(failed.run_id)
        assert all(FAKE_KEY not in repr(event) for event in all_events)

    captured = capfd.readouterr()
    assert FAKE_KEY not in captured.out + captured.err
    assert FAKE_KEY not in caplog.text
    assert files_containing(paths.data_dir, FAKE_KEY.encode()) == []
    assert files_containing(dagster_home, FAKE_KEY.encode()) == []
    assert len(list(paths.raw_rankings_dir.rglob("*.parquet"))) == 1


def test_a_key_with_a_windows_line_ending_is_refused_at_start_up_without_echoing_it(
    tmp_path: Path,
):
    demo = run_command(
        [sys.executable, "-m", "orchestration.cli.demo"],
        timeout=300,
        OPENROUTER_API_KEY=f"{FAKE_KEY}\r\n",
        PIPELINE_DATA_DIR=str(tmp_path / "data"),
        DAGSTER_HOME=str(tmp_path),
    )

    assert demo.returncode != 0
    assert "OPENROUTER_API_KEY contains whitespace or control characters" in demo.stderr
    assert FAKE_KEY not in demo.stdout + demo.stderr
    # Refused before anything was fetched or written.
    assert not (tmp_path / "data").exists()


def test_errors_of_the_http_library_never_carry_the_key(httpserver: HTTPServer):
    # A header value requests refuses (its error text quotes the whole header) reaches the
    # client's own error as the exception type alone, with no chained cause.
    client = OpenRouterClient(base_url=httpserver.url_for("/").rstrip("/"), api_key=FAKE_KEY)
    client._session.headers["X-Broken"] = f"{FAKE_KEY}\n"

    with pytest.raises(OpenRouterError) as raised:
        client.rankings_daily(date(2026, 2, 9), date(2026, 2, 9))

    rendered = "".join(traceback.format_exception(raised.value))
    assert "InvalidHeader" in rendered
    assert FAKE_KEY not in rendered
