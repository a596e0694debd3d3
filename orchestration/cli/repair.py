"""``make repair``: check the whole lake against its records, repair it from the landing zone,
set aside a working warehouse that cannot be read, then rebuild and publish everything.

The next run does the same for the dates it reads; this checks every date.
"""

from __future__ import annotations

from orchestration.cli.entry_point import run_entry_point
from orchestration.cli.running import load_definitions, pipeline_instance, run_job, run_warnings
from orchestration.lib.ingestion.repair import repair_inputs
from orchestration.lib.settings import data_paths


def main() -> None:
    """Repair the lake and the working warehouse, then run ``warehouse_job``."""
    repaired = repair_inputs(data_paths())
    for line in repaired.lines:
        print(line)
    print(f"lake checked: {len(repaired.lake)} file(s) repaired")
    defs = load_definitions("make repair")
    with pipeline_instance() as instance:
        result = run_job(defs, instance, "warehouse_job")
        for line in run_warnings(instance, result.run_id):
            print(f"warning: {line}")
    print("warehouse rebuilt from the lake, checked and published")


if __name__ == "__main__":
    run_entry_point("make repair", main, uses_dagster_home=True)
