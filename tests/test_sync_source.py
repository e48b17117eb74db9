"""The rows a sync builds for some units (sync/source.py): a read of their ids only gives the
same rows as a read of the whole collection that keeps theirs."""

from __future__ import annotations

from pathlib import Path

from tests.cli_helpers import collect_args, run_cli
from tests.conftest import TINY_PLAN
from tmdb_collector.store.store import Store
from tmdb_collector.sync.source import scopes

# Linked people (a few per title): a scope of their own.
OPTIONS = {
    "--parts": "credits,watch/providers",
    "--linked": "people",
    "--linked-cast": "2",
    "--linked-crew": "none",
}
LINKED = [arg for option in OPTIONS.items() for arg in option]


def test_a_few_units_rows_are_the_whole_reads_rows_of_theirs(sim_url: str, tmp_path: Path) -> None:
    """Every scope (the titles, their history, each linked entity type): the rows of a few
    units read by their ids (a changes-only sync) are those a whole read keeps of theirs, and
    the whole read keeps no other unit's."""
    db = tmp_path / "c.db"
    made = run_cli(collect_args(db, sim_url, *TINY_PLAN, *LINKED))
    assert made.returncode == 0, made.stderr
    with Store.open_existing(db) as store:
        found = scopes(store)
        assert len(found) > 1  # the titles and linked entities
        for scope in found:
            every = sorted(scope.fingerprints(None))
            assert len(every) > 10, scope.name
            chosen = frozenset(every[1::4])
            new = frozenset(every[1::8])
            whole = list(scope.rows(chosen, new, True))
            tables = {name for built in whole for name in built}
            assert tables, scope.name
            rows = sum(count for built in whole for count, _new, _data in built.values())
            everyone = sum(
                count
                for built in scope.rows(frozenset(every), frozenset(), True)
                for count, _new, _data in built.values()
            )
            assert 0 < rows < everyone, scope.name
            assert list(scope.rows(chosen, new, False)) == whole, scope.name
            if scope is found[0]:
                assert "availability" in tables  # a history table's rows too


def test_a_first_load_is_sent_in_fewer_larger_batches_than_the_export_builds() -> None:
    """A first load's batches hold up to LOAD_BATCH units (fewer COPY statements: the
    export's 500 cost both sides more CPU at 100,000 titles, docs/benchmarks.md), while a
    few units are still split so the first batch is sent while the next are built."""
    from tmdb_collector.export.tables import BATCH_SIZE
    from tmdb_collector.sync.source import LOAD_BATCH, SPLIT, _batches

    assert LOAD_BATCH > BATCH_SIZE
    many = [(i, b"", []) for i in range(2 * LOAD_BATCH + 1)]  # the first of 100,000 units
    sizes = [len(batch) for batch in _batches(iter(many), 100_000)]  # type: ignore[arg-type]
    assert sizes == [LOAD_BATCH, LOAD_BATCH, 1]
    few = many[: SPLIT * 100]
    assert [len(batch) for batch in _batches(iter(few), len(few))] == [100] * SPLIT  # type: ignore[arg-type]
