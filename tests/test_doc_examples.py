"""Docs that run: every ```python and ```sql block in README.md and docs/*.md is executed.

They run against a small collection, with every part, exported the way the docs name the
outputs, in a working directory holding ``tmdb_collection.db``, ``movies.json``,
``movies.jsonl``, ``movies.duckdb``, ``tables/`` (parquet), ``out/`` (parquet and csv) and
``tables-de/`` (parquet, ``--language de-DE --fallback en-US``),
and a small TV collection (on the fake TV API) as ``tv.db``, ``tv.json`` and ``tv-out/``.
Python blocks run each on its own, as a reader would paste them; SQL blocks run in an in-memory
DuckDB from that directory, so relative paths such as ``'tables/crew.parquet'`` resolve.
Examples that collect reach the session's simulator through ``TMDB_BASE_URL``. An example that
breaks fails its test.
"""

from __future__ import annotations

import asyncio
import re
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.cli_helpers import TEST_KEY, collect_args, run_cli
from tests.conftest import REPO, TINY_PLAN, FakeClock, SmallCollection, mock_client
from tests.tv_fake import FakeTV
from tmdb_collector.engine.collector import Collector
from tmdb_collector.export.exporter import export
from tmdb_collector.export.localize import Localization
from tmdb_collector.media import TV
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^```(python|sql)[ \t]*\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)
EXPORTS = [
    ("json", "movies.json"),
    ("jsonl", "movies.jsonl"),
    ("duckdb", "movies.duckdb"),
    ("parquet", "tables"),
    ("parquet", "out"),
    ("csv", "out"),
]


def examples() -> list[tuple[str, str, str]]:
    """``(where, language, code)`` of every runnable block; ``where`` is ``file:line``."""
    found = []
    for path in DOCS:
        text = path.read_text(encoding="utf-8")
        for match in FENCE.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            found.append((f"{path.relative_to(REPO)}:{line}", match.group(1), match.group(2)))
    return found


EXAMPLES = examples()


@pytest.fixture(scope="module")
def workdir(small_collection: SmallCollection, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("docs")
    database = folder / "tmdb_collection.db"
    shutil.copyfile(small_collection.db, database)
    # Every part, so the examples of every part's table have rows to work on.
    grown = run_cli(collect_args(database, small_collection.base_url, *TINY_PLAN, "--parts", "all"))
    assert grown.returncode == 0, grown.stderr
    with Store.open_existing(database) as store:
        for fmt, name in EXPORTS:
            export(store, fmt, folder / name)
        export(store, "parquet", folder / "tables-de", locale=Localization("de-DE", ("en-US",)))
    asyncio.run(_tv_collection(folder))
    return folder


async def _tv_collection(folder: Path) -> None:
    """Every TV part of a few series, exported where the TV examples read it."""
    plan = Plan(media="tv", popular_pages=1, genre_pages=0, parts=TV.part_names)
    with Store.create_or_open(folder / "tv.db", plan) as store:
        async with mock_client(FakeTV(count=12), FakeClock()) as client:
            outcome = await Collector(store, client, plan, concurrency=2).run()
        assert outcome.status == "complete", outcome
        export(store, "json", folder / "tv.json")
        export(store, "parquet", folder / "tv-out")


def test_the_docs_have_examples_of_both_kinds() -> None:
    languages = [language for _, language, _ in EXAMPLES]
    assert languages.count("python") >= 4
    assert languages.count("sql") >= 4
    where = {w.split(":")[0] for w, _, _ in EXAMPLES}
    assert {"README.md", "docs/tables.md", "docs/duckdb.md", "docs/python-api.md"} <= where


@pytest.mark.parametrize(("where", "language", "code"), EXAMPLES, ids=[w for w, _, _ in EXAMPLES])
def test_example_runs(
    where: str,
    language: str,
    code: str,
    workdir: Path,
    small_collection: SmallCollection,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(workdir)
    # A reader who collects in an example has a key; here TMDB is the session's simulator.
    monkeypatch.setenv("TMDB_API_KEY", TEST_KEY)
    monkeypatch.setenv("TMDB_BASE_URL", small_collection.base_url)
    if language == "python":
        exec(compile(code, where, "exec"), {"__name__": "__doc_example__"})
        return
    with duckdb.connect() as db:
        for statement in split_sql(code):
            db.execute(statement).fetchall()


def split_sql(script: str) -> list[str]:
    """The statements of ``script`` (the examples hold no ``;`` inside strings)."""
    return [s.strip() for s in script.split(";") if s.strip() and not _only_comments(s)]


def _only_comments(statement: str) -> bool:
    return all(not line.strip() or line.strip().startswith("--") for line in statement.splitlines())
