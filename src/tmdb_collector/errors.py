"""Every error tmdb-collector raises on purpose, in one tree.

::

    CollectorError                 exit_code 1 unless noted; message is one line, never a secret
    ├── UsageError                 exit_code 2: bad flag, config value or input path
    │   ├── ConfigError            an invalid plan or client setting
    │   └── MissingCredentialsError   no TMDB_API_KEY / TMDB_READ_ACCESS_TOKEN
    ├── StoreError                 the checkpoint database
    │   ├── NotOurDatabaseError    --db is another file, or corrupt (exit 2)
    │   ├── PlanMismatchError      --db was created with a different plan (exit 2)
    │   ├── StoreLockedError       another process is collecting into the same --db
    │   ├── StoreWriteError        the disk is full or unwritable while collecting
    │   ├── StoreCorruptError      the file was damaged (SQLITE_CORRUPT / SQLITE_NOTADB)
    │   └── StoreIntegrityError    a constraint failed: a bug, reported, never hidden
    ├── ExportError                an export could not be written; nothing was replaced
    ├── ImageWriteError            an image file could not be written (a full disk); no
    │                              partial file is left
    ├── UnexpectedError            an exception we did not foresee (a bug): the run stops
    ├── OutageGiveUpError          TMDB unreachable for longer than --give-up-after
    └── TMDBError                  an HTTP exchange with TMDB went wrong
        ├── PermanentError         retrying cannot help (retryable = False)
        │   ├── AuthError          401: the key or token is invalid; stops the whole run
        │   │   ├── NetworkAccessError   a proxy refused (403 / 407) or the TLS certificate is
        │   │   │                        not trusted (--ca-file); stops the whole run too
        │   │   └── NotImplementedByServerError   501: the server does not serve the route;
        │   │                            stops the whole run too, without a retry
        │   ├── NotFoundError      404: unknown or deleted id
        │   └── RequestRejectedError   400 / 422: TMDB refused the parameters
        └── TransientError         worth retrying with backoff (retryable = True)
            ├── RateLimitedError   429: slow down; carries Retry-After
            ├── ServerError        5xx
            ├── NetworkError       timeout, connection reset, incomplete body
            └── BadResponseError   a 200 whose body is not the JSON we expect
                └── NotTMDBError   a body that is not TMDB's JSON at all (HTML error page, portal)

TMDB errors carry the HTTP status, TMDB's own ``status_code`` and the request path without
its query string, so the API key (a query parameter) can never reach a message.
"""

from __future__ import annotations

import re

# The process exit codes, all here: errors carry theirs as ``exit_code``.
EXIT_RUNTIME = 1  # a runtime failure: network, TMDB, disk, database
EXIT_USAGE = 2  # bad flag, config value or input
EXIT_FAILED_IDS = 3  # the run finished, but some ids or harvest pages failed
EXIT_PAUSED = 130  # paused by Ctrl-C / SIGTERM (or the dashboard); resumable


_FLAG = re.compile(r"(?<![\w/.-])--([a-z][a-z0-9]*(?:-[a-z0-9]+)*)")
_EXAMPLE = re.compile(r"`[^`]*`")  # a command line quoted whole: kept as it is


def python_names(text: str) -> str:
    """``text`` with each command-line flag (``--per-title``) named as the Python API's
    keyword (``per_title``), except inside a quoted command (`` `tmdb-collector ...` ``)."""

    def keywords(piece: str) -> str:
        return _FLAG.sub(lambda flag: flag.group(1).replace("-", "_"), piece)

    pieces, last = [], 0
    for example in _EXAMPLE.finditer(text):
        pieces += [keywords(text[last : example.start()]), example.group()]
        last = example.end()
    return "".join([*pieces, keywords(text[last:])])


class CollectorError(Exception):
    """Base of every error we raise on purpose: a one-line message, written once for both
    callers. It names the command line's flags (``--per-title``): ``cli_message`` is that
    text, which the CLI shows; ``str(err)``, what a Python caller reads, names each as the
    API's keyword instead (``per_title``: every flag is its keyword with ``-`` for ``_``),
    but in a quoted command (`` `tmdb-collector status --db PATH` ``)."""

    exit_code = EXIT_RUNTIME

    def __str__(self) -> str:
        return python_names(super().__str__())

    @property
    def cli_message(self) -> str:
        return super().__str__()


