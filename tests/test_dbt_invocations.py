"""dbt invocations' folders: each starts from the data directory's parse state; old ones go."""

from __future__ import annotations

import os
from pathlib import Path

from orchestration.defs.project import ENGINE
from orchestration.lib.dbt_invocations import (
    KEPT_INVOCATIONS,
    PARSE_STATE_FILE,
    keep_parse_state,
    new_invocation_dir,
)
from orchestration.lib.settings import DBT_PROJECT_DIR, DataPaths


def test_an_invocation_starts_from_the_data_dirs_parse_state_else_the_projects(tmp_path: Path):
    paths = DataPaths(tmp_path / "data")

    first = new_invocation_dir(paths, ENGINE, "run-one")
    project_state = DBT_PROJECT_DIR / ENGINE.target_path / PARSE_STATE_FILE
    assert (first / PARSE_STATE_FILE).read_bytes() == project_state.read_bytes()

    (first / PARSE_STATE_FILE).write_bytes(b"this data directory's parse")
    keep_parse_state(first)
    second = new_invocation_dir(paths, ENGINE, "run-two")

    assert (second / PARSE_STATE_FILE).read_bytes() == b"this data directory's parse"
    assert first.parent == second.parent == paths.dbt_invocations_dir / ENGINE.target


def test_only_the_newest_invocations_are_kept(tmp_path: Path):
    paths = DataPaths(tmp_path / "data")
    made = []
    for number in range(KEPT_INVOCATIONS + 3):
        folder = new_invocation_dir(paths, ENGINE, f"run-{number}")
        os.utime(folder, (number, number))  # distinct times, oldest first, on any filesystem
        made.append(folder)

    kept = sorted(folder for folder in made[0].parent.iterdir() if folder.is_dir())

    assert kept == sorted(made[-KEPT_INVOCATIONS:])
