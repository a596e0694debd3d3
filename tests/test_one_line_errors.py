"""What a user can act on is said in one line, from every command: a key that cannot be sent, a
full disk, a working warehouse another program holds open."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.cli.running import error_message
from orchestration.lib.settings import DataPaths
from tests.helpers import run, run_command

KEY = "sk-or-v1-secret-0123456789"
COMMANDS = {
    "make demo": ["make", "demo"],
    "make retract": ["make", "retract", "SNAPSHOT=0123456789abcdef", "REASON=test"],
    "make repair": ["make", "repair"],
    "make serve": ["make", "serve"],
    "make ui": ["make", "ui"],
}


def command_lines(stderr: str) -> list[str]:
    """Standard error without make's own closing line (``make: *** [...] Error 1``)."""
    return [line for line in stderr.splitlines() if not line.startswith("make: ***")]


@pytest.mark.parametrize("command", COMMANDS)
def test_a_key_that_cannot_be_sent_is_refused_in_one_line_by_every_command(
    command: str, tmp_path: Path
):
    refused = run_command(
        COMMANDS[command],
        timeout=300,
        OPENROUTER_API_KEY=f"{KEY}\x07",
        PIPELINE_DATA_DIR=str(tmp_path / "data"),
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
    )

    assert refused.returncode != 0
    assert command_lines(refused.stderr) == [
        f"{command}: OPENROUTER_API_KEY contains whitespace or control characters (a key file "
        "saved with a Windows line ending, or a trailing newline?). Set it to the key alone. "
        "The value is not shown here."
    ]
    assert KEY not in refused.stdout + refused.stderr
    assert not (tmp_path / "data").exists(), "refused before anything was written"


@pytest.fixture
def tiny_filesystem(tmp_path: Path) -> Iterator[Path]:
    """A real 4 MiB filesystem (tmpfs) mounted for the test; needs root, as CI runs."""
    mount = tmp_path / "tiny"
    mount.mkdir()
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=4m", "tmpfs", str(mount)], capture_output=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=True)


def fill(mount: Path, leave_bytes: int) -> None:
    """Fill ``mount`` until at most ``leave_bytes`` are free."""
    with open(mount / "filler", "wb") as filler:
        while (free := os.statvfs(mount).f_bavail * os.statvfs(mount).f_frsize) > leave_bytes:
            try:
                filler.write(b"\0" * min(free - leave_bytes, 1 << 20))
                filler.flush()
            except OSError:
                break


@pytest.mark.parametrize(
    "leave_bytes", [0, 600_000], ids=["full before the run", "full during ingestion"]
)
def test_a_full_disk_is_named_in_one_line(tiny_filesystem: Path, leave_bytes: int):
    fill(tiny_filesystem, leave_bytes)

    demo = run_command(
        ["make", "demo"],
        timeout=600,
        PIPELINE_DATA_DIR=str(tiny_filesystem / "data"),
        DAGSTER_HOME=str(tiny_filesystem / "dagster_home"),
        OPENROUTER_API_KEY=None,
        WAREHOUSE_PATH=None,
    )

    assert demo.returncode != 0
    assert "Traceback" not in demo.stderr, demo.stderr[-3000:]
    [line] = command_lines(demo.stderr)
    assert line.startswith(
        f"make demo: no space left on the filesystem mounted at {tiny_filesystem} (tmpfs), "
        f"which holds {tiny_filesystem}/"
    ), line
    assert "Free space there, then run the command again" in line


HOLD_OPEN = """
import sys, time, duckdb
connection = duckdb.connect(sys.argv[1])
print("holding", flush=True)
time.sleep(float(sys.argv[2]))
"""


def hold_open(database: Path, seconds: float) -> subprocess.Popen:
    """Another program holding ``database`` open for writing, for ``seconds``."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_OPEN, str(database), str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline() == "holding\n"
    return holder


@pytest.mark.slow
def test_a_working_warehouse_held_open_is_waited_for_then_named_never_set_aside(
    built_copy: DataPaths, monkeypatch: pytest.MonkeyPatch
):
    warehouse = built_copy.working_warehouse

    monkeypatch.setenv("WAREHOUSE_LOCK_WAIT_SECONDS", "1")
    holder = hold_open(warehouse, 600)
    try:
        held = run("warehouse_job")
    finally:
        holder.kill()
        holder.wait()

    assert not held.success
    [failure] = held.get_step_failure_events()
    message = error_message(failure.step_failure_data.error)
    assert f"the working warehouse {warehouse} is held open by " in message
    assert f"(PID {holder.pid})" in message and "WAREHOUSE_LOCK_WAIT_SECONDS" in message
    assert not list(warehouse.parent.glob("*.damaged-*")), "a held file is not damaged"

    # A holder that lets go within the wait: the run waits for it, then builds.
    monkeypatch.setenv("WAREHOUSE_LOCK_WAIT_SECONDS", "300")
    holder = hold_open(warehouse, 3)
    started = time.monotonic()
    waited = run("warehouse_job")
    holder.wait()

    assert waited.success
    assert time.monotonic() - started > 2, "it waited for the holder"
    assert not list(warehouse.parent.glob("*.damaged-*"))
