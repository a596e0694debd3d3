"""``make bench``: the pipeline timed on the bundled sample and at about 10 thousand, 1 million
and 10 million raw rows.

For each scale: take the sample or generate synthetic responses (seeded), ingest them through the
real validation and lake code (rows per second), build every dbt model and test from the lake
(seconds, peak memory of the process tree), compute the same marts with plain DuckDB (the floor),
and run the daily update for one new day on top of that history, each run paired with a bare
``dbt build`` of its window (CPU seconds). Then time ``make demo`` on the sample. Writes the
table to docs/performance.md. ``python -m bench.run --scales 10k`` runs a subset."""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import psutil

from bench.synthetic import generate, generate_daily_snapshots
from orchestration.defs.project import ENGINE
from orchestration.lib.dbt_invocations import keep_parse_state, new_invocation_dir
from orchestration.lib.ingestion.compaction import compact_rankings_lake
from orchestration.lib.ingestion.ingest import ingest_catalog_response, ingest_rankings_response
from orchestration.lib.run_window import RunWindow
from orchestration.lib.sample import BundledSample
from orchestration.lib.settings import (
    DBT_BUILD_ARGS,
    DBT_EXECUTABLE,
    DBT_PROJECT_DIR,
    PROJECT_ROOT,
    DataPaths,
    sample_dir,
)
from orchestration.lib.storage import connect_duckdb

# Days of history per scale: about 64 raw rows a day (50 models, `other`, restated weeks).
# "sample" is the bundled sample itself (26 weeks of real figures), not generated: no days.
SCALES: dict[str, int | None] = {"sample": None, "10k": 157, "1M": 15_700, "10M": 157_000}
SEED_CSV = DBT_PROJECT_DIR / "seeds" / "vendor_countries.csv"
ONE_DAY_RUNS = 3
REPORT = PROJECT_ROOT / "docs" / "performance.md"


@dataclass(frozen=True)
class Measured:
    """Wall time, CPU time and peak resident memory (the whole process tree) of one command."""

    seconds: float
    peak_rss_bytes: int
    cpu_seconds: float


def children_cpu_seconds() -> float:
    """User and system CPU seconds of every finished child of this process and its children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def measure(command: list[str], env: dict[str, str], cwd: Path = PROJECT_ROOT) -> Measured:
    """Run ``command``, sampling the RSS of it and all its children every 50 ms."""
    started, cpu_before = time.monotonic(), children_cpu_seconds()
    process = subprocess.Popen(command, env=env, cwd=cwd, stdout=subprocess.DEVNULL)
    peak = _wait_sampling_rss(process)
    seconds = time.monotonic() - started
    if process.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} failed with exit code {process.returncode}")
    return Measured(seconds, peak, children_cpu_seconds() - cpu_before)


def _wait_sampling_rss(process: subprocess.Popen) -> int:
    """Wait for ``process``; return the peak summed RSS of it and its children."""
    peak = 0
    root = psutil.Process(process.pid)
    while process.poll() is None:
        try:
            tree = [root, *root.children(recursive=True)]
            peak = max(peak, sum(p.memory_info().rss for p in tree if p.is_running()))
        except psutil.Error:
            pass
        time.sleep(0.05)
    return peak


def ingest_all(sample: Path, paths: DataPaths) -> tuple[int, float]:
    """Validate and write every generated response to the lake; (rows, seconds)."""
    source = BundledSample(sample)
    first, last = source.date_range()
    started = time.monotonic()
    rows = 0
    for response in source.rankings_daily(first, last):
        rows += ingest_rankings_response(paths, response, first, last).rows
    ingest_catalog_response(paths, source.models_catalog())
    return rows, time.monotonic() - started


@dataclass(frozen=True)
class ScaleResult:
    """Every figure measured at one scale."""

    name: str
    raw_rows: int
    lake_files: int
    ingest_rows_per_second: float
    full_build: Measured
    floor: Measured
    one_day: Measured
    publish_seconds: float
    # Each one-day run's CPU seconds over those of the bare dbt build of its window run after it.
    paired_cpu_ratios: list[float]
    bare_window_build: Measured

    @property
    def update_seconds(self) -> float:
        """The one-day update without publishing: ingest, incremental dbt build, checks."""
        return self.one_day.seconds - self.publish_seconds

    @property
    def update_over_full_build(self) -> float:
        """The one-day update's seconds (without publish and report) per full-build second."""
        return self.update_seconds / self.full_build.seconds

    @property
    def paired_cpu_ratio(self) -> float:
        """The median of the paired ratios: what the whole daily run costs per CPU second of dbt."""
        return statistics.median(self.paired_cpu_ratios)


