"""`sync --to postgresql://...` against a real PostgreSQL server (tests/support/postgres.py):
the first sync equals the parquet export table by table and row for row; after a week of daily
`update` runs (one per simulated day) the next one rewrites only the changed titles and equals
it again; a first sync or a later one killed mid-way leaves the previous state (none at all for
a first) and a rerun completes; bad input is one line."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import signal
import sqlite3
import subprocess
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import psycopg
import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import collect_args, run_cli, start_cli, update_args
from tests.support.lines import HANG_GUARD, Lines
from tests.support.postgres import PgServer
from tmdb_collector.media.rows import NOT_REFERENCES, ROLE_NUMBER
from tmdb_collector.simulator import RunningSimulator, SimulatorConfig, running_simulator
from tmdb_collector.store.store import Store
from tmdb_collector.sync.source import scopes

DAY0 = dt.date(2026, 11, 10)
WEEK = [DAY0 + dt.timedelta(days=n) for n in range(1, 8)]  # a daily `update` on each
PLAN = [
    "--popular-pages",
    "5",
    "--genre-pages",
    "2",
    "--genres",
    "28,35",
    "--parts",
    "credits,keywords,watch/providers",
    "--linked",
    "people,collections",
    "--linked-cast",
    "2",
    "--linked-crew",
    "none",
]
CATALOG = 80  # movies: small enough that each day changes some the collection holds
STATE, UNITS = "_tmdb_sync", "_tmdb_sync_units"


def simulator(today: dt.date) -> AbstractContextManager[RunningSimulator]:
    config = SimulatorConfig(catalog_size=CATALOG, tv_catalog_size=300, seed=7, today=today)
    return running_simulator(config)


def fingerprints(db: Path) -> dict[int, str]:
    with Store.open_existing(db) as store:
        return store.item_fingerprints(store.plan().parts)


def changed_titles(before: dict[int, str], after: dict[int, str]) -> set[int]:
    return {i for i in before.keys() & after.keys() if before[i] != after[i]}


@pytest.fixture(scope="module")
def collections(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The same collection on DAY0 and, after a week of daily `update` runs (each against
    the simulator of its day), a copy of it."""
    folder = tmp_path_factory.mktemp("pg-sync")
    day0, week = folder / "day0.db", folder / "week.db"
    with simulator(DAY0) as sim:
        first = run_cli(collect_args(day0, sim.base_url, *PLAN, rate="1000"))
        assert first.returncode == 0, first.stderr
    shutil.copy(day0, week)
    changed_on: list[int] = []  # titles each day's update changed
    for day in WEEK:
        before = fingerprints(week)
        with simulator(day) as sim:
            update = run_cli(update_args(week, sim.base_url))
            assert update.returncode == 0, update.stderr
        changed_on.append(len(changed_titles(before, fingerprints(week))))
    # A week of updates, not one: titles changed on several of its days.
    assert sum(1 for count in changed_on if count) >= 3, changed_on
    return {"day0": day0, "week": week}


