"""``python -m orchestration.cli.require_data published|lake "<command>" [--notice]``: the one
line a command prints when ``make demo`` has not run yet, before it installs or starts anything.

``published`` needs the published warehouse (``make metrics``, ``make bi``); ``built`` the
working warehouse dbt built (``make docs``, whose catalogue reads it); ``lake`` rankings in the
lake (``make freshness``). With ``--notice`` the line is printed and the command goes on (``make
ui`` is useful before the demo); without, it exits 1.
"""

from __future__ import annotations

import argparse
import sys

from orchestration.cli.display import shown
from orchestration.cli.entry_point import run_entry_point
from orchestration.lib.settings import data_paths


def missing(needs: str) -> str | None:
    """What is missing for ``needs`` (``published``, ``built`` or ``lake``), or None when it is
    there."""
    paths = data_paths()
    if needs == "published":
        if paths.published_warehouse.exists():
            return None
        return f"no published warehouse yet ({shown(paths.published_warehouse)})"
    if needs == "built":
        if paths.working_warehouse.exists():
            return None
        return f"no built warehouse yet ({shown(paths.working_warehouse)})"
    if any(paths.raw_rankings_dir.glob("date=*/*.parquet")):
        return None
    return f"no rankings in the lake yet ({shown(paths.raw_rankings_dir)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("needs", choices=["published", "built", "lake"])
    parser.add_argument("command", help="the command as the user typed it, e.g. 'make bi'")
    parser.add_argument("--notice", action="store_true", help="say it, and let the command go on")
    arguments = parser.parse_args()
    problem = missing(arguments.needs)
    if problem is None:
        return
    line = f"{arguments.command}: {problem}: run `make demo` first"
    if arguments.notice:
        print(line + " (starting anyway)", file=sys.stderr, flush=True)
        return
    sys.exit(line)


if __name__ == "__main__":
    run_entry_point(sys.argv[2] if len(sys.argv) > 2 else "make", main)
