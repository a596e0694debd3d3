"""``make compact``: rewrite each ``date=`` folder of the rankings lake holding more than one file
as one, every row of every snapshot kept (``compact_lake_job``, which the daily schedule and a
backfill also start). The warehouse built from the lake is unchanged, so nothing is rebuilt.
"""

from __future__ import annotations

from orchestration.cli.entry_point import run_entry_point
from orchestration.cli.running import load_definitions, pipeline_instance, run_job, run_warnings
from orchestration.lib.settings import data_paths


def _lake_files() -> int:
    return sum(1 for _ in data_paths().raw_rankings_dir.glob("date=*/*.parquet"))


def main() -> None:
    """Run ``compact_lake_job`` and say how many lake files there were before and after."""
    before = _lake_files()
    defs = load_definitions("make compact")
    with pipeline_instance() as instance:
        result = run_job(defs, instance, "compact_lake_job")
        for line in run_warnings(instance, result.run_id):
            print(f"warning: {line}")
    print(f"lake compacted: {before} file(s) before, {_lake_files()} now; every row kept")


if __name__ == "__main__":
    run_entry_point("make compact", main, uses_dagster_home=True)