def run_scale(name: str, days: int | None, workdir: Path, reuse_lake: bool) -> ScaleResult:
    """Generate, ingest, build, compute the floor and update one day, at one scale.

    With ``reuse_lake``, a lake ingested by an earlier run at this scale is kept, with the
    ingestion figures it recorded. Without ``days`` (the "sample" scale), the bundled sample is
    ingested and its last day updated again (its response is already landed; the rest is the
    same work).
    """
    folder = workdir / name
    recorded = folder / "ingestion.json"
    if days is None:
        sample = sample_dir()
        new_day = BundledSample(sample).date_range()[1]
    else:
        # The daily update adds the newest day whose snapshot is out (the generator dates a
        # day's snapshot 02:00 UTC the next day: before then it would be in the future and
        # refused), and history ends the day before.
        new_day = (datetime.now(UTC) - timedelta(hours=2)).date() - timedelta(days=1)
        sample = folder / "sample"
    paths = DataPaths(folder / "data")
    env = {
        **os.environ,
        "PIPELINE_DATA_DIR": str(paths.data_dir),
        "RANKINGS_SAMPLE_DIR": str(sample),
    }
    env.pop("OPENROUTER_API_KEY", None)

    if reuse_lake and recorded.exists():
        rows, seconds = json.loads(recorded.read_text())
    else:
        subprocess.run(["rm", "-rf", str(folder)], check=True)
        if days is not None:
            generate(sample, days=days, last_date=new_day - timedelta(days=1))
        paths.working_warehouse.parent.mkdir(parents=True, exist_ok=True)
        rows, seconds = ingest_all(sample, paths)
        recorded.write_text(json.dumps([rows, seconds]))
    print(f"[{name}] ingested {rows:,} rows in {seconds:.1f}s", flush=True)
    # Built as the pipeline builds: the next runs start from this build's parse state.
    full_build_target = new_invocation_dir(paths, ENGINE, "full-build")
    full_build = measure(
        dbt_build_command(["--full-refresh"], full_build_target), env, DBT_PROJECT_DIR
    )
    keep_parse_state(full_build_target)
    print(f"[{name}] full dbt build {full_build.seconds:.1f}s", flush=True)
    floor = measure(
        [
            sys.executable,
            "-m",
            "bench.floor",
            str(paths.lake_dir),
            str(SEED_CSV),
            str(folder / "floor.duckdb"),
        ],
        env,
    )
    print(f"[{name}] floor {floor.seconds:.1f}s", flush=True)
    if days is not None:
        generate_one_day(sample, new_day)
    # Each one-day run is paired with a bare dbt build of the same window right after it, so
    # that the ratio holds whatever this machine's speed is at the time (it drifts by a third
    # within an hour).
    runs, bare_builds = [], []
    for _ in range(ONE_DAY_RUNS):
        runs.append(one_day_update(folder, new_day, env))
        bare_builds.append(bare_window_build(paths, new_day, env))
    ratios = [
        measured.cpu_seconds / bare.cpu_seconds
        for (measured, _), bare in zip(runs, bare_builds, strict=True)
    ]
    # The median run by update time.
    median = sorted(range(ONE_DAY_RUNS), key=lambda i: runs[i][0].seconds - runs[i][1])[
        ONE_DAY_RUNS // 2
    ]
    (one_day, publish_seconds), bare = runs[median], bare_builds[median]
    updates = ", ".join(f"{measured.seconds - publish:.1f}" for measured, publish in runs)
    print(
        f"[{name}] one-day update {one_day.seconds - publish_seconds:.1f}s (runs: {updates}), "
        f"then publish and report {publish_seconds:.1f}s; CPU {one_day.cpu_seconds:.1f}s against "
        f"{bare.cpu_seconds:.1f}s for dbt alone (ratios: "
        f"{', '.join(f'{ratio:.2f}' for ratio in ratios)})",
        flush=True,
    )
    lake_files = sum(1 for _ in paths.raw_rankings_dir.rglob("*.parquet"))
    return ScaleResult(
        name,
        rows,
        lake_files,
        rows / seconds,
        full_build,
        floor,
        one_day,
        publish_seconds,
        ratios,
        bare,
    )


def dbt_build_command(extra: list[str], target_path: Path) -> list[str]:
    """A production ``dbt build`` on this engine, as Dagster runs it, plus ``extra``."""
    return [
        DBT_EXECUTABLE,
        *DBT_BUILD_ARGS,
        *extra,
        "--profiles-dir",
        ".",
        "--target",
        ENGINE.target,
        "--target-path",
        str(target_path),
    ]


