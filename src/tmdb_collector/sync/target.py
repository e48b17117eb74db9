"""The PostgreSQL server a sync writes to: its DSN, shown without the password, and the
connection, whose failures become one-line errors.

The password comes from the DSN, ``PGPASSWORD`` or ``~/.pgpass`` (libpq reads the last two
itself); it is registered with :func:`~tmdb_collector.credentials.redact`, and every message
names the server by :attr:`Target.shown`, which never holds it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import conninfo, errors

from tmdb_collector.credentials import REDACTED, redact, register_secret
from tmdb_collector.errors import ExportError, UsageError
from tmdb_collector.sync import DEFAULT_SCHEMA

PASSWORD_ENV = "PGPASSWORD"
CONNECT_TIMEOUT = 10  # seconds to reach the server
SCHEMA_NAME = re.compile(r"[a-z_][a-z0-9_]{0,62}")  # an identifier that needs no quoting
AUTH_FAILED = ("28P01", "28000")  # invalid_password, invalid_authorization_specification


@dataclass(frozen=True)
class Target:
    dsn: str = field(repr=False)
    shown: str  # postgresql://user@host:port/dbname, never the password
    schema: str


def parse_target(dsn: str, schema: str = DEFAULT_SCHEMA) -> Target:
    """Check ``--to`` and ``--schema``; the password (if any) becomes a registered secret."""
    if not dsn.startswith(("postgresql://", "postgres://")):
        raise UsageError("--to must be a URL postgresql://user@host:port/dbname")
    try:
        params = conninfo.conninfo_to_dict(dsn)
    except psycopg.ProgrammingError:
        raise UsageError(
            "--to is not a valid PostgreSQL URL (postgresql://user@host:port/dbname)"
        ) from None
    for secret in (params.get("password"), os.environ.get(PASSWORD_ENV)):
        if secret:
            register_secret(str(secret))
    if not SCHEMA_NAME.fullmatch(schema):
        raise UsageError(
            f"--schema {schema!r} must be a lower-case name of letters, digits and _"
            " (at most 63, not starting with a digit)"
        )
    return Target(dsn, shown_dsn(params), schema)


def shown_dsn(params: dict[str, Any]) -> str:
    user = f"{params['user']}@" if params.get("user") else ""
    port = f":{params['port']}" if params.get("port") else ""
    return f"postgresql://{user}{params.get('host', '')}{port}/{params.get('dbname', '')}"


def connect(target: Target) -> psycopg.Connection[Any]:
    """A connection to the target (not in autocommit: the sync is one transaction)."""
    try:
        return psycopg.connect(target.dsn, connect_timeout=CONNECT_TIMEOUT)
    except psycopg.OperationalError as exc:
        reason = server_reason(exc, target)
        if "no password supplied" in reason:
            raise UsageError(
                f"{target.shown} asks for a password: give it in the URL, {PASSWORD_ENV} or"
                " ~/.pgpass"
            ) from None
        if exc.sqlstate in AUTH_FAILED or "authentication failed" in reason:
            raise UsageError(f"{target.shown} refused the credentials: {reason}") from None
        if isinstance(exc, errors.InvalidCatalogName):
            raise UsageError(f"cannot sync to {target.shown}: {reason}") from None
        raise ExportError(f"cannot connect to {target.shown}: {reason}") from None


def server_reason(exc: BaseException, target: Target) -> str:
    """The one line of a server or libpq error that says what went wrong, redacted: a
    failed connection's last reason, else the server's primary message (not the DETAIL or
    CONTEXT lines that follow it)."""
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    fatal = [line for line in lines if "FATAL" in line or "failed:" in line]
    primary = exc.diag.message_primary if isinstance(exc, psycopg.Error) else None
    line = (fatal or ([primary] if primary else lines) or [type(exc).__name__])[-1]
    line = re.sub(r"^.*?FATAL:\s*", "", line)
    line = re.sub(r"^connection to server at .*? failed:\s*", "", line)
    if "password" in target.dsn:
        line = line.replace(target.dsn, target.shown)
    return redact(line).replace(REDACTED, "***")
