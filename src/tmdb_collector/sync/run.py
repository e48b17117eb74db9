"""``tmdb-collector sync --to postgresql://...``: keep a PostgreSQL schema equal to the
collection's parquet export, writing only what changed since the last sync.

Each sync is one transaction: killed at any moment, the server keeps the previous sync's state
and the next run does the work again. Beside the tables the schema holds :data:`STATE` (which
collection it mirrors, the sync number, the tables and their columns) and :data:`UNITS` (each
title's and linked entity's fingerprint as last written, :mod:`.store.sync_reads`). A sync
compares the collection's fingerprints with those: the units whose fingerprint differs have all
their rows deleted and written again, those gone are deleted, new ones inserted, and the rest
are not touched. The first sync (or one whose tables changed, e.g. other parts) creates the
tables and loads every row with COPY, then adds the primary keys and the indexes.

The sync point (the number) is also kept in the collection (meta ``pg_sync``), so a server
restored to an earlier sync, or a collection restored to an earlier file, is noticed; since the
fingerprints travel in the server's own transaction, the difference written is right either
way. A schema that mirrors another collection is refused. When the two numbers agree, only the
units the collection's change log (:mod:`.store.change_log`) names as written since the last
sync are compared; otherwise every one.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import psycopg
from psycopg import errors, sql

from tmdb_collector.errors import CollectorError, ExportError, UsageError
from tmdb_collector.media.rows import NOT_REFERENCES
from tmdb_collector.media.table_schema import Column
from tmdb_collector.store import meta_keys
from tmdb_collector.store.store import Store
from tmdb_collector.sync.pg_schema import (
    PG_UDT,
    copy_statement,
    create_table,
    quoted,
)
from tmdb_collector.sync.sender import sending
from tmdb_collector.sync.source import Built, Scope, SyncTable, scopes
from tmdb_collector.sync.target import Target, connect, server_reason

STATE = "_tmdb_sync"  # one row: the collection mirrored, the sync number, the tables
UNITS = "_tmdb_sync_units"  # (scope, id, fingerprint) of every unit written
# The state's and the fingerprints' format: a sync that finds another one loads everything
# anew (with COPY) rather than finding every title changed and rewriting each.
STATE_VERSION = 2
CHANGES = "changes"  # the change log's mark at a sync, in the collection's record of it
INDEX_MEMORY = "256MB"  # maintenance_work_mem while the first load builds keys and indexes
# (stage, units done, units to write): stages "comparing", "writing", "indexing", "committing"
Progress = Callable[[str, int, int], None]


@dataclass
class TableCounts:
    inserted: int = 0  # rows of new titles (or entities)
    replaced: int = 0  # rows of changed ones, written again
    deleted: int = 0  # rows of removed ones


@dataclass
class UnitCounts:
    """What a sync did to one kind of unit (titles, or a linked entity type)."""

    new: int = 0
    changed: int = 0
    removed: int = 0
    unchanged: int = 0


@dataclass
class SyncResult:
    target: str
    schema: str
    number: int  # this sync's number in the schema (1: the first)
    full: bool  # every row loaded (first sync, or the tables changed)
    units: dict[str, UnitCounts] = field(default_factory=dict)  # by plural: movies, people...
    tables: dict[str, TableCounts] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)

    def summary(self) -> str:
        """One line: the units, then rows inserted, replaced and deleted per table."""
        how = "full load" if self.full else "changes only"
        units = "; ".join(
            f"{name} {u.new:,} new, {u.changed:,} changed, {u.removed:,} removed,"
            f" {u.unchanged:,} unchanged"
            for name, u in self.units.items()
        )
        per_table = "; ".join(
            f"{name} +{c.inserted:,} ~{c.replaced:,} -{c.deleted:,}"
            for name, c in self.tables.items()
            if c.inserted or c.replaced or c.deleted
        )
        return (
            f"Synced to {self.target} schema {self.schema} (sync {self.number}, {how}):"
            f" {units}; rows (+inserted ~replaced -deleted): {per_table or 'none'}"
        )


@dataclass(frozen=True)
class _Diff:
    new: frozenset[int]
    changed: frozenset[int]
    removed: frozenset[int]
    unchanged: int
    marks: dict[int, str]  # the collection's fingerprints, of the new and changed units at least


def sync(store: Store, target: Target, progress: Progress | None = None) -> SyncResult:
    """Bring ``target``'s schema to the collection's tables in one transaction."""
    report = progress or (lambda stage, done, total: None)
    report("comparing", 0, 0)
    found = scopes(store)
    identity = f"{store.media_type.name} collection created {store.meta(meta_keys.CREATED_AT)}"
    last = last_point(store, target)
    with connect(target) as conn:
        # Once the server answered: a sync that cannot connect leaves the collection as it was.
        local = _Local(store, target)
        try:
            result = _in_transaction(conn, target, found, local, identity, last, report)
        except psycopg.Error as exc:
            raise _failure(exc, target) from None
    try:
        _remember(store, target, result, local.mark)
    except CollectorError as exc:  # the server has the sync: only the collection's note is lost
        result.notices.append(f"the collection could not record sync {result.number} ({exc})")
    return result


def _in_transaction(
    conn: psycopg.Connection[Any],
    target: Target,
    found: list[Scope],
    local: _Local,
    identity: str,
    last: int | None,
    report: Progress,
) -> SyncResult:
    schema = target.schema
    with conn.transaction(), conn.cursor() as cur:
        _claim_schema(cur, target)
        state = _state(cur, schema)
        existing = _existing_tables(cur, schema)
        wanted = {t.name: t for scope in found for t in scope.tables}
        _check_tables(target, wanted, existing, state)
        if state is not None and state["collection"] != identity:
            raise UsageError(
                f"schema {schema} on {target.shown} mirrors another collection"
                f" ({state['collection']}), not this one ({identity}); sync into another"
                " --schema"
            )
        number = 1 if state is None else int(state["number"]) + 1
        shapes = {name: table.shape() for name, table in wanted.items()}
        full = (
            state is None
            or state["version"] != STATE_VERSION
            or _as_shapes(state["tables"]) != _as_shapes(shapes)
            or any(name not in existing for name in wanted)  # one dropped since: load anew
        )
        result = SyncResult(target.shown, schema, number, full)
        result.tables = {name: TableCounts() for name in wanted}
        result.units = {scope.label: UnitCounts() for scope in found}
        _notice_restores(target, state, last, result)
        if full:
            old = [] if state is None else [name for name in state["tables"] if name in existing]
            every = {scope.name: scope.fingerprints(None) for scope in found}
            _Job(cur, schema, found, result, report).load_all(old, every)
        else:
            # The server holds this collection's last sync: what was written here since
            # is all that can differ. Otherwise every unit is compared.
            since = local.since if state is not None and int(state["number"]) == last else None
            diffs = {scope.name: local.diff(cur, schema, scope, since) for scope in found}
            _Job(cur, schema, found, result, report).write_changes(diffs)
        report("committing", 1, 1)
        cur.execute(sql.SQL("DELETE FROM {}.{}").format(sql.Identifier(schema), _ident(STATE)))
        cur.execute(
            sql.SQL(
                "INSERT INTO {}.{} (version, collection, number, synced_at, tables)"
                " VALUES (%s, %s, %s, %s, %s)"
            ).format(sql.Identifier(schema), _ident(STATE)),
            (STATE_VERSION, identity, number, _now(), json.dumps(shapes)),
        )
    return result


def _ident(name: str) -> sql.Identifier:
    return sql.Identifier(name)


def _now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _as_shapes(value: Any) -> dict[str, list[tuple[str, str]]]:
    return {name: [tuple(column) for column in columns] for name, columns in value.items()}


# ---- the schema and its tables -----------------------------------------------------------


def _claim_schema(cur: psycopg.Cursor[Any], target: Target) -> None:
    """The schema, made if missing and refused if another role owns it; and the lock that
    keeps two syncs into it from running at once."""
    schema = target.schema
    cur.execute(
        "SELECT pg_get_userbyid(nspowner), current_user FROM pg_namespace WHERE nspname = %s",
        (schema,),
    )
    row = cur.fetchone()
    if row is not None and row[0] != row[1]:
        raise UsageError(
            f"schema {schema} on {target.shown} is owned by role {row[0]}, not {row[1]};"
            " sync into a schema of your own (--schema NAME)"
        )
    if row is None:
        try:
            cur.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
        except errors.InsufficientPrivilege:
            raise UsageError(
                f"role may not create schema {schema} on {target.shown}; create it for the"
                " role first, or grant CREATE on the database"
            ) from None
    cur.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", (f"tmdb-collector {schema}",))
    locked = cur.fetchone()
    if not locked or not locked[0]:
        raise ExportError(
            f"another sync into schema {schema} on {target.shown} is running; try again when"
            " it has finished"
        )
    cur.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} (version integer NOT NULL, collection text NOT"
            " NULL, number bigint NOT NULL, synced_at timestamptz NOT NULL, tables jsonb NOT"
            " NULL)"
        ).format(sql.Identifier(schema), _ident(STATE))
    )
    cur.execute(
        sql.SQL(
            "CREATE TABLE IF NOT EXISTS {}.{} (scope text NOT NULL, id bigint NOT NULL,"
            " fingerprint text NOT NULL, PRIMARY KEY (scope, id))"
        ).format(sql.Identifier(schema), _ident(UNITS))
    )


def _state(cur: psycopg.Cursor[Any], schema: str) -> dict[str, Any] | None:
    cur.execute(
        sql.SQL("SELECT collection, number, tables, version FROM {}.{}").format(
            sql.Identifier(schema), _ident(STATE)
        )
    )
    row = cur.fetchone()
    if row is None:
        return None
    return {"collection": row[0], "number": row[1], "tables": row[2], "version": row[3]}


def _existing_tables(cur: psycopg.Cursor[Any], schema: str) -> dict[str, list[tuple[str, str]]]:
    """Every table of the schema but ours, with its columns (name, type) in order."""
    cur.execute(
        "SELECT table_name, column_name, udt_name FROM information_schema.columns"
        " WHERE table_schema = %s ORDER BY table_name, ordinal_position",
        (schema,),
    )
    found: dict[str, list[tuple[str, str]]] = {}
    for table, column, udt in cur.fetchall():
        if table not in (STATE, UNITS):
            found.setdefault(str(table), []).append((str(column), str(udt)))
    return found


def _pg_shape(columns: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    return [(name, PG_UDT[kind]) for name, kind in columns]  # type: ignore[index]


def _check_tables(
    target: Target,
    wanted: dict[str, SyncTable],
    existing: dict[str, list[tuple[str, str]]],
    state: dict[str, Any] | None,
) -> None:
    """A table of the schema that a sync would write must be one an earlier sync made, as
    it made it (a full load replaces it); anything else is refused before a row is written."""
    ours = {} if state is None else _as_shapes(state["tables"])
    for name in sorted(set(wanted) | set(ours)):
        if name not in existing:
            continue
        if name in ours and _pg_shape(ours[name]) == existing[name]:
            continue
        expected = _pg_shape(wanted[name].shape()) if name in wanted else None
        if name not in ours and existing[name] == expected:
            why = "was not written by tmdb-collector sync"
        else:
            why = "has other columns than the export's table of that name"
        raise UsageError(
            f"table {target.schema}.{name} on {target.shown} {why}; drop it, or sync into"
            " another --schema"
        )


def _notice_restores(
    target: Target, state: dict[str, Any] | None, last: int | None, result: SyncResult
) -> None:
    """Say when the server's sync point and the collection's disagree (the server restored,
    or the collection, or a run stopped between the server's commit and the collection's)."""
    held = None if state is None else int(state["number"])
    where = f"schema {target.schema} on {target.shown}"
    if held == last:
        return
    if held is None:
        result.notices.append(
            f"{where} holds no sync though this collection wrote sync {last} there (a new or"
            " restored database): loading everything"
        )
    elif last is None or held > last:
        recorded = "no sync" if last is None else f"sync {last}"
        result.notices.append(
            f"{where} holds sync {held} of this collection, which recorded {recorded} there"
            " (a collection restored from an earlier file, or a run stopped just after the"
            " server's commit): writing the difference from what the server holds"
        )
    else:
        result.notices.append(
            f"{where} holds sync {held}, but this collection wrote sync {last} there (the"
            " server was restored to an earlier state): writing the difference from what it"
            " holds"
        )


# ---- writing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Job:
    """One sync's transaction: its cursor and schema, the scopes with the collection's
    fingerprints, and what it reports."""

    cur: psycopg.Cursor[Any]
    schema: str
    found: list[Scope]
    result: SyncResult
    report: Progress

    def load_all(self, old: list[str], local: dict[str, dict[int, str]]) -> None:
        """Every table made anew (the ``old`` ones of an earlier sync dropped) and loaded with
        COPY; each scope's other keys and indexes added once its rows are in, on the server
        while the client builds the next scope's rows."""
        for name in old:
            self.cur.execute(
                sql.SQL("DROP TABLE {}.{}").format(
                    sql.Identifier(self.schema), sql.Identifier(name)
                )
            )
        self.cur.execute(
            sql.SQL("TRUNCATE {}.{}").format(sql.Identifier(self.schema), _ident(UNITS))
        )
        for scope in self.found:
            for table in scope.tables:
                self.cur.execute(create_for_load(self.schema, table).encode())
        self.cur.execute(f"SET LOCAL maintenance_work_mem = '{INDEX_MEMORY}'".encode())
        total = sum(len(units) for units in local.values())
        written = _Written(self.report, total)
        with sending() as sender:
            for number, scope in enumerate(self.found, 1):
                units = local[scope.name]
                every = frozenset(units)
                # the fingerprints first: the server takes them while the first rows are built
                sender.submit(partial(self.copy_units, scope.name, units))
                for built in scope.rows(every, every, True):
                    sender.submit(partial(self.copy_built, scope, built, freeze=True), written.add)
                if number == len(self.found):  # what is left is the server's
                    sender.submit(_nothing, lambda _none: self.report("indexing", 0, 1))
                sender.submit(partial(self.add_keys, scope))
                self.result.units[scope.label].new = len(units)
        # No ANALYZE here: autovacuum analyzes the new tables after the commit, and until then
        # the next sync's deletes by title are planned as index scans even without statistics
        # (docs/benchmarks.md, "#26 first sync, fourth round").

    def add_keys(self, scope: Scope) -> None:
        """The keys and join-key indexes of a scope's tables, made after their load."""
        for table in scope.tables:
            for statement in keys_after_load(self.schema, table):
                self.cur.execute(statement.encode())

    def write_changes(self, diffs: dict[str, _Diff]) -> None:
        """Only the changed, removed and new units' rows; the others are not touched."""
        total = sum(len(d.new) + len(d.changed) for d in diffs.values())
        written = _Written(self.report, total)
        with sending() as sender:
            for scope in self.found:
                diff = diffs[scope.name]
                self.result.units[scope.label] = UnitCounts(
                    len(diff.new), len(diff.changed), len(diff.removed), diff.unchanged
                )
                if diff.changed or diff.removed or diff.new:
                    # the deletes go first on the sender's thread while the rows are built here
                    sender.submit(partial(self.delete, scope, diff))
                    chosen = diff.new | diff.changed
                    for built in scope.rows(chosen, diff.new, False) if chosen else ():
                        sender.submit(partial(self.copy_built, scope, built), written.add)
                    kept = {i: diff.marks[i] for i in sorted(chosen)}
                    sender.submit(partial(self.copy_units, scope.name, kept))

    def delete(self, scope: Scope, diff: _Diff) -> None:
        """The rows of the changed and removed units, in each table, and their fingerprints."""
        for table in scope.tables:
            counts = self.result.tables[table.name]
            for ids, replaced in ((sorted(diff.changed), True), (sorted(diff.removed), False)):
                if not ids:
                    continue
                self.cur.execute(
                    sql.SQL("DELETE FROM {}.{} WHERE {} = ANY(%s)").format(
                        sql.Identifier(self.schema),
                        sql.Identifier(table.name),
                        sql.Identifier(table.unit_column),
                    ),
                    (ids,),
                )
                if not replaced:
                    counts.deleted += self.cur.rowcount
        self.cur.execute(
            sql.SQL("DELETE FROM {}.{} WHERE scope = %s AND id = ANY(%s)").format(
                sql.Identifier(self.schema), _ident(UNITS)
            ),
            (scope.name, sorted(diff.changed | diff.removed)),
        )

    def copy_units(self, scope: str, units: dict[int, str]) -> None:
        statement = sql.SQL("COPY {}.{} (scope, id, fingerprint) FROM STDIN").format(
            sql.Identifier(self.schema), _ident(UNITS)
        )
        with self.cur.copy(statement) as copy:
            for item_id, mark in units.items():
                copy.write_row((scope, item_id, mark))

    def copy_built(self, scope: Scope, built: Built, *, freeze: bool = False) -> int:
        """One batch's rows into their tables (``freeze``: made in this transaction); returns
        how many units it wrote (the rows of the scope's own table: one per unit)."""
        by_name = {table.name: table for table in scope.tables}
        for name, (rows, fresh, data) in built.items():
            columns = by_name[name].columns
            statement = copy_statement(self.schema, name, columns, freeze=freeze)
            with self.cur.copy(statement.encode()) as copy:
                for chunk in data:
                    copy.write(chunk)
            counts = self.result.tables[name]
            counts.inserted += fresh
            counts.replaced += rows - fresh
        unit_table = scope.tables[0].name
        return built[unit_table][0] if unit_table in built else 0


