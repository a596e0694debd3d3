"""Shared fixtures: an isolated data directory per test, and recorded-format responses."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyarrow as pa
import pytest

from orchestration.settings import DataPaths, data_paths
from orchestration.storage import copy_to_parquet, scratch_connection

REPO_ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataPaths:
    """A fresh, empty data directory for the pipeline; no API key in the environment."""
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("WAREHOUSE_PATH", raising=False)
    return data_paths()


def rankings_body(
    rows: list[tuple[str, str, object]],
    start: str = "2026-02-09",
    end: str = "2026-02-15",
    as_of: str = "2026-02-16T02:00:00.000Z",
    version: str = "v1",
) -> bytes:
    """A rankings-daily response body in the API's format; rows are (date, permaslug, tokens)."""
    return json.dumps(
        {
            "data": [
                {"date": day, "model_permaslug": slug, "total_tokens": tokens}
                for day, slug, tokens in rows
            ],
            "meta": {"as_of": as_of, "version": version, "start_date": start, "end_date": end},
        }
    ).encode()


def write_parquet(table: pa.Table, path: Path) -> None:
    """Write an Arrow table with the pipeline's one Parquet writer (bypassing validation)."""
    with scratch_connection() as connection:
        connection.register("rows_to_write", table)
        copy_to_parquet(connection, "select * from rows_to_write", path)


def lake_files(root: Path) -> dict[str, bytes]:
    """Every file below ``root`` with its content, to compare the lake before and after."""
    return {str(p.relative_to(root)): p.read_bytes() for p in root.rglob("*") if p.is_file()}


@pytest.fixture(scope="session")
def clean_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose lake holds the whole bundled sample (built once per session)."""
    from tests.pipeline import data_dir, ingest_sample

    root = tmp_path_factory.mktemp("clean")
    with data_dir(root):
        ingest_sample()
    return root


@pytest.fixture
def lake_copy(clean_lake: Path, tmp_path: Path) -> Iterator[DataPaths]:
    """A private copy of the sample lake, with the pipeline pointed at it."""
    from tests.pipeline import data_dir

    shutil.copytree(clean_lake / "lake", tmp_path / "lake")
    with data_dir(tmp_path) as paths:
        yield paths


@pytest.fixture(scope="session")
def published_sample(clean_lake: Path, tmp_path_factory: pytest.TempPathFactory) -> DataPaths:
    """The sample built, checked and published (warehouse, exports, report), once per session."""
    from tests.pipeline import data_dir, run

    root = tmp_path_factory.mktemp("published")
    shutil.copytree(clean_lake / "lake", root / "lake")
    with data_dir(root) as paths:
        assert run("warehouse_job").success
    return paths
