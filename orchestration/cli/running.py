"""What the command-line entry points share: the Dagster instance, recovery from runs whose
process died, loading the code location and running its jobs in this process.

No daemon watches these in-process runs, so each entry point does what Dagster's run monitoring
would: a run whose process is gone (killed, out of memory, a reboot) is marked failed and the
pool slots it held are freed, so the next run does not wait for ever; then, with no run left
writing, the temporary files of dead writers are removed.
"""

from __future__ import annotations

import fcntl
import os
import socket
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import dagster as dg

from orchestration.defs.pools import WAREHOUSE_POOL
from orchestration.lib.settings import SettingError, data_paths
from orchestration.lib.storage import remove_stale_temporary_files

# Which process runs an in-process run: enough to tell later whether it is still alive.
PID_TAG = "openrouter/pid"
HOST_TAG = "openrouter/host"
PROCESS_START_TAG = "openrouter/process_start"
IN_PROGRESS = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def _process_start(pid: int) -> str | None:
    """When process ``pid`` started (Linux clock ticks since boot), or None if it is gone.

    Compared with the value recorded at launch, it tells a reused pid from the original process.
    """
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19]
    except (FileNotFoundError, IndexError, ProcessLookupError):
        return None


def process_tags() -> dict[str, str]:
    """Tags naming this process, for the runs it executes."""
    pid = os.getpid()
    return {
        PID_TAG: str(pid),
        HOST_TAG: socket.gethostname(),
        PROCESS_START_TAG: _process_start(pid) or "",
    }


def _process_is_gone(tags: dict[str, str]) -> bool:
    """True when the tags name a process on this host that no longer runs."""
    if tags.get(HOST_TAG) != socket.gethostname() or PID_TAG not in tags:
        return False  # not an in-process run of this machine: not ours to judge
    pid, started = int(tags[PID_TAG]), tags.get(PROCESS_START_TAG)
    if started:
        return _process_start(pid) != started
    try:  # no /proc here: the pid alone tells
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False


def recover_from_dead_runs(instance: dg.DagsterInstance) -> None:
    """Fail runs whose process is gone, free pool slots of finished runs, remove stale files."""
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
        run = record.dagster_run
        if _process_is_gone(run.tags):
            instance.report_run_failed(
                run,
                f"its process (pid {run.tags[PID_TAG]}) is gone: killed or crashed. Marked "
                "failed by the next run, so that it does not wait for its pool slots.",
            )
            print(f"run {run.run_id} ({run.job_name}): its process is gone; marked failed")
    storage = instance.event_log_storage
    for run_id in sorted(storage.get_concurrency_run_ids()):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            freed = storage.free_concurrency_slots_for_run(run_id)
            print(f"freed {freed} pool slot(s) held by finished run {run_id}")
    if not instance.get_run_records(filters=dg.RunsFilter(statuses=IN_PROGRESS), limit=1):
        for path in remove_stale_temporary_files(data_paths()):
            print(f"removed {path}, left by a writer that died")


@contextmanager
def pipeline_instance() -> Iterator[dg.DagsterInstance]:
    """The Dagster instance at ``DAGSTER_HOME``, after recovering from dead runs.

    Opening it is serialized by a lock file: two commands started at once on a new
    ``DAGSTER_HOME`` would otherwise both create its SQLite storage and one would fail.
    """
    home = Path(os.environ.get("DAGSTER_HOME", ""))
    if not home.is_absolute():
        sys.exit("DAGSTER_HOME must be an absolute path (make sets it to data/dagster_home)")
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".instance.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        instance = dg.DagsterInstance.get()
        instance.get_run_records(limit=1)  # creates the run storage while holding the lock
        recover_from_dead_runs(instance)
    with instance:
        yield instance


class PoolWaitReporter:
    """While a job runs, say when one of its steps waits for the warehouse pool, and for whom.

    Dagster queues such a step silently; this names the run holding the pool, once per step and
    holder, on the console and in the waiting run's own event log (shown in the UI).
    """

    def __init__(self, instance: dg.DagsterInstance, poll_seconds: float = 2.0):
        self.instance, self.poll_seconds = instance, poll_seconds
        self.reported: set[tuple[str, str, str]] = set()
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> PoolWaitReporter:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _watch(self) -> None:
        while not self.stopped.wait(self.poll_seconds):
            self.report_waiting_steps()

    def report_waiting_steps(self) -> None:
        """Report each step of this process's runs that waits while another run holds the pool."""
        pool = self.instance.event_log_storage.get_concurrency_info(WAREHOUSE_POOL)
        holders = pool.active_run_ids
        for step in pool.pending_steps:
            if step.assigned_timestamp is not None:
                continue
            waiting = self.instance.get_run_by_id(step.run_id)
            if waiting is None or waiting.tags.get(PID_TAG) != str(os.getpid()):
                continue
            for holder_id in sorted(holders - {step.run_id}):
                if (step.run_id, step.step_key, holder_id) in self.reported:
                    continue
                self.reported.add((step.run_id, step.step_key, holder_id))
                holder = self.instance.get_run_by_id(holder_id)
                message = (
                    f"step {step.step_key} is waiting for pool {WAREHOUSE_POOL}, held by run "
                    f"{holder_id} ({holder.job_name if holder else 'unknown job'}, "
                    f"{holder.status.value if holder else 'unknown status'})"
                )
                print(message, flush=True)
                self.instance.report_engine_event(message, dagster_run=waiting)


def load_definitions(command: str) -> dg.Definitions:
    """The code location; a setting it refuses at load ends ``command`` with a one-line message."""
    try:
        # Imported here, not at the top, so that a refused setting (an API key with a stray
        # newline, say) reads as its message rather than as an import traceback.
        from orchestration.definitions import defs
    except SettingError as error:
        sys.exit(f"{command}: {error}")
    return defs


def run_job(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    name: str,
    tags: dict[str, str] | None = None,
    asset_selection: list[dg.AssetKey] | None = None,
) -> None:
    """Execute one job of the code location in this process; exit non-zero if it fails."""
    with PoolWaitReporter(instance):
        result = defs.resolve_job_def(name).execute_in_process(
            instance=instance,
            tags={**(tags or {}), **process_tags()},
            asset_selection=asset_selection,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            raise_on_error=False,
        )
    if not result.success:
        sys.exit(f"job {name} failed: see the log above, or `make ui` for the run")
