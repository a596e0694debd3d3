"""The dbt CLI resource, without the two set-up steps this project does not need.

Before every invocation, dagster-dbt 0.29 runs ``dbt --version`` in a subprocess (to tell dbt Core
from the Fusion engine) and starts a dbt adapter in the Dagster process (used only by
``fetch_row_counts`` / ``fetch_column_metadata``). On this 2-core machine the two cost about 8 s per
run, more than the warehouse build itself on the sample. Here dbt is always dbt Core from this
environment (``DBT_EXECUTABLE`` sits beside the running Python) and no column metadata is fetched,
so the version comes from the installed package and no adapter is started.
"""

from collections.abc import Sequence
from functools import cached_property
from importlib.metadata import version as installed_version

from dagster_dbt import DbtCliResource
from packaging import version


class InstalledDbtCliResource(DbtCliResource):
    """``DbtCliResource`` for the dbt Core installed beside this Python."""

    @cached_property
    def _cli_version(self) -> version.Version:
        return version.parse(installed_version("dbt-core"))

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        # The adapter handle only serves column metadata and row counts, which no asset asks for.
        return None
