"""The ids TMDB's docs and the reference samples use (movies 550 and 11, series 1399), kept in
the synthetic catalogues so that copied examples answer, and shaped like their samples: the
title, original language, release (first air) date, genres, popularity and votes (at
version 0). Everything else about them is drawn like any other title's.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from datetime import date
from typing import NamedTuple


class Famous(NamedTuple):
    id: int
    title: str
    released: date
    genre_ids: tuple[int, ...]
    popularity: float  # as in the sample
    vote_count: int
    vote_average: float


# By media type, ascending ids.
FAMOUS: dict[str, tuple[Famous, ...]] = {
    "movie": (
        Famous(11, "Star Wars", date(1977, 5, 25), (12, 28, 878), 20.6912, 22061, 8.2),
        Famous(550, "Fight Club", date(1999, 10, 15), (18,), 93.958, 27917, 8.44),
    ),
    "tv": (
        Famous(
            1399, "Game of Thrones", date(2011, 4, 17), (10765, 18, 10759), 346.098, 21390, 8.438
        ),
    ),
}
FAMOUS_TITLES: dict[str, dict[int, str]] = {
    media: {f.id: f.title for f in titles} for media, titles in FAMOUS.items()
}


def place(ids: array[int], media: str) -> list[tuple[int, Famous]]:
    """Put each famous id of ``media`` into the sorted ``ids`` (in place, replacing the next
    larger id so the order holds); returns ``(slot, famous)`` pairs. A catalogue smaller
    than the famous list is left alone."""
    famous = FAMOUS.get(media, ())
    if len(ids) < len(famous):
        return []
    placed: list[tuple[int, Famous]] = []
    for item in famous:
        pos = bisect_left(ids, item.id)
        if pos == len(ids):
            pos -= 1
        ids[pos] = item.id
        placed.append((pos, item))
    return placed
