"""Recovery from runs whose process died: they are marked failed and their pool slots freed.

A run killed outright (SIGKILL, out of memory, a reboot) stays STARTED in the Dagster instance
and keeps the one slot of the ``duckdb_warehouse`` pool, so every later run would wait for it for
ever. :func:`recover_from_dead_runs` finds such runs on this machine by the process that ran them
(command-line runs tag it; other runs' executors log it in their first engine event), marks them
failed and frees the slots of every finished run. The command-line entry points call it before
they run anything, and the ``recover_dead_runs`` sensor calls it every minute where a daemon runs.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path

import dagster as dg

from orchestration.defs.dagster_internals import free_pool_slots_of_run, runs_holding_pool_slots
from orchestration.lib.settings import data_paths
from orchestration.lib.storage import remove_stale_temporary_files

# Which process runs a command-line run: enough to tell later whether it is still alive.
PID_TAG = "openrouter/pid"
HOST_TAG = "openrouter/host"
PROCESS_START_TAG = "openrouter/process_start"
IN_PROGRESS = [
    dg.DagsterRunStatus.STARTING,
    dg.DagsterRunStatus.STARTED,
    dg.DagsterRunStatus.CANCELING,
]


def process_start(pid: int) -> float | None:
    """When process ``pid`` started (seconds since the epoch, Linux), or None if it is gone.

    Compared with when a run started, it tells a reused pid from the run's own process.
    """
    try:
        ticks = int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[19])
        boot = next(
            int(line.split()[1])
            for line in Path("/proc/stat").read_text().splitlines()
            if line.startswith("btime ")
        )
    except (FileNotFoundError, ProcessLookupError, IndexError, StopIteration, ValueError):
        return None
    return boot + ticks / os.sysconf("SC_CLK_TCK")


def process_tags() -> dict[str, str]:
    """Tags naming this process, for the runs it executes in process."""
    started = process_start(os.getpid())
    return {
        PID_TAG: str(os.getpid()),
        HOST_TAG: socket.gethostname(),
        PROCESS_START_TAG: "" if started is None else f"{started:.2f}",
    }


def _logged_pid(instance: dg.DagsterInstance, run_id: str) -> int | None:
    """The pid of the process that executed a run, from its executor's first engine event."""
    records = instance.get_records_for_run(
        run_id, of_type=dg.DagsterEventType.ENGINE_EVENT, limit=20
    ).records
    for record in records:
        data = record.event_log_entry.dagster_event.event_specific_data
        metadata = getattr(data, "metadata", None) or {}
        if "pid" in metadata:
            return int(metadata["pid"].value)
    return None


def _is_gone(pid: int, started_at: float | None) -> bool:
    """True when ``pid`` runs no process, or a process newer than ``started_at``."""
    if not Path("/proc").exists():
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        except PermissionError:
            return False
        return False
    current = process_start(pid)
    # A second's slack: the recorded start is rounded, and a run starts after its process.
    return current is None or (started_at is not None and current > started_at + 1)


def run_process_is_gone(instance: dg.DagsterInstance, record: dg.RunRecord) -> bool:
    """True when the process that executed a run on this machine no longer runs it."""
    tags = record.dagster_run.tags
    if PID_TAG in tags:
        if tags.get(HOST_TAG) != socket.gethostname():
            return False  # another machine's process: not ours to judge
        started = float(tags[PROCESS_START_TAG]) if tags.get(PROCESS_START_TAG) else None
        return _is_gone(int(tags[PID_TAG]), started)
    pid = _logged_pid(instance, record.dagster_run.run_id)
    return pid is not None and _is_gone(pid, record.start_time)


def recover_from_dead_runs(instance: dg.DagsterInstance) -> list[str]:
    """Fail runs whose process is gone, free finished runs' pool slots, remove stale files.

    Returns what was done, one line each. Temporary files are removed only when no run is left
    in progress, since a live writer's files look the same.
    """
    done = []
    for record in instance.get_run_records(filters=dg.RunsFilter(statuses=IN_PROGRESS)):
        run = record.dagster_run
        if run_process_is_gone(instance, record):
            instance.report_run_failed(
                run,
                "its process is gone (killed, out of memory, or a reboot); marked failed so "
                "that later runs do not wait for its pool slots",
            )
            done.append(f"run {run.run_id} ({run.job_name}): its process is gone; marked failed")
    for run_id in sorted(runs_holding_pool_slots(instance)):
        run = instance.get_run_by_id(run_id)
        if run is None or run.is_finished:
            free_pool_slots_of_run(instance, run_id)
            done.append(f"freed the pool slots held by finished run {run_id}")
    if not instance.get_run_records(filters=dg.RunsFilter(statuses=IN_PROGRESS), limit=1):
        for path in remove_stale_temporary_files(data_paths()):
            done.append(f"removed {path}, left by a writer that died")
    return done


@dg.sensor(minimum_interval_seconds=60, default_status=dg.DefaultSensorStatus.RUNNING)
def recover_dead_runs(context: dg.SensorEvaluationContext) -> dg.SkipReason:
    """Where a daemon runs: fail runs whose process died and free the pool slots they held."""
    done = recover_from_dead_runs(context.instance)
    for line in done:
        context.log.warning(line)
    return dg.SkipReason("; ".join(done) or "no dead runs")
