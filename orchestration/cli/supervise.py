"""``python -m orchestration.cli.supervise <command> ...``: run a server so that stopping this
process stops it and everything it started (``make ui``, ``make docs``, ``make bi``).

``make`` passes SIGTERM on to the command it runs, but ``dagster dev`` does not stop on SIGTERM,
and ``dbt docs serve`` and gunicorn were left behind by the shell that started them: each kept
its port.
Here the server runs in a process group of its own; SIGTERM or SIGINT (Ctrl-C) to this process
sends SIGINT, every server's Ctrl-C path, to the whole group (``--stop-signal TERM`` sends SIGTERM
instead), and SIGKILL to what is left after the grace period.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import threading
import time

STOP_GRACE_SECONDS = 30


def stop_groups(
    leaders: list[subprocess.Popen],
    stop_signal: signal.Signals = signal.SIGINT,
    leaders_first: bool = False,
) -> None:
    """``stop_signal`` to each leader's process group; SIGKILL to what is left of them after the
    grace.

    With ``leaders_first``, the signal goes to the leaders alone first, and to the rest of their
    groups once they have exited (or after half the grace): a leader then stops what it started
    in its own order, as ``dagster-daemon`` stops its sensors before its code server, instead
    of everything at once.
    """
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    if leaders_first:
        for leader in leaders:
            with contextlib.suppress(ProcessLookupError):
                leader.send_signal(stop_signal)
        leaders_deadline = time.monotonic() + STOP_GRACE_SECONDS / 2
        while any(leader.poll() is None for leader in leaders) and (
            time.monotonic() < leaders_deadline
        ):
            time.sleep(0.2)
    for leader in leaders:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(leader.pid, stop_signal)
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


def main(command: list[str], stop_signal: signal.Signals = signal.SIGINT) -> int:
    """Run ``command`` until it exits or this process is told to stop (then send it
    ``stop_signal``); its exit status."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    server = subprocess.Popen(command, start_new_session=True)
    while server.poll() is None and not stopping.wait(0.5):
        pass
    # Also when the server exited by itself: what it started may still run.
    stop_groups([server], stop_signal)
    return server.wait()


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--stop-signal",
        choices=["INT", "TERM"],
        default="INT",
        help="the signal that stops the server (default: INT, as Ctrl-C)",
    )
    parser.add_argument("command", nargs=argparse.REMAINDER)
    arguments = parser.parse_args()
    sys.exit(main(arguments.command, signal.Signals[f"SIG{arguments.stop_signal}"]))
