"""List shapes: popular/discover/similar items, recommendation items, paged envelopes,
and the recommendations and similar sub-resources (only existing, non-deleted, non-adult ids).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from typing import Any

from tmdb_collector.media.base import PAGE_SIZE
from tmdb_collector.simulator._hash import SALT_RECS, SALT_SIMILAR, hash_ints, number, rng_for
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.generate import FLAG_ADULT, FLAG_DELETED, FLAG_VIDEO
from tmdb_collector.simulator.text import overview, poster_backdrop
from tmdb_collector.simulator.vocab import EN_COUNTRIES, LANGUAGES

JSONDict = dict[str, Any]
FULL_RECOMMENDATIONS = 40


# TMDB orders the same fields differently in list results and in recommendations.
LIST_KEYS = (
    "adult", "backdrop_path", "genre_ids", "id", "original_language", "original_title",
    "overview", "popularity", "poster_path", "release_date", "title", "video", "vote_average",
    "vote_count",
)  # fmt: skip
RECOMMENDATION_KEYS = (
    "adult", "backdrop_path", "id", "title", "original_language", "original_title", "overview",
    "poster_path", "media_type", "genre_ids", "popularity", "release_date", "video",
    "vote_average", "vote_count",
)  # fmt: skip
# The spec's TV orders: popular/discover, recommendations, similar.
TV_LIST_KEYS = (
    "backdrop_path", "first_air_date", "genre_ids", "id", "name", "origin_country",
    "original_language", "original_name", "overview", "popularity", "poster_path",
    "vote_average", "vote_count",
)  # fmt: skip
TV_RECOMMENDATION_KEYS = (
    "adult", "backdrop_path", "id", "name", "original_language", "original_name", "overview",
    "poster_path", "media_type", "genre_ids", "popularity", "first_air_date", "vote_average",
    "vote_count", "origin_country",
)  # fmt: skip
TV_SIMILAR_KEYS = (
    "adult", "backdrop_path", "genre_ids", "id", "origin_country", "original_language",
    "original_name", "overview", "popularity", "poster_path", "first_air_date", "name",
    "vote_average", "vote_count",
)  # fmt: skip


def series_country(cat: Catalog, idx: int) -> str:
    """A series' origin country: its language's home (English: US, GB, CA or AU)."""
    lang = LANGUAGES[cat.cols.lang[idx]]
    if lang.code != "en":
        return lang.country
    return EN_COUNTRIES[hash_ints(cat.seed, SALT_SIMILAR, cat.cols.ids[idx]) % len(EN_COUNTRIES)]


def _series_fields(cat: Catalog, idx: int) -> JSONDict:
    fields = _item_fields(cat, idx)
    return {
        **fields,
        "first_air_date": fields["release_date"],
        "media_type": "tv",
        "name": fields["title"],
        "origin_country": [series_country(cat, idx)],
        "original_name": fields["original_title"],
    }


def _pick_keys(fields: JSONDict, keys: tuple[str, ...]) -> JSONDict:
    return {key: fields[key] for key in keys}


def _item_fields(cat: Catalog, idx: int) -> JSONDict:
    c = cat.cols
    mid = c.ids[idx]
    title, original = cat.titles_at(idx)
    poster, backdrop = poster_backdrop(cat.seed, mid)
    return {
        "adult": bool(c.flags[idx] & FLAG_ADULT),
        "backdrop_path": backdrop,
        "genre_ids": list(c.combos[c.combo[idx]].genre_ids),
        "id": mid,
        "media_type": "movie",
        "original_language": LANGUAGES[c.lang[idx]].code,
        "original_title": original,
        "overview": overview(cat.seed, mid),
        "popularity": number(c.popularity[idx]),
        "poster_path": poster,
        "release_date": cat.release_date(idx),
        "title": title,
        "video": bool(c.flags[idx] & FLAG_VIDEO),
        "vote_average": number(c.vote_average[idx]),
        "vote_count": c.vote_count[idx],
    }


def list_item(cat: Catalog, idx: int) -> JSONDict:
    """An item of /movie/popular, /discover/movie and /similar (TV: /tv/popular, …)."""
    if cat.media == "tv":
        return _pick_keys(_series_fields(cat, idx), TV_LIST_KEYS)
    return _pick_keys(_item_fields(cat, idx), LIST_KEYS)


def recommendation_item(cat: Catalog, idx: int) -> JSONDict:
    """Recommendation item: ``title`` straight after ``id`` and a ``media_type``."""
    if cat.media == "tv":
        return _pick_keys(_series_fields(cat, idx), TV_RECOMMENDATION_KEYS)
    return _pick_keys(_item_fields(cat, idx), RECOMMENDATION_KEYS)


def similar_item(cat: Catalog, idx: int) -> JSONDict:
    if cat.media == "tv":
        return _pick_keys(_series_fields(cat, idx), TV_SIMILAR_KEYS)
    return list_item(cat, idx)


def envelope(page: int, results: list[JSONDict], total: int) -> JSONDict:
    """``{page, results, total_pages, total_results}`` (totals uncapped, like TMDB)."""
    return {
        "page": page,
        "results": results,
        "total_pages": -(-total // PAGE_SIZE),
        "total_results": total,
    }


def list_page(
    cat: Catalog, indices: Sequence[int], page: int, slots: Sequence[int] | None = None
) -> JSONDict:
    """A page of /movie/popular or /discover/movie over catalogue slots ``indices``
    (``slots``: the page's own slots when rankings drift, see :mod:`.drift`)."""
    if slots is None:
        start = (page - 1) * PAGE_SIZE
        slots = indices[start : start + PAGE_SIZE]
    return envelope(page, [list_item(cat, i) for i in slots], len(indices))


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


def recommendations(cat: Catalog, idx: int, page: int) -> JSONDict:
    """TMDB quirk: with more than 20 results, page 1 holds 21 of them."""
    slots = _recommended(cat, idx)
    total = len(slots)
    if page == 1:
        chunk = slots[: PAGE_SIZE + 1 if total > PAGE_SIZE else total]
    else:
        chunk = slots[PAGE_SIZE * (page - 1) + 1 : PAGE_SIZE * page + 1]
    return envelope(page, [recommendation_item(cat, i) for i in chunk], total)


def similar(cat: Catalog, idx: int, page: int) -> JSONDict:
    """Similar movies: popular-style items, 20 per page."""
    rng = rng_for(cat.seed, SALT_SIMILAR, cat.cols.ids[idx])
    count = 0 if rng.random() < 0.1 else rng.randint(PAGE_SIZE, 3 * PAGE_SIZE)
    slots = _pick(cat, idx, rng, count)
    total = len(slots)
    chunk = slots[PAGE_SIZE * (page - 1) : PAGE_SIZE * page]
    return envelope(page, [similar_item(cat, i) for i in chunk], total)
