"""``update --ids-from``: follow TMDB's id catalogue (its daily ID export), which shows what the
changes feed cannot (new ids, and ids that are gone).

The file is read in a thread and staged in batches, so the event loop keeps running while a
million lines load; the comparison itself is one transaction (:mod:`..store.catalogue`).
New ids are queued only for a collection whose ids come from the daily export: a collection
harvested from popular and discover lists finds its new ids with ``collect --reharvest``.
"""

from __future__ import annotations

import asyncio
import logging

from tmdb_collector.fetch.download import local_copy
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.id_catalogue import iter_catalogue, take
from tmdb_collector.store.catalogue import CatalogueSync
from tmdb_collector.store.store import Store

log = logging.getLogger(__name__)
STAGE_BATCH = 20_000  # catalogue lines staged per transaction


async def sync_with_catalogue(store: Store, source: str, network: ClientSettings) -> CatalogueSync:
    """Follow the daily ID export at ``source``, downloaded through ``network``'s proxy and CAs."""
    plan = store.plan()
    async with local_copy(source, network=network) as path:
        entries = iter_catalogue(path, plan, source)
        first = True
        while True:
            batch = await asyncio.to_thread(take, entries, STAGE_BATCH)
            store.stage_catalogue(batch, first=first)
            first = False
            if len(batch) < STAGE_BATCH:
                break
    result = store.sync_catalogue(source, add_new=plan.ids_from is not None)
    log.info(
        "daily export %s: %d new ids queued, %d ids removed, %d listed again",
        source,
        result.added,
        result.removed,
        result.restored,
    )
    return result
