"""Recommendations and similar movies (only existing, non-deleted, non-adult ids)."""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Any

from tmdb_collector.simulator._hash import SALT_RECS, SALT_SIMILAR, rng_for
from tmdb_collector.simulator.generate import FLAG_ADULT, FLAG_DELETED
from tmdb_collector.simulator.items import list_item, recommendation_item

if TYPE_CHECKING:
    from tmdb_collector.simulator.catalog import Catalog

JSONDict = dict[str, Any]
PAGE_SIZE = 20
FULL_RECOMMENDATIONS = 40


def _pick(cat: Catalog, idx: int, rng: random.Random, count: int) -> list[int]:
    """``count`` distinct slots sharing ``idx``'s first genre, skewed to popular ones."""
    c = cat.cols
    genre = c.combos[c.combo[idx]].genre_ids[0]
    pools = [cat.recommendable[genre], cat.popular_indices]
    picked: list[int] = []
    seen = {idx}
    for pool in pools:
        attempts = 0
        while len(picked) < count and pool and attempts < count * 8:
            attempts += 1
            cand = pool[int(len(pool) * rng.random() ** 3)]
            if cand not in seen and not c.flags[cand] & (FLAG_ADULT | FLAG_DELETED):
                seen.add(cand)
                picked.append(cand)
    return picked


def _recommended(cat: Catalog, idx: int) -> list[int]:
    version = cat.changes.version(idx)
    rng = rng_for(cat.seed, SALT_RECS, cat.cols.ids[idx], version // 6)
    roll = rng.random()
    if roll < 0.08:
        return []
    count = rng.randint(1, PAGE_SIZE) if roll < 0.2 else FULL_RECOMMENDATIONS
    return _pick(cat, idx, rng, count)


def paged_recommendations(cat: Catalog, idx: int, page: int) -> JSONDict:
    """TMDB quirk: with more than 20 results, page 1 holds 21 of them."""
    slots = _recommended(cat, idx)
    total = len(slots)
    if page == 1:
        chunk = slots[: PAGE_SIZE + 1 if total > PAGE_SIZE else total]
    else:
        chunk = slots[PAGE_SIZE * (page - 1) + 1 : PAGE_SIZE * page + 1]
    return {
        "page": page,
        "results": [recommendation_item(cat, i) for i in chunk],
        "total_pages": -(-total // PAGE_SIZE),
        "total_results": total,
    }


def paged_similar(cat: Catalog, idx: int, page: int) -> JSONDict:
    """Similar movies: popular-style items, 20 per page."""
    rng = rng_for(cat.seed, SALT_SIMILAR, cat.cols.ids[idx])
    count = 0 if rng.random() < 0.1 else rng.randint(PAGE_SIZE, 3 * PAGE_SIZE)
    slots = _pick(cat, idx, rng, count)
    total = len(slots)
    chunk = slots[PAGE_SIZE * (page - 1) : PAGE_SIZE * page]
    return {
        "page": page,
        "results": [list_item(cat, i) for i in chunk],
        "total_pages": -(-total // PAGE_SIZE),
        "total_results": total,
    }
