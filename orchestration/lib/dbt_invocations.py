"""Where the pipeline's dbt invocations write, and the parse state each data directory keeps.

dbt saves its parse of the project (``partial_parse.msgpack``) and reuses it while nothing it
depends on has changed; otherwise it parses the whole project again, some 4 CPU-s on 2 cores,
as much as the rest of a one-day build's dbt start. The parse ``make`` saves in
``dbt_project/target/`` names the default data directory's warehouse in its profile, so a run in
any other data directory (a service's, a test's, the benchmark's) would parse in full every
time. Each data directory therefore keeps the parse state of its latest dbt invocation, and the
next invocation starts from it. dbt still checks that the state fits (its version, the profile,
the vars, every project file's hash) and parses again what does not: a stale state costs time,
never a wrong build.
"""

from __future__ import annotations

import shutil
import uuid
from pathlib import Path

from orchestration.lib.engines import Engine
from orchestration.lib.settings import DBT_PROJECT_DIR, DataPaths
from orchestration.lib.storage import atomic_path

PARSE_STATE_FILE = "partial_parse.msgpack"
# The newest invocations' folders (compiled SQL, run_results.json, dbt.log) kept for reading
# after a run; older ones are removed, as each holds a copy of the manifest.
KEPT_INVOCATIONS = 10


def new_invocation_dir(paths: DataPaths, engine: Engine, run_id: str) -> Path:
    """A new target folder for one dbt invocation of run ``run_id``, holding the parse state to
    start from: the data directory's, else the one ``make`` saved in the project.

    Folders of older invocations beyond the newest ``KEPT_INVOCATIONS`` are removed first.
    """
    parent = paths.dbt_invocations_dir / engine.target
    parent.mkdir(parents=True, exist_ok=True)
    invocations = sorted(
        (folder for folder in parent.iterdir() if folder.is_dir()),
        key=lambda folder: folder.stat().st_mtime,
    )
    for folder in invocations[: max(0, len(invocations) - KEPT_INVOCATIONS + 1)]:
        shutil.rmtree(folder, ignore_errors=True)
    invocation = parent / f"{run_id[:8]}-{uuid.uuid4().hex[:8]}"
    invocation.mkdir()
    for state in (
        parent / PARSE_STATE_FILE,
        DBT_PROJECT_DIR / engine.target_path / PARSE_STATE_FILE,
    ):
        if state.exists():
            shutil.copyfile(state, invocation / PARSE_STATE_FILE)
            break
    return invocation


def keep_parse_state(invocation: Path) -> None:
    """Make the parse state ``invocation`` saved the data directory's, atomically (a reader
    sees the previous state or this one, whole)."""
    state = invocation / PARSE_STATE_FILE
    if not state.exists():
        return
    with atomic_path(invocation.parent / PARSE_STATE_FILE) as temporary:
        shutil.copyfile(state, temporary)
