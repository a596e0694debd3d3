"""One step at a time builds or publishes the working warehouse, even when the pool lets two
through (two commands claiming its one slot at the same instant on SQLite storage)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import dagster as dg
import pytest

from orchestration.definitions import defs
from orchestration.lib.settings import DataPaths
from orchestration.lib.storage import warehouse_steps_lock
from tests.helpers import QUIET, wait_until


def logged_messages(instance: dg.DagsterInstance) -> list[str]:
    return [
        entry.user_message for run in instance.get_runs() for entry in instance.all_logs(run.run_id)
    ]


@pytest.mark.slow
def test_a_build_waits_for_the_warehouse_held_by_another_and_then_succeeds(built_copy: DataPaths):
    instance = dg.DagsterInstance.ephemeral()
    job = defs.resolve_job_def("warehouse_job")
    built_at = built_copy.working_warehouse.stat().st_mtime_ns

    with ThreadPoolExecutor(max_workers=1) as pool:
        with warehouse_steps_lock(built_copy):
            build = pool.submit(
                job.execute_in_process, instance=instance, run_config=QUIET, raise_on_error=False
            )
            wait_until(
                "the build waiting for the warehouse",
                lambda: any(
                    "waiting for the working warehouse" in m for m in logged_messages(instance)
                ),
                timeout=300,
                diagnostics=lambda: build.exception(timeout=0) if build.done() else "still running",
            )
            # Held here: nothing was built meanwhile.
            assert not build.done()
            assert built_copy.working_warehouse.stat().st_mtime_ns == built_at
        result = build.result(timeout=900)

    assert result.success
    assert built_copy.working_warehouse.stat().st_mtime_ns != built_at
