"""Logging set-up: warnings to stderr by default, optional log file, secrets always redacted."""

from __future__ import annotations

import logging
from pathlib import Path

from tmdb_collector.credentials import RedactingFilter
from tmdb_collector.errors import UsageError

LOGGER = "tmdb_collector"
FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


def configure(
    verbose: int = 0,
    log_file: Path | None = None,
    console: bool = True,
    console_format: logging.Formatter | None = None,
) -> None:
    """Warnings (-v: info, -vv: debug) to stderr, as text or through ``console_format``."""
    root = logging.getLogger(LOGGER)
    for old in root.handlers:
        old.close()  # a --log-file of an earlier configure
    root.handlers.clear()
    root.setLevel(logging.DEBUG)
    root.propagate = False
    redactor = RedactingFilter()
    if console:
        handler = logging.StreamHandler()
        handler.setLevel(logging.DEBUG if verbose > 1 else logging.INFO if verbose else 30)
        handler.setFormatter(console_format or logging.Formatter("%(levelname)s: %(message)s"))
        handler.addFilter(redactor)
        root.addHandler(handler)
    if log_file is not None:
        try:
            file_handler = logging.FileHandler(log_file, encoding="utf-8")
        except OSError as exc:
            raise UsageError(f"cannot write --log-file {log_file}: {exc.strerror or exc}") from None
        file_handler.setLevel(logging.DEBUG)
        file_handler.setFormatter(logging.Formatter(FORMAT))
        file_handler.addFilter(redactor)
        root.addHandler(file_handler)
    # httpx logs every request URL at INFO, and URLs carry api_key: keep it quiet.
    for noisy in ("httpx", "httpcore", "aiohttp.access"):
        logging.getLogger(noisy).setLevel(logging.WARNING)


def in_files(message: str) -> None:
    """``message`` (an error the command prints itself) into the ``--log-file``, if any, and
    not again on the console."""
    root = logging.getLogger(LOGGER)
    record = root.makeRecord(LOGGER, logging.ERROR, __file__, 0, message, (), None)
    for handler in root.handlers:
        if isinstance(handler, logging.FileHandler):
            handler.handle(record)
