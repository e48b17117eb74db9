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


def _item_fields(cat: Catalog, idx: int) -> JSONDict:
    c = cat.cols
    mid = c.ids[idx]
    title, original = titles(cat.seed, mid, c.lang[idx])
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
    """An item of /movie/popular, /discover/movie and /similar."""
    fields = _item_fields(cat, idx)
    return {key: fields[key] for key in LIST_KEYS}


def recommendation_item(cat: Catalog, idx: int) -> JSONDict:
    """Recommendation item: ``title`` straight after ``id`` and a ``media_type``."""
    fields = _item_fields(cat, idx)
    return {key: fields[key] for key in RECOMMENDATION_KEYS}
