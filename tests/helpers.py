"""Shared test code: response bodies, lake writes, and running the real pipeline (Dagster jobs,
dbt, DuckDB) on the bundled sample. Fixtures live in ``conftest.py`` and use these."""

from __future__ import annotations

import contextlib
import json
import math
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import TypeVar

import dagster as dg
import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import requests

from orchestration.cli.entry_point import INSTANCE_CONFIG
from orchestration.definitions import defs
from orchestration.defs.partitions import partition_range_tags
from orchestration.lib.ingestion.ingest import ingest_rankings_response
from orchestration.lib.ingestion.lake import record_and_place_lake_files
from orchestration.lib.responses import FetchedResponse
from orchestration.lib.sample import BundledSample
from orchestration.lib.settings import PROJECT_ROOT, DataPaths, data_paths, sample_dir
from orchestration.lib.storage import copy_to_parquet, scratch_connection

FIXTURES = Path(__file__).parent / "fixtures"

T = TypeVar("T")

QUIET = {"loggers": {"console": {"config": {"log_level": "WARNING"}}}}
# The DuckDB command-line client analysts use (duckdb-cli, an older release than the library).
DUCKDB_CLI = Path(sys.executable).parent / "duckdb"


@contextmanager
def data_dir(path: Path) -> Iterator[DataPaths]:
    """Point the pipeline at ``path`` (no API key) for the duration of the block."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("PIPELINE_DATA_DIR", str(path))
        patch.delenv("OPENROUTER_API_KEY", raising=False)
        patch.delenv("WAREHOUSE_PATH", raising=False)
        yield data_paths()


def rankings_body(
    rows: list[tuple[str, str, object]],
    start: str = "2026-02-09",
    end: str = "2026-02-15",
    as_of: str = "2026-02-16T02:00:00.000Z",
    version: str = "v1",
) -> bytes:
    """A rankings-daily response body in the API's format; rows are (date, permaslug, tokens)."""
    return json.dumps(
        {
            "data": [
                {"date": day, "model_permaslug": slug, "total_tokens": tokens}
                for day, slug, tokens in rows
            ],
            "meta": {"as_of": as_of, "version": version, "start_date": start, "end_date": end},
        }
    ).encode()


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write an Arrow table with the pipeline's one Parquet writer (bypassing validation)."""
    with scratch_connection() as connection:
        connection.register("rows_to_write", table)
        copy_to_parquet(connection, "select * from rows_to_write", path)


def lake_files(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its content, to compare the lake before and after."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


# What make exports to the commands it runs: a test started by `make test` would otherwise run
# each `make` as a sub-make (`make[1]: Entering directory ...`), which no user's shell does.
MAKE_VARIABLES = (
    "MAKELEVEL",
    "MAKEFLAGS",
    "MFLAGS",
    "MAKEOVERRIDES",
    "MAKE_TERMOUT",
    "MAKE_TERMERR",
)


def user_environment() -> dict[str, str]:
    """This process's environment as a user's shell has it: without make's own variables."""
    return {name: value for name, value in os.environ.items() if name not in MAKE_VARIABLES}


def run_command(
    args: list[str], cwd: Path = PROJECT_ROOT, timeout: float = 600, **environment: str | None
) -> subprocess.CompletedProcess:
    """Run a command as a user would, with output captured as text.

    Keyword arguments change the environment: a value sets the variable, None removes it.
    """
    env = user_environment()
    for name, value in environment.items():
        if value is None:
            env.pop(name, None)
        else:
            env[name] = value
    return subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def make_demo(tmp_path: Path, **environment: str) -> subprocess.CompletedProcess:
    """``make demo`` from a plain shell (no virtualenv on PATH) into ``tmp_path/data``."""
    return run_command(
        ["make", "demo"],
        timeout=900,
        PATH=without_the_virtualenv(os.environ["PATH"]),
        PIPELINE_DATA_DIR=str(tmp_path / "data"),
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
        OPENROUTER_API_KEY=None,
        WAREHOUSE_PATH=None,
        **environment,
    )


def run(job: str, **kwargs) -> dg.ExecuteInProcessResult:
    """Execute a job of the code location in process, on an ephemeral instance."""
    return defs.resolve_job_def(job).execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), run_config=QUIET, raise_on_error=False, **kwargs
    )


