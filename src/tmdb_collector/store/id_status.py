"""The statuses of an id in the ``ids`` table, and which of them TMDB still lists."""

from __future__ import annotations

from typing import Literal

IdStatus = Literal["pending", "done", "not_found", "failed", "removed"]

# Ids TMDB still lists (queued, collected, or failing for now): the ones a daily ID export
# that no longer lists them marks removed. not_found and removed ids are gone from TMDB.
LIVE: tuple[IdStatus, ...] = ("pending", "done", "failed")


def sql_list(statuses: tuple[IdStatus, ...]) -> str:
    """``statuses`` as an SQL list: ``status IN {sql_list(LIVE)}``."""
    return "(" + ", ".join(f"'{status}'" for status in statuses) + ")"
