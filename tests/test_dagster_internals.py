"""Each Dagster internal the code location relies on still does what it is used for, on a real
instance: an upgrade that moves one fails here, not in a run."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.execution.api import create_execution_plan
from dagster._core.storage.event_log.sqlite.sqlite_event_log import INDEX_SHARD_NAME

from orchestration.cli.running import error_message
from orchestration.defs.dagster_internals import (
    SqliteEventLogKeepingConnections,
    free_pool_slots_of_run,
    latest_started_check_executions,
    pool_holders_and_waiting_steps,
    runs_holding_pool_slots,
)
from tests.helpers import new_dagster_home, project_instance, wait_until

POOL = "test_pool"


def test_a_pool_shows_its_holders_and_waiting_steps_and_a_runs_slots_can_be_freed():
    with dg.DagsterInstance.ephemeral() as instance:
        storage = instance.event_log_storage
        storage.set_concurrency_slots(POOL, 1)
        assert storage.claim_concurrency_slot(POOL, "holder-run", "build").is_claimed
        assert not storage.claim_concurrency_slot(POOL, "waiting-run", "build").is_claimed

        pool = pool_holders_and_waiting_steps(instance, POOL)

        assert pool.active_run_ids == {"holder-run"}
        waiting = [step for step in pool.pending_steps if step.assigned_timestamp is None]
        assert [(step.run_id, step.step_key) for step in waiting] == [("waiting-run", "build")]
        assert "holder-run" in runs_holding_pool_slots(instance)

        free_pool_slots_of_run(instance, "holder-run")

        assert "holder-run" not in runs_holding_pool_slots(instance)
        assert "holder-run" not in pool_holders_and_waiting_steps(instance, POOL).active_run_ids


@dg.asset
def checked_asset() -> None:
    return None


@dg.asset_check(asset=checked_asset)
def always_passes() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


@dg.asset_check(asset=checked_asset)
def never_ran() -> dg.AssetCheckResult:
    return dg.AssetCheckResult(passed=True)


def test_the_latest_execution_of_each_check_is_read_with_its_status_and_run():
    with dg.DagsterInstance.ephemeral() as instance:
        result = dg.materialize(
            [checked_asset, always_passes],
            instance=instance,
            selection=[checked_asset],
        )
        passed, unrun = always_passes.check_key, never_ran.check_key

        latest = latest_started_check_executions(instance, [passed, unrun])

        assert set(latest) == {passed}
        assert latest[passed].status.value == "SUCCEEDED"
        assert latest[passed].run_id == result.run_id


BUILD_FAILS = {"now": False}


@dg.asset(check_specs=[dg.AssetCheckSpec("checked_in_its_step", asset="built_with_its_check")])
def built_with_its_check():
    """Built and checked in one step, as the dbt assets are."""
    if BUILD_FAILS["now"]:
        raise ValueError("died before its check ran")
    yield dg.MaterializeResult()
    yield dg.AssetCheckResult(passed=True)


def test_a_run_created_but_not_started_leaves_the_execution_before_it_standing(
    monkeypatch: pytest.MonkeyPatch,
):
    job = dg.Definitions(
        assets=[built_with_its_check],
        jobs=[dg.define_asset_job("build", [built_with_its_check])],
    ).resolve_job_def("build")
    [check_key] = built_with_its_check.check_keys
    with dg.DagsterInstance.ephemeral() as instance:
        checked = job.execute_in_process(instance=instance)
        # A second run, created (as when queued, or waiting for the pool) but not started:
        # Dagster records its check as planned, the latest execution.
        plan = create_execution_plan(job)
        waiting = instance.create_run_for_job(job_def=job, execution_plan=plan)
        planned = instance.event_log_storage.get_latest_asset_check_execution_by_key([check_key])
        assert planned[check_key].run_id == waiting.run_id

        assert latest_started_check_executions(instance, [check_key])[check_key].run_id == (
            checked.run_id
        )

        # A run whose step started and died before the check ran: its planned check stands,
        # vouching for nothing.
        monkeypatch.setitem(BUILD_FAILS, "now", True)
        died = job.execute_in_process(instance=instance, raise_on_error=False)

        latest = latest_started_check_executions(instance, [check_key])[check_key]
        assert (latest.run_id, latest.status.value) == (died.run_id, "PLANNED")


@dg.op
def fails() -> None:
    raise ValueError("the step's own message")


def test_a_steps_own_error_is_read_from_dagsters_wrapping():
    result = (
        dg.GraphDefinition(name="failing", node_defs=[fails])
        .to_job()
        .execute_in_process(raise_on_error=False)
    )

    [failure] = result.get_step_failure_events()
    assert error_message(failure.step_failure_data.error) == "ValueError: the step's own message"


@pytest.fixture
def project_home(tmp_path: Path) -> Path:
    """A new DAGSTER_HOME with the project's instance config, as `make demo` installs it."""
    return new_dagster_home(tmp_path / "dagster_home")