def _nothing() -> None:
    """A piece of the sender's work that only marks a point (its ``done`` runs there)."""


class _Written:
    """The units written so far, reported as each batch's COPY ends."""

    def __init__(self, report: Progress, total: int) -> None:
        self.report, self.total, self.done = report, total, 0
        report("writing", 0, total)

    def add(self, units: int) -> None:
        self.done += units
        self.report("writing", min(self.done, self.total), self.total)


class _Local:
    """The collection's side of the comparison. The change log (:mod:`.store.change_log`) is
    kept from the first sync on; its mark is read before any fingerprint, so a unit written
    while this sync runs is found by the next one."""

    def __init__(self, store: Store, target: Target) -> None:
        self.store = store
        try:
            kept = store.track_changes()
        except CollectorError:  # e.g. the file is read-only: every unit is compared
            self.mark: int | None = None
            self.since: int | None = None
            return
        self.mark = store.change_mark()
        # The last sync's mark counts only if the log was kept since (not made by this sync).
        self.since = _point(store, target, CHANGES) if kept else None

    def diff(self, cur: psycopg.Cursor[Any], schema: str, scope: Scope, since: int | None) -> _Diff:
        """What differs between the collection's units and the fingerprints the server holds:
        those written since the mark ``since`` only, or (None) every unit."""
        written = None if since is None else self.store.changed_since(scope.name, since)
        return _diff(cur, schema, scope.name, scope.fingerprints(written), written)


