"""``make repair``: check the whole lake against its records, repair it from the landing zone,
set aside a working warehouse that cannot be read, then rebuild and publish everything.

The next run does the same for the dates it reads; this checks every date.
"""

from __future__ import annotations

from orchestration.cli.running import load_definitions, pipeline_instance, run_job
from orchestration.lib.ingestion.repair import (
    repair_rankings_lake,
    set_aside_damaged_warehouse,
    working_warehouse_state,
)
from orchestration.lib.settings import data_paths


def main() -> None:
    """Repair the lake and the working warehouse, then run ``warehouse_job``."""
    paths = data_paths()
    repairs = repair_rankings_lake(paths)
    for repair in repairs:
        print(f"lake file {repair.path}: {repair.problem}; {repair.action}")
    print(f"lake checked: {len(repairs)} file(s) repaired")
    if working_warehouse_state(paths.working_warehouse) == "unreadable":
        moved = set_aside_damaged_warehouse(paths.working_warehouse)
        print(f"working warehouse could not be read: moved to {moved}; rebuilding it")
    defs = load_definitions("make repair")
    with pipeline_instance() as instance:
        run_job(defs, instance, "warehouse_job")
    print("warehouse rebuilt from the lake, checked and published")


if __name__ == "__main__":
    main()
