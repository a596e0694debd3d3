"""A reader holding the published warehouse open never breaks, or is broken by, the pipeline."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import time

import pytest

from orchestration.lib.settings import DataPaths
from tests.helpers import run

# Readers in a loop while the pipeline builds and publishes twice.
pytestmark = pytest.mark.slow

READER = textwrap.dedent(
    """
    import json, os, sys, time
    import duckdb

    path, stop_file, mode = sys.argv[1], sys.argv[2], sys.argv[3]
    # "held": one connection for the whole test, as a BI tool keeps it; "fresh": a new
    # connection per query, which sees each new publication. (DuckDB shares one instance per
    # file within a process, hence a process per mode.)
    held = duckdb.connect(path, read_only=True) if mode == "held" else None
    reads, errors, inconsistent, published = 0, [], [], set()
    while not os.path.exists(stop_file):
        connection = held or duckdb.connect(path, read_only=True)
        try:
            weeks = connection.execute(
                "select week_start, sum(token_share) from marts.mart_region_weekly group by 1"
            ).fetchall()
            inconsistent += [str(w) for w, total in weeks if abs(total - 1) > 1e-9]
            if len(weeks) != 26:
                inconsistent.append(f"{len(weeks)} weeks")
            published.add(str(connection.execute(
                "select published_at from marts.publication").fetchone()[0]))
            reads += 1
        except Exception as error:
            errors.append(repr(error))
        if held is None:
            connection.close()
        time.sleep(0.01)
    print(json.dumps({"reads": reads, "errors": errors[:5], "inconsistent": inconsistent[:5],
                      "publications_seen": sorted(published)}))
    """
)


def test_reader_in_a_loop_while_the_pipeline_builds_and_publishes_twice(built_copy: DataPaths):
    stop_file = built_copy.data_dir / "stop-readers"
    readers = {
        mode: subprocess.Popen(
            [
                sys.executable,
                "-c",
                READER,
                str(built_copy.published_warehouse),
                str(stop_file),
                mode,
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        for mode in ("held", "fresh")
    }
    try:
        time.sleep(1)
        results = [run("warehouse_job") for _ in range(2)]
    finally:
        stop_file.touch()
        seen = {
            mode: json.loads(reader.communicate(timeout=60)[0]) for mode, reader in readers.items()
        }

    assert all(result.success for result in results), "the pipeline failed (on a lock?)"
    for mode in ("held", "fresh"):
        assert seen[mode]["errors"] == [], mode
        assert seen[mode]["inconsistent"] == [], mode
        assert seen[mode]["reads"] > 20, mode
    # The held connection keeps reading the file it opened; fresh ones see both new ones.
    assert len(seen["held"]["publications_seen"]) == 1
    assert len(seen["fresh"]["publications_seen"]) == 3
