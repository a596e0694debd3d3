"""Each Dagster internal the code location relies on still does what it is used for, on a real
instance: an upgrade that moves one fails here, not in a run."""

from __future__ import annotations

import dagster as dg
import pytest
from dagster._core.execution.api import create_execution_plan

from orchestration.cli.running import error_message
from orchestration.defs.dagster_internals import (
    free_pool_slots_of_run,
    latest_started_check_executions,
    pool_holders_and_waiting_steps,
    runs_holding_pool_slots,
)

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
