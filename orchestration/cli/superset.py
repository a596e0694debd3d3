"""``make bi``: Apache Superset serving this project's dashboard from the published warehouse.

Superset runs from its own virtualenv (``.venv-superset``, which ``make bi`` installs from
``bi/superset/requirements.txt``): its pins conflict with the pipeline's. Its state (metadata
database, secret key, admin password) lives in ``data/bi/superset``. Each start upgrades that
state, imports the dashboard bundle in ``bi/superset/dashboard`` with its database pointed at the
published warehouse (opened read-only, so the pipeline is never blocked and never written to), and
serves Superset with gunicorn on ``BI_HOST:BI_PORT`` (default 127.0.0.1:8088).
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import yaml

from orchestration.cli.entry_point import run_entry_point
from orchestration.lib.settings import (
    SUPERSET_PROJECT_DIR,
    SUPERSET_VENV,
    DataPaths,
    data_paths,
)

DASHBOARD_BUNDLE = SUPERSET_PROJECT_DIR / "dashboard"
ADMIN_USER = "admin"


def generated_secret(path: Path) -> str:
    """The secret in ``path``, generated once into a file only its owner can read."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "w") as secret:
            secret.write(secrets.token_urlsafe(32) + "\n")
    return path.read_text().strip()


def warehouse_uri(warehouse: Path) -> str:
    """The SQLAlchemy URI Superset opens the published warehouse with, read-only."""
    return f"duckdb:///{warehouse.resolve()}?access_mode=read_only"


def write_bundle(zip_path: Path, warehouse: Path) -> None:
    """The dashboard bundle as Superset imports it, its database pointed at ``warehouse``."""
    with zipfile.ZipFile(zip_path, "w") as bundle:
        for path in sorted(DASHBOARD_BUNDLE.rglob("*.yaml")):
            relative = path.relative_to(DASHBOARD_BUNDLE)
            text = path.read_text()
            if relative.parts[0] == "databases":
                database = yaml.safe_load(text)
                database["sqlalchemy_uri"] = warehouse_uri(warehouse)
                text = yaml.safe_dump(database, sort_keys=False)
            # Superset expects every file under one top-level folder.
            bundle.writestr(f"openrouter_rankings/{relative}", text)


def superset_environment(paths: DataPaths) -> dict[str, str]:
    """The environment Superset's commands run in: its settings file and state folder."""
    return {
        **os.environ,
        "SUPERSET_CONFIG_PATH": str(SUPERSET_PROJECT_DIR / "superset_config.py"),
        "SUPERSET_STATE_DIR": str(paths.superset_state_dir),
        "FLASK_APP": "superset",
    }


def superset(paths: DataPaths, what: str, *args: str) -> None:
    """Run one ``superset`` command, saying ``what`` it does and how long it took; exit with its
    output if it fails."""
    print(f"make bi: {what} ...", end="", flush=True)
    started = time.monotonic()
    command = [str(SUPERSET_VENV / "bin" / "superset"), *args]
    done = subprocess.run(command, env=superset_environment(paths), capture_output=True, text=True)
    if done.returncode != 0:
        print(" failed", flush=True)
        sys.exit(f"make bi: `superset {' '.join(args)}` failed:\n{done.stdout}{done.stderr}")
    print(f" {time.monotonic() - started:.0f}s", flush=True)


def prepare(paths: DataPaths) -> Path:
    """Superset's state brought up to date, with the dashboard imported; the password file."""
    if not paths.published_warehouse.exists():
        sys.exit(
            f"make bi: no published warehouse at {paths.published_warehouse}: "
            "run `make demo` (or let the pipeline publish) first"
        )
    state = paths.superset_state_dir
    generated_secret(state / "secret_key")
    password_file = state / "admin_password"
    password = generated_secret(password_file)
    superset(paths, "Superset's own database brought up to date", "db", "upgrade")
    # fab create-admin leaves an existing user as it is and says so.
    superset(
        paths, "the admin user", "fab", "create-admin", "--username", ADMIN_USER,
        "--firstname", "Superset", "--lastname", "Admin", "--email", "admin@localhost",
        "--password", password,
    )  # fmt: skip
    superset(paths, "roles and permissions", "init")
    with tempfile.TemporaryDirectory(dir=state) as scratch:
        bundle = Path(scratch) / "dashboard.zip"
        write_bundle(bundle, paths.published_warehouse)
        superset(
            paths,
            "the dashboard imported",
            *("import-dashboards", "--path", str(bundle), "--username", ADMIN_USER),
        )
    return password_file


def main() -> None:
    """Prepare Superset, then serve it in this process (gunicorn) until stopped."""
    paths = data_paths()
    host = os.environ.get("BI_HOST", "127.0.0.1")
    port = os.environ.get("BI_PORT", "8088")
    password_file = prepare(paths)
    print(
        f"Superset on http://{host}:{port}/superset/dashboard/openrouter-rankings/\n"
        f"  user {ADMIN_USER}, password in {password_file}\n"
        f"  reading {paths.published_warehouse} read-only; Ctrl-C stops it",
        flush=True,
    )
    gunicorn = str(SUPERSET_VENV / "bin" / "gunicorn")
    os.execve(
        gunicorn,
        [
            gunicorn, "--workers", "2", "--worker-class", "gthread", "--threads", "4",
            "--timeout", "120", "--bind", f"{host}:{port}", "superset.app:create_app()",
        ],
        superset_environment(paths),
    )  # fmt: skip


if __name__ == "__main__":
    run_entry_point("make bi", main)
