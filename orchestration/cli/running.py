"""What the command-line entry points share: loading the code location and running its jobs."""

from __future__ import annotations

import sys

import dagster as dg

from orchestration.lib.settings import SettingError


def load_definitions(command: str) -> dg.Definitions:
    """The code location; a setting it refuses at load ends ``command`` with a one-line message."""
    try:
        # Imported here, not at the top, so that a refused setting (an API key with a stray
        # newline, say) reads as its message rather than as an import traceback.
        from orchestration.definitions import defs
    except SettingError as error:
        sys.exit(f"{command}: {error}")
    return defs


def run_job(
    defs: dg.Definitions,
    instance: dg.DagsterInstance,
    name: str,
    tags: dict[str, str] | None = None,
    asset_selection: list[dg.AssetKey] | None = None,
) -> None:
    """Execute one job of the code location in this process; exit non-zero if it fails."""
    result = defs.resolve_job_def(name).execute_in_process(
        instance=instance,
        tags=tags or {},
        asset_selection=asset_selection,
        run_config={"loggers": {"console": {"config": {"log_level": "INFO"}}}},
        raise_on_error=False,
    )
    if not result.success:
        sys.exit(f"job {name} failed: see the log above, or `make ui` for the run")
