"""The OpenRouter HTTP client against a real HTTP server on 127.0.0.1."""

from __future__ import annotations

import json
import socket
import time
from datetime import date
from pathlib import Path

import pytest
from pytest_httpserver import HTTPServer
from werkzeug import Request, Response

from orchestration.lib.ingestion.ingest import ingest_rankings_response
from orchestration.lib.openrouter import (
    RANKINGS_PATH,
    OpenRouterClient,
    OpenRouterError,
    split_into_windows,
)
from orchestration.lib.settings import DataPaths, SettingError
from tests.helpers import rankings_body

KEY = "sk-or-v1-test-key-0123456789"
AS_OF = "2025-01-06T02:00:00.000Z"


def client_for(server: HTTPServer, **overrides) -> OpenRouterClient:
    settings = {
        "base_url": server.url_for("/").rstrip("/"),
        "api_key": KEY,
        "backoff_base_seconds": 0.01,
        "read_timeout_seconds": 1.0,
        "connect_timeout_seconds": 1.0,
        "max_attempts": 3,
    }
    settings.update(overrides)
    return OpenRouterClient(**settings)


def ok_body() -> bytes:
    return rankings_body([("2026-02-09", "minimax/minimax-m2.5-20260211", "1000")])


def test_windows_are_at_most_366_days_and_cover_the_range():
    windows = split_into_windows(date(2025, 1, 1), date(2026, 5, 10))
    assert windows == [
        (date(2025, 1, 1), date(2026, 1, 1)),
        (date(2026, 1, 2), date(2026, 5, 10)),
    ]
    assert split_into_windows(date(2026, 1, 1), date(2026, 1, 1)) == [
        (date(2026, 1, 1), date(2026, 1, 1))
    ]


def test_multi_window_range_sends_one_bearer_request_per_window(httpserver: HTTPServer):
    for start, end in [("2024-12-31", "2025-12-31"), ("2026-01-01", "2026-05-10")]:
        httpserver.expect_ordered_request(
            RANKINGS_PATH,
            query_string={"start_date": start, "end_date": end},
            headers={"Authorization": f"Bearer {KEY}"},
        ).respond_with_data(ok_body(), content_type="application/json")

    responses = client_for(httpserver).rankings_daily(date(2024, 12, 31), date(2026, 5, 10))

    assert len(responses) == 2
    assert all(response.body == ok_body() and response.source == "api" for response in responses)
    httpserver.check_assertions()
    assert len(httpserver.log) == 2


def test_an_early_start_is_answered_from_the_apis_first_day_and_ingested(
    httpserver: HTTPServer, tmp_path: Path
):
    # The API clamps a start before its history to its first day: the response is still whole.
    body = rankings_body(
        [("2025-01-01", "a/b", "10")], start="2025-01-01", end="2025-01-05", as_of=AS_OF
    )
    httpserver.expect_request(
        RANKINGS_PATH, query_string={"start_date": "2024-12-20", "end_date": "2025-01-05"}
    ).respond_with_data(body, content_type="application/json")
    first, last = date(2024, 12, 20), date(2025, 1, 5)

    [response] = client_for(httpserver).rankings_daily(first, last)

    assert response.requested_window == (date(2025, 1, 1), last)
    assert ingest_rankings_response(DataPaths(tmp_path), response, first, last).rows == 1


def test_429_with_retry_after_is_honoured_then_succeeds(httpserver: HTTPServer):
    httpserver.expect_ordered_request(RANKINGS_PATH).respond_with_json(
        {"error": {"code": 429, "message": "Rate limit exceeded"}},
        status=429,
        headers={"Retry-After": "1"},
    )
    httpserver.expect_ordered_request(RANKINGS_PATH).respond_with_data(ok_body())

    started = time.monotonic()
    responses = client_for(httpserver).rankings_daily(date(2026, 2, 9), date(2026, 2, 15))

    assert responses[0].body == ok_body()
    # The backoff base is 10 ms, so a wait of a second can only come from Retry-After.
    assert time.monotonic() - started >= 1.0
    assert len(httpserver.log) == 2