def ingest_sample() -> None:
    """Ingest the catalogue and every sample date into the lake."""
    first, last = BundledSample(sample_dir()).date_range()
    assert run("catalog_job").success
    assert run(
        "rankings_job",
        tags=partition_range_tags(first, last),
        asset_selection=[dg.AssetKey("raw_rankings_daily")],
    ).success


def check_results(result: dg.ExecuteInProcessResult) -> dict[str, bool]:
    """``{"<asset key>:<check name>": passed}`` for every check the run evaluated."""
    return {
        f"{e.asset_key.to_user_string()}:{e.check_name}": e.passed
        for e in result.get_asset_check_evaluations()
    }


def query(paths: DataPaths, sql: str, params: list | None = None) -> list[tuple]:
    """Run a read-only query against the working warehouse."""
    with duckdb.connect(str(paths.working_warehouse), read_only=True) as connection:
        return connection.execute(sql, params or []).fetchall()


def cli(database: Path, sql: str) -> list[dict]:
    """Run ``sql`` with the DuckDB command-line client analysts use, read-only, as JSON rows."""
    completed = subprocess.run(
        [str(DUCKDB_CLI), "-readonly", "-json", str(database), "-c", sql],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(completed.stdout or "[]")


def write_later_snapshot(
    paths: DataPaths, day: str, change: Callable[[list[dict]], list[dict]]
) -> None:
    """Add a later snapshot of ``day`` with rows ``change(rows)`` to the lake, bypassing validation.

    The pipeline takes it as the day's latest figures: a way to put bad data where only the
    checks can catch it.
    """
    folder = paths.raw_rankings_dir / f"date={day}"
    first = next(folder.glob("*.parquet"))
    rows = change(pq.read_table(first).to_pylist())
    for row in rows:
        row["as_of"] = row["as_of"].replace(year=2027)
        row["response_sha256"] = "f" * 64
    table = pa.Table.from_pylist(rows, schema=pq.read_schema(first))
    staged = paths.data_dir / "later-snapshot.parquet"
    write_parquet(table, staged)
    # Recorded as ingestion records what it writes: otherwise the lake's repair would move it out.
    target = folder / "20270101T000000Z_ffffffffffffffff.parquet"
    record_and_place_lake_files(paths, "f" * 64, "api", datetime.now(UTC), {target: staged})


def thousandfold_first_row(rows: list[dict]) -> list[dict]:
    """A unit error: the day's first model a thousand times too large (tokens sent in thousands)."""
    rows[0]["total_tokens"] *= 1000
    return rows


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def without_the_virtualenv(path: str) -> str:
    """``PATH`` as a plain shell has it: the virtualenv's bin folder not on it."""
    venv_bin = str(Path(sys.executable).parent)
    return os.pathsep.join(part for part in path.split(os.pathsep) if part != venv_bin)


# What a poll may meet on a busy machine before the thing it waits for is ready: a refused or
# reset connection, a read that timed out, an answer that is not JSON yet.
NOT_READY_YET = (requests.RequestException, OSError, ValueError)


def wait_until(
    what: str,
    ready: Callable[[], T | None],
    timeout: float,
    interval: float = 1.0,
    process: subprocess.Popen | None = None,
    diagnostics: Callable[[], str] = str,
) -> T:
    """``ready()``'s first truthy answer, asked every ``interval`` seconds until one deadline.

    A poll that meets a timeout or a connection error (:data:`NOT_READY_YET`) is asked again, so a
    busy machine only makes the wait longer. Fails naming ``what`` was waited for (with
    ``diagnostics()``, e.g. a server's log) when the deadline passes or ``process`` exits.
    """
    deadline = time.monotonic() + timeout
    last_error = ""
    while True:
        try:
            answer = ready()
        except NOT_READY_YET as error:
            answer, last_error = None, f" (last: {type(error).__name__}: {error})"
        if answer:
            return answer
        if process is not None and process.poll() is not None:
            raise AssertionError(
                f"the process exited ({process.returncode}) before {what}{last_error}\n"
                + diagnostics()
            )
        if time.monotonic() >= deadline:
            raise AssertionError(f"not {what} within {timeout:.0f} s{last_error}\n" + diagnostics())
        time.sleep(interval)


def graphql(url: str, query: str, variables: dict | None = None) -> dict:
    """The ``data`` of a query to the Dagster webserver's GraphQL endpoint at ``url``."""
    response = requests.post(url, json={"query": query, "variables": variables or {}}, timeout=30)
    response.raise_for_status()
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]


