"""``make retract SNAPSHOT=<response_sha256> REASON="..."``: take back a bad snapshot, rebuild.

Moves the snapshot's lake files to quarantine with the reason (its landing body stays as
received; ingestion never writes it again), then runs ``rankings_job`` without its ingestion step
over the dates it covered: the fact, the marts and their tests are rebuilt for them and, when the
tests pass, the published warehouse is updated. Where another snapshot of a date remains, its
figures take over; a date left with none drops out.
"""

from __future__ import annotations

import argparse
import sys

from orchestration.cli.entry_point import run_entry_point
from orchestration.cli.running import load_definitions, pipeline_instance, run_job, run_warnings
from orchestration.defs.jobs import WAREHOUSE_ASSET_KEYS
from orchestration.defs.partitions import partition_range_tags
from orchestration.lib.ingestion.retraction import RetractionError, retract_snapshot
from orchestration.lib.settings import data_paths


def main(argv: list[str] | None = None) -> None:
    """Retract the snapshot named on the command line, then rebuild the dates it covered."""
    parser = argparse.ArgumentParser(prog="make retract", description=__doc__.split("\n\n")[0])
    parser.add_argument("snapshot", help="the snapshot's response_sha256 (16+ leading hex digits)")
    parser.add_argument("--reason", required=True, help="why it is retracted (recorded)")
    arguments = parser.parse_args(argv)
    try:
        retraction = retract_snapshot(data_paths(), arguments.snapshot, arguments.reason)
    except RetractionError as error:
        sys.exit(f"make retract: {error}")
    print(
        f"retracted snapshot {retraction.response_sha256} ({retraction.reason}): "
        f"{len(retraction.moved_files)} lake file(s) in quarantine, landing body kept at "
        f"{retraction.landing_file}"
    )
    if not retraction.dates:
        print("it had no rows in the lake: nothing to rebuild")
        return
    first, last = retraction.dates[0], retraction.dates[-1]
    print(f"rebuilding {first}..{last}")
    defs = load_definitions("make retract")
    with pipeline_instance() as instance:
        tags = partition_range_tags(first, last)
        result = run_job(defs, instance, "rankings_job", tags, WAREHOUSE_ASSET_KEYS)
        for line in run_warnings(instance, result.run_id):
            print(f"warning: {line}")
    print("done: the published warehouse no longer holds the retracted figures")


if __name__ == "__main__":
    run_entry_point("make retract", main, uses_dagster_home=True)
