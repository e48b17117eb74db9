"""List-item shapes: popular/discover/similar items and recommendation items."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from tmdb_collector.simulator._hash import number
from tmdb_collector.simulator.generate import FLAG_ADULT, FLAG_VIDEO
from tmdb_collector.simulator.text import overview, poster_backdrop, titles
from tmdb_collector.simulator.vocab import LANGUAGES

if TYPE_CHECKING:
    from tmdb_collector.simulator.catalog import Catalog

JSONDict = dict[str, Any]


def list_item(cat: Catalog, idx: int) -> JSONDict:
    """An item of /movie/popular, /discover/movie and /similar."""
    c = cat.cols
    mid = c.ids[idx]
    title, original = titles(cat.seed, mid, c.lang[idx])
    poster, backdrop = poster_backdrop(cat.seed, mid)
    return {
        "adult": bool(c.flags[idx] & FLAG_ADULT),
        "backdrop_path": backdrop,
        "genre_ids": list(c.combos[c.combo[idx]].genre_ids),
        "id": mid,
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


def recommendation_item(cat: Catalog, idx: int) -> JSONDict:
    """Recommendation item: ``title`` straight after ``id`` and a ``media_type``."""
    c = cat.cols
    mid = c.ids[idx]
    title, original = titles(cat.seed, mid, c.lang[idx])
    poster, backdrop = poster_backdrop(cat.seed, mid)
    return {
        "adult": bool(c.flags[idx] & FLAG_ADULT),
        "backdrop_path": backdrop,
        "id": mid,
        "title": title,
        "original_language": LANGUAGES[c.lang[idx]].code,
        "original_title": original,
        "overview": overview(cat.seed, mid),
        "poster_path": poster,
        "media_type": "movie",
        "genre_ids": list(c.combos[c.combo[idx]].genre_ids),
        "popularity": number(c.popularity[idx]),
        "release_date": cat.release_date(idx),
        "video": bool(c.flags[idx] & FLAG_VIDEO),
        "vote_average": number(c.vote_average[idx]),
        "vote_count": c.vote_count[idx],
    }
