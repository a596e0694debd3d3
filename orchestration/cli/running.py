"""What the commands that run jobs share: the Dagster instance (after recovering from runs whose
process died, :mod:`orchestration.defs.run_recovery`), loading the code location, and running its
jobs in this process while reporting steps that wait for the warehouse pool, and how far a long
job has got."""

from __future__ import annotations

import logging
import os
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

import dagster as dg

from orchestration.cli.entry_point import pipeline_folders
from orchestration.defs.dagster_internals import (
    SerializableErrorInfo,
    pool_holders_and_waiting_steps,
)
from orchestration.defs.pools import WAREHOUSE_POOL
from orchestration.defs.run_recovery import PID_TAG, process_tags, recover_from_dead_runs
from orchestration.lib.disk import disk_full_error, means_disk_full
from orchestration.lib.settings import SettingError
from orchestration.lib.storage import file_lock


@contextmanager
def pipeline_instance() -> Iterator[dg.DagsterInstance]:
    """The Dagster instance at ``DAGSTER_HOME``, after recovering from dead runs.

    Opening it is serialized by a lock file: two commands started at once on a new
    ``DAGSTER_HOME`` would otherwise both create its SQLite storage and one would fail.
    """
    home = Path(os.environ["DAGSTER_HOME"])  # set and absolute: checked by run_entry_point
    with file_lock(home / ".instance.lock"):
        instance = dg.DagsterInstance.get()
        instance.get_run_records(limit=1)  # creates the run storage while holding the lock
        for line in recover_from_dead_runs(instance):
            print(line)
    with instance:
        yield instance


class PoolWaitReporter:
    """While a job runs, say when one of its steps waits for the warehouse pool, and for whom.

    Dagster queues such a step silently; this names the run holding the pool, once per step and
    holder, on the console and in the waiting run's own event log (shown in the UI).
    """

    def __init__(self, instance: dg.DagsterInstance, notices: TextIO, poll_seconds: float = 2.0):
        self.instance, self.notices, self.poll_seconds = instance, notices, poll_seconds
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
        pool = pool_holders_and_waiting_steps(self.instance, WAREHOUSE_POOL)
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
                print(message, file=self.notices, flush=True)
                self.instance.report_engine_event(message, dagster_run=waiting)


PLANNED_EVENTS = {
    dg.DagsterEventType.ASSET_MATERIALIZATION_PLANNED,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION_PLANNED,
}
DONE_EVENTS = {
    dg.DagsterEventType.ASSET_MATERIALIZATION,
    dg.DagsterEventType.ASSET_CHECK_EVALUATION,
}


class ProgressReporter:
    """While a long job runs, say every ``every_seconds`` how many of its planned assets and
    checks are done, on a line of its own (a Spark build is minutes of silence otherwise).

    ``printed`` tells whether any line was written, so the caller can end the line it started.
    """

    def __init__(
        self,
        instance: dg.DagsterInstance,
        run_id: str,
        notices: TextIO,
        every_seconds: float = 30.0,
    ):
        self.instance, self.run_id, self.notices = instance, run_id, notices
        self.every_seconds = every_seconds
        self.printed = False
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._watch, daemon=True)

    def __enter__(self) -> ProgressReporter:
        self.thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.stopped.set()
        self.thread.join()

    def _count(self, event_types: set[dg.DagsterEventType]) -> int:
        return sum(
            len(self.instance.get_records_for_run(self.run_id, of_type=kind).records)
            for kind in event_types
        )

    def _watch(self) -> None:
        waited = 0.0
        while not self.stopped.wait(self.every_seconds):
            waited += self.every_seconds
            planned = self._count(PLANNED_EVENTS)
            if not planned:
                continue
            done = self._count(DONE_EVENTS)
            print(
                f"\n    {waited:.0f}s: {done} of {planned} assets and checks done",
                end="",
                file=self.notices,
                flush=True,
            )
            self.printed = True


def load_definitions(command: str) -> dg.Definitions:
    """The code location; a setting it refuses at load ends ``command`` with a one-line message."""
    try:
        # Imported here, not at the top, so that a refused setting (an API key with a stray
        # newline, say) reads as its message rather than as an import traceback.
        from orchestration.definitions import defs
    except SettingError as error:
        sys.exit(f"{command}: {error}")
    return defs


def error_message(error: SerializableErrorInfo | None) -> str:
    """The message of the first error in the chain that is not Dagster's wrapping of it."""
    cause = error
    while cause is not None and (cause.cls_name or "").startswith("Dagster"):
        cause = cause.cause
    chosen = cause or error
    return chosen.message.strip() if chosen else "no error recorded"


def run_warnings(instance: dg.DagsterInstance, run_id: str) -> list[str]:
    """What the run's steps warned of (lake files repaired, a warehouse set aside, a retracted
    snapshot skipped, ...), one line each, in order."""
    return [
        f"{entry.step_key}: {entry.user_message}"
        for entry in instance.all_logs(run_id)
        if entry.level >= logging.WARNING and entry.step_key and not entry.is_dagster_event
    ]


def run_job(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    name: str,
    tags: dict[str, str] | None = None,
    asset_selection: list[dg.AssetKey] | None = None,
    log_hint: str = "the log above",
    notices: TextIO | None = None,
    run_id: str | None = None,
) -> dg.ExecuteInProcessResult:
    """Execute one job of the code location in this process; exit non-zero if it fails, with the
    run's warnings and its steps' errors.

    A step waiting for the warehouse pool is reported on ``notices`` (default: standard output).
    """
    with PoolWaitReporter(instance, notices or sys.stdout):
        result = defs.resolve_job_def(name).execute_in_process(
            instance=instance,
            tags={**(tags or {}), **process_tags()},
            asset_selection=asset_selection,
            run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
            raise_on_error=False,
            run_id=run_id,
        )
    if not result.success:
        errors = [
            f"  {event.step_key}: {error_message(event.step_failure_data.error)}"
            for event in result.get_step_failure_events()
        ]
        if means_disk_full("\n".join(errors)):
            raise disk_full_error(pipeline_folders())
        warnings = [f"  warning: {line}" for line in run_warnings(instance, result.run_id)]
        sys.exit(
            "\n".join(
                [
                    f"job {name} failed:",
                    *warnings,
                    *errors,
                    f"see {log_hint}, or `make ui` for run {result.run_id}",
                ]
            )
        )
    return result
