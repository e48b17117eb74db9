"""Reading TMDB's daily ID export, the id catalogue: the whole catalogue instead of stages 1-2.

The file (``movie_ids_MM_DD_YYYY.json.gz``) is gzip with one JSON object per line::

    {"adult":false,"id":3924,"original_title":"Blondie","popularity":1.8133,"video":false}

Lines are not sorted. Adult and video entries are left out unless asked for. The file is
fetched by :mod:`..fetch.download`; reading it needs no network and no store.
"""

from __future__ import annotations

import gzip
import itertools
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from tmdb_collector.errors import UsageError
from tmdb_collector.media import MEDIA_TYPES, MediaType
from tmdb_collector.plan.plan import Plan

GZIP_MAGIC = b"\x1f\x8b"
T = TypeVar("T")
_CATALOGUE_TITLES = tuple(media.daily_export_title for media in MEDIA_TYPES.values())


def take(entries: Iterator[T], count: int) -> list[T]:
    """The next ``count`` entries (fewer at the end); run it in a thread for a big file."""
    return list(itertools.islice(entries, count))


def iter_catalogue_ids(path: Path, plan: Plan, source: str) -> Iterator[tuple[int, int]]:
    """``(line_number, id)`` for every entry the plan's filters keep."""
    entries = iter_catalogue(path, plan, source)
    return ((number, item_id) for number, item_id, kept in entries if kept)


def iter_catalogue(
    path: Path, plan: Plan, source: str | None = None
) -> Iterator[tuple[int, int, bool]]:
    """``(line_number, id, kept)`` for every entry; ``kept``: the plan's filters keep it.
    Errors name ``source`` (the file or URL the user gave; ``path`` may be its download)."""
    shown = source or str(path)
    with path.open("rb") as probe:
        compressed = probe.read(2) == GZIP_MAGIC
    opener = gzip.open if compressed else open
    checked = False
    try:
        with opener(path, "rt", encoding="utf-8") as lines:
            for number, line in enumerate(lines, start=1):
                if not line.strip():
                    continue
                entry = _parse_line(line, number, shown)
                if not checked:
                    _check_media(entry, plan.media_type, path.name, shown)
                    checked = True
                yield number, entry["id"], _keep(entry, plan)
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise UsageError(f"{shown} is not a readable daily ID export: {exc}") from None
    if not checked:  # not one entry: an empty file, not TMDB's daily ID export
        raise UsageError(f"{shown} has no entries: not a TMDB daily ID export")


def _parse_line(line: str, number: int, shown: str) -> dict[str, Any]:
    try:
        entry = json.loads(line)
    except ValueError:
        raise UsageError(f"{shown} line {number} is not JSON: not a TMDB daily ID export") from None
    if not isinstance(entry, dict) or not isinstance(entry.get("id"), int):
        raise UsageError(f"{shown} line {number} has no integer id: not a TMDB daily ID export")
    return entry


def check_name(name: str, media: MediaType, shown: str) -> None:
    """A file (or URL, ``shown``) whose name ``name`` is TMDB's for another entity's daily
    export (``tv_network_ids_...`` for people) is refused: the lines of collections,
    companies and networks are alike, and a person's line has a ``name`` too."""
    named = next((other for other in MEDIA_TYPES.values() if name.startswith(_prefix(other))), None)
    if named is not None and named is not media:
        raise UsageError(
            f"{shown} is the daily ID export of {named.plural}, not of {media.plural}; use"
            f" {media.daily_export_prefix}_MM_DD_YYYY.json.gz"
        )


def _check_media(entry: dict[str, Any], media: MediaType, name: str, shown: str) -> None:
    """A line of another daily export (the movies' for a TV collection, people's...) names
    its item otherwise, and a file keeps TMDB's name (:func:`check_name`): refused before any
    of its ids could be queued or marked removed."""
    check_name(name, media, shown)
    if media.daily_export_title in entry:
        return
    others = [key for key in (*_CATALOGUE_TITLES, "name") if key in entry]
    if others:
        raise UsageError(
            f"{shown} is not a {media.word} daily ID export (its lines have {others[0]!r}, not"
            f" {media.daily_export_title!r}); use {media.daily_export_prefix}_MM_DD_YYYY.json.gz"
        )


def _prefix(media: MediaType) -> str:
    return f"{media.daily_export_prefix}_"


def _keep(entry: dict[str, Any], plan: Plan) -> bool:
    if entry.get("adult") is True and not plan.include_adult:
        return False
    if entry.get("video") is True and not plan.include_video:
        return False
    popularity = entry.get("popularity", 0)
    return isinstance(popularity, int | float) and popularity >= plan.min_popularity