class UsageError(CollectorError):
    exit_code = EXIT_USAGE


class ConfigError(UsageError):
    pass


class MissingCredentialsError(UsageError):
    def __init__(self) -> None:
        super().__init__(
            "no TMDB credentials: set TMDB_API_KEY (v3 API key) or TMDB_READ_ACCESS_TOKEN "
            "(API Read Access Token) in the environment; see https://www.themoviedb.org/settings/api"
        )


class StoreError(CollectorError):
    pass


class NotOurDatabaseError(StoreError):
    exit_code = EXIT_USAGE


class PlanMismatchError(StoreError):
    """``str()`` speaks the library API (``force_plan``, a new database); ``cli_message`` the
    command line's flags (--force-plan, --db), for the CLI to show instead."""

    exit_code = EXIT_USAGE

    def __init__(self, message: str, *, cli: str) -> None:
        super().__init__(message)
        self._cli = cli

    @property
    def cli_message(self) -> str:
        return self._cli


class StoreLockedError(StoreError):
    pass


class StoreWriteError(StoreError):
    pass


class StoreCorruptError(StoreError):
    pass


class StoreIntegrityError(StoreError):
    pass


class ExportError(CollectorError):
    pass


class ImageWriteError(CollectorError):
    """``images`` could not write a file under ``--out``; its temporary file is removed."""


class OutageGiveUpError(CollectorError):
    """The outage lasted longer than ``--give-up-after``; nothing was marked failed."""


class UnexpectedError(CollectorError):
    """Wraps an unforeseen exception in one line; the original is its ``__cause__``."""

    def __init__(self, where: str, cause: BaseException) -> None:
        detail = str(cause).splitlines()[0] if str(cause) else ""
        what = f"{type(cause).__name__}: {detail}" if detail else type(cause).__name__
        super().__init__(
            f"unexpected error {where}: {what}; everything committed is safe, re-run the same"
            " command to resume (-v shows the traceback)"
        )
        self.__cause__ = cause


class TMDBError(CollectorError):
    """An HTTP exchange with TMDB failed. ``path`` never includes the query string."""

    retryable = False

    def __init__(
        self,
        reason: str,
        *,
        path: str = "",
        status: int | None = None,
        tmdb_code: int | None = None,
    ) -> None:
        self.reason = reason
        self.path = path
        self.status = status
        self.tmdb_code = tmdb_code
        super().__init__(self._format())

    def _format(self) -> str:
        where = f"GET {self.path}: " if self.path else ""
        status = f"HTTP {self.status}" if self.status is not None else ""
        code = f" (TMDB status_code {self.tmdb_code})" if self.tmdb_code is not None else ""
        head = f"{status}{code}: " if status else ""
        return f"{where}{head}{self.reason}"


class PermanentError(TMDBError):
    retryable = False


class AuthError(PermanentError):
    def _format(self) -> str:
        return (
            f"TMDB rejected the credentials (HTTP {self.status}, status_code {self.tmdb_code}): "
            f"{self.reason} Check TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN."
        )


class NetworkAccessError(AuthError):
    """The way to TMDB is closed to us, whatever the request: every unit would fail alike."""

    def _format(self) -> str:
        return TMDBError._format(self)


class NotImplementedByServerError(AuthError):
    """501 Not Implemented: the server (the simulator, for a TMDB route it does not serve)
    will answer every request of the kind alike, so retrying cannot help."""

    def _format(self) -> str:
        return TMDBError._format(self)


class NotFoundError(PermanentError):
    pass


class RequestRejectedError(PermanentError):
    pass


class TransientError(TMDBError):
    retryable = True


class RateLimitedError(TransientError):
    def __init__(self, reason: str, *, path: str = "", retry_after: float | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(reason, path=path, status=429, tmdb_code=25)


class ServerError(TransientError):
    pass


class NetworkError(TransientError):
    pass


class BadResponseError(TransientError):
    pass


class NotTMDBError(BadResponseError):
    """Something other than TMDB answered: a CDN's HTML error page, a captive portal's page."""
