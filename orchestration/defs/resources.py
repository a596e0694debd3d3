"""Dagster resources: where raw responses come from, and the dbt CLI.

The rankings source is a plain object from :mod:`orchestration.lib` (``dg.ResourceParam``), so
its settings stay in one place (``lib/settings.py``) and it can be used without Dagster.
"""

from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version

import dagster as dg
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.lib.openrouter import OpenRouterClient
from orchestration.lib.openrouter_exports import OpenRouterExports
from orchestration.lib.responses import RankingsSource
from orchestration.lib.sample import BundledSample
from orchestration.lib.settings import api_key, rankings_source_name, sample_dir


def rankings_source() -> RankingsSource:
    """The feed ``RANKINGS_SOURCE`` names (:func:`rankings_source_name`): the Data API with the
    key, the keyless exports, or the bundled sample."""
    name = rankings_source_name()
    logger = dg.get_dagster_logger("openrouter")
    if name == "api":
        return OpenRouterClient(api_key=api_key(), logger=logger)
    if name == "exports":
        return OpenRouterExports(OpenRouterClient(logger=logger), logger=logger)
    return BundledSample(sample_dir=sample_dir())


class InstalledDbtCliResource(DbtCliResource):
    """``DbtCliResource`` for the dbt Core installed beside this Python, minus two set-up steps.

    Before every invocation, dagster-dbt 0.29 runs ``dbt --version`` in a subprocess (to tell dbt
    Core from the Fusion engine) and starts a dbt adapter in the Dagster process (used only by
    ``fetch_row_counts`` / ``fetch_column_metadata``, which no asset here calls). Measured on this
    2-core machine: 1.3 s and 1.1 s, about 2.4 s of every run's dbt step (``make demo`` takes
    about 14 s). Both override private members: ``tests/test_definitions.py`` fails if
    dagster-dbt renames them or stops calling them.
    """

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None
