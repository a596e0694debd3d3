"""Data safety: atomic writes, idempotent re-runs, restatements kept beside older snapshots."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import UTC, date, datetime
from pathlib import Path

import duckdb
import pyarrow.parquet as pq

from orchestration.lib.ingestion.ingest import ingest_rankings_response
from orchestration.lib.responses import FetchedResponse
from orchestration.lib.settings import DataPaths
from tests.helpers import lake_files, rankings_body

START, END = date(2026, 2, 9), date(2026, 2, 15)
ROWS = [
    ("2026-02-09", "minimax/minimax-m2.5-20260211", "900"),
    ("2026-02-10", "minimax/minimax-m2.5-20260211", "950"),
    ("2026-02-10", "other", "77"),
]

WRITER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    import pyarrow as pa
    from orchestration.lib.storage import copy_to_parquet, scratch_connection

    folder = Path(sys.argv[1])
    rows = 2_000_000
    table = pa.table({"n": pa.array(range(rows)), "s": pa.array([str(i) for i in range(rows)])})
    connection = scratch_connection()
    connection.register("numbers", table)
    for i in range(1000):
        copy_to_parquet(connection, "select * from numbers", folder / f"part-{i:04d}.parquet")
    """
)


def fetched(body: bytes, received: datetime) -> FetchedResponse:
    return FetchedResponse(body, received, "api", "test")


def raw_rows(paths: DataPaths) -> list[tuple]:
    return (
        duckdb.connect()
        .execute(
            f"""
        select date, model_permaslug, total_tokens, rank_in_day, is_other, as_of
        from read_parquet('{paths.raw_rankings_dir}/*/*.parquet', hive_partitioning = true)
        order by as_of, date, rank_in_day nulls last
        """
        )
        .fetchall()
    )


def test_process_killed_while_writing_leaves_no_partial_parquet(tmp_path: Path):
    folder = tmp_path / "lake"
    folder.mkdir()
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(folder)])
    try:
        deadline = time.monotonic() + 120
        # Kill it while a temporary file is being written, after at least one file completed.
        while time.monotonic() < deadline:
            done = list(folder.glob("*.parquet"))
            in_progress = [p for p in folder.iterdir() if p.name.endswith(".tmp")]
            if done and in_progress and in_progress[0].stat().st_size > 0:
                break
            time.sleep(0.005)
        os.kill(writer.pid, signal.SIGKILL)
    finally:
        writer.wait()

    visible = sorted(folder.glob("*.parquet"))
    assert visible, "the writer completed no file before it was killed"
    assert any(p.name.endswith(".tmp") for p in folder.iterdir()), "killed outside a write"
    for path in visible:
        assert pq.read_metadata(path).num_rows == 2_000_000
    total = duckdb.connect().execute(f"select count(*) from '{folder}/*.parquet'").fetchone()[0]
    assert total == 2_000_000 * len(visible)


def test_same_response_twice_adds_nothing(paths: DataPaths):
    body = rankings_body(ROWS)
    first = ingest_rankings_response(
        paths, fetched(body, datetime(2026, 2, 16, 3, tzinfo=UTC)), START, END
    )
    after_first = lake_files(paths.lake_dir)

    second = ingest_rankings_response(
        paths, fetched(body, datetime(2026, 2, 17, 3, tzinfo=UTC)), START, END
    )

    assert len(first.written) == 2 and second.written == []
    assert sorted(second.already_present) == sorted(first.written)
    assert lake_files(paths.lake_dir) == after_first
    assert len(raw_rows(paths)) == 3


def test_restated_snapshot_is_kept_beside_the_first(paths: DataPaths):
    ingest_rankings_response(
        paths, fetched(rankings_body(ROWS), datetime(2026, 2, 16, 3, tzinfo=UTC)), START, END
    )
    restated = [("2026-02-10", "minimax/minimax-m2.5-20260211", "1001"), ROWS[2]]
    ingest_rankings_response(
        paths,
        fetched(
            rankings_body(restated, as_of="2026-02-17T02:00:00.000Z"),
            datetime(2026, 2, 17, 3, tzinfo=UTC),
        ),
        START,
        END,
    )

    files = sorted(p.name for p in (paths.raw_rankings_dir / "date=2026-02-10").glob("*.parquet"))
    assert len(files) == 2 and files[0].startswith("20260216T020000Z_")
    assert files[1].startswith("20260217T020000Z_")
    rows = raw_rows(paths)
    assert len(rows) == 5
    assert (date(2026, 2, 10), "minimax/minimax-m2.5-20260211", 950, 1, False) in [
        r[:5] for r in rows
    ]
    assert (date(2026, 2, 10), "minimax/minimax-m2.5-20260211", 1001, 1, False) in [
        r[:5] for r in rows
    ]
    assert len(list((paths.landing_dir / "rankings_daily").glob("*.json"))) == 2


def test_lake_columns_and_types(paths: DataPaths):
    ingest_rankings_response(
        paths, fetched(rankings_body(ROWS), datetime(2026, 2, 16, 3, tzinfo=UTC)), START, END
    )
    described = (
        duckdb.connect()
        .execute(
            f"describe select * from read_parquet('{paths.raw_rankings_dir}/*/*.parquet', "
            "hive_partitioning = true)"
        )
        .fetchall()
    )
    types = {name: kind for name, kind, *_ in described}
    assert types == {
        "date": "DATE",
        "model_permaslug": "VARCHAR",
        "total_tokens": "BIGINT",
        "rank_in_day": "INTEGER",
        "is_other": "BOOLEAN",
        "share_of_daily_tokens": "DOUBLE",
        "as_of": "TIMESTAMP WITH TIME ZONE",
        "window_start": "DATE",
        "window_end": "DATE",
        "api_version": "VARCHAR",
        "source": "VARCHAR",
        "fetched_at": "TIMESTAMP WITH TIME ZONE",
        "response_sha256": "VARCHAR",
    }
    other = [r for r in raw_rows(paths) if r[1] == "other"]
    assert other == [(date(2026, 2, 10), "other", 77, None, True, other[0][5])]
