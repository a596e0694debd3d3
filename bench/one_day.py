"""The daily update for one new day, in two timed parts, as the daily schedule's run does it.

``python -m bench.one_day YYYY-MM-DD TIMINGS.json``; the environment names the lake and the
sample (``PIPELINE_DATA_DIR``, ``RANKINGS_SAMPLE_DIR``). The first part is the update the
benchmark's target is about: ingest the day, rebuild it in dbt (fact, marts, data tests) and run
every check. The second part publishes the checked marts and renders the report. Writes the
second part's seconds to TIMINGS.json (the caller times the whole process); exits non-zero when a
part fails.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import dagster as dg

from orchestration.definitions import defs
from orchestration.defs.assets.serving import published_warehouse, rankings_report

SERVE_KEYS = {published_warehouse.key, rankings_report.key}


def run_part(instance: dg.DagsterInstance, day: str, serve: bool) -> bool:
    """Run ``rankings_job`` for ``day``: its update assets, or its serving assets."""
    job = defs.resolve_job_def("rankings_job")
    keys = [key for key in job.asset_layer.executable_asset_keys if (key in SERVE_KEYS) == serve]
    result = job.execute_in_process(
        partition_key=day,
        instance=instance,
        asset_selection=keys,
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        raise_on_error=False,
    )
    return result.success


def main(day: str, timings: Path) -> int:
    # One instance for both parts: publishing looks up the checks the first part ran.
    with dg.DagsterInstance.ephemeral() as instance:
        if not run_part(instance, day, serve=False):
            return 1
        started = time.monotonic()
        if not run_part(instance, day, serve=True):
            return 1
        timings.write_text(json.dumps({"publish_seconds": time.monotonic() - started}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], Path(sys.argv[2])))
