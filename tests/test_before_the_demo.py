"""Before `make demo` has run, each command that needs its output says so in one line, and
installs or starts nothing; a DBT_TARGET typo is refused before any install."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import requests

from tests.helpers import (
    free_port,
    run_command,
    start_make,
    stop_make_with_sigterm,
    user_environment,
    wait_until,
    without_the_virtualenv,
)


@pytest.mark.parametrize(
    ("command", "missing"),
    [
        ("metrics", "no published warehouse yet"),
        ("freshness", "no rankings in the lake yet"),
        ("bi", "no published warehouse yet"),
        ("docs", "no built warehouse yet"),
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
    where = {
        "no published warehouse yet": "warehouse.duckdb",
        "no built warehouse yet": "build/warehouse.duckdb",
        "no rankings in the lake yet": "lake/raw/rankings_daily",
    }[missing]
    expected = f"make {command}: {missing} ({tmp_path}/data/{where}): run `make demo` first"
    assert lines == [expected], done.stderr
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


@pytest.mark.service
def test_make_ui_before_the_demo_says_so_and_starts_anyway(tmp_path: Path):
    port = free_port()
    ui = start_make(
        "ui",
        {
            **user_environment(),
            "PATH": without_the_virtualenv(os.environ["PATH"]),
            "PIPELINE_DATA_DIR": str(tmp_path / "data"),
            "DAGSTER_HOME": str(tmp_path / "dagster_home"),
            "UI_PORT": str(port),
        },
    )
    try:
        first = ui.stdout.readline()
        assert first.startswith("make ui: no published warehouse yet"), first
        assert "run `make demo` first (starting anyway)" in first
        wait_until(
            f"the Dagster UI on port {port}",
            lambda: requests.get(f"http://127.0.0.1:{port}/server_info", timeout=10).ok,
            timeout=300,
            process=ui,
        )
    finally:
        stop_make_with_sigterm(ui, port)


def test_every_server_has_a_port_of_its_own():
    # What make would run, without running it: each server's default port.
    commands = {
        target: run_command(["make", "-n", target]).stdout for target in ("ui", "serve", "docs")
    }
    assert "dagster dev -h 127.0.0.1 -p 3000" in commands["ui"]
    assert "--port 3001" in commands["serve"]
    assert "--port 8080" in commands["docs"]