def wait_for_code_location(
    url: str, query: str, server: subprocess.Popen, timeout: float = 300
) -> dict:
    """The ``workspaceOrError`` answer to ``query`` once the code location has loaded (or failed
    to); fails if ``server`` exits or nothing loads within ``timeout`` seconds."""

    def loaded() -> dict | None:
        workspace = graphql(url, query).get("workspaceOrError") or {}
        entries = workspace.get("locationEntries")
        return workspace if entries and entries[0]["locationOrLoadError"] else None

    return wait_until("the code location loaded", loaded, timeout, process=server)


def restate(paths: DataPaths, day: date, extra_tokens: int) -> int:
    """Ingest a later, valid snapshot of ``day`` with its leader's tokens raised; return them."""
    sample = json.loads(
        (sample_dir() / "rankings_daily" / "2026-02-09_2026-02-15.json").read_text()
    )
    rows = [row for row in sample["data"] if row["date"] == day.isoformat()]
    rows[0]["total_tokens"] = str(int(rows[0]["total_tokens"]) + extra_tokens)
    body = {
        "data": rows,
        "meta": {**sample["meta"], "as_of": "2026-03-01T02:00:00.000Z"},
    }
    response = FetchedResponse(json.dumps(body).encode(), datetime.now(UTC), "api", "test")
    ingest_rankings_response(paths, response, day, day)
    return int(rows[0]["total_tokens"])


# Runs one job of the code location loaded with the environment's DBT_TARGET; fails unless the
# run and every check it ran succeeded.
RUN_JOB = """
import sys
import dagster as dg
from orchestration.cli.entry_point import INSTANCE_CONFIG
from orchestration.definitions import defs
job, partition = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else None)
with dg.DagsterInstance.get() as instance:
    result = defs.resolve_job_def(job).execute_in_process(
        instance=instance, partition_key=partition, raise_on_error=False
    )
checks = result.get_asset_check_evaluations()
print(f"{job}: success={result.success}, checks {sum(c.passed for c in checks)}/{len(checks)}")
sys.exit(0 if result.success and checks and all(c.passed for c in checks) else 1)
"""


def new_dagster_home(folder: Path) -> Path:
    """``folder`` (created if needed) made a Dagster home with the project's instance config,
    as `make demo` installs it."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(INSTANCE_CONFIG, folder / "dagster.yaml")
    return folder


@contextmanager
def project_instance(home: Path) -> Iterator[dg.DagsterInstance]:
    """The Dagster instance in ``home``, which holds the project's ``dagster.yaml``: its storage
    is named through ``DAGSTER_HOME``, set to ``home`` meanwhile as make sets it."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DAGSTER_HOME", str(home))
        with dg.DagsterInstance.from_config(str(home)) as instance:
            yield instance


def run_job_on_engine(paths: DataPaths, target: str, *args: str, **environment: str) -> None:
    """A job of the pipeline (``args``: its name and a partition) with the dbt target
    ``target``, in its own process, as the engine is chosen when the code location loads."""
    home = new_dagster_home(paths.data_dir / "dagster_home")
    done = run_command(
        [sys.executable, "-c", RUN_JOB, *args],
        timeout=900,
        DBT_TARGET=target,
        PIPELINE_DATA_DIR=str(paths.data_dir),
        DAGSTER_HOME=str(home),
        OPENROUTER_API_KEY=None,
        WAREHOUSE_PATH=None,
        **environment,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-5000:]


# The publication's columns that say when a publish happened, and what changed since the one
# before: they differ between two builds of the same data.
PUBLISH_TIME_COLUMNS = {"published_at", "previous_published_at", "changes"}


def published_marts(warehouse: Path) -> dict[str, tuple[list[tuple], list[tuple]]]:
    """Each published table: its columns and types, and its rows in a stable order."""
    with duckdb.connect(str(warehouse), read_only=True) as connection:
        tables = {}
        for (table,) in connection.execute(
            "select table_name from duckdb_tables() where schema_name = 'marts' order by 1"
        ).fetchall():
            columns = connection.execute(
                "select column_name, data_type from duckdb_columns() "
                "where schema_name = 'marts' and table_name = ? order by column_index",
                [table],
            ).fetchall()
            # When each publish happened differs between any two builds.
            kept = [(name, kind) for name, kind in columns if name not in PUBLISH_TIME_COLUMNS]
            names = [name for name, _ in kept]
            # Doubles last in the sort: rows are ordered by their exact values first.
            order = sorted(range(len(kept)), key=lambda i: kept[i][1] == "DOUBLE")
            rows = connection.execute(
                f"select {', '.join(names)} from marts.{table} "
                f"order by {', '.join(str(i + 1) for i in order)}"
            ).fetchall()
            tables[table] = (columns, rows)
    return tables


