"""A PostgreSQL cluster of the service's own, for its Dagster instance, when none is given.

``initdb``, ``pg_ctl`` and ``postgres`` come from the machine (Debian's ``postgresql`` package or
any PostgreSQL 13 or newer on ``PATH``). The cluster listens on 127.0.0.1 only, with no Unix
socket, and requires a password that is generated once and kept beside it (mode 0600).
PostgreSQL refuses to run as root: started by root, the cluster runs as the ``postgres`` user.
"""

from __future__ import annotations

import os
import pwd
import secrets
import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from orchestration.lib.storage import write_bytes_atomic

DATABASE = "dagster"
USER = "dagster"
# Debian installs the server programs outside PATH.
SEARCH_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


class PostgresError(RuntimeError):
    """The local cluster could not be created or started; the message says what to do."""


def _program(name: str) -> str:
    found = shutil.which(name) or next(
        (str(d / name) for d in SEARCH_DIRS if (d / name).exists()), None
    )
    if found is None:
        raise PostgresError(
            f"{name} was not found: install PostgreSQL (Debian: apt-get install postgresql) or "
            "set DAGSTER_POSTGRES_URL to a database of yours"
        )
    return found


@dataclass(frozen=True)
class LocalPostgresCluster:
    """A cluster in ``directory`` (its data in ``directory/data``) on ``127.0.0.1:port``."""

    directory: Path
    port: int

    @property
    def data_dir(self) -> Path:
        return self.directory / "data"

    @property
    def password_file(self) -> Path:
        return self.directory / "password"

    @property
    def log_file(self) -> Path:
        return self.directory / "postgres.log"

    def url(self) -> str:
        """The SQLAlchemy URL of the cluster's ``dagster`` database (psycopg2 driver)."""
        password = self.password_file.read_text().strip()
        return f"postgresql+psycopg2://{USER}:{password}@127.0.0.1:{self.port}/{DATABASE}"

    def _owner(self) -> pwd.struct_passwd | None:
        """The user the server runs as when this process is root; None otherwise."""
        if os.geteuid() != 0:
            return None
        try:
            return pwd.getpwnam("postgres")
        except KeyError:
            raise PostgresError(
                "PostgreSQL does not run as root and there is no 'postgres' user: run the "
                "service as an unprivileged user, or set DAGSTER_POSTGRES_URL"
            ) from None

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        owner = self._owner()
        completed = subprocess.run(
            args,
            capture_output=True,
            text=True,
            user=owner.pw_uid if owner else None,
            group=owner.pw_gid if owner else None,
            env={**os.environ, "PGPASSWORD": self.password_file.read_text().strip()},
        )
        if check and completed.returncode != 0:
            raise PostgresError(
                f"{Path(args[0]).name} failed for the cluster in {self.directory} "
                f"(log: {self.log_file}):\n{completed.stderr.strip() or completed.stdout.strip()}"
            )
        return completed

    def _create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        if not self.password_file.exists():
            write_bytes_atomic(self.password_file, secrets.token_urlsafe(24).encode())
            self.password_file.chmod(0o600)
        owner = self._owner()
        if owner:
            # The server's own user must reach the folder, and read the password once.
            os.chown(self.directory, owner.pw_uid, owner.pw_gid)
            probe = subprocess.run(
                ["test", "-w", str(self.directory)], user=owner.pw_uid, group=owner.pw_gid
            )
            if probe.returncode != 0:
                raise PostgresError(
                    f"the 'postgres' user cannot reach {self.directory}: make its parent folders "
                    "traversable (chmod o+x), run as an unprivileged user, or set "
                    "DAGSTER_POSTGRES_URL"
                )
        initdb_password = self.directory / "initdb.password"
        write_bytes_atomic(initdb_password, self.password_file.read_bytes())
        if owner:
            os.chown(initdb_password, owner.pw_uid, owner.pw_gid)
        try:
            self._run(
                _program("initdb"),
                "--pgdata",
                str(self.data_dir),
                "--username",
                USER,
                f"--pwfile={initdb_password}",
                "--auth=scram-sha-256",
                "--encoding=UTF8",
                "--no-instructions",
            )
        finally:
            initdb_password.unlink(missing_ok=True)

    def is_running(self) -> bool:
        """True when a server runs on this cluster's data."""
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        return (
            self._run(
                _program("pg_ctl"), "status", "-D", str(self.data_dir), check=False
            ).returncode
            == 0
        )

    def start(self) -> str:
        """Create the cluster if needed, start it if it is not running; return its URL."""
        if not (self.data_dir / "PG_VERSION").exists():
            self._create()
        if not self.is_running():
            self.log_file.touch()
            owner = self._owner()
            if owner:
                os.chown(self.log_file, owner.pw_uid, owner.pw_gid)
            self._run(
                _program("pg_ctl"),
                "start",
                "--wait",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                f"-p {self.port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=''",
            )
        exists = self._psql(f"select 1 from pg_database where datname = '{DATABASE}'")
        if exists != "1":
            self._psql(f"create database {DATABASE}")
        return self.url()

    def _psql(self, sql: str) -> str:
        completed = self._run(
            "psql",
            "--no-psqlrc",
            "--tuples-only",
            "--no-align",
            "--host=127.0.0.1",
            f"--port={self.port}",
            f"--username={USER}",
            "--dbname=postgres",
            f"--command={sql}",
        )
        return completed.stdout.strip()

    def stop(self) -> None:
        """Stop the server: a fast shutdown (open sessions are rolled back), or an immediate one
        (recovered from the WAL at the next start) when that has not finished within a minute."""
        if not self.is_running():
            return
        pg_ctl = _program("pg_ctl")
        data = str(self.data_dir)
        stop = (pg_ctl, "stop", "--wait", "--timeout=60", "-D", data)
        if self._run(*stop, "-m", "fast", check=False).returncode != 0 and self.is_running():
            self._run(*stop, "-m", "immediate")
