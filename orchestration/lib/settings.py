"""The one place for paths and settings: every other module takes them from here.

Environment variables, read when called (not at import) unless noted, so tests and users can
point the pipeline elsewhere:

- ``PIPELINE_DATA_DIR``: root of everything generated (lake, warehouse, exports, report);
  default ``<repo>/data``.
- ``WAREHOUSE_PATH``: the working DuckDB database dbt builds into; default
  ``<PIPELINE_DATA_DIR>/build/warehouse.duckdb``.
- ``RANKINGS_SOURCE``: the feed rankings come from: ``api``, ``exports`` (the keyless daily
  exports), ``sample`` or ``auto`` (the default: the API with a key, else the sample).
- ``RANKINGS_SAMPLE_DIR``: the bundled sample read when it is the source;
  default ``<repo>/data/sample``.
- ``OPENROUTER_API_KEY``: the Data API's key; with ``auto``, the API is read instead of the sample.
- ``OPENROUTER_BASE_URL``: scheme and host of the API and the exports (a proxy or a local
  stand-in); default ``https://openrouter.ai``.
- ``OPENROUTER_MAX_RETRY_AFTER_SECONDS``: the longest ``Retry-After`` a run waits; a longer one
  fails the run at once, saying when to retry. Default 120.
- ``OPENROUTER_REQUEST_DEADLINE_SECONDS``: the most one request may take, every retry, wait and
  body included (a server that sends nothing, or sends slowly, cannot hold a run longer).
  Default 300.
- ``WAREHOUSE_LOCK_WAIT_SECONDS``: how long a run waits while another program holds the working
  warehouse open, before failing and naming it. Default 60.
- ``DUCKDB_MEMORY_LIMIT``: DuckDB's memory budget per process (read at import); default 2500MB.
- ``SPARK_DRIVER_MEMORY``: the heap of the Spark driver (the ``spark`` target's session, where
  a local run does all its work, and the Thrift server's); default 4g (read at import).
- ``ALERT_WEBHOOK_URL``: where failed runs are reported (a JSON POST, Slack-compatible); unset,
  they are logged.
- ``DAGSTER_UI_URL``: the Dagster UI's address, for links in alerts; default
  ``http://127.0.0.1:3000`` (``make ui``; ``make serve`` sets its own).
- ``PIPELINE_SCHEDULES``: ``running`` turns the daily schedules on when the code location
  loads (``make serve`` sets it); default ``stopped``: ``make ui`` runs nothing by itself.
- ``DAGSTER_POSTGRES_URL``: the PostgreSQL database of the service's Dagster instance
  (``make serve``); unset, the service starts its own cluster under ``<data dir>/service``.
- ``SERVICE_POSTGRES_PORT``: the loopback port of that local cluster; default 5433.
"""

from __future__ import annotations

import json
import os
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import yaml

from orchestration.lib.errors import ActionableError

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
# The Superset project (make bi) and the virtualenv it runs in, apart from the pipeline's.
SUPERSET_PROJECT_DIR = PROJECT_ROOT / "bi" / "superset"
SUPERSET_VENV = PROJECT_ROOT / ".venv-superset"
# dbt installed beside this Python, so runs work without the virtualenv on PATH.
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")
# A production `dbt build`: dbt unit tests check SQL logic on fixed inputs, so they run in the
# test suite, not on every build (dbt's own advice).
DBT_BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]

DEFAULT_OPENROUTER_BASE_URL = "https://openrouter.ai"
API_KEY_ENV_VAR = "OPENROUTER_API_KEY"

# The Data API's history starts here; earlier start dates are clamped by the API.
RANKINGS_HISTORY_START = date(2025, 1, 1)
# The API rejects windows longer than this many days.
MAX_WINDOW_DAYS = 366

CITATION_TEMPLATE = "Source: OpenRouter (openrouter.ai/rankings), as of {as_of}."
LICENCE_NOTE = "Licensed under CC BY 4.0."

# Memory DuckDB may use in any one process of the pipeline before spilling to disk (dbt's
# profile reads the same variable with the same default).
DUCKDB_MEMORY_LIMIT = os.environ.get("DUCKDB_MEMORY_LIMIT", "2500MB")

# The Spark driver's heap (dbt's profile reads the same variable with the same default). Spark's
# own default, 1g, left the 1M-row build's window models collecting garbage for minutes
# (int_ranking_events_daily: 475 s at 1g, 64 s at 2g, 55 s at 4g; docs/scale-out.md).
SPARK_DRIVER_MEMORY = os.environ.get("SPARK_DRIVER_MEMORY", "4g")

