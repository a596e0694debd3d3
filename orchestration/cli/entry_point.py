"""How every command starts and ends: settings checked before any work, the Dagster instance's
config in place, and an error a user can act on
(:class:`~orchestration.lib.errors.ActionableError`, a full disk) told in one line.

Kept free of Dagster imports, so that commands that run no job start fast.
"""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from pathlib import Path

from orchestration.lib.disk import disk_full_error, error_chain_text, means_disk_full
from orchestration.lib.errors import ActionableError
from orchestration.lib.settings import PROJECT_ROOT, SettingError, check_settings, data_paths
from orchestration.lib.storage import atomic_path

# The instance config of the command-line runs and `make ui` (SQLite under DAGSTER_HOME).
INSTANCE_CONFIG = PROJECT_ROOT / "orchestration" / "dagster.yaml"


def pipeline_folders() -> list[Path]:
    """The folders the pipeline writes to, where a full disk would stop it."""
    paths = data_paths()
    home = os.environ.get("DAGSTER_HOME")
    return [paths.data_dir, paths.working_warehouse.parent, *([Path(home)] if home else [])]


def install_instance_config() -> None:
    """Give ``DAGSTER_HOME`` the project's instance config when it has none, or an older copy of
    it (written whole, so two commands started at once on a new home both succeed). A config of
    your own, one that does not start with the project's first line, is left as it is."""
    home = Path(os.environ.get("DAGSTER_HOME", ""))
    if not home.is_absolute():
        raise SettingError(
            "DAGSTER_HOME must be an absolute path (make sets it to data/dagster_home)"
        )
    installed = home / "dagster.yaml"
    project_config = INSTANCE_CONFIG.read_text()
    if installed.exists():
        current = installed.read_text()
        # Any version of the project's config starts with its first line.
        first_line = project_config.partition("\n")[0]
        if current == project_config or current.partition("\n")[0] != first_line:
            return
    with atomic_path(installed) as temporary:
        shutil.copyfile(INSTANCE_CONFIG, temporary)


def run_entry_point(
    command: str, main: Callable[[], None], uses_dagster_home: bool = False
) -> None:
    """Run ``main`` as ``command`` (``make demo``, ...): every setting is checked first (and the
    instance config installed, for a command ``uses_dagster_home``), and an
    :class:`ActionableError` or a full disk ends the command with one line on standard error."""
    try:
        check_settings()
        if uses_dagster_home:
            install_instance_config()
        main()
    except ActionableError as error:
        sys.exit(f"{command}: {error}")
    except Exception as error:
        if not means_disk_full(error_chain_text(error)):
            raise
        sys.exit(f"{command}: {disk_full_error(pipeline_folders())}")