def _diff(
    cur: psycopg.Cursor[Any],
    schema: str,
    scope: str,
    local: dict[int, str],
    ids: Collection[int] | None,
) -> _Diff:
    """``local`` (the collection's fingerprints: of ``ids`` only, if given) against those the
    server holds for the same units; the units outside ``ids`` count as unchanged."""
    units = sql.SQL("FROM {}.{} WHERE scope = %s").format(sql.Identifier(schema), _ident(UNITS))
    fingerprints = sql.SQL("SELECT id, fingerprint ") + units
    if ids is None:
        cur.execute(fingerprints, (scope,))
        held = {int(i): str(mark) for i, mark in cur.fetchall()}
        total = len(held)
    else:
        cur.execute(fingerprints + sql.SQL(" AND id = ANY(%s)"), (scope, sorted(ids)))
        held = {int(i): str(mark) for i, mark in cur.fetchall()}
        cur.execute(sql.SQL("SELECT count(*) ") + units, (scope,))
        row = cur.fetchone()
        total = int(row[0]) if row else 0
    new = frozenset(local.keys() - held.keys())
    removed = frozenset(held.keys() - local.keys())
    changed = frozenset(i for i in local.keys() & held.keys() if local[i] != held[i])
    return _Diff(new, changed, removed, total - len(removed) - len(changed), local)


