"""Reading a checkpoint database without disturbing its writer, checking it, and comparing
exports: what the crash and fault tests assert after every run."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

STAGES = ("popular", "discover", "details")
STARTUP = "startup"

# ---- reading the store ----------------------------------------------------------------------


@dataclass(frozen=True)
class Progress:
    """What a checkpoint database holds, read without disturbing its writer."""

    popular: int  # /movie/popular pages done
    discover: int  # /discover/movie pages done
    pages_failed: int
    ids: int  # ids harvested
    resolved: int  # ids done, not found or failed
    movies: int  # rows in movies

    @property
    def units(self) -> int:
        """Committed units of work; grows with every commit of a fault-free run."""
        return self.popular + self.discover + self.resolved


def _read_only(db: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{db.resolve().as_uri()}?mode=ro", uri=True, timeout=2)


def read_progress(db: Path) -> Progress | None:
    """The store's progress, or ``None`` while it does not exist or has no schema yet."""
    if not db.exists() or db.stat().st_size == 0:
        return None
    try:
        connection = _read_only(db)
        try:
            pages = dict(
                connection.execute(
                    "SELECT q.stage, COUNT(*) FROM pages p JOIN queries q ON q.key = p.query_key"
                    " WHERE p.status = 'done' GROUP BY q.stage"
                ).fetchall()
            )
            failed = connection.execute(
                "SELECT COUNT(*) FROM pages WHERE status = 'failed'"
            ).fetchone()[0]
            ids = dict(
                connection.execute("SELECT status, COUNT(*) FROM ids GROUP BY status").fetchall()
            )
            movies = connection.execute("SELECT COUNT(*) FROM items").fetchone()[0]
        finally:
            connection.close()
    except sqlite3.Error:
        return None
    return Progress(
        popular=int(pages.get("popular", 0)),
        discover=int(pages.get("discover", 0)),
        pages_failed=int(failed),
        ids=sum(int(n) for n in ids.values()),
        resolved=sum(int(ids.get(s, 0)) for s in ("done", "not_found", "failed")),
        movies=int(movies),
    )


@dataclass(frozen=True)
class Totals:
    """The size of each stage, read from a finished (reference) collection."""

    popular: int
    discover: int
    ids: int

    @classmethod
    def of(cls, db: Path) -> Totals:
        progress = read_progress(db)
        if progress is None or progress.resolved != progress.ids or progress.pages_failed:
            raise AssertionError(f"{db} is not a finished, fault-free collection: {progress}")
        return cls(progress.popular, progress.discover, progress.ids)

    def stage_of(self, progress: Progress | None) -> str:
        """The first stage the store has not finished (``complete`` when none)."""
        if progress is None:
            return STARTUP
        if progress.popular < self.popular:
            return "popular"
        if progress.discover < self.discover:
            return "discover"
        if progress.resolved < self.ids:
            return "details"
        return "complete"


def check_store(db: Path) -> list[str]:
    """Consistency problems of a (possibly just killed) store; ``[]`` when it is sound.

    Every unit is committed with its checkpoint in one transaction, so whatever the moment of
    the kill: a done id has its movie row and vice versa, a harvested id has its provenance, and
    provenance only comes from pages recorded as done.
    """
    if read_progress(db) is None:
        return []  # killed before the schema was committed: nothing to be inconsistent
    checks = {
        "integrity": "PRAGMA quick_check",
        "done ids without a movie row": (
            "SELECT COUNT(*) FROM ids i LEFT JOIN items m ON m.id = i.id"
            " WHERE i.status = 'done' AND m.id IS NULL"
        ),
        "movie rows whose id is not done": (
            "SELECT COUNT(*) FROM items m LEFT JOIN ids i ON i.id = m.id"
            " WHERE i.status IS NULL OR i.status != 'done'"
        ),
        "ids without provenance": (
            "SELECT COUNT(*) FROM ids i WHERE NOT EXISTS"
            " (SELECT 1 FROM provenance p WHERE p.item_id = i.id)"
        ),
        "parts of no movie row": (
            "SELECT COUNT(*) FROM parts p LEFT JOIN items m ON m.id = p.item_id WHERE m.id IS NULL"
        ),
        "provenance from pages not done": (
            "SELECT COUNT(*) FROM provenance p LEFT JOIN pages g ON g.query_key = p.query_key"
            " AND g.page = p.page AND g.status = 'done' WHERE g.page IS NULL"
        ),
        "done pages whose results are missing": (
            "SELECT COUNT(*) FROM pages g WHERE g.status = 'done' AND g.results >"
            " (SELECT COUNT(*) FROM provenance p WHERE p.query_key = g.query_key"
            " AND p.page = g.page)"
        ),
    }
    problems = []
    connection = _read_only(db)
    try:
        for name, sql in checks.items():
            value = connection.execute(sql).fetchone()[0]
            if value not in (0, "ok"):
                problems.append(f"{db.name}: {name}: {value}")
    finally:
        connection.close()
    return problems


# ---- exports --------------------------------------------------------------------------------


class DuplicateKeyError(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        twice = sorted(key for key, count in Counter(k for k, _ in pairs).items() if count > 1)
        raise DuplicateKeyError(f"duplicate keys {twice[:5]}")
    return result


def load_export(path: Path) -> dict[str, Any]:
    """Parse ``movies.json``; any object with a key twice (top level or nested) is an error."""
    data = json.loads(path.read_text(encoding="utf-8"), object_pairs_hook=_no_duplicates)
    if not isinstance(data, dict):
        raise ValueError(f"{path} is not a JSON object")
    return data


def export_movies(db: Path, out: Path, env: dict[str, str]) -> Path:
    result = run_collect(
        [sys.executable, "-m", "tmdb_collector", "export", "--db", str(db), "--out", str(out)],
        env,
    )
    if result.returncode != 0:
        raise AssertionError(f"export of {db} failed: {result.stderr.strip()}")
    return out


def compare_exports(reference: dict[str, Any], candidate_path: Path) -> list[str]:
    """Differences between ``candidate_path`` and the reference export; ``[]`` when equal:
    the same ids, the same bodies, no duplicate keys, each record under its own id."""
    try:
        candidate = load_export(candidate_path)
    except (ValueError, OSError) as exc:
        return [f"{candidate_path.name}: {exc}"]
    problems = []
    missing = sorted(set(reference) - set(candidate), key=int)
    extra = sorted(set(candidate) - set(reference), key=int)
    if missing:
        problems.append(f"{len(missing)} ids missing, e.g. {missing[:5]}")
    if extra:
        problems.append(f"{len(extra)} ids too many, e.g. {extra[:5]}")
    differing = [key for key in reference if key in candidate and candidate[key] != reference[key]]
    if differing:
        problems.append(f"{len(differing)} bodies differ, e.g. {differing[:5]}")
    misfiled = [key for key, movie in candidate.items() if str(movie.get("id")) != key]
    if misfiled:
        problems.append(f"{len(misfiled)} records under another id, e.g. {misfiled[:5]}")
    return problems


def remove_db(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        path = Path(str(db) + suffix)
        if path.exists():
            os.remove(path)


def run_collect(
    command: Sequence[str], env: dict[str, str], timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        list(command), capture_output=True, text=True, env=env, timeout=timeout, check=False
    )
