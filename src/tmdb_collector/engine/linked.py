"""The linked stage's queue: the entities the collected titles name (``collect --linked``).

After stage 3, every held title's details or part that a link is read from
(:class:`~tmdb_collector.plan.linked.LinkedEntity`) is read, and the ids it names are queued
in the store, once each however many titles share them. Reading is local (no request) and
idempotent, so a rerun reads again and queues only what is new: people newly credited in a
refetched title, or a whole entity type added to the plan.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from tmdb_collector.media.links import DETAILS
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

QUEUE_BATCH = 5000  # ids queued a transaction


def _bodies(store: Store, source: str) -> Iterator[object]:
    parts = () if source == DETAILS else (source,)
    for _, details, bodies in store.iter_items(parts, include_removed=True):
        yield json.loads(bodies[0] if bodies else details)


def queue_linked(store: Store, plan: Plan) -> int:
    """Queue every entity of the plan's linked types the held titles name; returns how many
    were new."""
    added = 0
    for linked in plan.linked_entities:
        batch: set[int] = set()
        for body in _bodies(store, linked.source):
            if isinstance(body, dict):
                batch.update(linked.read(body))
            if len(batch) >= QUEUE_BATCH:
                added += store.queue_linked(linked.media.name, sorted(batch))
                batch.clear()
        added += store.queue_linked(linked.media.name, sorted(batch))
    return added
