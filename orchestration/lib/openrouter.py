"""The one HTTP client for OpenRouter's API (``requests``), with retries and a rate limit.

It hands back raw bodies (:class:`FetchedResponse`); nothing is parsed here.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests

from orchestration.lib.responses import FetchedResponse
from orchestration.lib.settings import (
    API_KEY_ENV_VAR,
    MAX_WINDOW_DAYS,
    RANKINGS_HISTORY_START,
    max_retry_after_seconds,
    openrouter_base_url,
    request_deadline_seconds,
    validate_api_key,
)

RANKINGS_PATH = "/api/v1/datasets/rankings-daily"
MODELS_PATH = "/api/v1/models"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class OpenRouterError(RuntimeError):
    """A request to OpenRouter failed in a way retrying will not fix."""


class NotPublishedError(OpenRouterError):
    """OpenRouter answered 404: it does not hold (or no longer holds) what was asked for."""


def split_into_windows(
    start: date, end: date, max_days: int = MAX_WINDOW_DAYS
) -> list[tuple[date, date]]:
    """Split the inclusive range ``start..end`` into consecutive windows of at most ``max_days``."""
    if start > end:
        raise ValueError(f"start {start} is after end {end}")
    windows = []
    window_start = start
    while window_start <= end:
        window_end = min(end, window_start + timedelta(days=max_days - 1))
        windows.append((window_start, window_end))
        window_start = window_end + timedelta(days=1)
    return windows


class _RateLimiter:
    """At most ``limit`` calls in any rolling ``period`` seconds (thread-safe)."""

    def __init__(self, limit: int, period: float, clock: Callable[[], float] = time.monotonic):
        self.limit, self.period, self.clock = limit, period, clock
        self.calls: deque[float] = deque()
        self.lock = threading.Lock()

    def wait(self) -> None:
        with self.lock:
            now = self.clock()
            while self.calls and now - self.calls[0] >= self.period:
                self.calls.popleft()
            if len(self.calls) >= self.limit:
                time.sleep(self.period - (now - self.calls[0]))
                self.calls.popleft()
            self.calls.append(self.clock())


def _retry_after_seconds(header: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header (delta-seconds or an HTTP date)."""
    if not header:
        return None
    try:
        return max(0.0, float(header))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(header) - datetime.now(UTC)).total_seconds())
    except (TypeError, ValueError):
        return None