def create_for_load(schema: str, table: SyncTable) -> str:
    """The statement that makes ``table`` for a full load: with its primary key when the key
    leads with the unit column (:func:`_key_in_load_order`)."""
    key = table.key if _key_in_load_order(table) else ()
    return create_table(schema, table.name, table.columns, key)


def keys_after_load(schema: str, table: SyncTable) -> list[str]:
    """The statements that complete ``table`` after a full load: its primary key (unless made
    with the table), and an index on each join key (its unit column, and every other ``*_id``
    integer column that refers to something: not :data:`~tmdb_collector.media.rows.NOT_REFERENCES`)
    that does not lead the primary key."""
    name = f"{quoted(schema)}.{quoted(table.name)}"
    statements = []
    if table.key and not _key_in_load_order(table):
        keys = ", ".join(quoted(column) for column in table.key)
        statements.append(f"ALTER TABLE {name} ADD PRIMARY KEY ({keys})")
    leading = table.key[0] if table.key else None
    for column in _join_keys(table.columns, table.unit_column):
        if column != leading:
            index = quoted(f"{table.name}_{column}_idx"[:63])
            statements.append(f"CREATE INDEX {index} ON {name} ({quoted(column)})")
    return statements


def _key_in_load_order(table: SyncTable) -> bool:
    """Whether the table's primary key leads with its unit column: a first load writes the
    units in id order, so such a key is made with the table and grows at its end as the rows
    arrive (on the server's core, while the next batches are built here), rather than
    sorted after the load."""
    return bool(table.key) and table.key[0] == table.unit_column


