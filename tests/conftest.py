"""Fixtures: an isolated data directory per test, and the sample lake and warehouse built once."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from orchestration.lib.settings import DataPaths, data_paths
from tests.helpers import check_results, data_dir, ingest_sample, run


@pytest.fixture
def paths(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> DataPaths:
    """A fresh, empty data directory for the pipeline; no API key in the environment."""
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("OPENROUTER_API_KEY", raising=False)
    monkeypatch.delenv("WAREHOUSE_PATH", raising=False)
    return data_paths()


@pytest.fixture(scope="session")
def clean_lake(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory whose lake holds the whole bundled sample (built once per session)."""
    root = tmp_path_factory.mktemp("clean")
    with data_dir(root):
        ingest_sample()
    return root


@pytest.fixture
def lake_copy(clean_lake: Path, tmp_path: Path) -> Iterator[DataPaths]:
    """A private copy of the sample lake, with the pipeline pointed at it."""
    shutil.copytree(clean_lake / "lake", tmp_path / "lake")
    with data_dir(tmp_path) as paths:
        yield paths


@pytest.fixture(scope="session")
def sample_build(
    clean_lake: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[DataPaths, dict[str, bool]]:
    """The sample built, checked and published (warehouse, exports, report), once per session:
    its data directory, and whether each check the build ran passed."""
    root = tmp_path_factory.mktemp("published")
    shutil.copytree(clean_lake / "lake", root / "lake")
    with data_dir(root) as paths:
        result = run("warehouse_job")
        assert result.success
    return paths, check_results(result)


@pytest.fixture(scope="session")
def published_sample(sample_build: tuple[DataPaths, dict[str, bool]]) -> DataPaths:
    """The data directory of the session's build of the sample (read it, do not change it)."""
    return sample_build[0]


@pytest.fixture
def built_copy(published_sample: DataPaths, tmp_path: Path) -> Iterator[DataPaths]:
    """A private copy of the sample built, checked and published: its lake, working and published
    warehouses, exports and report, with the pipeline pointed at it (no build of its own)."""
    shutil.copytree(published_sample.data_dir, tmp_path, symlinks=True, dirs_exist_ok=True)
    with data_dir(tmp_path) as paths:
        yield paths