def bare_window_build(paths: DataPaths, day: date, env: dict[str, str]) -> Measured:
    """Time ``dbt build`` of the window a one-day run over ``day`` builds, with dbt alone.

    It starts as the pipeline starts dbt: in a new target folder holding the data directory's
    parse state, with the window in its environment.
    """
    target = new_invocation_dir(paths, ENGINE, "bare-dbt")
    try:
        return measure(
            dbt_build_command(paths.dbt_vars_arguments(), target),
            {**env, **RunWindow(day, day).dbt_environment(paths)},
            DBT_PROJECT_DIR,
        )
    finally:
        shutil.rmtree(target)


def one_day_update(folder: Path, day: date, env: dict[str, str]) -> tuple[Measured, float]:
    """Time ``rankings_job`` for ``day`` as a process; (whole run, its publish-and-report part).

    The first run ingests the day; later runs find its response already landed and redo the
    rest, which is the same work.
    """
    timings = folder / "one_day.json"
    measured = measure([sys.executable, "-m", "bench.one_day", day.isoformat(), str(timings)], env)
    return measured, json.loads(timings.read_text())["publish_seconds"]


@dataclass(frozen=True)
class LakeCompaction:
    """A year of daily snapshots each restating 30 days, before and after compaction."""

    raw_rows: int
    files_per_month_before: int
    files_per_month_after: int
    compaction_seconds: float


def _most_files_in_a_month(paths: DataPaths) -> int:
    months: dict[str, int] = {}
    for path in paths.raw_rankings_dir.glob("date=*/*.parquet"):
        month = path.parent.name.removeprefix("date=")[:7]
        months[month] = months.get(month, 0) + 1
    return max(months.values())


def _lake_rows(paths: DataPaths) -> list[tuple]:
    with connect_duckdb() as connection:
        return connection.execute(
            "select response_sha256, date, count(*), sum(total_tokens) from read_parquet(?, "
            "hive_partitioning = true, union_by_name = true) group by all order by all",
            [f"{paths.raw_rankings_dir}/*/*.parquet"],
        ).fetchall()


def measure_compaction(workdir: Path, days: int = 365) -> LakeCompaction:
    """Ingest a year of daily snapshots, each restating the trailing 30 days as the keyless
    exports do, then compact the lake; every snapshot's rows must survive it."""
    folder = workdir / "daily-snapshots"
    shutil.rmtree(folder, ignore_errors=True)
    last_date = datetime.now(UTC).date() - timedelta(days=2)
    generate_daily_snapshots(folder / "sample", days=days, last_date=last_date)
    paths = DataPaths(folder / "data")
    rows, _ = ingest_all(folder / "sample", paths)
    before, lake_rows = _most_files_in_a_month(paths), _lake_rows(paths)
    started = time.monotonic()
    compact_rankings_lake(paths)
    seconds = time.monotonic() - started
    if _lake_rows(paths) != lake_rows:
        raise SystemExit("compaction changed the lake's rows per snapshot and date")
    after = _most_files_in_a_month(paths)
    print(
        f"[daily snapshots] {rows:,} rows; at most {before:,} lake files a month, "
        f"{after:,} after compaction ({seconds:.1f}s)",
        flush=True,
    )
    return LakeCompaction(rows, before, after, seconds)


def generate_one_day(sample: Path, day: date) -> None:
    """Add the response for one new day to a generated sample (seeded by the day)."""
    generate(sample, days=1, last_date=day, restated_week_fraction=0.0, seed=day.toordinal())


def machine() -> str:
    """Cores, memory, OS and Python of this machine."""
    memory = psutil.virtual_memory().total / 2**30
    return (
        f"{os.cpu_count()} cores, {memory:.0f} GiB RAM, {platform.platform()}, "
        f"Python {platform.python_version()}"
    )