def assert_same_marts(spark: Path, duck: Path) -> None:
    """Same tables, columns, types and rows; doubles equal to 1e-9."""
    assert_marts_match(published_marts(spark), published_marts(duck), tolerance=1e-9)


def same_row(actual: tuple, expected: tuple, tolerance: float) -> bool:
    """Equal value by value; doubles equal to ``tolerance`` (relative and absolute), as their last
    bits depend on the order of a sum."""
    return all(
        math.isclose(a, e, rel_tol=tolerance, abs_tol=tolerance)
        if isinstance(a, float) and isinstance(e, float)
        else a == e
        for a, e in zip(actual, expected, strict=True)
    )


def mismatched_rows(
    actual: list[tuple], expected: list[tuple], tolerance: float
) -> list[tuple[tuple, tuple]]:
    """The (actual, expected) pairs of two equally long row lists that are not ``same_row``."""
    assert len(actual) == len(expected), (len(actual), len(expected))
    return [(a, e) for a, e in zip(actual, expected, strict=True) if not same_row(a, e, tolerance)]


def assert_marts_match(
    actual: dict[str, tuple[list[tuple], list[tuple]]],
    expected: dict[str, tuple[list[tuple], list[tuple]]],
    tolerance: float,
) -> None:
    """``published_marts`` readings with the same tables, columns, types and rows (``same_row``)."""
    assert actual.keys() == expected.keys()
    for table, (columns, rows) in expected.items():
        actual_columns, actual_rows = actual[table]
        assert actual_columns == columns, table
        assert len(actual_rows) == len(rows), table
        mismatched = mismatched_rows(actual_rows, rows, tolerance)
        assert mismatched == [], (table, mismatched[:3])


def start_make(target: str, environment: dict[str, str]) -> subprocess.Popen:
    """`make <target>` with its output as text lines, in its own process group, so that one
    signal (``os.killpg``) reaches make and everything it started."""
    return subprocess.Popen(
        ["make", target],
        cwd=PROJECT_ROOT,
        env=environment,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )


def port_is_free(port: int) -> bool:
    """Whether nothing listens on 127.0.0.1:``port``."""
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) != 0


def process_tree(root: int) -> dict[int, str]:
    """``root`` and every living descendant of it, by pid, with its command line (from /proc)."""
    children: dict[int, list[int]] = {}
    commands: dict[int, str] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            pid = int(stat.parent.name)
            # The parent pid is the 2nd field after the command, which sits in parentheses.
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(pid)
            commands[pid] = (stat.parent / "cmdline").read_bytes().replace(b"\0", b" ").decode()
    tree, pending = {}, [root]
    while pending:
        pid = pending.pop()
        if pid in commands:
            tree[pid] = commands[pid].strip()
            pending.extend(children.get(pid, []))
    return tree


def alive(pid: int) -> bool:
    """Whether ``pid`` is a process that has not exited (a zombie has)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def stop_make_with_sigterm(make: subprocess.Popen, port: int, timeout: float = 180) -> None:
    """SIGTERM to the ``make`` process alone, as ``kill <pid>`` or a process manager sends it;
    fails unless make and every process under it at that moment (also those in process groups
    of their own) exit and ``port`` is free within ``timeout`` seconds, naming what is left.
    Whatever is left is killed."""
    started = process_tree(make.pid)
    make.send_signal(signal.SIGTERM)
    try:
        make.wait(timeout=timeout)

        def left() -> dict[int, str]:
            return {pid: command for pid, command in started.items() if alive(pid)}

        wait_until(
            "every process make started stopped",
            lambda: not left(),
            timeout,
            interval=0.5,
            diagnostics=lambda: (
                "still running:\n"
                + "\n".join(f"  {pid} {command}" for pid, command in left().items())
            ),
        )
        wait_until(f"port {port} free", lambda: port_is_free(port), timeout, interval=0.5)
    finally:
        for pid in started:
            with contextlib.suppress(ProcessLookupError):
                if alive(pid):
                    os.kill(pid, signal.SIGKILL)
