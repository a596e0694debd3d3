"""`make clean` keeps what cannot be fetched again; deleting the lake takes an explicit target.
Both remove exactly the paths they name, whatever characters the data directory's path holds."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from orchestration.lib.settings import PROJECT_ROOT
from tests.helpers import user_environment

DERIVED = ["build/warehouse.duckdb", "warehouse.duckdb", "exports/marts/x.parquet", "reports/a.png"]
KEPT = [
    "lake/landing/rankings_daily/20260216T000000Z_ab.json",
    "lake/raw/rankings_daily/date=2026-02-09/20260216T000000Z_ab.parquet",
    "lake/quarantine/rankings_daily/20260217T000000Z_cd.json",
]
# A path a shell would split, expand and glob if it were not quoted: spaces, both quotes, `$`, a
# glob, and words that start with `-`.
AWKWARD = "-r dir x/$HOME 'q' \"w\" d* -f"


def make(
    target: str,
    data: Path,
    home: Path,
    tmp_path: Path,
    *variables: str,
    cwd: Path = PROJECT_ROOT,
) -> subprocess.CompletedProcess:
    """Run ``make target`` with the data directory ``data`` (relative to ``cwd`` if relative)."""
    environment = {
        **user_environment(),
        "PIPELINE_DATA_DIR": str(data),
        "DAGSTER_HOME": str(home),
        # An unquoted $HOME must not reach anything outside the test's folder.
        "HOME": str(tmp_path / "home"),
    }
    return subprocess.run(
        ["make", "-f", str(PROJECT_ROOT / "Makefile"), target, *variables],
        cwd=cwd,
        env=environment,
        capture_output=True,
        text=True,
    )


def populate(data: Path, home: Path, target: Path) -> None:
    for name in [*DERIVED, *KEPT]:
        path = data / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")
    home.mkdir(parents=True)
    target.mkdir(parents=True)


def siblings(tmp_path: Path) -> list[Path]:
    """Folders beside the data directory that an unquoted path would reach: what `d*` globs,
    what the word after a space names, and $HOME."""
    made = [tmp_path / "dd" / "build", tmp_path / "x" / "build", tmp_path / "home" / "keep"]
    for folder in made:
        folder.mkdir(parents=True)
        (folder / "file").write_text("not the pipeline's")
    return made


def test_clean_removes_derived_files_and_keeps_the_lake(tmp_path: Path):
    data, home, target = tmp_path / "data", tmp_path / "dagster_home", tmp_path / "target"
    populate(data, home, target)

    cleaned = make("clean", data, home, tmp_path, f"DBT_TARGET_DIR={target}")

    assert cleaned.returncode == 0, cleaned.stderr
    assert [name for name in DERIVED if (data / name).exists()] == []
    assert not target.exists()
    assert all((data / name).exists() for name in KEPT)
    assert home.exists()
    assert f"removing {data}/build\n" in cleaned.stdout
    assert f"removing {target}\n" in cleaned.stdout
    assert make("clean", data, home, tmp_path, f"DBT_TARGET_DIR={target}").stdout == (
        "nothing to remove\n"
    )


@pytest.mark.parametrize("relative", [False, True], ids=["absolute", "relative, leading dash"])
def test_clean_and_destroy_lake_touch_only_their_paths_whatever_the_path_holds(
    tmp_path: Path, relative: bool
):
    work = tmp_path / "work"
    work.mkdir()
    data = Path(AWKWARD) / "data" if relative else tmp_path / AWKWARD / "data"
    home, target = tmp_path / f"{AWKWARD} home", tmp_path / f"{AWKWARD} target"
    populate(work / data, home, target)
    outside = siblings(work if relative else tmp_path)

    cleaned = make("clean", data, home, tmp_path, f"DBT_TARGET_DIR={target}", cwd=work)

    assert cleaned.returncode == 0, cleaned.stderr
    assert [name for name in DERIVED if (work / data / name).exists()] == []
    assert not target.exists()
    assert all((work / data / name).exists() for name in KEPT)
    assert all((folder / "file").exists() for folder in outside)
    removed = sorted(line for line in cleaned.stdout.splitlines() if line.startswith("removing "))
    assert removed == sorted(
        f"removing {path}"
        for path in [
            *(data / name for name in ("build", "warehouse.duckdb", "exports", "reports")),
            target,
        ]
    )

    destroyed = make("destroy-lake", data, home, tmp_path, "CONFIRM=yes", cwd=work)

    assert destroyed.returncode == 0, destroyed.stderr
    assert not (work / data / "lake").exists()
    assert not home.exists()
    assert all((folder / "file").exists() for folder in outside)
    assert destroyed.stdout.splitlines() == [f"removing {data}/lake", f"removing {home}"]


def test_destroying_the_lake_says_what_it_destroys_and_needs_confirmation(tmp_path: Path):
    data, home = tmp_path / f"{AWKWARD} data", tmp_path / "dagster_home"
    populate(data, home, tmp_path / "target")

    refused = make("destroy-lake", data, home, tmp_path)
    assert refused.returncode != 0
    assert f"deletes {data}/lake" in refused.stdout
    assert "restated figures cannot be downloaded again" in refused.stdout.replace("\n", " ")
    assert all((data / name).exists() for name in KEPT)

    assert make("destroy-lake", data, home, tmp_path, "CONFIRM=yes").returncode == 0
    assert not (data / "lake").exists()
    assert not home.exists()
