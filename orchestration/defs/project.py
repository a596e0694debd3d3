"""The dbt project Dagster loads its dbt assets from."""

from dagster_dbt import DbtProject

from orchestration.lib.settings import DBT_PROJECT_DIR

dbt_project = DbtProject(project_dir=DBT_PROJECT_DIR, profiles_dir=DBT_PROJECT_DIR)
# Under `dagster dev` the manifest is rebuilt on load; `make demo` / `make test` run `dbt parse`.
dbt_project.prepare_if_dev()