def test_500_then_success(httpserver: HTTPServer):
    httpserver.expect_ordered_request(RANKINGS_PATH).respond_with_json(
        {"error": {"code": 500, "message": "Internal error"}}, status=500
    )
    httpserver.expect_ordered_request(RANKINGS_PATH).respond_with_data(ok_body())

    responses = client_for(httpserver).rankings_daily(date(2026, 2, 9), date(2026, 2, 15))

    assert responses[0].body == ok_body()
    assert len(httpserver.log) == 2


@pytest.fixture
def threaded_server():
    """A server that answers the retry while the first, slow request is still being handled."""
    server = HTTPServer(host="127.0.0.1", threaded=True)
    server.start()
    yield server
    server.clear()
    server.stop()


def test_read_timeout_then_success(threaded_server: HTTPServer):
    def slow(_: Request) -> Response:
        time.sleep(1.5)
        return Response(ok_body())

    threaded_server.expect_ordered_request(RANKINGS_PATH).respond_with_handler(slow)
    threaded_server.expect_ordered_request(RANKINGS_PATH).respond_with_data(ok_body())

    responses = client_for(threaded_server, read_timeout_seconds=0.5).rankings_daily(
        date(2026, 2, 9), date(2026, 2, 15)
    )

    assert responses[0].body == ok_body()


def test_a_body_trickling_in_is_cut_off_at_the_deadline(threaded_server: HTTPServer):
    body = ok_body()
    sent = []

    def trickle(_: Request) -> Response:
        def one_byte_at_a_time():
            # Far slower than the deadline, but bounded so the server always stops.
            for byte in body[:50]:
                time.sleep(0.1)
                sent.append(byte)
                yield bytes([byte])

        return Response(one_byte_at_a_time(), headers={"Content-Length": str(len(body))})

    threaded_server.expect_request(RANKINGS_PATH).respond_with_handler(trickle)
    client = client_for(
        threaded_server, request_deadline_seconds=1.0, read_timeout_seconds=1.0, max_attempts=1
    )

    with pytest.raises(OpenRouterError, match=r"within 1s.*still arriving at the deadline"):
        client.rankings_daily(date(2026, 2, 9), date(2026, 2, 15))

    # Cut off while the body was still coming, each byte well inside the read timeout.
    assert 0 < len(sent) < 50


def test_a_server_that_never_answers_holds_a_run_no_longer_than_the_deadline():
    # Accepts connections (the kernel's backlog) and never sends a byte.
    with socket.create_server(("127.0.0.1", 0)) as silent:
        port = silent.getsockname()[1]
        client = OpenRouterClient(
            base_url=f"http://127.0.0.1:{port}",
            api_key=KEY,
            request_deadline_seconds=2.0,
            backoff_base_seconds=0.01,
        )
        started = time.monotonic()

        with pytest.raises(OpenRouterError) as raised:
            client.rankings_daily(date(2026, 2, 9), date(2026, 2, 15))

        elapsed = time.monotonic() - started
    # Before, each of the 5 attempts waited the whole 120 s read timeout: about 10 minutes.
    assert elapsed < 60, f"held for {elapsed:.0f}s"
    assert "within 2s (OPENROUTER_REQUEST_DEADLINE_SECONDS)" in str(raised.value)
    assert "ReadTimeout" in str(raised.value)


def test_a_retry_after_beyond_the_cap_fails_at_once_saying_when_to_retry(httpserver: HTTPServer):
    httpserver.expect_request(RANKINGS_PATH).respond_with_json(
        {"error": {"code": 429, "message": "Rate limit exceeded"}},
        status=429,
        headers={"Retry-After": "3600"},
    )

    with pytest.raises(OpenRouterError) as raised:
        client_for(httpserver, max_retry_after_seconds=120).rankings_daily(
            date(2026, 2, 9), date(2026, 2, 15)
        )

    message = str(raised.value)
    assert "asks to wait 3600s" in message and "OPENROUTER_MAX_RETRY_AFTER_SECONDS" in message
    assert "Run again after" in message
    assert len(httpserver.log) == 1


