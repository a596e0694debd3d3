"""`make demo` as a new user runs it: a short summary that tells the story; the detail in a log."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from orchestration.lib.settings import sample_dir
from tests.helpers import make_demo, run_command

# make demo, as a user runs it.
pytestmark = pytest.mark.slow

CITATION = "Source: OpenRouter (openrouter.ai/rankings), as of 2026-05-11T00:00:00+00:00."


def test_make_demo_prints_a_short_summary_and_logs_the_detail(tmp_path: Path):
    demo = make_demo(tmp_path)

    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    output = demo.stdout
    assert len(output.splitlines()) < 75, output
    # dbt's line per model and test is in the log, not on the terminal.
    assert " START " not in output and "PASS=" not in output
    # Each job's lines in a log named after its run; demo.log links to the newest, the build's.
    logs = tmp_path / "data" / "logs"
    run_logs = sorted(logs.glob("*-*-*-*-*.log"))
    assert len(run_logs) == 3
    log = (logs / "demo.log").read_text()
    assert (logs / "demo.log").resolve() in run_logs
    assert re.search(r"\d+ of \d+ PASS not_null_", log)
    assert "Done. PASS=" in log
    assert "warning:" not in output
    # What was ingested, each kind of check with its result, what was published.
    assert "rankings   26 snapshots: 1,716 rows over 182 days (2025-11-10..2026-05-10)" in output
    [checks] = re.findall(r"Checks: (\d+) of (\d+) passed", output)
    assert checks[0] == checks[1] and int(checks[0]) > 50
    assert re.search(r"ok totals_match_daily_fact +\d+/\d+ +Each week's", output)
    assert re.search(r"marts\.dim_models +40 rows", output)
    assert re.search(r"marts\.publication +1 row\b", output)
    # Three headlines from the marts, with the citation.
    # The sample has no `other` row: its shares say they are of the listed models only.
    assert (
        "China overtook the United States in the week of 2026-02-09: 55.0% of the listed "
        "models' tokens against 45.0%." in output
    )
    assert "Shares are of the listed models' tokens only, not of all tokens: 182 of 182" in output
    assert "#1 model in the week of 2026-05-04: Tencent: Hy3 preview (free)" in output
    assert "Newest trillion-token model: DeepSeek: DeepSeek V4 Flash, 1T on 2026-05-05" in output
    assert f"{CITATION} Licensed under CC BY 4.0." in output
    # The next commands name paths that exist; the DuckDB client is the virtualenv's.
    assert f"{tmp_path}/data/reports/index.html" in output
    assert f".venv/bin/duckdb -readonly {tmp_path}/data/warehouse.duckdb" in output
    example = re.search(r"(\S+/duckdb) -readonly (\S+) -f (queries/\S+\.sql)", output)
    query = run_command([example[1], "-readonly", example[2], "-f", example[3]])
    assert query.returncode == 0 and CITATION in query.stdout, query.stderr

    # Run again over a lake someone copied a file into: the repair is said on the terminal, and
    # the first run's logs are kept.
    [day] = (tmp_path / "data" / "lake" / "raw" / "rankings_daily" / "date=2026-02-10").iterdir()
    shutil.copy(day, day.with_name("20260301T020000Z_0123456789abcdef.parquet"))

    again = make_demo(tmp_path)

    assert again.returncode == 0, again.stdout[-3000:] + again.stderr[-3000:]
    assert re.search(
        r"warning: openrouter_dbt_models: lake file \S+/date=2026-02-10/20260301T020000Z_"
        r"0123456789abcdef\.parquet: not written by the pipeline: no record lists it; moved to ",
        again.stdout,
    ), again.stdout
    assert set(run_logs) < set(logs.glob("*-*-*-*-*.log"))


def test_a_failing_job_ends_the_demo_with_its_error(tmp_path: Path):
    sample = tmp_path / "sample"
    shutil.copytree(sample_dir(), sample)
    first = sorted((sample / "rankings_daily").glob("*.json"))[0]
    first.write_text('{"data": [{"date": "2025-11-10"}], "meta": {}}')

    demo = make_demo(tmp_path, RANKINGS_SAMPLE_DIR=str(sample))

    assert demo.returncode != 0
    assert "rankings_job   rankings for 182 days ... failed" in demo.stdout
    # The step's error, not Dagster's wrapping of it: it names the file and what to do.
    assert "job rankings_job failed:\n  raw_rankings_daily: " in demo.stderr
    assert f"meta.version must be 'v1', got None (received from {first})" in demo.stderr
    assert "Fix or re-fetch the source and run again" in demo.stderr
    logs = tmp_path / "data" / "logs"
    assert f"see {(logs / 'demo.log').resolve()}" in demo.stderr
