"""The few Dagster internals this code location relies on, behind one seam.

Dagster 1.13 offers no public API for these: the pool a step waits for (its holders and waiting
steps), freeing the pool slots of a finished run, the latest started execution of asset checks
(what publishing vouches for), the tag a sensor's run key is stored under (to find its runs),
and the tag naming a run's backfill (to compact the lake after one).
Each use here has a test on a real instance (``tests/test_dagster_internals.py``), so an upgrade
that moves one fails there, not in a run.
The dbt resource's two private overrides are pinned the same way in
``tests/test_codebase_shape.py``.
"""

from __future__ import annotations

from collections.abc import Sequence

import dagster as dg
from dagster._core.storage.asset_check_execution_record import (
    AssetCheckExecutionRecord,
    AssetCheckExecutionRecordStatus,
)
from dagster._core.storage.tags import BACKFILL_ID_TAG, RUN_KEY_TAG
from dagster._utils.concurrency import ConcurrencyKeyInfo
from dagster._utils.error import SerializableErrorInfo

# Runs created at once whose planned checks are passed over (more, and a check counts as not run).
PASSED_OVER_AT_MOST = 20

__all__ = [
    "BACKFILL_ID_TAG",
    "RUN_KEY_TAG",
    "AssetCheckExecutionRecord",
    "ConcurrencyKeyInfo",
    "SerializableErrorInfo",
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