def _error_message(body: bytes) -> str:
    """The ``error.message`` of an OpenRouter error body, or the start of the raw text."""
    try:
        return str(json.loads(body)["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return body[:200].decode("utf-8", errors="replace")


@dataclass(frozen=True)
class _Reply:
    """One HTTP response, its body read whole."""

    status: int
    headers: Mapping[str, str]
    body: bytes


class _DeadlineExceeded(Exception):
    """A request took longer than its deadline (a body trickling in, say)."""


@dataclass
class OpenRouterClient:
    """The one HTTP client for OpenRouter, on a ``requests.Session``.

    Retries 429, 5xx, timeouts and connection errors with exponential backoff and jitter, for at
    most ``max_attempts`` attempts, all within ``request_deadline_seconds`` of the first (a server
    that sends nothing, or trickles a body, cannot hold a run longer); honours ``Retry-After`` up
    to ``max_retry_after_seconds`` and fails at once beyond it; keeps under the Data API's 30
    requests a minute. The API key (from
    :func:`orchestration.lib.settings.api_key`) is sent as a Bearer header and never logged,
    echoed, chained into an exception or shown in ``repr``.
    """

    base_url: str = field(default_factory=openrouter_base_url)
    api_key: str | None = field(default=None, repr=False)
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 120.0
    request_deadline_seconds: float = field(default_factory=request_deadline_seconds)
    max_retry_after_seconds: float = field(default_factory=max_retry_after_seconds)
    max_attempts: int = 5
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 120.0
    max_requests_per_minute: int = 28
    logger: logging.Logger = field(default=logging.getLogger(__name__), repr=False)
    _session: requests.Session = field(init=False, repr=False)
    _rate_limiter: _RateLimiter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.api_key is not None:
            validate_api_key(self.api_key)
        self._session = requests.Session()
        self._rate_limiter = _RateLimiter(self.max_requests_per_minute, 60.0)

    def _redact(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    def _fetch(
        self, url: str, params: dict[str, str], headers: dict[str, str], deadline: float
    ) -> _Reply:
        """One GET, its body read by ``deadline`` (a ``time.monotonic()`` instant).

        No wait for a connection or a byte is longer than the time left; the body is read one
        network read at a time (``read1``), so a body trickling in byte by byte is cut off at the
        deadline instead of never.
        """
        left = max(0.001, deadline - time.monotonic())
        with self._session.get(
            url,
            params=params,
            headers=headers,
            timeout=(min(self.connect_timeout_seconds, left), min(self.read_timeout_seconds, left)),
            stream=True,
        ) as response:
            chunks = []
            while chunk := response.raw.read1(1 << 16, decode_content=True):
                chunks.append(chunk)
                if time.monotonic() > deadline:
                    raise _DeadlineExceeded
            return _Reply(response.status_code, response.headers, b"".join(chunks))

    def _get(self, path: str, params: dict[str, str], authenticated: bool) -> FetchedResponse:
        url = self.base_url.rstrip("/") + path
        described = f"GET {path}" + (f" {params}" if params else "")
        headers = {"Accept": "application/json"}
        if authenticated:
            if not self.api_key:
                raise OpenRouterError(
                    f"{described}: no API key. Set {API_KEY_ENV_VAR} to an OpenRouter API key."
                )
            headers["Authorization"] = f"Bearer {self.api_key}"

        last_problem = "no attempt made"
        deadline = time.monotonic() + self.request_deadline_seconds
        attempt = 0
        while attempt < self.max_attempts and time.monotonic() < deadline:
            attempt += 1
            self._rate_limiter.wait()
            retry_after: float | None = None
            try:
                reply = self._fetch(url, params, headers, deadline)
            except _DeadlineExceeded:
                last_problem = "the body was still arriving at the deadline"
            except (requests.ConnectionError, requests.Timeout) as error:
                # The type only: the text of a requests error can carry the request's headers.
                last_problem = type(error).__name__
            except requests.RequestException as error:
                problem = type(error).__name__
                raise OpenRouterError(f"{described}: the request failed ({problem}).") from None
            else:
                if reply.status == 200:
                    return FetchedResponse(
                        body=reply.body,
                        received_at=datetime.now(UTC),
                        source="api",
                        origin=described,
                    )
                message = self._redact(_error_message(reply.body))
                if reply.status == 401:
                    raise OpenRouterError(
                        f"{described}: OpenRouter refused the API key (401: {message}). "
                        f"Set {API_KEY_ENV_VAR} to a valid OpenRouter API key."
                    )
                if reply.status == 400:
                    raise OpenRouterError(
                        f"{described}: OpenRouter rejected the request (400: {message}). "
                        "Dates must be real YYYY-MM-DD days, start_date <= end_date, a span of "
                        "at most 366 days, and end_date not before 2025-01-01."
                    )
                if reply.status == 404:
                    raise NotPublishedError(f"{described}: not found (404: {message}).")
                if reply.status not in RETRYABLE_STATUS:
                    raise OpenRouterError(
                        f"{described}: unexpected HTTP {reply.status} ({message})."
                    )
                last_problem = f"HTTP {reply.status} ({message})"
                retry_after = _retry_after_seconds(reply.headers.get("Retry-After"))
                if retry_after is not None and retry_after > self.max_retry_after_seconds:
                    retry_at = datetime.now(UTC) + timedelta(seconds=retry_after)
                    raise OpenRouterError(
                        f"{described}: {last_problem}; OpenRouter asks to wait "
                        f"{retry_after:.0f}s, longer than this run waits "
                        f"({self.max_retry_after_seconds:.0f}s, "
                        "OPENROUTER_MAX_RETRY_AFTER_SECONDS). Run again after "
                        f"{retry_at.isoformat(timespec='minutes')}."
                    )
            backoff = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))
            delay = retry_after if retry_after is not None else backoff * random.uniform(0.5, 1.0)
            if attempt == self.max_attempts or time.monotonic() + delay >= deadline:
                break
            self.logger.warning(
                f"{described}: attempt {attempt} failed ({last_problem}); retrying in {delay:.1f}s"
            )
            time.sleep(delay)
        raise OpenRouterError(
            f"{described}: gave up after {attempt} attempt{'s' if attempt > 1 else ''} within "
            f"{self.request_deadline_seconds:.0f}s (OPENROUTER_REQUEST_DEADLINE_SECONDS); last "
            f"error: {last_problem}. OpenRouter may be down or rate-limiting this key (30 "
            "requests a minute, 500 a day): try again later."
        )

    def get(self, path: str) -> FetchedResponse:
        """``GET path`` without the key (the public catalogue and exports), as received."""
        return self._get(path, {}, authenticated=False)

    def date_range(self) -> tuple[date, date]:
        """The Data API's whole history: from its first day to yesterday (UTC)."""
        return RANKINGS_HISTORY_START, datetime.now(UTC).date() - timedelta(days=1)

    def rankings_daily(self, start_date: date, end_date: date) -> list[FetchedResponse]:
        """One request per window of at most 366 days covering ``start_date..end_date``."""
        return [
            replace(
                self._get(
                    RANKINGS_PATH,
                    {"start_date": window_start.isoformat(), "end_date": window_end.isoformat()},
                    authenticated=True,
                ),
                # The API answers an earlier start from its first day.
                requested_window=(max(window_start, RANKINGS_HISTORY_START), window_end),
            )
            for window_start, window_end in split_into_windows(start_date, end_date)
        ]

    def models_catalog(self) -> FetchedResponse:
        """``GET /api/v1/models?output_modalities=all`` (public, no key)."""
        return self._get(MODELS_PATH, {"output_modalities": "all"}, authenticated=False)
