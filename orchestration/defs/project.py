"""The dbt project Dagster loads its dbt assets from."""

from dagster_dbt import DagsterDbtProjectPreparer, DbtProject

from orchestration.defs.resources import InstalledDbtCliResource
from orchestration.lib.engines import ENGINES
from orchestration.lib.settings import DBT_EXECUTABLE, DBT_PROJECT_DIR, dbt_target


class InstalledDbtProjectPreparer(DagsterDbtProjectPreparer):
    """Under ``dagster dev`` (``make ui``), parse the project with the dbt beside this Python.

    dagster-dbt's own preparer runs ``dbt`` from ``PATH``, which a shell without the virtualenv
    activated does not have: the code location then failed to load. This project has no dbt
    packages, so parsing is the whole preparation.
    """

    def prepare(self, project: DbtProject) -> None:
        InstalledDbtCliResource(
            project_dir=project, dbt_executable=DBT_EXECUTABLE, target=project.target
        ).cli(["parse", "--quiet"], target_path=project.target_path).wait()


# The engine dbt builds with (DBT_TARGET: duckdb, spark, spark_thrift), read here once; everything
# that differs by engine takes it from here (orchestration/lib/engines.py).
ENGINE = ENGINES[dbt_target()]

dbt_project = DbtProject(
    project_dir=DBT_PROJECT_DIR,
    profiles_dir=DBT_PROJECT_DIR,
    target=ENGINE.target,
    target_path=ENGINE.target_path,
)
# Under `dagster dev` the manifest is rebuilt on load; `make demo` / `make test` run `dbt parse`.
InstalledDbtProjectPreparer().prepare_if_dev(dbt_project)