def sync_args(db: Path, dsn: str, *extra: str, progress: str = "plain") -> list[str]:
    return ["sync", "--db", str(db), "--to", dsn, "--progress", progress, *extra]


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.UTC).isoformat()
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _sorted(rows: Iterator[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    return sorted((tuple(_plain(v) for v in row) for row in rows), key=repr)


def parquet_rows(folder: Path) -> dict[str, list[tuple[Any, ...]]]:
    found = {}
    for path in sorted(folder.glob("*.parquet")):
        table = pq.read_table(path)
        found[path.stem] = _sorted(iter(zip(*table.to_pydict().values(), strict=True)))
    return found


def pg_rows(dsn: str, schema: str) -> dict[str, list[tuple[Any, ...]]]:
    with psycopg.connect(dsn) as conn:
        names = [
            row[0]
            for row in conn.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = %s",
                (schema,),
            )
            if row[0] not in (STATE, UNITS)
        ]
        return {name: _sorted(conn.execute(f'SELECT * FROM {schema}."{name}"')) for name in names}


def export_parquet(db: Path, out: Path) -> dict[str, list[tuple[Any, ...]]]:
    result = run_cli(["export", "--db", str(db), "--format", "parquet", "--out", str(out)])
    assert result.returncode == 0, result.stderr
    return parquet_rows(out)


def assert_same(pg: dict[str, Any], parquet: dict[str, Any]) -> None:
    assert sorted(pg) == sorted(parquet)
    for name in parquet:
        assert len(pg[name]) == len(parquet[name]), name
        assert pg[name] == parquet[name], name


def sync_number(dsn: str, schema: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(f"SELECT number FROM {schema}.{STATE}").fetchone()
    assert row is not None
    return int(row[0])


def test_first_sync_then_changes_only_match_the_parquet_export(
    pg_server: PgServer, collections: dict[str, Path], tmp_path: Path
) -> None:
    dsn, day0 = pg_server.dsn(), tmp_path / "c.db"
    shutil.copy(collections["day0"], day0)
    first = run_cli(sync_args(day0, dsn))
    assert first.returncode == 0, first.stderr
    assert "sync 1, full load" in first.stdout
    assert pg_server.password not in first.stdout + first.stderr
    expected = export_parquet(day0, tmp_path / "day0")
    assert {"movies", "cast", "provenance", "availability", "part_versions", "people"} <= set(
        expected
    )
    assert_same(pg_rows(dsn, "tmdb"), expected)
    before = fingerprints(day0)
    with psycopg.connect(dsn) as conn:
        versions = dict(conn.execute("SELECT id, xmin::text FROM tmdb.movies").fetchall())

    # The same collection after a week of daily `update` runs (a copy keeps its identity).
    shutil.copy(collections["week"], day0)
    second = run_cli(sync_args(day0, dsn))
    assert second.returncode == 0, second.stderr
    assert "sync 2, changes only" in second.stdout
    assert_same(pg_rows(dsn, "tmdb"), export_parquet(day0, tmp_path / "week"))
    after = fingerprints(day0)
    changed = changed_titles(before, after)
    assert 0 < len(changed) < len(after)
    with psycopg.connect(dsn) as conn:
        now = dict(conn.execute("SELECT id, xmin::text FROM tmdb.movies").fetchall())
    rewritten = {i for i in now.keys() & versions.keys() if now[i] != versions[i]}
    assert rewritten == changed  # the unchanged titles' rows were not touched
    assert f"movies 0 new, {len(changed)} changed, 0 removed" in second.stdout

    third = run_cli(sync_args(day0, dsn))  # nothing changed since
    assert "movies 0 new, 0 changed, 0 removed" in third.stdout, third.stdout
    assert "people 0 new, 0 changed, 0 removed" in third.stdout, third.stdout
    assert sync_number(dsn, "tmdb") == 3


def _touch(db: Path, ids: list[int]) -> None:
    """Make titles look saved again (as a refetch would), without the simulator."""
    with sqlite3.connect(db) as con:
        con.executemany(
            "UPDATE ids SET updated_at = '2099-01-01T00:00:00+00:00' WHERE id = ?",
            [(i,) for i in ids],
        )


def _synced_then_touched(
    source: Path, db: Path, dsn: str, schema: str, count: int
) -> dict[str, list[tuple[Any, ...]]]:
    """A copy of ``source`` synced once into ``schema`` (its rows returned), then its first
    ``count`` titles made to look saved again."""
    shutil.copy(source, db)
    assert run_cli(sync_args(db, dsn, "--schema", schema)).returncode == 0
    with sqlite3.connect(db) as con:
        ids = [row[0] for row in con.execute("SELECT id FROM items ORDER BY id LIMIT ?", (count,))]
    _touch(db, ids)
    return pg_rows(dsn, schema)


def _stopped_at(sync: subprocess.Popen[str], last: str) -> tuple[list[str], str]:
    """SIGKILL the sync (run with ``--progress json``) once it says it has begun stage
    ``last`` (its own event on stderr, read as written); its stage events up to there, and
    all it wrote."""
    assert sync.stderr is not None
    lines = Lines(sync.stderr)
    try:
        lines.wait_for(f'"stage": "{last}"')
    finally:
        sync.send_signal(signal.SIGKILL)
        sync.wait(timeout=HANG_GUARD)
    text = lines.all()
    for pipe in (sync.stdout, sync.stderr):
        if pipe is not None:
            pipe.close()
    events = [json.loads(line) for line in text.splitlines() if line.startswith("{")]
    return [event["stage"] for event in events if event.get("event") == "stage"], text


def test_a_server_error_mid_sync_names_the_problem(
    pg_server: PgServer, collections: dict[str, Path], tmp_path: Path
) -> None:
    """The server cancels the sync (its role's lock_timeout, while the test holds the row the
    commit rewrites): the one-line error says why, not only where, and nothing changed."""
    dsn, db, schema = pg_server.dsn(), tmp_path / "c.db", "cancelled"
    before = _synced_then_touched(collections["day0"], db, dsn, schema, 3)
    impatient = dsn + "?options=-c%20lock_timeout%3D100"
    with psycopg.connect(dsn) as holder:
        holder.execute(f"SELECT * FROM {schema}.{STATE} FOR UPDATE")
        result = run_cli(sync_args(db, impatient, "--schema", schema))
        holder.rollback()
    assert result.returncode == 1, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "canceling statement due to lock timeout" in lines[0]
    assert "keeps the previous sync's state" in lines[0]
    assert pg_server.password not in result.stdout + result.stderr
    assert pg_rows(dsn, schema) == before
    assert sync_number(dsn, schema) == 1


HOLD = 2626  # the advisory lock the test holds and the first sync's indexing asks for


def test_a_first_sync_killed_mid_load_leaves_nothing(
    pg_server: PgServer, collections: dict[str, Path], tmp_path: Path
) -> None:
    """SIGKILL during the first load (every row copied, the last scope's keys being added,
    nothing committed): the server has no schema, table or sync point, nor has the
    collection; the rerun loads everything and equals the parquet export."""
    from tmdb_collector.sync.run import keys_after_load

    db = tmp_path / "c.db"
    shutil.copy(collections["day0"], db)
    with Store.open_existing(db) as store:
        last = [s for table in scopes(store)[-1].tables for s in keys_after_load("tmdb", table)]
    assert last
    with psycopg.connect(pg_server.dsn(), autocommit=True) as conn:
        conn.execute("CREATE DATABASE firstload")
    dsn = pg_server.dsn("firstload")
    with psycopg.connect(dsn, autocommit=True) as watcher:
        # In this database only: the last scope's ALTER TABLE / CREATE INDEX (its keys, added
        # after every COPY) first takes the advisory lock the test holds.
        held = ", ".join("'" + statement.replace("'", "''") + "'" for statement in last)
        watcher.execute(
            "CREATE FUNCTION public.hold() RETURNS event_trigger LANGUAGE plpgsql AS"
            f" $$ BEGIN IF current_query() IN ({held}) THEN"
            f" PERFORM pg_advisory_xact_lock({HOLD}); END IF; END $$"
        )
        watcher.execute(
            "CREATE EVENT TRIGGER hold ON ddl_command_end"
            " WHEN TAG IN ('ALTER TABLE', 'CREATE INDEX') EXECUTE FUNCTION public.hold()"
        )
        watcher.execute("SELECT pg_advisory_lock(%s)", (HOLD,))
        sync = start_cli(sync_args(db, dsn, progress="json"))
        # Killed in the keys' stage: the last scope's first ALTER TABLE / CREATE INDEX waits
        # on the hold.
        stages, err = _stopped_at(sync, "indexing")
        assert sync.returncode == -signal.SIGKILL, err
        assert stages == ["comparing", "writing", "indexing"], stages
        assert "committing" not in err
        watcher.execute("SELECT pg_advisory_unlock(%s)", (HOLD,))
        # The killed client's backend (queued first) takes the hold, notices the closed
        # connection once its statement ends, and rolls back, which lets the hold go: taking
        # it again waits on that, on the server (the timeout only fails a hang).
        watcher.execute(f"SET lock_timeout = '{int(HANG_GUARD)}s'")
        watcher.execute("SELECT pg_advisory_lock(%s)", (HOLD,))
        watcher.execute("SELECT pg_advisory_unlock(%s)", (HOLD,))
        watcher.execute("DROP EVENT TRIGGER hold")
        found = watcher.execute(
            "SELECT n.nspname, c.relname FROM pg_class c JOIN pg_namespace n"
            " ON n.oid = c.relnamespace WHERE n.nspname = 'tmdb' OR c.relname = %s",
            (STATE,),
        ).fetchall()
        schema = watcher.execute("SELECT 1 FROM pg_namespace WHERE nspname = 'tmdb'").fetchone()
    assert found == []  # no half-written table, no sync point
    assert schema is None
    with sqlite3.connect(db) as con:
        point = con.execute("SELECT value FROM meta WHERE key = 'pg_sync'").fetchone()
    assert point is None  # nor does the collection think a sync was made

    again = run_cli(sync_args(db, dsn))
    assert again.returncode == 0, again.stderr
    assert "sync 1, full load" in again.stdout
    assert "notice" not in again.stderr.lower(), again.stderr
    assert sync_number(dsn, "tmdb") == 1
    assert_same(pg_rows(dsn, "tmdb"), export_parquet(db, tmp_path / "tables"))


def test_a_sync_killed_mid_way_keeps_the_previous_state(
    pg_server: PgServer, collections: dict[str, Path], tmp_path: Path
) -> None:
    dsn, db, schema = pg_server.dsn(), tmp_path / "c.db", "killed"
    before = _synced_then_touched(collections["day0"], db, dsn, schema, 5)
    with sqlite3.connect(db) as con:  # two titles TMDB deleted since: their rows must go
        gone = [row[0] for row in con.execute("SELECT id FROM items ORDER BY id DESC LIMIT 2")]
        con.executemany("UPDATE ids SET status = 'not_found' WHERE id = ?", [(i,) for i in gone])
        # and one that lost a part: its rows leave the title tables (its history stays)
        (lacking,) = con.execute("SELECT id FROM items ORDER BY id LIMIT 1 OFFSET 10").fetchone()
        con.execute("DELETE FROM parts WHERE item_id = ? AND name = 'keywords'", (lacking,))
    with psycopg.connect(dsn) as holder:
        holder.execute(f"SELECT * FROM {schema}.{STATE} FOR UPDATE")  # its commit waits on us
        sync = start_cli(sync_args(db, dsn, "--schema", schema, progress="json"))
        _, err = _stopped_at(sync, "committing")  # every row written, the commit not made
        holder.rollback()
    assert sync.returncode == -signal.SIGKILL, err
    assert pg_rows(dsn, schema) == before
    assert sync_number(dsn, schema) == 1
    again = run_cli(sync_args(db, dsn, "--schema", schema))
    assert again.returncode == 0, again.stderr
    assert "movies 0 new, 6 changed, 2 removed" in again.stdout
    assert sync_number(dsn, schema) == 2
    assert_same(pg_rows(dsn, schema), export_parquet(db, tmp_path / "tables"))


def test_bad_input_is_one_line_and_writes_nothing(
    pg_server: PgServer, collections: dict[str, Path], tmp_path: Path
) -> None:
    db = tmp_path / "c.db"
    shutil.copy(collections["day0"], db)
    secret = pg_server.password
    outputs = []

    def refused(dsn: str, *extra: str, code: int) -> str:
        result = run_cli(sync_args(db, dsn, *extra))
        outputs.append(result.stdout + result.stderr)
        assert result.returncode == code, result.stderr
        assert "Traceback" not in result.stderr
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1, result.stderr
        return lines[0]

    closed = pg_server.dsn().replace(f":{pg_server.port}/", ":1/")
    line = refused(closed, code=1)
    assert "cannot connect to postgresql://postgres@127.0.0.1:1/postgres" in line
    line = refused(pg_server.dsn(password="wrong-password"), code=2)
    assert "refused the credentials" in line
    assert "password authentication failed" in line
    line = refused(pg_server.dsn(password=""), code=2)
    assert "asks for a password: give it in the URL, PGPASSWORD or ~/.pgpass" in line

    dsn = pg_server.dsn()
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE ROLE other")
        conn.execute("CREATE SCHEMA theirs AUTHORIZATION other")
        conn.execute("CREATE SCHEMA clash")
        conn.execute("CREATE TABLE clash.movies (id integer, title text)")
    line = refused(dsn, "--schema", "theirs", code=2)
    assert "schema theirs on postgresql://postgres@127.0.0.1" in line
    assert "owned by role other" in line
    line = refused(dsn, "--schema", "clash", code=2)
    assert "table clash.movies" in line
    assert "other columns" in line
    with psycopg.connect(dsn) as conn:
        tables = conn.execute(
            "SELECT table_schema, table_name FROM information_schema.tables"
            " WHERE table_schema IN ('theirs', 'clash')"
        ).fetchall()
    assert tables == [("clash", "movies")]  # nothing half-written beside it

    # A schema that mirrors another collection is refused.
    assert run_cli(sync_args(db, dsn, "--schema", "mine")).returncode == 0
    other = tmp_path / "other.db"
    with simulator(DAY0) as sim:
        made = run_cli(collect_args(other, sim.base_url, "--popular-pages", "1", rate="1000"))
        assert made.returncode == 0, made.stderr
    with sqlite3.connect(other) as con:
        con.execute("UPDATE meta SET value = '2000-01-01T00:00:00+00:00' WHERE key='created_at'")
    result = run_cli(sync_args(other, dsn, "--schema", "mine"))
    outputs.append(result.stdout + result.stderr)
    assert result.returncode == 2
    assert "mirrors another collection" in result.stderr
    assert all(secret not in text for text in outputs)
    assert secret.encode() not in db.read_bytes()


def test_a_restored_server_is_noticed_and_brought_up_to_date(
    pg_server: PgServer, collections: dict[str, Path], tmp_path: Path
) -> None:
    dsn, db = pg_server.dsn(), tmp_path / "c.db"
    shutil.copy(collections["day0"], db)
    assert run_cli(sync_args(db, dsn, "--schema", "restored")).returncode == 0
    with sqlite3.connect(db) as con:  # as if the server had since lost syncs 2 to 4
        (points,) = con.execute("SELECT value FROM meta WHERE key = 'pg_sync'").fetchone()
        marks = {key: {**value, "number": 4} for key, value in json.loads(points).items()}
        con.execute("UPDATE meta SET value = ? WHERE key = 'pg_sync'", (json.dumps(marks),))
    result = run_cli(sync_args(db, dsn, "--schema", "restored"))
    assert result.returncode == 0, result.stderr
    assert "restored to an earlier state" in result.stderr
    assert sync_number(dsn, "restored") == 2


def test_a_tv_collection_syncs_its_own_tables(pg_server: PgServer, tmp_path: Path) -> None:
    """Nothing in the sync asks which media type it writes: a TV collection's tables (with
    its seasons and the networks it links to) arrive as its parquet export has them."""
    db, dsn = tmp_path / "tv.db", pg_server.dsn()
    plan = ["--media", "tv", "--popular-pages", "1", "--genre-pages", "1", "--linked", "networks"]
    with simulator(DAY0) as sim:
        made = run_cli(collect_args(db, sim.base_url, *plan, rate="1000"))
        assert made.returncode == 0, made.stderr
    result = run_cli(sync_args(db, dsn, "--schema", "tv"))
    assert result.returncode == 0, result.stderr
    assert "series " in result.stdout
    expected = export_parquet(db, tmp_path / "tables")
    assert "networks" in expected
    assert_same(pg_rows(dsn, "tv"), expected)


def test_every_table_gets_its_keys_and_join_indexes(
    pg_server: PgServer, collections: dict[str, Path], tmp_path: Path
) -> None:
    """A first load's primary keys (those leading with the title's or entity's id are made
    with the table, the others after the load) and its indexes on the join keys, as
    docs/sync.md lists them. It analyzes nothing itself: autovacuum does after the commit
    (until then the next sync's deletes by title are planned as index scans all the same:
    EXPLAIN at 20,000 movies in docs/benchmarks.md, too large for this collection to show)."""
    from tmdb_collector.sync.source import scopes

    dsn, db = pg_server.dsn(), tmp_path / "c.db"
    shutil.copy(collections["day0"], db)
    assert run_cli(sync_args(db, dsn, "--schema", "keyed")).returncode == 0
    with Store.open_existing(db) as store:
        tables = [table for scope in scopes(store) for table in scope.tables]
    expected_keys = {table.name: list(table.key) for table in tables if table.key}
    assert {"movies", "cast", "people"} <= set(expected_keys)
    with psycopg.connect(dsn) as conn:
        keys = {
            str(table): [str(column) for column in columns]
            for table, columns in conn.execute(
                "SELECT r.relname, array_agg(a.attname ORDER BY k.n)"
                " FROM pg_constraint c CROSS JOIN unnest(c.conkey) WITH ORDINALITY k(attnum, n)"
                " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum"
                " JOIN pg_class r ON r.oid = c.conrelid"
                " WHERE c.contype = 'p' AND c.connamespace = 'keyed'::regnamespace"
                " GROUP BY r.relname"
            )
        }
        indexed = {
            (str(table), str(column))
            for table, column in conn.execute(
                "SELECT tablename, substring(indexdef from '\\(([^,)]*)[,)]')"
                " FROM pg_indexes WHERE schemaname = 'keyed'"
            )
        }
        analyzed = conn.execute(  # by an ANALYZE (autovacuum's are last_autoanalyze)
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = 'keyed'"
            " AND last_analyze IS NOT NULL"
        ).fetchall()
    assert {name: columns for name, columns in keys.items() if name != UNITS} == expected_keys
    for table in tables:  # every join key leads an index (the key's or its own)
        assert (table.name, table.unit_column) in indexed, table.name
        for column in table.columns:
            if column.kind == "int" and column.name.endswith("_id"):
                joins = column.name not in NOT_REFERENCES
                assert ((table.name, column.name) in indexed) == joins, (table.name, column.name)
    assert ("cast", ROLE_NUMBER) not in indexed  # the role's number within a title joins nothing
    assert analyzed == []


def test_a_scopes_keys_are_built_while_the_next_scopes_rows_are_sent(
    pg_server: PgServer,
    collections: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A first load sends the titles' fingerprints before their rows and their keys and
    indexes right after them, before the linked entities' rows (the server builds them while
    the client builds those); the keys made early are there after the sync."""
    from tmdb_collector.sync.run import keys_after_load, sync
    from tmdb_collector.sync.target import parse_target

    db, schema = tmp_path / "c.db", "early"
    shutil.copy(collections["day0"], db)
    sent: list[str] = []
    execute, copy = psycopg.Cursor.execute, psycopg.Cursor.copy

    def text(cur: psycopg.Cursor[Any], statement: Any) -> str:
        if isinstance(statement, bytes):
            return statement.decode()
        return statement if isinstance(statement, str) else statement.as_string(cur)

    def spy_execute(self: psycopg.Cursor[Any], statement: Any, *args: Any, **kw: Any) -> Any:
        sent.append(text(self, statement))
        return execute(self, statement, *args, **kw)

    def spy_copy(self: psycopg.Cursor[Any], statement: Any, *args: Any, **kw: Any) -> Any:
        sent.append(text(self, statement))
        return copy(self, statement, *args, **kw)

    monkeypatch.setattr(psycopg.Cursor, "execute", spy_execute)
    monkeypatch.setattr(psycopg.Cursor, "copy", spy_copy)
    with Store.open_existing(db) as store:
        titles, people = scopes(store)[:2]
        sync(store, parse_target(pg_server.dsn(), schema))
    monkeypatch.undo()
    assert people.name == "person"
    early = [s for table in titles.tables for s in keys_after_load(schema, table)]
    assert early
    assert all(statement in sent for statement in early)
    first_person_row = min(
        n for n, statement in enumerate(sent) if statement.startswith(f'COPY "{schema}"."people"')
    )
    assert max(sent.index(statement) for statement in early) < first_person_row
    # each scope's fingerprints go before its rows (the server writes them while the first
    # batch is built), not after the last COPY
    copies = [statement.split()[1] for statement in sent if statement.startswith("COPY")]
    assert copies.index(f'"{schema}"."_tmdb_sync_units"') < copies.index(f'"{schema}"."movies"')
    assert not [statement for statement in sent if statement.startswith("ANALYZE")]
    with psycopg.connect(pg_server.dsn()) as conn:
        indexes = {
            str(row[0])
            for row in conn.execute(
                "SELECT indexname FROM pg_indexes WHERE schemaname = %s", (schema,)
            )
        }
    assert {"movies_pkey", "cast_person_id_idx", "people_pkey"} <= indexes


def test_after_a_sync_the_next_reads_only_the_titles_written_since(
    pg_server: PgServer,
    collections: dict[str, Path],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """From its first sync on the collection keeps a change log: after days of `update` on it,
    the next sync asks for the fingerprints of the titles written since only (not of every
    title), rewrites those whose fingerprint changed and equals the parquet export again. A
    copy of the collection from before (a file restored from a backup) is noticed, compared
    title by title and brought back."""
    from tmdb_collector.api import Collection

    dsn, db, backup, schema = pg_server.dsn(), tmp_path / "c.db", tmp_path / "b.db", "logged"
    shutil.copy(collections["day0"], db)
    assert run_cli(sync_args(db, dsn, "--schema", schema)).returncode == 0
    shutil.copy(db, backup)
    before = fingerprints(db)
    with psycopg.connect(dsn) as conn:
        versions = dict(conn.execute(f"SELECT id, xmin::text FROM {schema}.movies").fetchall())
    for day in WEEK[:3]:
        with simulator(day) as sim:
            update = run_cli(update_args(db, sim.base_url))
            assert update.returncode == 0, update.stderr
    after = fingerprints(db)
    changed = changed_titles(before, after)
    assert changed

    asked: list[Any] = []
    read = Store.item_fingerprints

    def spy(self: Store, parts: Any, **options: Any) -> dict[int, str]:
        asked.append(options.get("ids"))
        return read(self, parts, **options)

    monkeypatch.setattr(Store, "item_fingerprints", spy)
    with Collection.open(db) as collection:
        result = collection.sync(dsn, schema)
    monkeypatch.undo()
    assert len(asked) == 1
    assert asked[0] is not None  # not every title's
    assert changed <= set(asked[0])
    assert len(asked[0]) < len(after)
    assert result.units["movies"].changed == len(changed)
    new = after.keys() - before.keys()
    assert result.units["movies"].unchanged == len(after) - len(changed) - len(new)
    assert_same(pg_rows(dsn, schema), export_parquet(db, tmp_path / "after"))
    with psycopg.connect(dsn) as conn:
        now = dict(conn.execute(f"SELECT id, xmin::text FROM {schema}.movies").fetchall())
    assert {i for i in now.keys() & versions.keys() if now[i] != versions[i]} == changed

    restored = run_cli(sync_args(backup, dsn, "--schema", schema))
    assert restored.returncode == 0, restored.stderr
    assert "a collection restored from an earlier file" in restored.stderr
    assert f"{len(changed)} changed" in restored.stdout
    assert_same(pg_rows(dsn, schema), export_parquet(backup, tmp_path / "backup"))


def test_changed_linked_entities_are_read_as_stored(
    collections: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changes-only sync reads the changed linked entities as stored, as a full load does:
    their bodies are never decoded to text (iter_linked) to be encoded back."""
    db = tmp_path / "c.db"
    shutil.copy(collections["day0"], db)
    with Store.open_existing(db) as store:
        people = next(scope for scope in scopes(store) if scope.name == "person")
        chosen = frozenset(sorted(people.fingerprints(None))[:3])
        assert len(chosen) == 3
        full = list(people.rows(chosen, frozenset(), True))
        monkeypatch.setattr(Store, "iter_linked", lambda *args: pytest.fail("bodies decoded"))
        assert list(people.rows(chosen, frozenset(), False)) == full


def test_a_changes_only_sync_reads_only_the_changed_titles_history(
    collections: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A changes-only sync reads the changed titles' history only (their watch/providers
    versions for ``availability``, their part versions for ``part_versions``), not the whole
    collection's to keep theirs, and builds the same rows as that whole read does."""
    db = tmp_path / "c.db"
    shutil.copy(collections["week"], db)
    with Store.open_existing(db) as store:
        titles = scopes(store)[0]
        assert {"availability", "part_versions"} <= {table.name for table in titles.tables}
        parts = ("details", *store.plan().parts)
        every = sorted(titles.fingerprints(None))
        changed = sorted({row[0] for row in store.version_rows(parts)})  # with past versions
        chosen = frozenset(changed[:2] + every[:1])
        assert len(chosen) == 3
        assert len(every) > 10
        full = list(titles.rows(chosen, frozenset(), True))
        assert {"availability", "part_versions"} <= {name for built in full for name in built}

        read: list[int] = []  # the titles whose history was read, once per read

        def spying(name: str) -> Any:
            method = getattr(Store, name)

            def spy(self: Store, *args: Any, **options: Any) -> Iterator[Any]:
                for row in method(self, *args, **options):
                    read.append(row[0])
                    yield row

            return spy

        for name in ("part_timelines", "version_rows"):
            monkeypatch.setattr(Store, name, spying(name))
        assert list(titles.rows(chosen, frozenset(), False)) == full
        assert read
        assert set(read) <= chosen
