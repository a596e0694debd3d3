"""A run killed with SIGKILL never blocks the runs after it; commands started at once coexist."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import dagster as dg
import pytest

from orchestration.defs.pools import WAREHOUSE_POOL
from orchestration.defs.run_recovery import process_tags, recover_dead_runs
from orchestration.lib.settings import PROJECT_ROOT
from tests.helpers import (
    new_dagster_home,
    project_instance,
    start_make,
    user_environment,
    wait_until,
)

# make demo started, killed and run again.
pytestmark = pytest.mark.slow


def demo_environment(tmp_path: Path) -> dict[str, str]:
    environment = {
        **user_environment(),
        "PIPELINE_DATA_DIR": str(tmp_path / "data"),
        "DAGSTER_HOME": str(tmp_path / "dagster_home"),
    }
    environment.pop("OPENROUTER_API_KEY", None)
    environment.pop("WAREHOUSE_PATH", None)
    return environment


def start_demo(environment: dict[str, str]) -> subprocess.Popen:
    """`make demo`, in its own process group so that one signal reaches make, Python and dbt."""
    return start_make("demo", environment)


def wait_until_the_pool_is_held(home: Path, demo: subprocess.Popen) -> str:
    """The id of the run holding the warehouse pool, once one does."""

    def holder() -> str | None:
        if not (home / "dagster.yaml").exists():
            return None
        with project_instance(home) as instance:
            holders = instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
            return next(iter(holders.active_run_ids), None)

    return wait_until("a run took the warehouse pool", holder, 600, interval=0.2, process=demo)


def test_a_demo_killed_holding_the_warehouse_pool_does_not_block_the_next(tmp_path: Path):
    environment = demo_environment(tmp_path)
    home = tmp_path / "dagster_home"
    first = start_demo(environment)
    killed_run = wait_until_the_pool_is_held(home, first)
    os.killpg(first.pid, signal.SIGKILL)
    first.wait()

    # Bounded: before the fix, this run waited for the dead run's pool slot for ever.
    second = subprocess.run(
        ["make", "demo"],
        cwd=PROJECT_ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )

    assert second.returncode == 0, second.stdout[-3000:] + second.stderr[-3000:]
    assert f"run {killed_run} (warehouse_job): its process is gone; marked failed" in (
        second.stdout
    )
    with project_instance(home) as instance:
        assert instance.get_run_by_id(killed_run).status == dg.DagsterRunStatus.FAILURE
        assert not instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots
    data = tmp_path / "data"
    leftovers = [p for p in data.rglob(".*") if p.name.endswith(".tmp") or ".staging-" in p.name]
    assert leftovers == []


def test_two_demos_started_at_once_on_a_new_dagster_home_both_succeed(tmp_path: Path):
    environment = demo_environment(tmp_path)
    demos = [start_demo(environment) for _ in range(2)]
    outputs = [demo.communicate(timeout=900)[0] for demo in demos]

    for demo, output in zip(demos, outputs, strict=True):
        assert demo.returncode == 0, output[-3000:]
        assert "sqlite3." not in output, output[-3000:]


def test_a_step_waiting_for_the_pool_names_the_run_that_holds_it(tmp_path: Path):
    environment = demo_environment(tmp_path)
    home = new_dagster_home(tmp_path / "dagster_home")
    with project_instance(home) as instance:
        # A live run (this test's process) holds the pool's one slot.
        holder = instance.add_run(
            dg.DagsterRun(
                job_name="holder_job", status=dg.DagsterRunStatus.STARTED, tags=process_tags()
            )
        )
        storage = instance.event_log_storage
        storage.initialize_concurrency_limit_to_default(WAREHOUSE_POOL)
        assert storage.claim_concurrency_slot(WAREHOUSE_POOL, holder.run_id, "holding").is_claimed

        demo = start_demo(environment)
        try:
            expected = f"is waiting for pool {WAREHOUSE_POOL}, held by run {holder.run_id}"
            seen = []
            for line in demo.stdout:
                seen.append(line)
                if expected in line:
                    break
            assert any(expected in line for line in seen), "".join(seen[-50:])
            assert "(holder_job, STARTED)" in seen[-1]
        finally:
            storage.free_concurrency_slots_for_run(holder.run_id)
            instance.report_run_failed(holder, "released by the test")
        output = demo.communicate(timeout=600)[0]

    assert demo.returncode == 0, output[-3000:]


HOLD_THE_POOL = textwrap.dedent(
    """
    import sys, time
    import dagster as dg

    @dg.asset(pool="duckdb_warehouse")
    def slow_step():
        open(sys.argv[1], "w").close()
        time.sleep(600)

    dg.materialize([slow_step], instance=dg.DagsterInstance.get())
    """
)


def test_the_sensor_fails_a_run_whose_worker_was_killed_and_frees_its_slot(tmp_path: Path):
    # A run as a daemon launches it: not tagged by the command line, its pid only in its log.
    home = new_dagster_home(tmp_path / "dagster_home")
    running = tmp_path / "running"
    worker = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_POOL, str(running)],
        env={**demo_environment(tmp_path), "DAGSTER_HOME": str(home)},
    )
    wait_until("the step started", running.exists, 300, interval=0.2, process=worker)
    worker.send_signal(signal.SIGKILL)
    worker.wait()

    with project_instance(home) as instance:
        [killed] = instance.get_runs()
        assert killed.status == dg.DagsterRunStatus.STARTED
        assert instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots

        outcome = recover_dead_runs(dg.build_sensor_context(instance=instance))

        assert "its process is gone; marked failed" in outcome.skip_message
        assert instance.get_run_by_id(killed.run_id).status == dg.DagsterRunStatus.FAILURE
        assert not instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL).claimed_slots
