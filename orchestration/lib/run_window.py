"""The run's date window: which ranking dates a run rebuilds, and so which rows it may replace.

This is where the window is decided. A run over some dates (one daily partition or a range of
them) rebuilds the daily fact for exactly those dates, and the weekly marts and the milestones
from the ISO week (Monday, UTC) of its first date on: a changed week moves the next week's
growth and every later cumulative figure. A run without dates rebuilds everything.

dbt receives the window in the environment of :meth:`RunWindow.dbt_environment`, which it reads
only when it executes (``dbt_project/macros/run_window.sql`` turns it into SQL): passed as
``--vars``, a new window each day would make dbt parse the whole project again. Each incremental
model states the rows a window rebuilds in its ``meta.rebuilt_rows``, a predicate over
``$first_date``, ``$last_date``, ``$first_week`` and ``$last_week`` (:meth:`RunWindow.parameters`,
the same names as dbt's window values and vars): dbt filters the
model's incremental input and scopes its data tests with it, and publishing replaces exactly
those rows (:func:`rebuilt_rows_by_table`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from orchestration.lib.settings import DataPaths

# A run over more days than this reads the whole lake instead of listing its date folders (the
# list travels in an environment variable and into every query that reads the lake).
MAX_LISTED_PARTITIONS = 1000

# The environment variable that carries a run's window to dbt (dbt_project/macros/run_window.sql).
DBT_RUN_WINDOW_ENV_VAR = "DBT_RUN_WINDOW"
# The environment of a run without a window: dbt's vars hold (their defaults: every date).
EVERY_DATE_ENVIRONMENT = {DBT_RUN_WINDOW_ENV_VAR: "{}"}


@dataclass(frozen=True)
class RunWindow:
    """The first and last ranking date (inclusive) a run rebuilds."""

    first: date
    last: date

    @property
    def first_week(self) -> date:
        """Monday of the first date's ISO week: weekly marts are rebuilt from here on."""
        return self.first - timedelta(days=self.first.weekday())

    @property
    def last_week(self) -> date:
        """Monday of the last date's ISO week."""
        return self.last - timedelta(days=self.last.weekday())

    def parameters(self) -> dict[str, date]:
        """The window's values by name: the ``$name`` placeholders of ``meta.rebuilt_rows``."""
        return {
            "first_date": self.first,
            "last_date": self.last,
            "first_week": self.first_week,
            "last_week": self.last_week,
        }

    def dbt_environment(self, paths: DataPaths) -> dict[str, str]:
        """The environment that gives dbt this window: its dates, and the lake folders of the
        weeks it touches.

        Whole weeks are read so that a week's figures can be reconciled with the raw lake; the
        fact still rebuilds only ``first..last``. Past ``MAX_LISTED_PARTITIONS`` days the folders
        are not listed and dbt reads the whole lake.
        """
        values: dict[str, Any] = {
            name: value.isoformat() for name, value in self.parameters().items()
        }
        week_end = self.last_week + timedelta(days=6)
        if (week_end - self.first_week).days < MAX_LISTED_PARTITIONS:
            folders = paths.rankings_date_folders(self.first_week, week_end)
            if folders:
                values["rankings_lake_partitions"] = [folder.name for folder in folders]
        return {DBT_RUN_WINDOW_ENV_VAR: json.dumps(values)}

    def __str__(self) -> str:
        return f"{self.first}..{self.last}"


def rebuilt_rows_by_table(manifest_path: Path) -> dict[str, str]:
    """``{table: predicate}`` from each dbt model's ``meta.rebuilt_rows`` in the manifest."""
    manifest = json.loads(manifest_path.read_text())
    return {
        node["alias"]: node["config"]["meta"]["rebuilt_rows"]
        for node in manifest["nodes"].values()
        if node["resource_type"] == "model" and "rebuilt_rows" in node["config"].get("meta", {})
    }
