"""Before `make demo` has run, each command that needs its output says so in one line, and
installs or starts nothing; a DBT_TARGET typo is refused before any install."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.helpers import run_command, without_the_virtualenv


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("metrics", "no published warehouse yet"),
        ("freshness", "no rankings in the lake yet"),
        ("bi", "no published warehouse yet"),
    ],
)
def test_a_command_run_before_the_demo_says_to_run_it_first(
    tmp_path: Path, command: str, missing: str
):
    done = run_command(
        ["make", command],
        PATH=without_the_virtualenv(os.environ["PATH"]),
        PIPELINE_DATA_DIR=str(tmp_path / "data"),
    )

    assert done.returncode != 0
    lines = [line for line in done.stderr.splitlines() if not line.startswith("make: ***")]
    assert lines == [
        f"make {command}: {missing} ({tmp_path}/data/"
        + ("warehouse.duckdb" if "warehouse" in missing else "lake/raw/rankings_daily")
        + "): run `make demo` first"
    ], done.stderr
    assert "installing" not in done.stdout + done.stderr
    assert not (tmp_path / "data").exists()


def test_an_unknown_dbt_target_is_refused_before_anything_is_installed(tmp_path: Path):
    # A fresh clone's make: the check comes as the Makefile is read, before .venv is made.
    clone = tmp_path / "clone"
    clone.mkdir()
    makefile = Path(__file__).parents[1] / "Makefile"
    (clone / "Makefile").write_text(makefile.read_text())

    done = run_command(["make", "demo", "DBT_TARGET=dukdb"], cwd=clone)

    assert done.returncode != 0
    assert "DBT_TARGET=dukdb is not a target the pipeline builds with" in done.stderr
    assert sorted(path.name for path in clone.iterdir()) == ["Makefile"]
