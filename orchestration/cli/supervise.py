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
import time

STOP_GRACE_SECONDS = 30


def stop_group(leader: subprocess.Popen) -> None:
    """SIGINT to ``leader``'s process group; SIGKILL to what is left of it after the grace."""
    try:
        os.killpg(leader.pid, signal.SIGINT)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + STOP_GRACE_SECONDS
    while time.monotonic() < deadline:
        leader.poll()
        try:
            os.killpg(leader.pid, 0)
        except ProcessLookupError:
            return  # the whole group is gone
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(leader.pid, signal.SIGKILL)


def main(command: list[str]) -> int:
    """Run ``command`` until it exits or this process is told to stop; its exit status."""
    server = subprocess.Popen(command, start_new_session=True)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop_group(server))
    return server.wait()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
