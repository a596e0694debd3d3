"""Sources of OpenRouter responses: the live API client and the bundled sample.

Both hand back raw response bodies (:class:`FetchedResponse`); parsing and validation happen
only after the body has been landed, in :mod:`orchestration.ingestion.ingest`.
"""

from __future__ import annotations

import random
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Literal

import dagster as dg
import requests
from pydantic import Field, PrivateAttr

from orchestration.settings import API_KEY_ENV_VAR, MAX_WINDOW_DAYS, OPENROUTER_BASE_URL

RANKINGS_PATH = "/api/v1/datasets/rankings-daily"
MODELS_PATH = "/api/v1/models"
RETRYABLE_STATUS = frozenset({429, 500, 502, 503, 504})


@dataclass(frozen=True)
class FetchedResponse:
    """A response body as received, with where and when it came from."""

    body: bytes
    received_at: datetime
    source: Literal["live", "sample"]
    origin: str


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


class RankingsSource(dg.ConfigurableResource):
    """Where raw responses come from; the assets depend on this interface only."""

    def rankings_daily(self, start_date: date, end_date: date) -> list[FetchedResponse]:
        """Rankings-daily responses covering ``start_date..end_date`` (inclusive)."""
        raise NotImplementedError

    def models_catalog(self) -> FetchedResponse:
        """One model catalogue response."""
        raise NotImplementedError


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


class OpenRouterClient(RankingsSource):
    """The one HTTP client for OpenRouter, on a ``requests.Session``.

    Retries 429, 5xx, timeouts and connection errors with exponential backoff and jitter,
    honouring ``Retry-After``, for at most ``max_attempts`` attempts; keeps under the Data API's
    30 requests a minute. The API key is sent as a Bearer header and never logged or echoed.
    """

    base_url: str = Field(default=OPENROUTER_BASE_URL, description="Scheme and host of the API.")
    api_key: str | None = Field(
        default=None, description=f"Bind to dg.EnvVar('{API_KEY_ENV_VAR}'); never a literal."
    )
    connect_timeout_seconds: float = 10.0
    read_timeout_seconds: float = 120.0
    max_attempts: int = 5
    backoff_base_seconds: float = 2.0
    backoff_max_seconds: float = 120.0
    max_requests_per_minute: int = 28

    _session: requests.Session | None = PrivateAttr(default=None)
    _rate_limiter: _RateLimiter | None = PrivateAttr(default=None)

    def _redact(self, text: str) -> str:
        return text.replace(self.api_key, "***") if self.api_key else text

    def _get(self, path: str, params: dict[str, str], authenticated: bool) -> FetchedResponse:
        if self._session is None:
            self._session = requests.Session()
            self._rate_limiter = _RateLimiter(self.max_requests_per_minute, 60.0)
        assert self._rate_limiter is not None
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
            dg.get_dagster_logger().warning(
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


class BundledSample(RankingsSource):
    """Recorded responses on disk, used when no API key is set.

    ``rankings_daily/<start>_<end>.json`` holds the response to a request for that window;
    ``models_catalog/<YYYY-MM-DD>.json`` a catalogue response received on that day.
    """

    sample_dir: str

    def rankings_daily(self, start_date: date, end_date: date) -> list[FetchedResponse]:
        """Every recorded response whose window overlaps ``start_date..end_date``."""
        responses = []
        for path in sorted(Path(self.sample_dir, "rankings_daily").glob("*_*.json")):
            window_start, window_end = (date.fromisoformat(part) for part in path.stem.split("_"))
            if window_start <= end_date and start_date <= window_end:
                responses.append(
                    FetchedResponse(path.read_bytes(), datetime.now(UTC), "sample", str(path))
                )
        return responses

    def models_catalog(self) -> FetchedResponse:
        """The newest recorded catalogue, stamped with the day it was received."""
        files = sorted(Path(self.sample_dir, "models_catalog").glob("*.json"))
        if not files:
            raise FileNotFoundError(
                f"no catalogue response in {self.sample_dir}/models_catalog; "
                "restore the bundled sample (git checkout data/sample) or set RANKINGS_SAMPLE_DIR"
            )
        newest = files[-1]
        received_at = datetime.combine(date.fromisoformat(newest.stem), datetime.min.time(), UTC)
        return FetchedResponse(newest.read_bytes(), received_at, "sample", str(newest))

    def date_range(self) -> tuple[date, date]:
        """First and last data date the sample covers, from its file names."""
        bounds = [
            date.fromisoformat(part)
            for path in Path(self.sample_dir, "rankings_daily").glob("*_*.json")
            for part in path.stem.split("_")
        ]
        if not bounds:
            raise FileNotFoundError(f"no rankings responses in {self.sample_dir}/rankings_daily")
        return min(bounds), max(bounds)