def targets(
    results: list[ScaleResult], demo_seconds: list[float], compaction: LakeCompaction | None
) -> list[str]:
    """The issue's targets against the figures measured (those this run has the scales for)."""
    by_scale = {result.name: result for result in results}
    rows = []
    if compaction:
        after = compaction.files_per_month_after
        rows.append(
            (
                "a year of daily exports snapshots: a few dozen (<= 36) lake files a month",
                f"{after} (before compaction {compaction.files_per_month_before:,})",
                after <= 36,
            )
        )
    if "10k" in by_scale and "10M" in by_scale:
        small, large = by_scale["10k"].update_seconds, by_scale["10M"].update_seconds
        rows.append(
            (
                "one-day update at 10M <= 1.5x the 10k case",
                f"{large / small:.2f}x",
                large <= 1.5 * small,
            )
        )
    if "10M" in by_scale:
        large = by_scale["10M"]
        ratio = large.full_build.seconds / large.floor.seconds
        peak = large.full_build.peak_rss_bytes / 2**30
        rows.append(("full build at 10M <= 3x the DuckDB floor", f"{ratio:.2f}x", ratio <= 3))
        rows.append(("full build peak memory < 4 GB", f"{peak:.2f} GiB", peak * 2**30 < 4e9))
    if ENGINE.target != "duckdb" and "1M" in by_scale:
        ratio = by_scale["1M"].update_over_full_build
        rows.append(
            (
                f"one-day update on {ENGINE.target} <= 0.3x its full build (1M)",
                f"{ratio:.2f}x",
                ratio <= 0.3,
            )
        )
    for result in results:
        if result.name in ("sample", "1M"):
            rows.append(
                (
                    f"one-day run <= 1.5x the CPU of dbt alone on its window ({result.name})",
                    f"{result.paired_cpu_ratio:.2f}x",
                    result.paired_cpu_ratio <= 1.5,
                )
            )
    generated = [result for result in results if result.name != "sample"]
    if generated:
        rate = generated[-1].ingest_rows_per_second
        rows.append(
            (
                f"ingestion >= 500k rows/s ({generated[-1].name})",
                f"{rate:,.0f} rows/s",
                rate >= 5e5,
            )
        )
    if demo_seconds:
        median = statistics.median(demo_seconds)
        rows.append(("`make demo` < 20 s (median)", f"{median:.1f} s", median < 20))
    return [
        "| target | measured | met |",
        "| --- | ---: | --- |",
        *(f"| {target} | {value} | {'yes' if met else 'no'} |" for target, value, met in rows),
    ]