def log_entry(run_id: str, message: str) -> dg.EventLogEntry:
    return dg.EventLogEntry(
        error_info=None, level="INFO", user_message=message, run_id=run_id, timestamp=time.time()
    )


def open_databases(folder: Path) -> list[str]:
    """The SQLite databases under ``folder`` this process holds open."""
    links = []
    for descriptor in os.listdir("/proc/self/fd"):
        # The listing's own descriptor is closed by now.
        with contextlib.suppress(FileNotFoundError):
            links.append(os.readlink(f"/proc/self/fd/{descriptor}"))
    return [link for link in links if link.startswith(str(folder)) and link.endswith(".db")]


def test_the_project_instance_stores_runs_and_checks_and_closes_its_databases(project_home):
    with project_instance(project_home) as instance:
        assert isinstance(instance.event_log_storage, SqliteEventLogKeepingConnections)
        result = dg.materialize(
            [checked_asset, always_passes], instance=instance, selection=[checked_asset]
        )
        assert open_databases(project_home)
    assert not open_databases(project_home)
    # Closed with the instance, so nothing is left in a write-ahead log.
    assert not list((project_home / "history" / "runs").glob("*.db-wal"))
    with project_instance(project_home) as reopened:
        assert reopened.get_run_by_id(result.run_id).is_success
        latest = latest_started_check_executions(reopened, [always_passes.check_key])
        assert latest[always_passes.check_key].run_id == result.run_id
        assert reopened.get_latest_materialization_event(checked_asset.key) is not None


def test_a_run_followed_from_another_instance_sees_each_event_as_it_is_stored(project_home):
    # How the UI follows a run in progress: it watches the run's database file.
    with project_instance(project_home) as writer, project_instance(project_home) as reader:
        writer.event_log_storage.store_event(log_entry("followed-run", "first"))
        seen: list[str | None] = []

        def on_event(entry: dg.EventLogEntry, _cursor: str) -> None:
            seen.append(entry.user_message)

        reader.event_log_storage.watch("followed-run", None, on_event)
        writer.event_log_storage.store_event(log_entry("followed-run", "second"))
        wait_until("the watcher saw the second event", lambda: "second" in seen, 60, 0.1)
        reader.event_log_storage.end_watch("followed-run", on_event)


def test_the_event_log_syncs_its_write_ahead_log_at_checkpoints_not_every_commit(project_home):
    with project_instance(project_home) as instance:
        storage = instance.event_log_storage
        storage.store_event(log_entry("synced-run", "stored"))
        for shard in ("synced-run", INDEX_SHARD_NAME):
            with storage._connect(shard) as connection:
                assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
                # 1 is NORMAL; SQLite's default, FULL (2), syncs at every commit.
                assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1


def test_at_most_a_few_databases_stay_open(project_home):
    runs = SqliteEventLogKeepingConnections.KEPT_OPEN + 4
    with project_instance(project_home) as instance:
        for number in range(runs):
            instance.event_log_storage.store_event(log_entry(f"run-{number}", "stored"))
        held = set(open_databases(project_home))
        assert len(held) <= SqliteEventLogKeepingConnections.KEPT_OPEN, held
        for number in range(runs):
            assert instance.event_log_storage.get_logs_for_run(f"run-{number}")


def test_the_project_instance_opened_with_another_dagster_home_says_so(
    project_home: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("DAGSTER_HOME", str(tmp_path / "elsewhere"))
    with pytest.raises(dg.DagsterInvariantViolationError, match="set DAGSTER_HOME to the folder"):
        dg.DagsterInstance.from_config(str(project_home))
