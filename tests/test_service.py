"""`make serve`: the service runs the daily refresh through its queue on PostgreSQL, publishes
the new days, and fails a run whose worker was killed without blocking the next one."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import dagster as dg
import pytest

from orchestration.defs.schedules import daily_rankings_refresh
from orchestration.lib.postgres import LocalPostgresCluster
from orchestration.lib.settings import PROJECT_ROOT, DataPaths, sample_dir
from tests.helpers import (
    cli,
    free_port,
    graphql,
    process_tree,
    run_command,
    stop_make_with_sigterm,
    user_environment,
    wait_for_code_location,
    wait_until,
    without_the_virtualenv,
)

# make serve: PostgreSQL, the Dagster daemon and webserver.
pytestmark = pytest.mark.service

# The sample's last recorded week: its days stand in for the live API's recent days.
TEMPLATE_WEEK = "2026-05-04_2026-05-10.json"

WORKSPACE_QUERY = """
query {
  workspaceOrError {
    ... on Workspace {
      locationEntries {
        locationOrLoadError {
          __typename
          ... on PythonError { message }
          ... on RepositoryLocation { repositories { schedules { name scheduleState { status } } } }
        }
      }
    }
  }
}
"""

FRESHNESS_QUERY = """
query {
  assetNodes(assetKeys: [{path: ["published_warehouse"]}, {path: ["raw_rankings_daily"]}]) {
    assetKey { path }
    freshnessStatusInfo { freshnessStatus }
  }
}
"""

LAUNCH_RUN = """
mutation Launch($params: ExecutionParams!) {
  launchRun(executionParams: $params) {
    __typename
    ... on LaunchRunSuccess { run { runId status } }
    ... on PythonError { message }
  }
}
"""


class FakeOpenRouter(ThreadingHTTPServer):
    """A real HTTP server on 127.0.0.1 answering as OpenRouter's Data API does, and taking the
    alert webhook's posts. ``hold`` makes the next rankings request wait until released."""

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), FakeOpenRouterHandler)
        template = json.loads((sample_dir() / "rankings_daily" / TEMPLATE_WEEK).read_text())
        self.template_days: dict[int, list[dict]] = {}
        for row in template["data"]:
            offset = (date.fromisoformat(row["date"]) - date(2026, 5, 4)).days
            self.template_days.setdefault(offset, []).append(row)
        self.rankings_requests: list[tuple[str, str]] = []
        self.alerts: list[dict] = []
        self.hold = threading.Event()
        self.holding = threading.Event()
        self.release = threading.Event()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"

    def rankings_body(self, start: date, end: date) -> bytes:
        rows = [
            {**row, "date": (start + timedelta(days=offset)).isoformat()}
            for offset in range((end - start).days + 1)
            for row in self.template_days[offset % 7]
        ]
        as_of = datetime.now(UTC) - timedelta(minutes=1)
        meta = {
            "as_of": as_of.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "version": "v1",
            "start_date": start.isoformat(),
            "end_date": end.isoformat(),
        }
        return json.dumps({"data": rows, "meta": meta}).encode()