def _join_keys(columns: tuple[Column, ...], unit_column: str) -> Iterator[str]:
    yield unit_column
    for column in columns:
        if (
            column.name != unit_column
            and column.kind == "int"
            and column.name.endswith("_id")
            and column.name not in NOT_REFERENCES
        ):
            yield column.name


# ---- the collection's side of the sync point ---------------------------------------------


def _point_key(target: Target) -> str:
    return f"{target.shown} {target.schema}"


def _remember(store: Store, target: Target, result: SyncResult, mark: int | None) -> None:
    """Record this sync's number in the collection (after the server committed it), with the
    change log's mark read before it compared anything (if the log is kept)."""
    try:
        points = json.loads(store.meta(meta_keys.PG_SYNC) or "{}")
    except ValueError:
        points = {}
    point: dict[str, Any] = {"number": result.number, "synced_at": _now().isoformat()}
    if mark is not None:
        point[CHANGES] = mark
    points[_point_key(target)] = point
    store.set_meta(meta_keys.PG_SYNC, json.dumps(points, sort_keys=True))


def _point(store: Store, target: Target, key: str) -> int | None:
    """A number the collection recorded at its last sync to ``target``'s schema, if any."""
    try:
        points = json.loads(store.meta(meta_keys.PG_SYNC) or "{}")
        return int(points[_point_key(target)][key])
    except (ValueError, KeyError, TypeError):
        return None


def last_point(store: Store, target: Target) -> int | None:
    """The number of the last sync of this collection to ``target``'s schema, if any."""
    return _point(store, target, "number")


def _failure(exc: psycopg.Error, target: Target) -> CollectorError:
    reason = server_reason(exc, target)
    if isinstance(exc, errors.InsufficientPrivilege):
        return UsageError(f"{target.shown} refused the sync: {reason}; nothing was written")
    return ExportError(
        f"the sync to {target.shown} failed ({reason}); the server keeps the previous sync's"
        " state, run the same command again"
    )
