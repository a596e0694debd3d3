"""The one HTTP client for OpenRouter's API (``requests``), with retries and a rate limit.

It hands back raw bodies (:class:`FetchedResponse`); nothing is parsed here.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime

import requests

from orchestration.lib.responses import FetchedResponse
from orchestration.lib.settings import API_KEY_ENV_VAR, MAX_WINDOW_DAYS, OPENROUTER_BASE_URL

RANKINGS_PATH = "/api/v1/datasets/rankings-daily"
MODELS_PATH = "/api/v1/models"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


class OpenRouterError(RuntimeError):
    """A request to OpenRouter failed in a way retrying will not fix."""


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


def _error_message(response: requests.Response) -> str:
    """The ``error.message`` of an OpenRouter error body, or the start of the raw text."""
    try:
        return str(response.json()["error"]["message"])
    except (ValueError, KeyError, TypeError):
        return response.text[:200]


@dataclass
class OpenRouterClient:
    """The one HTTP client for OpenRouter, on a ``requests.Session``.

    Retries 429, 5xx, timeouts and connection errors with exponential backoff and jitter,
    honouring ``Retry-After``, for at most ``max_attempts`` attempts; keeps under the Data API's
    30 requests a minute. The API key (from :func:`orchestration.lib.settings.api_key`) is sent
    as a Bearer header and never logged, echoed or shown in ``repr``.
    """

    base_url: str = OPENROUTER_BASE_URL
    api_key: str | None = field(default=None, repr=False)
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 120.0
    max_attempts: int = 5
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 120.0
    max_requests_per_minute: int = 28
    logger: logging.Logger = field(default=logging.getLogger(__name__), repr=False)
    _session: requests.Session = field(init=False, repr=False)
    _rate_limiter: _RateLimiter = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self._session = requests.Session()
        self._rate_limiter = _RateLimiter(self.max_requests_per_minute, 60.0)

    def _redact(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

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
        for attempt in range(1, self.max_attempts + 1):
            self._rate_limiter.wait()
            retry_after: float | None = None
            try:
                response = self._session.get(
                    url,
                    params=params,
                    headers=headers,
                    timeout=(self.connect_timeout_seconds, self.read_timeout_seconds),
                )
            except (requests.ConnectionError, requests.Timeout) as error:
                last_problem = f"{type(error).__name__}"
            else:
                if response.status_code == 200:
                    return FetchedResponse(
                        body=response.content,
                        received_at=datetime.now(UTC),
                        source="live",
                        origin=described,
                    )
                message = self._redact(_error_message(response))
                if response.status_code == 401:
                    raise OpenRouterError(
                        f"{described}: OpenRouter refused the API key (401: {message}). "
                        f"Set {API_KEY_ENV_VAR} to a valid OpenRouter API key."
                    )
                if response.status_code == 400:
                    raise OpenRouterError(
                        f"{described}: OpenRouter rejected the request (400: {message}). "
                        "Dates must be real YYYY-MM-DD days, start_date <= end_date, a span of "
                        "at most 366 days, and end_date not before 2025-01-01."
                    )
                if response.status_code not in RETRYABLE_STATUS:
                    raise OpenRouterError(
                        f"{described}: unexpected HTTP {response.status_code} ({message})."
                    )
                last_problem = f"HTTP {response.status_code} ({message})"
                retry_after = _retry_after_seconds(response.headers.get("Retry-After"))
            if attempt == self.max_attempts:
                break
            backoff = min(self.backoff_max_seconds, self.backoff_base_seconds * 2 ** (attempt - 1))
            delay = retry_after if retry_after is not None else backoff * random.uniform(0.5, 1.0)
            self.logger.warning(
                f"{described}: attempt {attempt} failed ({last_problem}); retrying in {delay:.1f}s"
            )
            time.sleep(delay)
        raise OpenRouterError(
            f"{described}: gave up after {self.max_attempts} attempts; last error: {last_problem}. "
            "OpenRouter may be down or rate-limiting this key (30 requests a minute, 500 a day): "
            "try again later."
        )

    def rankings_daily(self, start_date: date, end_date: date) -> list[FetchedResponse]:
        """One request per window of at most 366 days covering ``start_date..end_date``."""
        return [
            self._get(
                RANKINGS_PATH,
                {"start_date": window_start.isoformat(), "end_date": window_end.isoformat()},
                authenticated=True,
            )
            for window_start, window_end in split_into_windows(start_date, end_date)
        ]

    def models_catalog(self) -> FetchedResponse:
        """``GET /api/v1/models?output_modalities=all`` (public, no key)."""
        return self._get(MODELS_PATH, {"output_modalities": "all"}, authenticated=False)