class FakeOpenRouterHandler(BaseHTTPRequestHandler):
    server: FakeOpenRouter

    def log_message(self, *args: object) -> None:
        pass

    def _reply(self, status: int, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        url = urlparse(self.path)
        if url.path != "/api/v1/datasets/rankings-daily":
            self._reply(404, b'{"error": {"message": "not found"}}')
            return
        query = parse_qs(url.query)
        start, end = query["start_date"][0], query["end_date"][0]
        self.server.rankings_requests.append((start, end))
        if self.server.hold.is_set():
            self.server.holding.set()
            self.server.release.wait(timeout=300)
        body = self.server.rankings_body(date.fromisoformat(start), date.fromisoformat(end))
        self._reply(200, body)

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        self.server.alerts.append(json.loads(body))
        self._reply(200, b"ok")


@pytest.fixture
def fake_openrouter() -> Iterator[FakeOpenRouter]:
    server = FakeOpenRouter()
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server
    server.release.set()
    server.shutdown()
    server.server_close()


def let_the_postgres_user_reach(path: Path) -> None:
    """Started by root, the service runs PostgreSQL as ``postgres``, which must reach ``path``:
    pytest makes its temporary folders private (0700)."""
    if os.geteuid() != 0:
        return
    for folder in [path, *path.parents]:
        folder.chmod(folder.stat().st_mode | 0o001)


def start_make_serve(
    data: Path, log: Path, ui_port: int, postgres_port: int, **environment: str | None
) -> subprocess.Popen:
    """``make serve`` from a plain shell, as the README says to run it, on the data directory
    ``data``, in a process group of its own, its output in ``log``. Keyword arguments change
    the environment: a value sets the variable, None removes it."""
    env = {
        **user_environment(),
        "PATH": without_the_virtualenv(os.environ["PATH"]),
        "PIPELINE_DATA_DIR": str(data),
        "SERVICE_POSTGRES_PORT": str(postgres_port),
    }
    env.pop("DAGSTER_HOME", None)
    for name, value in environment.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.Popen(
        ["make", "serve", f"SERVE_PORT={ui_port}"],
        cwd=PROJECT_ROOT,
        env=env,
        stdout=open(log, "w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def wait_for_run(instance: dg.DagsterInstance, run_id: str, timeout: float) -> dg.DagsterRun:
    """The run once it has finished; fails after ``timeout`` seconds."""

    def finished() -> dg.DagsterRun | None:
        run = instance.get_run_by_id(run_id)
        return run if run is not None and run.is_finished else None

    return wait_until(f"run {run_id} finished", finished, timeout)


def run_worker_pid(instance: dg.DagsterInstance, run_id: str, timeout: float = 300) -> int:
    """The pid of the process the run launcher started for the run, from the run's event log."""

    def logged_pid() -> int | None:
        for record in instance.get_records_for_run(
            run_id, of_type=dg.DagsterEventType.ENGINE_EVENT
        ).records:
            metadata = record.event_log_entry.dagster_event.event_specific_data.metadata or {}
            if "pid" in metadata:
                return int(metadata["pid"].value)
        return None

    return wait_until(f"run {run_id} logged its worker's pid", logged_pid, timeout, interval=0.5)


def test_make_serve_runs_the_daily_refresh_and_survives_a_killed_run_worker(
    published_sample: DataPaths, fake_openrouter: FakeOpenRouter, tmp_path: Path
):
    data = tmp_path / "data"
    shutil.copytree(published_sample.data_dir, data)
    let_the_postgres_user_reach(data)
    paths = DataPaths(data)
    ui_port, postgres_port = free_port(), free_port()
    environment = {
        "OPENROUTER_API_KEY": "sk-or-test-service",
        "OPENROUTER_BASE_URL": fake_openrouter.url,
        "ALERT_WEBHOOK_URL": f"{fake_openrouter.url}/alerts",
    }
    started = time.monotonic()
    service = start_make_serve(data, tmp_path / "serve.log", ui_port, postgres_port, **environment)
    graphql_url = f"http://127.0.0.1:{ui_port}/graphql"
    try:
        workspace = wait_for_code_location(graphql_url, WORKSPACE_QUERY, service)
        print(f"service up, code location loaded: {time.monotonic() - started:.1f} s")
        loaded = workspace["locationEntries"][0]["locationOrLoadError"]
        assert loaded["__typename"] == "RepositoryLocation", loaded.get("message")
        # In the service the daily schedules are on.
        schedules = loaded["repositories"][0]["schedules"]
        assert {s["scheduleState"]["status"] for s in schedules} == {"RUNNING"}

        cluster = LocalPostgresCluster(paths.postgres_cluster_dir, postgres_port)
        os.environ["DAGSTER_POSTGRES_URL"] = cluster.url()
        instance = dg.DagsterInstance.from_config(str(paths.service_dagster_home))

        def launch_as_the_schedule_would() -> str:
            """Ask the schedule for its run at this moment and launch it through the UI's API:
            the run is queued, and the daemon hands it to the run launcher."""
            os.environ["OPENROUTER_API_KEY"] = environment["OPENROUTER_API_KEY"]
            try:
                context = dg.build_schedule_context(scheduled_execution_time=datetime.now(UTC))
                request = daily_rankings_refresh.evaluate_tick(context).run_requests[0]
            finally:
                del os.environ["OPENROUTER_API_KEY"]
            params = {
                "selector": {
                    "repositoryLocationName": "openrouter_rankings",
                    "repositoryName": "__repository__",
                    "jobName": "rankings_job",
                },
                "executionMetadata": {
                    "tags": [{"key": k, "value": v} for k, v in request.tags.items()]
                },
            }
            launched = graphql(graphql_url, LAUNCH_RUN, {"params": params})["launchRun"]
            assert launched["__typename"] == "LaunchRunSuccess", launched
            return launched["run"]["runId"]

        # 1. The daily refresh, as scheduled: queued, dequeued by the daemon, run in its own
        # process, and the published warehouse moves on to yesterday.
        yesterday = datetime.now(UTC).date() - timedelta(days=1)
        run_started = time.monotonic()
        first = launch_as_the_schedule_would()
        finished = wait_for_run(instance, first, timeout=600)
        print(f"scheduled daily run, queued to published: {time.monotonic() - run_started:.1f} s")
        assert finished.status == dg.DagsterRunStatus.SUCCESS
        events = {
            record.event_log_entry.dagster_event_type
            for record in instance.get_records_for_run(first, limit=10_000).records
        }
        assert {dg.DagsterEventType.RUN_ENQUEUED, dg.DagsterEventType.RUN_STARTING} <= events
        assert run_worker_pid(instance, first) != service.pid
        assert fake_openrouter.rankings_requests == [
            ((yesterday - timedelta(days=6)).isoformat(), yesterday.isoformat())
        ]
        [publication] = cli(paths.published_warehouse, "select * from marts.publication")
        assert publication["last_date"] == yesterday.isoformat()

        # The daemon evaluates the freshness policies, and the UI shows both assets fresh.
        def freshness_states() -> set[str]:
            nodes = graphql(graphql_url, FRESHNESS_QUERY)["assetNodes"]
            return {n["freshnessStatusInfo"]["freshnessStatus"] for n in nodes}

        wait_until(
            "every asset shown fresh in the UI",
            lambda: freshness_states() == {"HEALTHY"},
            timeout=300,
            interval=2,
            diagnostics=lambda: f"freshness: {freshness_states()}",
        )

        # 2. A run whose worker is killed mid-fetch is marked failed, alerted, and the next
        # run completes.
        fake_openrouter.hold.set()
        killed = launch_as_the_schedule_would()
        assert fake_openrouter.holding.wait(timeout=300), "the run never reached the API"
        os.kill(run_worker_pid(instance, killed), signal.SIGKILL)
        killed_at = time.monotonic()
        fake_openrouter.hold.clear()
        fake_openrouter.release.set()
        killed_run = wait_for_run(instance, killed, timeout=240)
        print(f"killed run marked failed after {time.monotonic() - killed_at:.1f} s")
        assert killed_run.status == dg.DagsterRunStatus.FAILURE
        # The code server that launched the worker saw it die (the recover_dead_runs sensor
        # does the same when that server is gone too: tests/test_killed_runs.py).
        explanations = [
            record.event_log_entry.dagster_event.message
            for record in instance.get_records_for_run(
                killed, of_type=dg.DagsterEventType.ENGINE_EVENT
            ).records
        ]
        assert any("terminated by signal 9 (SIGKILL)" in text for text in explanations)
        wait_until(
            "an alert posted for the killed run",
            lambda: any(alert.get("run_id") == killed for alert in fake_openrouter.alerts),
            timeout=300,
        )

        after = launch_as_the_schedule_would()
        assert wait_for_run(instance, after, timeout=600).status == dg.DagsterRunStatus.SUCCESS
        instance.dispose()
    finally:
        os.environ.pop("DAGSTER_POSTGRES_URL", None)
        # SIGTERM to make, as a process manager stops it: the service stops its processes with
        # everything they started (30 s grace), then PostgreSQL; slow on a busy machine.
        stop_make_with_sigterm(service, ui_port, timeout=300)
    # PostgreSQL is down: no server runs on the service's cluster. (Not "its port is free": on a
    # busy machine another program may meanwhile have been given that port.)
    cluster = LocalPostgresCluster(paths.postgres_cluster_dir, postgres_port)

    def servers_on_the_cluster() -> list[str]:
        cluster_dir = str(paths.postgres_cluster_dir)
        return [command for command in process_tree(1).values() if cluster_dir in command]

    wait_until(
        "PostgreSQL stopped",
        lambda: not cluster.is_running() and not servers_on_the_cluster(),
        timeout=120,
        diagnostics=lambda: f"still running: {servers_on_the_cluster()}",
    )

    # The lake now has yesterday, so dbt source freshness passes where the sample fails.
    freshness = run_command(
        [str(Path(sys.executable).parent / "dbt"), "source", "freshness", "--profiles-dir", "."],
        cwd=PROJECT_ROOT / "dbt_project",
        PIPELINE_DATA_DIR=str(data),
    )
    assert freshness.returncode == 0, freshness.stdout


def test_make_serve_names_a_postgresql_it_cannot_reach_and_exits(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    log = tmp_path / "serve.log"
    unreachable = f"postgresql://postgres@127.0.0.1:{free_port()}/dagster"
    service = start_make_serve(
        data, log, free_port(), free_port(), DAGSTER_POSTGRES_URL=unreachable
    )
    try:
        returncode = service.wait(timeout=600)
    finally:
        if service.poll() is None:
            os.killpg(service.pid, signal.SIGKILL)

    assert returncode != 0
    assert (
        "serve: could not create the Dagster instance's tables in PostgreSQL "
        "(`dagster instance migrate` exited with code 1" in log.read_text()
    ), log.read_text()[-3000:]
