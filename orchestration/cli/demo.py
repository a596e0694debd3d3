"""``make demo``: run the pipeline end to end and print where everything is.

Without ``OPENROUTER_API_KEY`` it ingests the bundled sample's whole date range in one run; with
a key it ingests the Data API from 2025-01-01 to yesterday (one request per 366 days); with
``RANKINGS_SOURCE=exports`` the days of OpenRouter's newest keyless export. Then
``warehouse_job`` builds the whole warehouse with dbt, runs every data test, and publishes the
warehouse, its Parquet exports and the report; the summary (:mod:`orchestration.cli.demo_summary`)
says what was ingested, how the checks went, what was published and what the marts say.
Runs are recorded in the Dagster instance at ``DAGSTER_HOME``, so ``make ui`` shows them.
"""

from __future__ import annotations

import os
import sys
import time
import uuid
from contextlib import redirect_stderr, redirect_stdout
from datetime import date
from pathlib import Path

import dagster as dg

from orchestration.cli.demo_summary import (
    check_lines,
    coverage_lines,
    headline_lines,
    ingested_lines,
    insight_lines,
    next_command_lines,
    published_lines,
)
from orchestration.cli.display import shown
from orchestration.cli.entry_point import run_entry_point
from orchestration.cli.running import (
    ProgressReporter,
    load_definitions,
    pipeline_instance,
    run_job,
    run_warnings,
)
from orchestration.defs.partitions import partition_range_tags
from orchestration.defs.project import ENGINE
from orchestration.defs.resources import rankings_source
from orchestration.lib.settings import (
    DataPaths,
    data_paths,
    openrouter_base_url,
    rankings_source_name,
    sample_dir,
)
from orchestration.lib.storage import switch_symlink

SOURCE_NAMES = {
    "api": "OpenRouter Data API",
    "exports": "OpenRouter keyless daily exports",
    "sample": "bundled sample",
}


def source_description() -> str:
    """The feed this run reads, as the summary names it (the sample with its folder)."""
    name = rankings_source_name()
    where = f" ({shown(sample_dir())})" if name == "sample" else f" ({openrouter_base_url()})"
    return SOURCE_NAMES[name] + where


def main() -> None:
    """Materialize everything for the whole range, then print what was done and what it says.

    Each job's Dagster and dbt lines (dbt's line per model and test among them) go to its own
    ``data/logs/<run id>.log``, with ``data/logs/demo.log`` a link to the newest; the terminal
    gets one line per job, what the runs warned of, and the summary, or the failed step's error.
    """
    started = time.monotonic()
    # One planned-materialization event for the whole ingested range instead of one per date
    # (182 on the sample, each a SQLite write). Dagster's documented trade-off: if this run
    # failed, its partitions would not be marked failed; a re-run of `make demo` redoes them.
    os.environ.setdefault("DAGSTER_EMIT_PARTITION_SUBSET_IN_PLANNED_EVENTS", "1")
    # Loading first, before anything is written: a refused setting ends the command with its
    # message.
    defs = load_definitions("make demo")
    paths = data_paths()
    # The sample's days, the API's whole history, or the newest exports snapshot's days.
    first, last = rankings_source().date_range()
    source = source_description()
    engine = "" if ENGINE.target == "duckdb" else f", dbt on {ENGINE.target}"
    print(f"Running the pipeline on {first}..{last} from the {source}{engine}", flush=True)
    print(
        f"(each job's Dagster and dbt lines go to {shown(paths.logs_dir)}/<run id>.log; "
        f"{shown(latest_log_link(paths))} is the newest)",
        flush=True,
    )
    checks, warehouse_log = run_pipeline(defs, first, last, paths)
    sections = [
        ingested_lines(paths, source),
        check_lines(checks, warehouse_log),
        published_lines(paths),
        coverage_lines(paths),
        headline_lines(paths),
        insight_lines(paths),
        next_command_lines(paths),
    ]
    print("\n" + "\n\n".join("\n".join(section) for section in sections))
    print(f"\ndone in {time.monotonic() - started:.1f}s")


def latest_log_link(paths: DataPaths) -> Path:
    """``data/logs/demo.log``: a link to the log of the newest job ``make demo`` started."""
    return paths.logs_dir / "demo.log"


def run_pipeline(
    defs: dg.Definitions, first: date, last: date, paths: DataPaths
) -> tuple[list[dg.AssetCheckEvaluation], Path]:
    """The catalogue, the rankings for every date, then the warehouse: its checks' results, and
    the log of its run.

    Runs recovered from a dead process, steps waiting for the warehouse pool and what each run
    warned of are reported on the terminal; everything else goes to each run's log. A failed
    job ends the command with its steps' errors.
    """
    terminal = sys.stdout
    jobs = [
        # The catalogue first: the warehouse build joins the rankings to it.
        ("catalog_job", {}, "the model catalogue"),
        # All dates in one run; then one full warehouse build. (A single partitioned run of the
        # whole graph would log a planned event per date for every dbt model.)
        (
            "rankings_job",
            {
                "tags": partition_range_tags(first, last),
                "asset_selection": [dg.AssetKey("raw_rankings_daily")],
            },
            f"rankings for {(last - first).days + 1} days",
        ),
        ("warehouse_job", {}, "dbt build and checks, publish, exports, report"),
    ]
    paths.logs_dir.mkdir(parents=True, exist_ok=True)
    with pipeline_instance() as instance:
        for name, options, what in jobs:
            started = time.monotonic()
            # The run id is chosen here, so that the log file can be named after it.
            run_id = str(uuid.uuid4())
            log_path = paths.logs_dir / f"{run_id}.log"
            print(f"  {name:<14} {what} ...", end="", file=terminal, flush=True)
            with (
                log_path.open("w") as log,
                redirect_stdout(log),
                redirect_stderr(log),
                ProgressReporter(instance, run_id, terminal) as progress,
            ):
                switch_symlink(latest_log_link(paths), log_path)
                try:
                    result = run_job(
                        defs,
                        instance,
                        name,
                        log_hint=shown(log_path),
                        notices=terminal,
                        run_id=run_id,
                        **options,
                    )
                except BaseException:
                    print(" failed", file=terminal, flush=True)
                    raise
            # After progress lines, the result goes on a line of its own.
            ending = "\n    done:" if progress.printed else ""
            print(f"{ending} ok ({time.monotonic() - started:.1f}s)", file=terminal, flush=True)
            for line in run_warnings(instance, run_id):
                print(f"    warning: {line}", file=terminal, flush=True)
    return list(result.get_asset_check_evaluations()), log_path


if __name__ == "__main__":
    run_entry_point("make demo", main, uses_dagster_home=True)