# The storage format of the published copy: readable by DuckDB 1.4 and newer (the duckdb-cli
# 1.5.x analysts use and many BI drivers), not only by the 2.x that writes it.
PUBLISHED_STORAGE_VERSION = "v1.4.0"

# meta.as_of may be this far after the time a response was received (clocks differ a little).
MAX_CLOCK_SKEW = timedelta(minutes=5)

RANKINGS_ENDPOINT = "rankings_daily"
# The keyless exports: dated CSV files, and the manifests naming them (landed apart).
EXPORTS_RANKINGS_ENDPOINT = "exports_rankings_daily"
EXPORTS_MANIFESTS_ENDPOINT = "exports_manifests"
CATALOG_ENDPOINT = "models_catalog"


@dataclass(frozen=True)
class DataPaths:
    """Where the pipeline keeps its files, all below one data directory."""

    data_dir: Path

    @property
    def lake_dir(self) -> Path:
        return self.data_dir / "lake"

    @property
    def landing_dir(self) -> Path:
        """Every response body exactly as received, never modified."""
        return self.lake_dir / "landing"

    @property
    def quarantine_dir(self) -> Path:
        """Responses that failed validation, each with a sidecar giving the error."""
        return self.lake_dir / "quarantine"

    @property
    def raw_rankings_dir(self) -> Path:
        """Hive-partitioned Parquet: ``date=YYYY-MM-DD/<as_of>_<sha>.parquet``, one file per
        snapshot, until compaction rewrites a folder's files as ``compacted_<sha>.parquet``."""
        return self.lake_dir / "raw" / RANKINGS_ENDPOINT

    def rankings_date_folders(self, first: date, last: date) -> list[Path]:
        """The lake's ``date=`` folders from ``first`` to ``last`` holding Parquet, in date order.

        One look per day: reading a few dates this way costs the same in a lake of any size,
        where a glob over the whole lake lists every folder it holds. A folder left empty (its
        only snapshot retracted or quarantined) is left out: DuckDB refuses a path with no file.
        """
        days = (first + timedelta(days=offset) for offset in range((last - first).days + 1))
        folders = (self.raw_rankings_dir / f"date={day.isoformat()}" for day in days)
        return [folder for folder in folders if any(folder.glob("*.parquet"))]

    @property
    def lake_manifests_dir(self) -> Path:
        """One JSON per rankings response: each lake file it wrote, with rows and SHA-256."""
        return self.lake_dir / "manifests" / RANKINGS_ENDPOINT

    @property
    def lake_compactions_dir(self) -> Path:
        """One JSON per compacted ``date=`` folder: its one file, with rows, SHA-256 and the
        snapshot files it holds (:mod:`orchestration.lib.ingestion.compaction`)."""
        return self.lake_manifests_dir / "compactions"

    @property
    def raw_catalog_dir(self) -> Path:
        """One Parquet file per catalogue snapshot."""
        return self.lake_dir / "raw" / CATALOG_ENDPOINT

    @property
    def published_warehouse(self) -> Path:
        """The checked copy analysts and BI tools read; replaced atomically on each publish."""
        return self.data_dir / "warehouse.duckdb"

    @property
    def exports_dir(self) -> Path:
        """One Parquet file per mart, for BI tools that read Parquet.

        A symbolic link to the newest folder of :attr:`exports_versions_dir`, switched in one
        rename, so a reader never sees the files of two publishes mixed.
        """
        return self.data_dir / "exports" / "marts"

    @property
    def exports_versions_dir(self) -> Path:
        """One folder of Parquet exports per publish; the current one and the one before stay."""
        return self.data_dir / "exports" / "versions"

    @property
    def reports_dir(self) -> Path:
        """The static report with charts."""
        return self.data_dir / "reports"

    @property
    def report_assets_dir(self) -> Path:
        """What every report inlines and no data changes (the Vega libraries), made once."""
        return self.data_dir / "build" / "report-assets"

    @property
    def dbt_invocations_dir(self) -> Path:
        """Each dbt invocation's target folder, and the parse state the next one starts from
        (orchestration/lib/dbt_invocations.py), one folder per engine."""
        return self.data_dir / "build" / "dbt"

    @property
    def spark_warehouse_dir(self) -> Path:
        """Where Spark writes the tables it builds (``spark.sql.warehouse.dir``, profiles.yml):
        one Parquet folder per table under ``<schema>.db/``."""
        return self.data_dir / "build" / "spark-warehouse"

    @property
    def spark_metastore_dir(self) -> Path:
        """Where Spark's metastore (Derby) keeps its catalogue of those tables (profiles.yml)."""
        return self.data_dir / "build" / "spark-metastore"

    @property
    def posted_events_ledger(self) -> Path:
        """The ranking events the alert sensor has posted (or, on its first evaluation, found
        too old to post): beside the data, not in Dagster's storage, so that a new Dagster home
        (`make ui` and `make serve` have their own) never posts them again."""
        return self.data_dir / "alerts" / "posted_events.json"

    @property
    def logs_dir(self) -> Path:
        """Logs of the command-line runs (``make demo``): every Dagster and dbt line."""
        return self.data_dir / "logs"

    @property
    def superset_state_dir(self) -> Path:
        """Superset's metadata database, secret key and admin password (``make bi``)."""
        return self.data_dir / "bi" / "superset"

    @property
    def service_dir(self) -> Path:
        """The service's state (``make serve``): its Dagster home, local PostgreSQL and logs."""
        return self.data_dir / "service"

    @property
    def service_dagster_home(self) -> Path:
        """``DAGSTER_HOME`` of the service: its ``dagster.yaml`` (run history is in PostgreSQL)."""
        return self.service_dir / "dagster_home"

    @property
    def postgres_cluster_dir(self) -> Path:
        """The PostgreSQL cluster the service starts when no ``DAGSTER_POSTGRES_URL`` is set."""
        return self.service_dir / "postgres"

    @property
    def working_warehouse(self) -> Path:
        """The DuckDB database dbt builds into; only the pipeline opens it."""
        default = self.data_dir / "build" / "warehouse.duckdb"
        return Path(os.environ.get("WAREHOUSE_PATH", default)).resolve()

    def dbt_vars_arguments(self) -> list[str]:
        """dbt's ``--vars`` pointing it at these same files when the environment names a relative
        path; else no arguments.

        dbt runs in ``dbt_project/`` and would resolve a relative ``PIPELINE_DATA_DIR`` or
        ``WAREHOUSE_PATH`` there, not where it was given; the vars carry the resolved paths.
        Otherwise dbt reads the same environment and no vars are needed (changing vars costs dbt
        a full re-parse).
        """
        given = {name: os.environ.get(name, "") for name in ("PIPELINE_DATA_DIR", "WAREHOUSE_PATH")}
        if all(not value or Path(value).is_absolute() for value in given.values()):
            return []
        resolved = {"data_dir": str(self.data_dir), "warehouse_path": str(self.working_warehouse)}
        return ["--vars", json.dumps(resolved)]


