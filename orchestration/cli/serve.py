"""``make serve``: the pipeline as a long-lived service on one machine (docs/operations.md).

Starts ``dagster-daemon`` (schedules, sensors, the run queue, run monitoring, freshness) and
``dagster-webserver`` on a Dagster instance whose storage is PostgreSQL: ``DAGSTER_POSTGRES_URL``,
or a cluster of the service's own under ``<data dir>/service/postgres``, whose tables ``dagster
instance migrate`` creates or migrates first. The daily schedules are on. On SIGTERM or Ctrl-C both
processes are stopped with everything they started: SIGINT to each (the daemon stops its sensors
before its code server), then to what they leave running (a run in flight records its
interruption), then SIGKILL after a grace. If either exits, the other is stopped and this command
fails, so that a process manager restarts the whole service.
"""

from __future__ import annotations

import argparse
import os
import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path

from orchestration.cli.entry_point import run_entry_point
from orchestration.cli.supervise import stop_groups
from orchestration.lib.postgres import LocalPostgresCluster, PostgresError
from orchestration.lib.settings import (
    PROJECT_ROOT,
    RANKINGS_SOURCE_ENV_VAR,
    SettingError,
    api_key,
    dagster_postgres_url,
    data_paths,
    rankings_source_name,
    service_postgres_port,
)
from orchestration.lib.storage import atomic_path

INSTANCE_TEMPLATE = PROJECT_ROOT / "orchestration" / "dagster_service.yaml"
WORKSPACE = PROJECT_ROOT / "workspace.yaml"


def write_instance_config(home: Path) -> None:
    """Put the service's ``dagster.yaml`` in ``home`` (replaced whole, so never half written)."""
    with atomic_path(home / "dagster.yaml") as temporary:
        shutil.copyfile(INSTANCE_TEMPLATE, temporary)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", default="127.0.0.1", help="the UI's address (default loopback)")
    parser.add_argument("--port", type=int, default=3001, help="the UI's port")
    arguments = parser.parse_args()

    paths = data_paths()
    try:
        url = dagster_postgres_url()
        cluster = None
        if url is None:
            cluster = LocalPostgresCluster(paths.postgres_cluster_dir, service_postgres_port())
            url = cluster.start()
            print(
                f"serve: PostgreSQL on 127.0.0.1:{cluster.port}, data in {cluster.data_dir}",
                flush=True,
            )
        # The service asks for live data: without a key, `auto` is the keyless exports.
        if os.environ.get(RANKINGS_SOURCE_ENV_VAR, "auto") == "auto" and not api_key():
            os.environ[RANKINGS_SOURCE_ENV_VAR] = "exports"
        source = rankings_source_name()
    except (SettingError, PostgresError) as error:
        sys.exit(f"serve: {error}")
    home = paths.service_dagster_home
    write_instance_config(home)
    print(
        {
            "api": "serve: rankings from the OpenRouter Data API (OPENROUTER_API_KEY)",
            "exports": "serve: rankings from OpenRouter's keyless daily exports (no key); set "
            "OPENROUTER_API_KEY for the Data API",
            "sample": "serve: RANKINGS_SOURCE=sample: the bundled sample has no new days, and "
            "the daily schedules skip their ticks, saying so",
        }[source],
        flush=True,
    )

    ui_url = f"http://{arguments.host}:{arguments.port}"
    environment = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "DAGSTER_POSTGRES_URL": url,
        "PIPELINE_SCHEDULES": os.environ.get("PIPELINE_SCHEDULES", "running"),
        "DAGSTER_UI_URL": os.environ.get("DAGSTER_UI_URL", ui_url),
    }
    bin_dir = Path(sys.executable).parent
    commands = [
        [str(bin_dir / "dagster-daemon"), "run", "-w", str(WORKSPACE)],
        [
            str(bin_dir / "dagster-webserver"),
            *("-h", arguments.host, "-p", str(arguments.port), "-w", str(WORKSPACE)),
        ],
    ]
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    processes: list[subprocess.Popen] = []
    try:
        # The daemon and the webserver each create the instance's tables when they find none,
        # and on a new database the two raced (PostgreSQL: type "event_logs" already exists),
        # which stopped the service: the tables are created (or migrated) here first, once.
        migrate = subprocess.run(
            [str(bin_dir / "dagster"), "instance", "migrate"],
            cwd=PROJECT_ROOT,
            env=environment,
            stdout=subprocess.DEVNULL,
        )
        if migrate.returncode != 0:
            sys.exit(
                "serve: could not create the Dagster instance's tables in PostgreSQL "
                f"(`dagster instance migrate` exited with code {migrate.returncode}; its error "
                "is above)"
            )
        # Each in a process group of its own, so that stopping it also stops the code servers
        # and run workers it started (an orphaned one outlived the service).
        processes = [
            subprocess.Popen(command, cwd=PROJECT_ROOT, env=environment, start_new_session=True)
            for command in commands
        ]
        print(
            f"serve: Dagster UI on {ui_url} (ready once the code location loads), instance in "
            f"{home}; Ctrl-C or SIGTERM stops it",
            flush=True,
        )
        while not stopping.wait(1.0):
            exited = [process for process in processes if process.poll() is not None]
            if exited:
                print(
                    f"serve: {Path(exited[0].args[0]).name} exited with code "
                    f"{exited[0].returncode}; stopping the service",
                    file=sys.stderr,
                )
                break
    finally:
        stop_groups(processes, leaders_first=True)
        if cluster is not None:
            cluster.stop()
    if not stopping.is_set():
        sys.exit(1)


if __name__ == "__main__":
    run_entry_point("make serve", main)
