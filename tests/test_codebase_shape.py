"""The layout holds: imports flow one way, and the dbt resource's overrides still hit their mark."""

from __future__ import annotations

import ast
import inspect
from functools import cached_property
from importlib.metadata import version as installed_version
from pathlib import Path
from unittest import mock

import dagster_dbt.core.resource
import pytest
from dagster_dbt import DbtCliResource
from packaging import version

from orchestration.defs.project import dbt_project
from orchestration.defs.resources import InstalledDbtCliResource
from orchestration.lib.engines import ENGINES
from orchestration.lib.settings import DBT_ENGINE_TARGETS, DBT_EXECUTABLE, PROJECT_ROOT
from orchestration.lib.sql_queries import SQL_FOLDERS

PACKAGE = PROJECT_ROOT / "orchestration"
# Lower layers never import higher ones:
# cli -> definitions -> defs -> lib -> lib.settings -> lib.errors.
LAYERS = [
    "orchestration.lib.errors",
    "orchestration.lib.settings",
    "orchestration.lib",
    "orchestration.defs",
    "orchestration.definitions",
    "orchestration.cli",
]


def module_name(path: Path) -> str:
    parts = path.relative_to(PROJECT_ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def layer(module: str) -> int:
    """The index in LAYERS of the most specific layer holding ``module``."""
    holding = [i for i, name in enumerate(LAYERS) if f"{module}.".startswith(f"{name}.")]
    return max(holding, key=lambda i: len(LAYERS[i]))


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    modules = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
    return modules


MODULES = sorted(path for path in PACKAGE.rglob("*.py") if module_name(path) != "orchestration")


@pytest.mark.parametrize("path", MODULES, ids=module_name)
def test_imports_flow_one_way(path: Path):
    own_layer = layer(module_name(path))
    upward = [
        module
        for module in imported_modules(path)
        if module.startswith("orchestration.") and layer(module) > own_layer
    ]
    assert upward == [], f"{module_name(path)} imports a higher layer"
    if own_layer <= LAYERS.index("orchestration.lib"):
        dagster = [module for module in imported_modules(path) if module.startswith("dagster")]
        assert dagster == [], f"{module_name(path)} is plain code but imports Dagster"


def test_settings_import_nothing_of_the_project_but_its_error_class():
    modules = imported_modules(PACKAGE / "lib" / "settings.py")
    project = [module for module in modules if module.startswith("orchestration")]
    assert project == ["orchestration.lib.errors"]
    assert imported_modules(PACKAGE / "lib" / "errors.py") == set()


def test_dagster_dbt_still_calls_the_private_members_the_dbt_resource_overrides():
    # InstalledDbtCliResource overrides these two; if dagster-dbt renames them or stops calling
    # them from cli(), the overrides silently stop saving time, so this test must fail.
    assert isinstance(DbtCliResource.__dict__["_cli_version"], cached_property)
    signature = inspect.signature(DbtCliResource._initialize_dbt_core_adapter)
    assert list(signature.parameters) == ["self", "args"]
    cli_source = inspect.getsource(DbtCliResource.cli)
    assert "self._cli_version" in cli_source
    assert "self._initialize_dbt_core_adapter(args)" in cli_source


def test_the_dbt_resource_runs_dbt_without_asking_its_version(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PIPELINE_DATA_DIR", str(tmp_path / "data"))
    resource = InstalledDbtCliResource(project_dir=dbt_project, dbt_executable=DBT_EXECUTABLE)
    assert resource._cli_version == version.parse(installed_version("dbt-core"))
    # dagster-dbt asks `dbt --version` through check_output; here it must not be called.
    with mock.patch.object(
        dagster_dbt.core.resource, "check_output", side_effect=AssertionError("dbt --version")
    ):
        invocation = resource.cli(
            ["parse", "--target-path", str(tmp_path / "target")],
            manifest=dbt_project.manifest_path,
        )
        assert invocation.wait().is_successful()


def test_every_engine_settings_accept_has_its_engine_and_is_read_once():
    assert set(ENGINES) == set(DBT_ENGINE_TARGETS)
    calls = [
        str(path.relative_to(PROJECT_ROOT))
        for path in [*PACKAGE.rglob("*.py"), *(PROJECT_ROOT / "bench").rglob("*.py")]
        if path.name != "settings.py"
        for line in path.read_text().splitlines()
        if "dbt_target()" in line
    ]
    assert calls == ["orchestration/defs/project.py"]


@pytest.mark.parametrize("module", ["lib/reporting.py", "cli/demo_summary.py"])
def test_the_report_and_summary_keep_their_sql_in_sql_files(module: str):
    strings = [
        node.value
        for node in ast.walk(ast.parse((PACKAGE / module).read_text()))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    multi_line_sql = [text for text in strings if "select " in text.lower() and "\n" in text]
    assert multi_line_sql == []


def test_every_report_and_summary_query_file_is_run():
    callers = (PACKAGE / "lib" / "reporting.py").read_text() + (
        PACKAGE / "cli" / "demo_summary.py"
    ).read_text()
    for folder in ("report", "summary"):
        for path in SQL_FOLDERS[folder].glob("*.sql"):
            assert f'"{folder}/{path.stem}"' in callers, path
