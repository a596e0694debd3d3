"""A long job says how far it has got: the progress lines `make demo` prints during a build."""

from __future__ import annotations

import io
import re
import uuid

import dagster as dg
import pytest

from orchestration.cli.running import ProgressReporter
from orchestration.definitions import defs
from orchestration.lib.settings import DataPaths
from tests.helpers import QUIET


@pytest.mark.slow
def test_progress_lines_count_the_planned_assets_and_checks_done(lake_copy: DataPaths):
    instance = dg.DagsterInstance.ephemeral()
    run_id = str(uuid.uuid4())
    printed = io.StringIO()

    with ProgressReporter(instance, run_id, printed, every_seconds=1.0) as progress:
        result = defs.resolve_job_def("warehouse_job").execute_in_process(
            instance=instance, run_id=run_id, run_config=QUIET, raise_on_error=False
        )

    assert result.success
    assert progress.printed
    lines = re.findall(r"\n    (\d+)s: (\d+) of (\d+) assets and checks done", printed.getvalue())
    assert len(lines) >= 2, printed.getvalue()
    done = [int(line[1]) for line in lines]
    planned = {int(line[2]) for line in lines}
    # Counts only go up, and never past what the run planned.
    assert done == sorted(done) and max(done) <= max(planned)
    assert max(planned) > 100