def data_paths() -> DataPaths:
    """Paths for the current environment (``PIPELINE_DATA_DIR``, default ``<repo>/data``).

    A relative ``PIPELINE_DATA_DIR`` resolves against the current directory.
    """
    return DataPaths(Path(os.environ.get("PIPELINE_DATA_DIR", PROJECT_ROOT / "data")).resolve())


def sample_dir() -> Path:
    """The bundled sample folder (``RANKINGS_SAMPLE_DIR``, default ``<repo>/data/sample``)."""
    return Path(os.environ.get("RANKINGS_SAMPLE_DIR", PROJECT_ROOT / "data" / "sample")).resolve()


class SettingError(ActionableError, ValueError):
    """An environment variable holds a value the pipeline cannot use."""


def validate_api_key(key: str) -> str:
    """``key`` if it can be sent as a Bearer token; otherwise a :class:`SettingError`.

    The message never shows the key: a key with a stray newline would otherwise be echoed by the
    HTTP library's own error about the ``Authorization`` header.
    """
    if not key.isprintable() or any(character.isspace() for character in key):
        raise SettingError(
            f"{API_KEY_ENV_VAR} contains whitespace or control characters (a key file saved "
            "with a Windows line ending, or a trailing newline?). Set it to the key alone. "
            "The value is not shown here."
        )
    return key


def api_key() -> str | None:
    """The OpenRouter API key from the environment, or None; it is never stored anywhere else.

    Raises :class:`SettingError` for a key that cannot be sent (see :func:`validate_api_key`).
    """
    key = os.environ.get(API_KEY_ENV_VAR)
    return validate_api_key(key) if key else None


