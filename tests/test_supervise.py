"""Stopping servers with what they started (``orchestration.cli.supervise``), on real processes."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from orchestration.cli.supervise import stop_groups
from tests.helpers import wait_until

# A process the leader starts (as dagster-daemon starts its code server): on SIGINT it records
# that it was interrupted, and exits.
CHILD = """
import pathlib, signal, sys, time
marker = pathlib.Path(sys.argv[1])
def interrupted(*_):
    marker.with_suffix(".child").write_text("interrupted")
    sys.exit(0)
signal.signal(signal.SIGINT, interrupted)
marker.with_suffix(".ready").write_text("")
while True:
    time.sleep(0.1)
"""

# The leader: on SIGINT it looks, a second later, whether its child was interrupted too, records
# what it saw, and exits without stopping the child (what it leaves is the supervisor's job).
LEADER = """
import pathlib, signal, subprocess, sys, time
marker = pathlib.Path(sys.argv[1])
def interrupted(*_):
    time.sleep(1)
    child_interrupted = marker.with_suffix(".child").exists()
    marker.with_suffix(".leader").write_text(
        "child interrupted first" if child_interrupted else "child still running"
    )
    sys.exit(0)
signal.signal(signal.SIGINT, interrupted)
subprocess.Popen([sys.executable, "-c", sys.argv[2], str(marker)])
while True:
    time.sleep(0.1)
"""


def group_is_gone(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return True
    return False


def test_leaders_first_stops_the_leader_before_what_it_started(tmp_path: Path):
    marker = tmp_path / "marker"
    leader = subprocess.Popen(
        [sys.executable, "-c", LEADER, str(marker), CHILD], start_new_session=True
    )
    try:
        wait_until("the child ready", lambda: marker.with_suffix(".ready").exists(), timeout=120)

        stop_groups([leader], leaders_first=True)

        # The leader handled its interrupt while the child still ran; the child was then
        # interrupted too (not killed: it recorded it), and the whole group is gone.
        assert marker.with_suffix(".leader").read_text() == "child still running"
        assert marker.with_suffix(".child").read_text() == "interrupted"
        assert group_is_gone(leader.pid)
    finally:
        if not group_is_gone(leader.pid):
            os.killpg(leader.pid, signal.SIGKILL)


@pytest.mark.parametrize("leaders_first", [False, True])
def test_a_leader_that_ignores_the_signal_is_killed_after_the_grace(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, leaders_first: bool
):
    monkeypatch.setattr("orchestration.cli.supervise.STOP_GRACE_SECONDS", 2)
    leader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import pathlib, signal, sys, time\n"
            "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
            "pathlib.Path(sys.argv[1]).write_text('')\n"
            "time.sleep(600)",
            str(tmp_path / "ready"),
        ],
        start_new_session=True,
    )
    try:
        wait_until("the leader ready", lambda: (tmp_path / "ready").exists(), timeout=120)

        stop_groups([leader], leaders_first=leaders_first)

        assert leader.returncode == -signal.SIGKILL
        assert group_is_gone(leader.pid)
    finally:
        if not group_is_gone(leader.pid):
            os.killpg(leader.pid, signal.SIGKILL)
