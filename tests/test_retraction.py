"""A bad snapshot is taken back with `make retract`, without hand surgery, and never returns."""

from __future__ import annotations

import json
import shutil
from concurrent.futures import ThreadPoolExecutor, wait
from datetime import UTC, date, datetime, timedelta

import dagster as dg
import pyarrow.parquet as pq
import pytest

from orchestration.definitions import defs
from orchestration.defs.jobs import WAREHOUSE_ASSET_KEYS
from orchestration.defs.partitions import partition_range_tags, run_window
from orchestration.defs.retraction import rebuild_after_retraction
from orchestration.lib.ingestion.ingest import ingest_rankings_response
from orchestration.lib.ingestion.lake import lake_lock, retracted_dir
from orchestration.lib.ingestion.retraction import retract_snapshot
from orchestration.lib.responses import FetchedResponse
from orchestration.lib.run_window import RunWindow
from orchestration.lib.settings import DataPaths
from tests.helpers import QUIET, cli, lake_files, run, run_command

DAY = "2026-02-12"


def published_day_tokens(paths: DataPaths) -> int:
    [row] = cli(
        paths.published_warehouse,
        "select sum(total_tokens) as tokens from marts.fct_model_daily_tokens "
        f"where date = '{DAY}'",
    )
    return int(row["tokens"])


def restated_body(paths: DataPaths) -> bytes:
    """A later snapshot of DAY whose figures are all three times too large (yet plausible)."""
    [original] = (paths.raw_rankings_dir / f"date={DAY}").glob("*.parquet")
    rows = pq.read_table(original).to_pylist()
    return json.dumps(
        {
            "data": [
                {
                    "date": DAY,
                    "model_permaslug": row["model_permaslug"],
                    "total_tokens": str(row["total_tokens"] * 3),
                }
                for row in rows
            ],
            "meta": {
                "as_of": "2026-06-01T02:00:00Z",
                "version": "v1",
                "start_date": DAY,
                "end_date": DAY,
            },
        }
    ).encode()


@pytest.mark.slow
def test_make_retract_takes_a_snapshot_back_and_rebuilds_its_dates(built_copy: DataPaths, tmp_path):
    clean_tokens = published_day_tokens(built_copy)
    body = restated_body(built_copy)
    response = FetchedResponse(body, datetime(2026, 6, 1, 3, tzinfo=UTC), "api", "test")
    bad = ingest_rankings_response(built_copy, response, date(2026, 2, 12), date(2026, 2, 12))
    assert run("warehouse_job").success
    assert published_day_tokens(built_copy) == 3 * clean_tokens
    landing_before = lake_files(built_copy.landing_dir)

    retract = run_command(
        ["make", "retract", f"SNAPSHOT={bad.response_sha256[:16]}", "REASON=figures tripled"],
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
    )

    assert retract.returncode == 0, retract.stdout[-2000:] + retract.stderr[-2000:]
    assert published_day_tokens(built_copy) == clean_tokens
    # The lake file moved to quarantine with the reason; the landing body stayed as received.
    assert [p.name for p in (built_copy.raw_rankings_dir / f"date={DAY}").iterdir()] != []
    assert not list(built_copy.raw_rankings_dir.glob(f"date=*/*_{bad.response_sha256[:16]}*"))
    record = json.loads(
        (retracted_dir(built_copy) / f"{bad.response_sha256}.retraction.json").read_text()
    )
    assert record["reason"] == "figures tripled" and record["dates"] == [DAY]
    assert lake_files(built_copy.landing_dir) == landing_before

    # The same body fetched again is landed (already there) but never written to the lake.
    again = ingest_rankings_response(built_copy, response, date(2026, 2, 12), date(2026, 2, 12))
    assert again.retracted == "figures tripled" and again.written == []
    assert not list(built_copy.raw_rankings_dir.glob(f"date=*/*_{bad.response_sha256[:16]}*"))


def test_retract_refuses_an_unknown_snapshot_saying_what_to_give(tmp_path):
    refused = run_command(
        ["make", "retract", "SNAPSHOT=0123456789abcdef", "REASON=test"],
        PIPELINE_DATA_DIR=str(tmp_path / "data"),
        DAGSTER_HOME=str(tmp_path / "dagster_home"),
    )

    assert refused.returncode != 0
    assert "no landed rankings response" in refused.stderr
    assert "give the response_sha256 of exactly one landed snapshot" in refused.stderr