def render(
    results: list[ScaleResult],
    demo_seconds: list[float],
    compaction: LakeCompaction | None,
    reused_lakes: bool,
) -> str:
    """The Markdown page for docs/performance.md."""

    def gib(measured: Measured) -> str:
        return f"{measured.peak_rss_bytes / 2**30:.2f}"

    lines = [
        "# Performance" + ("" if ENGINE.target == "duckdb" else f" on Spark (`{ENGINE.target}`)"),
        "",
        f"Measured on {datetime.now(UTC):%Y-%m-%d} on this machine: {machine()}; "
        f"dbt target `{ENGINE.target}` (DBT_TARGET).",
        "Reproduce with `make bench` (all scales, about 40 minutes, most of it generating and "
        "ingesting 10M rows) or `.venv/bin/python -m bench.run --scales sample 10k 1M`; "
        "`--reuse-lake` re-times everything but ingestion on lakes a run left in `--workdir`.",
        *(
            [
                "This run reused lakes: their ingestion figures are those recorded when they were "
                "ingested, with the same ingestion code."
            ]
            if reused_lakes
            else []
        ),
        "",
        "| scale | raw rows | lake files | ingestion (rows/s) | full build (s) "
        "| full build peak (GiB) | DuckDB floor (s) | floor peak (GiB) | build / floor "
        "| one-day update (s) | update / full build | then publish + report (s) "
        "| one-day peak (GiB) | one-day CPU (s) | dbt alone CPU (s) | CPU ratio |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: "
        "| ---: | ---: | ---: | ---: |",
    ]
    for r in results:
        lines.append(
            f"| {r.name} | {r.raw_rows:,} | {r.lake_files:,} | {r.ingest_rows_per_second:,.0f} "
            f"| {r.full_build.seconds:.1f} | {gib(r.full_build)} | {r.floor.seconds:.1f} "
            f"| {gib(r.floor)} | {r.full_build.seconds / r.floor.seconds:.1f}x "
            f"| {r.update_seconds:.1f} | {r.update_over_full_build:.2f}x "
            f"| {r.publish_seconds:.1f} | {gib(r.one_day)} "
            f"| {r.one_day.cpu_seconds:.1f} | {r.bare_window_build.cpu_seconds:.1f} "
            f"| {r.paired_cpu_ratio:.2f}x |"
        )
    if demo_seconds:
        runs = ", ".join(f"{seconds:.1f}" for seconds in demo_seconds)
        lines += [
            "",
            f"`make demo` on the bundled sample (installed, from clean data): median "
            f"{statistics.median(demo_seconds):.1f} s end to end over {len(demo_seconds)} runs "
            f"({runs} s).",
        ]
    skipped = [name for name in SCALES if name not in {result.name for result in results}]
    if skipped:
        lines += ["", f"Not measured in this run: {', '.join(skipped)} (`--scales`)."]
    if compaction:
        lines += [
            "",
            f"Compaction (`make compact`, `compact_lake_job`): a year of daily snapshots each "
            f"restating the trailing 30 days, as the keyless exports do ({compaction.raw_rows:,} "
            f"rows), left at most {compaction.files_per_month_before:,} lake files in a month; "
            f"compacted in {compaction.compaction_seconds:.1f} s, at most "
            f"{compaction.files_per_month_after} (one per date), every snapshot's rows kept.",
        ]
    lines += ["", *targets(results, demo_seconds, compaction)]
    lines += [
        "",
        "The *sample* row is the bundled sample (26 weeks of real weekly figures spread over "
        "days); its one-day update redoes the last day. Each other scale is a seeded synthetic "
        "history in the API's exact format: every day has 50 ranked models (a quarter of the "
        "pool also as `:free` variants) and an `other` row, and a quarter of the weeks is "
        "restated by a later snapshot. History grows in days, the way it grows for a user: 157 "
        "days at 10k rows, 15,700 at 1M, 157,000 at 10M, with one lake file per snapshot and "
        "date.",
        "",
        "What each column measures:",
        "- *ingestion*: validating every generated response and writing it to the Parquet lake "
        "(one file per snapshot per date), in process;",
        "- *full build*: `dbt build --full-refresh` (every model, seed and data test; unit tests "
        "run in the test suite, not in production builds) from the lake into a fresh working "
        "database; peak is the RSS of the whole process tree;",
        "- *DuckDB floor*: `bench/floor.sql`, the same marts from the same Parquet by DuckDB "
        "alone;",
        "- *one-day update*: `rankings_job` for one new partition, as the daily schedule runs "
        "it, from process start: ingest the day, the incremental dbt build (the day's fact rows, "
        "the marts from its week on, their data tests) and every check; *then publish + report* "
        "is the rest of that job, publishing the checked marts and rendering the report; the "
        f"peak covers both. The median of {ONE_DAY_RUNS} runs. *update / full build* divides "
        "the one-day update by the full build.",
        "- *one-day CPU* and *dbt alone CPU*: user and system CPU seconds of the whole process "
        "tree of that median one-day run, and of a bare `dbt build` of the same window (the same "
        "window, started as the pipeline starts dbt: a new target folder holding the data "
        "directory's parse state) run right after it; *CPU ratio* is the median of the "
        f"{ONE_DAY_RUNS} paired ratios, what the whole daily run costs per CPU second of dbt.",
    ]
    return "\n".join(lines) + "\n"


def measure_demo(runs: int = 3) -> list[float]:
    """Seconds of ``make demo``, installed and from clean data, ``runs`` times."""
    environment = {key: value for key, value in os.environ.items() if key != "OPENROUTER_API_KEY"}

    def make(*targets: str) -> None:
        subprocess.run(
            ["make", *targets],
            cwd=PROJECT_ROOT,
            env=environment,
            check=True,
            stdout=subprocess.DEVNULL,
        )

    make("install")
    seconds = []
    for _ in range(runs):
        make("clean")
        make("dbt_project/target/manifest.json")
        seconds.append(measure(["make", "demo"], environment).seconds)
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scales", nargs="+", choices=list(SCALES), default=list(SCALES))
    parser.add_argument("--workdir", type=Path, default=PROJECT_ROOT / "data" / "bench")
    parser.add_argument("--skip-demo", action="store_true")
    parser.add_argument("--skip-compaction", action="store_true")
    parser.add_argument(
        "--report", type=Path, default=REPORT, help="the page to write (default: %(default)s)"
    )
    parser.add_argument(
        "--reuse-lake", action="store_true", help="keep lakes ingested by an earlier run"
    )
    args = parser.parse_args()
    # dbt runs in dbt_project/: a relative work folder would name another folder there.
    workdir = args.workdir.resolve()
    results = [run_scale(name, SCALES[name], workdir, args.reuse_lake) for name in args.scales]
    compaction = None if args.skip_compaction else measure_compaction(workdir)
    demo = [] if args.skip_demo else measure_demo()
    page = render(results, demo, compaction, args.reuse_lake)
    args.report.parent.mkdir(parents=True, exist_ok=True)
    args.report.write_text(page)
    print(page)


if __name__ == "__main__":
    main()
