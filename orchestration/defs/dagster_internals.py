"""The few Dagster internals this code location relies on, behind one seam.

Dagster 1.13 offers no public API for these: the pool a step waits for (its holders and waiting
steps), freeing the pool slots of a finished run, the latest started execution of asset checks
(what publishing vouches for), the tag a sensor's run key is stored under (to find its runs),
the tag naming a run's backfill (to compact the lake after one), and Dagster's SQLite storage,
whose event log is given connections that stay open (the instance config,
``orchestration/dagster.yaml``, names :class:`SqliteStorageKeepingConnections`).
Each use here has a test on a real instance (``tests/test_dagster_internals.py``), so an upgrade
that moves one fails there, not in a run.
The dbt resource's two private overrides are pinned the same way in
``tests/test_codebase_shape.py``.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import dagster as dg
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)
from dagster._core.storage.event_log.sqlite.sqlite_event_log import (
    INDEX_SHARD_NAME,
    SqliteEventLogStorage,
)
from dagster._core.storage.sqlite import SQLITE_BUSY_TIMEOUT_SECONDS
from dagster._core.storage.sqlite_storage import DagsterSqliteStorage, _event_logs_directory
from dagster._core.storage.tags import BACKFILL_ID_TAG, RUN_KEY_TAG
from dagster._serdes import ConfigurableClassData
from dagster._utils.concurrency import ConcurrencyKeyInfo
from dagster._utils.error import SerializableErrorInfo
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Connection, Engine

# Runs created at once whose planned checks are passed over (more, and a check counts as not run).
PASSED_OVER_AT_MOST = 20

__all__ = [
    "BACKFILL_ID_TAG",
    "RUN_KEY_TAG",
    "AssetCheckExecutionRecord",
    "ConcurrencyKeyInfo",
    "SerializableErrorInfo",
    "SqliteEventLogKeepingConnections",
    "SqliteStorageKeepingConnections",
    "free_pool_slots_of_run",
    "latest_started_check_executions",
    "pool_holders_and_waiting_steps",
    "runs_holding_pool_slots",
]


def pool_holders_and_waiting_steps(instance: dg.DagsterInstance, pool: str) -> ConcurrencyKeyInfo:
    """The pool's state: ``active_run_ids`` (runs holding a slot) and ``pending_steps`` (each
    with ``run_id``, ``step_key`` and ``assigned_timestamp``, None while it waits)."""
    return instance.event_log_storage.get_concurrency_info(pool)


def runs_holding_pool_slots(instance: dg.DagsterInstance) -> set[str]:
    """The ids of the runs holding a slot of any pool."""
    return instance.event_log_storage.get_concurrency_run_ids()


def free_pool_slots_of_run(instance: dg.DagsterInstance, run_id: str) -> None:
    """Free every pool slot the run holds, and drop its waiting steps."""
    instance.event_log_storage.free_concurrency_slots_for_run(run_id)


def latest_started_check_executions(
    instance: dg.DagsterInstance, check_keys: Sequence[dg.AssetCheckKey]
) -> dict[dg.AssetCheckKey, AssetCheckExecutionRecord]:
    """The latest execution of each check that has one, passing over executions whose step has
    not started.

    Dagster records a run's checks as planned when the run is created: a run still queued, or
    waiting for the pool, has not touched what its checks are about, and the execution before
    it still stands. A planned execution whose step started (running, or died before the check
    ran) is kept: it vouches for nothing. Past ``PASSED_OVER_AT_MOST`` runs waiting at once, the
    check counts as not run.
    """
    storage = instance.event_log_storage
    started_steps: dict[str, set[str]] = {}

    def step_started(record: AssetCheckExecutionRecord) -> bool:
        planned = record.event.dagster_event if record.event else None
        if record.status != AssetCheckExecutionRecordStatus.PLANNED or planned is None:
            return True
        if record.run_id not in started_steps:
            starts = instance.get_records_for_run(
                record.run_id, of_type=dg.DagsterEventType.STEP_START
            ).records
            started_steps[record.run_id] = {
                start.event_log_entry.dagster_event.step_key
                for start in starts
                if start.event_log_entry.dagster_event is not None
            }
        return planned.step_key in started_steps[record.run_id]

    latest = dict(storage.get_latest_asset_check_execution_by_key(list(check_keys)))
    for key, record in list(latest.items()):
        if step_started(record):
            continue
        history = storage.get_asset_check_execution_history(key, limit=PASSED_OVER_AT_MOST + 1)
        standing = next((earlier for earlier in history if step_started(earlier)), None)
        if standing is None:
            del latest[key]
        else:
            latest[key] = standing
    return latest


class SqliteEventLogKeepingConnections(SqliteEventLogStorage):
    """Dagster's SQLite event log (a database per run, plus an index), keeping the databases
    it used last open between events.

    Dagster's own creates an engine, opens the database, checks its tables and closes it again
    (which checkpoints its write-ahead log) for every event it stores: about 20 ms of CPU an
    event, and a warehouse run stores some 550 (every check is three). The
    ``KEPT_OPEN`` databases used last stay open; one used again after that is reopened.

    Their connections commit with ``synchronous=NORMAL``: in write-ahead-log mode SQLite then
    syncs the log at checkpoints, not at every commit (about 1.4 ms a commit on a busy disk).
    A database stays consistent whatever happens; only a power cut or an operating-system
    crash can lose its last events, and the run that stored them dies with the machine anyway.
    The service keeps its history in PostgreSQL (``orchestration/dagster_service.yaml``).
    """

    KEPT_OPEN = 8

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        self._engines: OrderedDict[str, Engine] = OrderedDict()
        self._tables_found: set[str] = set()
        super().__init__(base_dir, inst_data)

    def register_instance(self, instance: dg.DagsterInstance) -> None:
        # The config names its folder through DAGSTER_HOME: an instance opened from another
        # folder would keep its run history in DAGSTER_HOME's.
        home = Path(self._base_dir).parent.parent
        if home != Path(instance.root_directory).resolve():
            raise dg.DagsterInvariantViolationError(
                f"The instance in {instance.root_directory} would keep its run history in "
                f"DAGSTER_HOME ({home}): set DAGSTER_HOME to the folder of its dagster.yaml."
            )
        super().register_instance(instance)

    def _engine(self, shard: str) -> Engine:
        """The shard's engine, created (and its database set up) on first use."""
        if shard in self._engines:
            self._engines.move_to_end(shard)
            return self._engines[shard]
        engine = create_engine(
            self.conn_string_for_shard(shard),
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_SECONDS},
        )
        event.listen(engine, "connect", _sync_at_checkpoints)
        if shard not in self._initialized_dbs:
            self._initdb(engine)
            self._initialized_dbs.add(shard)
        self._engines[shard] = engine
        if len(self._engines) > self.KEPT_OPEN:
            self._engines.popitem(last=False)[1].dispose()
        return engine

    @contextmanager
    def _connect(self, shard: str) -> Iterator[Connection]:
        with self._db_lock:
            with self._engine(shard).connect() as connection:
                database = connection.connection.dbapi_connection
                changes_before = database.total_changes
                with connection.begin():
                    yield connection
                changed = database.total_changes != changes_before
            if changed and shard != INDEX_SHARD_NAME:
                # The UI follows a run's events by watching its database file, which changes
                # only when a connection closes or checkpoints: say that it changed.
                os.utime(self.path_for_shard(shard))

    def has_table(self, table_name: str) -> bool:
        # Asked for every check event; a table, once there, stays.
        if table_name not in self._tables_found and super().has_table(table_name):
            self._tables_found.add(table_name)
        return table_name in self._tables_found

    def dispose(self) -> None:
        super().dispose()
        with self._db_lock:
            while self._engines:
                self._engines.popitem()[1].dispose()


def _sync_at_checkpoints(database: Any, _record: Any) -> None:
    """A new SQLite connection's durability: see :class:`SqliteEventLogKeepingConnections`."""
    database.execute("PRAGMA synchronous=NORMAL")


class SqliteStorageKeepingConnections(DagsterSqliteStorage):
    """Dagster's default storage (SQLite under ``DAGSTER_HOME``), with the event log of
    :class:`SqliteEventLogKeepingConnections`."""

    def __init__(self, base_dir: str, inst_data: ConfigurableClassData | None = None):
        super().__init__(base_dir, inst_data)
        self._event_log_storage = SqliteEventLogKeepingConnections(_event_logs_directory(base_dir))

    @classmethod
    def from_config_value(  # ty: ignore[invalid-method-override]
        cls, inst_data: ConfigurableClassData, config_value: dict[str, Any]
    ) -> SqliteStorageKeepingConnections:
        return cls.from_local(inst_data=inst_data, **config_value)
