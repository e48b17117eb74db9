"""A real PostgreSQL server for the tests: Debian's binaries (``apt-get install postgresql``,
which ``make postgres-deps`` does as root), a fresh cluster made by ``initdb`` in a temporary
directory and started by ``pg_ctl`` on a free loopback port, as an unprivileged user (initdb
refuses root: as root the server runs as ``nobody``). Password authentication (scram) is on
for TCP, so the tests can give wrong credentials. Stopped and removed at the end.

Used by the sync tests through the session fixture ``pg_server`` (tests/conftest.py); any other
test that needs a server can ask for it too.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import psycopg

SUPERUSER = "postgres"
PASSWORD = "s3cret-pg-password"
RUN_AS = "nobody"  # who runs the server when the tests run as root
INSTALL_HINT = "install Debian's postgresql (as root: make postgres-deps)"


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str
    password: str
    bin_dir: Path

    def dsn(self, dbname: str = "postgres", *, password: str | None = None) -> str:
        """A URL with the password in it (``password=""``: without one)."""
        secret = self.password if password is None else password
        auth = f"{self.user}:{secret}" if secret else self.user
        return f"postgresql://{auth}@{self.host}:{self.port}/{dbname}"


def bin_dir() -> Path | None:
    """The directory of ``initdb`` and ``pg_ctl``: Debian's newest, else on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    try:
        return int(Path(path).parent.parent.name)
    except ValueError:
        return 0


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(args: list[str]) -> list[str]:
    if os.geteuid() != 0:
        return args
    return ["runuser", "-u", RUN_AS, "--", *args]


@contextlib.contextmanager
def postgres_server() -> Iterator[PgServer]:
    """A running server; raises FileNotFoundError when the binaries are missing."""
    binaries = bin_dir()
    if binaries is None:
        raise FileNotFoundError(f"PostgreSQL's initdb was not found; {INSTALL_HINT}")
    root = Path(tempfile.mkdtemp(prefix="tmdb-pg-"))
    data, sockets = root / "data", root / "sockets"
    sockets.mkdir()
    pwfile = root / "pwfile"
    pwfile.write_text(PASSWORD + "\n", encoding="utf-8")
    if os.geteuid() == 0:
        user = pwd.getpwnam(RUN_AS)
        for path in (root, sockets, pwfile):
            os.chown(path, user.pw_uid, user.pw_gid)
    port = _free_port()
    ctl = str(binaries / "pg_ctl")
    try:
        subprocess.run(
            _as_server_user(
                [
                    str(binaries / "initdb"),
                    "-D",
                    str(data),
                    "-U",
                    SUPERUSER,
                    f"--pwfile={pwfile}",
                    "--auth=scram-sha-256",
                    "--no-sync",
                    "-E",
                    "UTF8",
                    "--locale=C",
                ]
            ),
            check=True,
            capture_output=True,
        )
        options = f"-h 127.0.0.1 -p {port} -k {sockets} -c fsync=off"
        subprocess.run(
            _as_server_user(
                [ctl, "start", "-w", "-D", str(data), "-l", str(root / "log"), "-o", options]
            ),
            check=True,
            capture_output=True,
        )
        yield PgServer("127.0.0.1", port, SUPERUSER, PASSWORD, binaries)
    finally:
        subprocess.run(
            _as_server_user([ctl, "stop", "-D", str(data), "-m", "immediate"]),
            capture_output=True,
            check=False,
        )
        shutil.rmtree(root, ignore_errors=True)


def no_other_session(conn: psycopg.Connection[Any], where: str, timeout: float) -> bool:
    """Wait until no session but ``conn``'s own matches ``where`` (a condition on
    ``pg_stat_activity``: a closed or killed client's backend ends a moment after its client),
    looking again after a ``pg_sleep`` on the server; False if ``timeout`` seconds pass first."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row = conn.execute(
            f"SELECT count(*) FROM pg_stat_activity WHERE ({where}) AND pid <> pg_backend_pid()"
        ).fetchone()
        if row is not None and row[0] == 0:
            return True
        conn.execute("SELECT pg_sleep(0.05)")
    return False
