"""The daily update: run ``rankings_job`` for one partition, as the schedule does.

``python -m bench.one_day YYYY-MM-DD``; the environment names the lake and the sample
(``PIPELINE_DATA_DIR``, ``RANKINGS_SAMPLE_DIR``). Exits non-zero when the run fails.
"""

from __future__ import annotations

import sys

import dagster as dg

from orchestration.definitions import defs


def run_one_day(day: str) -> bool:
    """Ingest ``day``, rebuild the fact for it, the marts, checks, publish and report."""
    result = defs.resolve_job_def("rankings_job").execute_in_process(
        partition_key=day,
        instance=dg.DagsterInstance.ephemeral(),
        run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        raise_on_error=False,
    )
    return result.success


if __name__ == "__main__":
    sys.exit(0 if run_one_day(sys.argv[1]) else 1)