@pytest.mark.slow
def test_the_dagster_job_retracts_and_its_sensor_rebuilds_the_dates(built_copy: DataPaths):
    clean_tokens = published_day_tokens(built_copy)
    response = FetchedResponse(
        restated_body(built_copy), datetime(2026, 6, 1, 3, tzinfo=UTC), "live", "test"
    )
    bad = ingest_rankings_response(built_copy, response, date(2026, 2, 12), date(2026, 2, 12))
    assert run("warehouse_job").success

    instance = dg.DagsterInstance.ephemeral()
    retracted = defs.resolve_job_def("retract_snapshot_job").execute_in_process(
        instance=instance,
        run_config={
            "ops": {
                "retract_rankings_snapshot": {
                    "config": {"response_sha256": bad.response_sha256, "reason": "tripled"}
                }
            }
        },
    )
    assert retracted.success
    context = dg.build_run_status_sensor_context(
        sensor_name="rebuild_after_retraction",
        dagster_instance=instance,
        dagster_run=retracted.dagster_run,
        dagster_event=retracted.get_run_success_event(),
    )
    request = rebuild_after_retraction(context)

    assert isinstance(request, dg.RunRequest)
    assert run_window(request.tags) == RunWindow(date(2026, 2, 12), date(2026, 2, 12))
    rebuilt = defs.resolve_job_def("rankings_job").execute_in_process(
        instance=instance,
        tags=request.tags,
        asset_selection=request.asset_selection,
        run_config=QUIET,
    )
    assert rebuilt.success
    assert published_day_tokens(built_copy) == clean_tokens


@pytest.mark.slow
def test_retracting_the_only_snapshot_of_its_dates_drops_them_from_the_warehouse(
    built_copy: DataPaths,
):
    [landing] = [
        path
        for path in (built_copy.landing_dir / "rankings_daily").glob("*.json")
        if json.loads(path.read_bytes())["meta"]["start_date"] == "2026-02-09"
    ]
    retraction = retract_snapshot(built_copy, landing.stem.rsplit("_", 1)[1], "sample week")
    assert retraction.dates == [date(2026, 2, 9) + timedelta(days=n) for n in range(7)]

    rebuilt = run(
        "rankings_job",
        tags=partition_range_tags(retraction.dates[0], retraction.dates[-1]),
        asset_selection=WAREHOUSE_ASSET_KEYS,
    )

    assert rebuilt.success
    [row] = cli(
        built_copy.published_warehouse,
        "select count(*) as rows from marts.fct_model_daily_tokens "
        "where date between '2026-02-09' and '2026-02-15'",
    )
    assert row["rows"] == 0


@pytest.mark.slow
def test_a_retracted_snapshot_served_again_is_named_and_its_file_put_back_is_a_stray(
    lake_copy: DataPaths,
):
    [original] = (lake_copy.raw_rankings_dir / f"date={DAY}").glob("*.parquet")
    sha16 = original.stem.rsplit("_", 1)[1]
    retraction = retract_snapshot(lake_copy, sha16, "figures under review")

    # The bundled sample still serves the retracted snapshot for its days.
    served_again = run("rankings_job", partition_key=DAY)

    assert not served_again.success
    [failure] = served_again.get_step_failure_events()
    message = failure.step_failure_data.error.message
    assert f"snapshot {retraction.response_sha256}" in message
    assert f"holds {DAY} but was retracted (figures under review)" in message
    assert "the source serves it again" in message
    assert "has not published" not in message

    # Its file copied back into the lake by hand is not the pipeline's: moved out, not counted.
    [kept] = (retracted_dir(lake_copy) / retraction.response_sha256 / f"date={DAY}").iterdir()
    shutil.copy(kept, original)
    assert run("warehouse_job").success
    assert not original.exists()
    strays = (lake_copy.quarantine_dir / "rankings_daily" / "stray").rglob("*.parquet")
    assert [path.name.split("_", 1)[1] for path in strays] == [original.name]


def test_retraction_moves_nothing_while_another_process_holds_the_lakes_lock(
    lake_copy: DataPaths,
):
    [original] = (lake_copy.raw_rankings_dir / f"date={DAY}").glob("*.parquet")
    sha16 = original.stem.rsplit("_", 1)[1]
    with ThreadPoolExecutor(max_workers=1) as pool:
        # A lock of its own open file: flock makes the retraction wait as another process would.
        with lake_lock(lake_copy):
            retracting = pool.submit(retract_snapshot, lake_copy, sha16, "figures under review")
            done, _ = wait([retracting], timeout=2)
            assert not done and original.exists()
        retraction = retracting.result(timeout=120)
    assert not original.exists()
    assert date.fromisoformat(DAY) in retraction.dates
