"""Which titles a load writes, from the store and what the previous load of a table kept.

A table of the dlt source (:mod:`.source`) keeps, in its dlt resource state, where its last
load stood. Each load then writes the rows of the titles that changed since, and deletes those
of the titles that left the export:

* **fetched**: titles whose ``fetched_at`` (the server's clock, set by every full fetch) is
  past the last load's newest, or equal to it and not loaded then (a collection running
  during a load can store more titles within the same second);
* **parts changed**: titles a partial refetch (``update --refresh-parts``) changed, by the
  day of its part versions (their markers), likewise; seen only while the collection keeps
  versions, which it does by default;
* **restored**: titles left out of the last load (removed from TMDB's daily export, or found
  deleted) that are exported again;
* **gone**: titles the store holds that are now left out of the export
  (:func:`~tmdb_collector.store.items.left_out_statuses`), deleted from every table.

The first load of a table (an empty state) writes every exported title. No dlt here: the state
is a plain dict.
"""

from __future__ import annotations

from collections.abc import Iterable, MutableMapping
from dataclasses import dataclass
from typing import Any, cast

from tmdb_collector.store.id_status import IdStatus
from tmdb_collector.store.items import left_out_statuses
from tmdb_collector.store.store import Store

State = MutableMapping[str, Any]
FETCHED = "fetched_at"
PARTS_CHANGED = "parts_changed_on"
GONE = "gone"


@dataclass(frozen=True)
class Changes:
    """What one load of a table writes: ``load`` None means every exported title (a first
    load); otherwise the titles whose rows are replaced, and ``gone`` those deleted."""

    load: frozenset[int] | None
    gone: frozenset[int]

    @property
    def first(self) -> bool:
        return self.load is None


def changes(store: Store, state: State, *, include_removed: bool = False) -> Changes:
    """The titles this load of a table writes, given its ``state`` (updated in place to where
    this load stands, for the next one)."""
    first = FETCHED not in state
    held = dict(store.fetched_at())
    fetched = _advance(((i, at) for i, at in held.items() if at is not None), state, FETCHED)
    changed = _advance(store.part_change_days(), state, PARTS_CHANGED)
    statuses = cast("tuple[IdStatus, ...]", left_out_statuses(include_removed=include_removed))
    left_out = set(store.ids_with_status(*statuses))
    left_out &= held.keys()
    before = set(state.get(GONE, ()))
    state[GONE] = sorted(left_out)
    if first:
        return Changes(None, frozenset())
    restored = before - left_out
    return Changes(
        frozenset((fetched | changed | restored) - left_out), frozenset(left_out - before)
    )


def _advance(rows: Iterable[tuple[int, str]], state: State, key: str) -> set[int]:
    """The ids whose value is past ``state[key]`` (``{"last": value, "at": [ids]}``), or at
    it and not among the ids seen there; moves ``state[key]`` to the newest value."""
    mark = state.get(key) or {}
    last: str | None = mark.get("last")
    seen = set(mark.get("at", ()))
    found: set[int] = set()
    newest, at_newest = last, set(seen)
    for item_id, value in rows:
        if last is None or value > last or (value == last and item_id not in seen):
            found.add(item_id)
        if newest is None or value > newest:
            newest, at_newest = value, {item_id}
        elif value == newest:
            at_newest.add(item_id)
    if newest is not None:
        state[key] = {"last": newest, "at": sorted(at_newest)}
    return found


def linked_changes(store: Store, entity: str, state: State) -> Changes:
    """As :func:`changes`, for a linked entity type's tables (``collect --linked``): its
    entities fetched since the last load (an entity, once held, stays in the export)."""
    first = FETCHED not in state
    fetched = _advance(store.linked_fetched_at(entity), state, FETCHED)
    return Changes(None if first else frozenset(fetched), frozenset())
