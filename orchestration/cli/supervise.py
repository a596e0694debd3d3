"""``python -m orchestration.cli.supervise <command> ...``: run a server so that stopping this
process stops it and everything it started (``make ui``, ``make docs``, ``make bi``).

``make`` passes SIGTERM on to the command it runs, but ``dagster dev`` does not stop on SIGTERM,
and ``dbt docs serve`` and gunicorn were left behind by the shell that started them: each kept
its port.
Here the server runs in a process group of its own; SIGTERM or SIGINT (Ctrl-C) to this process
sends SIGINT, every server's Ctrl-C path, to the whole group, and SIGKILL to what is left after
the grace period.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

STOP_GRACE_SECONDS = 30


def stop_groups(leaders: list[subprocess.Popen]) -> None:
    """SIGINT to each leader's process group; SIGKILL to what is left of them after the grace."""
    for leader in leaders:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(leader.pid, signal.SIGINT)
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    running = list(leaders)
    while running and time.monotonic() < deadline:
        for leader in list(running):
            leader.poll()
            try:
                os.killpg(leader.pid, 0)
            except ProcessLookupError:
                running.remove(leader)  # the whole group is gone
        time.sleep(0.2)
    for leader in running:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(leader.pid, signal.SIGKILL)
        leader.wait()


def main(command: list[str]) -> int:
    """Run ``command`` until it exits or this process is told to stop; its exit status."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    server = subprocess.Popen(command, start_new_session=True)
    while server.poll() is None and not stopping.wait(0.5):
        pass
    # Also when the server exited by itself: what it started may still run.
    stop_groups([server])
    return server.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