def test_the_base_url_and_limits_come_from_the_environment(
    httpserver: HTTPServer, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("OPENROUTER_BASE_URL", httpserver.url_for("/"))
    monkeypatch.setenv("OPENROUTER_MAX_RETRY_AFTER_SECONDS", "30")
    httpserver.expect_request(RANKINGS_PATH).respond_with_data(ok_body())

    client = OpenRouterClient(api_key=KEY)

    assert client.max_retry_after_seconds == 30
    assert client.rankings_daily(date(2026, 2, 9), date(2026, 2, 15))[0].body == ok_body()
    monkeypatch.setenv("OPENROUTER_REQUEST_DEADLINE_SECONDS", "soon")
    with pytest.raises(SettingError, match="OPENROUTER_REQUEST_DEADLINE_SECONDS='soon'"):
        OpenRouterClient(api_key=KEY)


def test_connection_refused_gives_up_after_the_bound_with_a_clear_error():
    client = OpenRouterClient(
        base_url="http://127.0.0.1:9", api_key=KEY, backoff_base_seconds=0.01, max_attempts=3
    )
    with pytest.raises(OpenRouterError, match=r"gave up after 3 attempts.*ConnectionError"):
        client.models_catalog()


def test_retries_give_up_after_the_bound(httpserver: HTTPServer):
    httpserver.expect_request(RANKINGS_PATH).respond_with_json(
        {"error": {"code": 503, "message": "Service unavailable"}}, status=503
    )

    with pytest.raises(OpenRouterError) as raised:
        client_for(httpserver).rankings_daily(date(2026, 2, 9), date(2026, 2, 15))

    assert "gave up after 3 attempts" in str(raised.value)
    assert "HTTP 503 (Service unavailable)" in str(raised.value)
    assert len(httpserver.log) == 3


def test_401_fails_at_once_telling_to_set_the_key(httpserver: HTTPServer):
    httpserver.expect_request(RANKINGS_PATH).respond_with_json(
        {"error": {"code": 401, "message": "Missing Authentication header"}}, status=401
    )

    with pytest.raises(OpenRouterError, match="Set OPENROUTER_API_KEY to a valid"):
        client_for(httpserver).rankings_daily(date(2026, 2, 9), date(2026, 2, 15))

    assert len(httpserver.log) == 1


def test_400_fails_at_once_saying_what_to_fix(httpserver: HTTPServer):
    httpserver.expect_request(RANKINGS_PATH).respond_with_json(
        {"error": {"code": 400, "message": "Invalid request parameters"}}, status=400
    )

    with pytest.raises(OpenRouterError) as raised:
        client_for(httpserver).rankings_daily(date(2026, 2, 9), date(2026, 2, 15))

    message = str(raised.value)
    assert "400: Invalid request parameters" in message
    assert "at most 366 days" in message
    assert len(httpserver.log) == 1


def test_models_catalog_asks_for_all_modalities_without_a_key(httpserver: HTTPServer):
    httpserver.expect_request(
        "/api/v1/models", query_string={"output_modalities": "all"}
    ).respond_with_json({"data": []})

    response = client_for(httpserver).models_catalog()

    assert json.loads(response.body) == {"data": []}
    assert "Authorization" not in httpserver.log[0][0].headers


def test_rate_limiter_keeps_under_the_per_minute_limit(httpserver: HTTPServer):
    httpserver.expect_request("/api/v1/models").respond_with_json({"data": []})
    client = client_for(httpserver, max_requests_per_minute=2)
    client._get("/api/v1/models", {}, authenticated=False)  # creates the limiter
    limiter = client._rate_limiter
    limiter.period = 1.0  # a one-second "minute" keeps the test short

    started = time.monotonic()
    for _ in range(3):
        client.models_catalog()

    # 4 requests at 2 per rolling second: the 3rd and 4th must wait for the window to pass.
    assert time.monotonic() - started >= 1.0
