"""``python -m orchestration.cli.prepare_instance "make ui"``: what a command of this project
does before its work (settings checked, ``DAGSTER_HOME`` given its instance config, a refusal in
one line), for a command that starts another program (``dagster dev``)."""

import sys

from orchestration.cli.entry_point import run_entry_point

if __name__ == "__main__":
    run_entry_point(sys.argv[1], lambda: None, uses_dagster_home=True)