def openrouter_base_url() -> str:
    """Scheme and host of the OpenRouter API (``OPENROUTER_BASE_URL``)."""
    return os.environ.get("OPENROUTER_BASE_URL", DEFAULT_OPENROUTER_BASE_URL).rstrip("/")


def _seconds(variable: str, default: float) -> float:
    value = os.environ.get(variable)
    if value is None:
        return default
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not seconds > 0:
        raise SettingError(f"{variable}={value!r} is not a positive number of seconds.")
    return seconds


def max_retry_after_seconds() -> float:
    """The longest ``Retry-After`` a run waits (``OPENROUTER_MAX_RETRY_AFTER_SECONDS``)."""
    return _seconds("OPENROUTER_MAX_RETRY_AFTER_SECONDS", 120.0)


def request_deadline_seconds() -> float:
    """The most one API request may take, retries and bodies included
    (``OPENROUTER_REQUEST_DEADLINE_SECONDS``)."""
    return _seconds("OPENROUTER_REQUEST_DEADLINE_SECONDS", 300.0)


def warehouse_lock_wait_seconds() -> float:
    """How long a run waits for another program to let go of the working warehouse
    (``WAREHOUSE_LOCK_WAIT_SECONDS``)."""
    return _seconds("WAREHOUSE_LOCK_WAIT_SECONDS", 60.0)


@cache
def dbt_project_vars() -> dict[str, Any]:
    """The vars of ``dbt_project/dbt_project.yml``: limits ingestion shares with the data tests."""
    return yaml.safe_load((DBT_PROJECT_DIR / "dbt_project.yml").read_text())["vars"]


def model_day_ceiling_tokens() -> int:
    """The most tokens one model may have in one day (dbt var ``model_day_ceiling_tokens``)."""
    return int(dbt_project_vars()["model_day_ceiling_tokens"])


def other_day_ceiling_tokens() -> int:
    """The most tokens the ``other`` row may hold in one day: 100 times the model ceiling.

    The tail is many models, so it may exceed one model's ceiling; the bound keeps every sum the
    warehouse takes (weekly totals, cumulative tokens over a decade) within BIGINT.
    """
    return 100 * model_day_ceiling_tokens()


def alert_webhook_url() -> str | None:
    """Where failed runs are reported (``ALERT_WEBHOOK_URL``), or None to log them."""
    return os.environ.get("ALERT_WEBHOOK_URL") or None


# The kinds of mart_ranking_events (dbt_project/models/marts/mart_ranking_events.yml).
RANKING_EVENT_KINDS = (
    "entered_daily_top_n",
    "entered_weekly_top_n",
    "model_overtook",
    "vendor_overtook",
    "region_overtook",
    "weekly_surge",
    "weekly_drop",
    "undisclosed_share",
    "model_milestone",
    "vendor_milestone",
)


def alert_event_kinds() -> frozenset[str]:
    """The ranking-event kinds the alert sensor posts: ``ALERT_EVENT_KINDS``, comma-separated
    (``none`` for none), default every kind; an unknown kind is refused, naming the known ones."""
    value = os.environ.get("ALERT_EVENT_KINDS", "").strip()
    if not value:
        return frozenset(RANKING_EVENT_KINDS)
    if value == "none":
        return frozenset()
    kinds = frozenset(kind.strip() for kind in value.split(",") if kind.strip())
    unknown = sorted(kinds - set(RANKING_EVENT_KINDS))
    if unknown:
        raise SettingError(
            f"ALERT_EVENT_KINDS names unknown event kinds {unknown}: use some of "
            f"{', '.join(RANKING_EVENT_KINDS)}, or `none`"
        )
    return kinds


def alert_events_lookback_days() -> int:
    """On the alert sensor's first evaluation, events dated within this many days of the newest
    one are posted, older ones only recorded (``ALERT_EVENTS_LOOKBACK_DAYS``, default 14): a new
    deployment announces what is recent, not the whole history."""
    value = os.environ.get("ALERT_EVENTS_LOOKBACK_DAYS", "14")
    if not value.isdigit():
        raise SettingError(f"ALERT_EVENTS_LOOKBACK_DAYS={value!r} is not a whole number of days.")
    return int(value)


def dagster_ui_url() -> str:
    """The Dagster UI's address, for links to runs (``DAGSTER_UI_URL``)."""
    return os.environ.get("DAGSTER_UI_URL", "http://127.0.0.1:3000").rstrip("/")


