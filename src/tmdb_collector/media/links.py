"""Which entities a title names: the facts behind ``collect --linked``.

A :class:`Link` says which entity type (``person``, ``collection``, ``company``, ``network``) a
title's details or one of its parts names, and how to read those ids from the body. A media
type lists its links (``MediaType.links``); the engine walks them without knowing what they
are. People are bounded by a :class:`PeopleBound` (the first N billed cast, chosen crew
departments), which the other links ignore.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

DETAILS = "details"  # the name of an item's own body (a link read from it, its versions)


@dataclass(frozen=True)
class PeopleBound:
    """``cast``: the first N billed cast of each title (None: all); ``crew``: the crew
    departments kept (None: every department; empty: no crew)."""

    cast: int | None = None
    crew: frozenset[str] | None = None


Reader = Callable[[Mapping[str, Any], PeopleBound], Iterator[int]]


@dataclass(frozen=True)
class Link:
    """``entity`` (a media type's name) as named by the first of ``sources`` (``details`` or
    part names) the plan fetches; ``read`` yields the ids a body names."""

    entity: str
    sources: tuple[str, ...]
    read: Reader


def _ids(entries: object) -> Iterator[int]:
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, dict) and isinstance(entry.get("id"), int):
                yield entry["id"]


def _billing(entry: Mapping[str, Any]) -> int:
    order = entry.get("order")
    return order if isinstance(order, int) else 0


def credited(body: Mapping[str, Any], bound: PeopleBound) -> Iterator[int]:
    """The people a credits body names: cast by billing order up to ``bound.cast``, crew of
    ``bound.crew``'s departments (``aggregate_credits`` has the same fields)."""
    cast = [entry for entry in body.get("cast") or () if isinstance(entry, dict)]
    cast.sort(key=_billing)
    yield from _ids(cast if bound.cast is None else cast[: bound.cast])
    crew = [
        entry
        for entry in body.get("crew") or ()
        if isinstance(entry, dict) and (bound.crew is None or entry.get("department") in bound.crew)
    ]
    yield from _ids(crew)


def listed(key: str) -> Reader:
    """The ids of the objects in the details' list ``key`` (``production_companies``)."""

    def read(details: Mapping[str, Any], bound: PeopleBound) -> Iterator[int]:
        return _ids(details.get(key))

    return read


def named(key: str) -> Reader:
    """The id of the object (or null) at the details' ``key`` (``belongs_to_collection``)."""

    def read(details: Mapping[str, Any], bound: PeopleBound) -> Iterator[int]:
        return _ids([details.get(key)])

    return read