# The dbt targets (dbt_project/profiles.yml): DuckDB, the default; Spark in this process
# (`local[*]`); Spark through a Thrift server (a cluster, docs/scale-out.md).
DBT_ENGINE_TARGETS = ("duckdb", "spark", "spark_thrift")


def dbt_target() -> str:
    """The dbt target the pipeline builds with: ``DBT_TARGET``, default ``duckdb``."""
    target = os.environ.get("DBT_TARGET", "duckdb")
    if target not in DBT_ENGINE_TARGETS:
        raise SettingError(
            f"DBT_TARGET={target!r} is not a target the pipeline builds with: use one of "
            f"{', '.join(DBT_ENGINE_TARGETS)} (docs/scale-out.md)"
        )
    return target


RANKINGS_SOURCE_ENV_VAR = "RANKINGS_SOURCE"
# The feeds rankings come from; each lake row's `source` is one of them.
RANKINGS_FEEDS = ("api", "exports", "sample")


def rankings_source_name() -> str:
    """The feed rankings come from: ``RANKINGS_SOURCE`` (``api``, ``exports``, ``sample``), or
    for ``auto`` (the default) the Data API when ``OPENROUTER_API_KEY`` is set and the bundled
    sample otherwise, so that the demo stays offline. ``make serve`` asks for live data: there
    ``auto`` without a key is the keyless exports.

    Only whether a key is set is read: modules call this as they are imported, and a key that
    cannot be sent is refused by :func:`check_settings` (every command's first step).
    """
    value = os.environ.get(RANKINGS_SOURCE_ENV_VAR, "auto")
    if value not in (*RANKINGS_FEEDS, "auto"):
        raise SettingError(
            f"{RANKINGS_SOURCE_ENV_VAR}={value!r}: use api (the Data API, with "
            f"{API_KEY_ENV_VAR}), exports (OpenRouter's keyless daily exports), sample (the "
            "bundled sample) or auto"
        )
    key_set = bool(os.environ.get(API_KEY_ENV_VAR))
    if value == "auto":
        return "api" if key_set else "sample"
    if value == "api" and not key_set:
        raise SettingError(
            f"{RANKINGS_SOURCE_ENV_VAR}=api needs {API_KEY_ENV_VAR}; without a key use "
            f"{RANKINGS_SOURCE_ENV_VAR}=exports (OpenRouter's keyless daily exports)"
        )
    return value


def live_source_enabled() -> bool:
    """True when rankings come from OpenRouter (the Data API or the exports), not the sample."""
    return rankings_source_name() != "sample"


def schedules_running() -> bool:
    """True when the daily schedules are on as the code location loads (``PIPELINE_SCHEDULES``)."""
    value = os.environ.get("PIPELINE_SCHEDULES", "stopped")
    if value not in ("running", "stopped"):
        raise SettingError(f"PIPELINE_SCHEDULES={value!r}: use 'running' or 'stopped'.")
    return value == "running"


def dagster_postgres_url() -> str | None:
    """The service's PostgreSQL URL (``DAGSTER_POSTGRES_URL``) for the psycopg2 driver, or None.

    SQLAlchemy 2.1 reads ``postgresql://`` as psycopg 3, which is not installed: the driver that
    dagster-postgres installs is named explicitly.
    """
    url = os.environ.get("DAGSTER_POSTGRES_URL")
    if not url:
        return None
    scheme, separator, rest = url.partition("://")
    if not separator or scheme not in ("postgres", "postgresql", "postgresql+psycopg2"):
        raise SettingError(
            "DAGSTER_POSTGRES_URL must be a PostgreSQL URL such as "
            "postgresql://user:password@host:5432/dagster (the value is not shown here)."
        )
    return f"postgresql+psycopg2://{rest}"


def service_postgres_port() -> int:
    """The loopback port of the service's local PostgreSQL (``SERVICE_POSTGRES_PORT``)."""
    value = os.environ.get("SERVICE_POSTGRES_PORT", "5433")
    if not value.isdigit() or not 0 < int(value) < 65536:
        raise SettingError(f"SERVICE_POSTGRES_PORT={value!r} is not a TCP port.")
    return int(value)


def check_settings() -> None:
    """Read every setting once, so that a command refuses a bad one before it does any work.

    Raises :class:`SettingError` naming the first setting refused (never showing a secret).
    """
    api_key()
    rankings_source_name()
    dbt_target()
    max_retry_after_seconds()
    request_deadline_seconds()
    warehouse_lock_wait_seconds()
    schedules_running()
    dagster_postgres_url()
    service_postgres_port()
