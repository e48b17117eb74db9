"""Media types: the facts that differ between movies and TV series, one module per type."""

from __future__ import annotations

from tmdb_collector.errors import ConfigError
from tmdb_collector.media.base import ALL_PARTS, ExpandingPart, MediaType, Part
from tmdb_collector.media.movie import MOVIE
from tmdb_collector.media.tv import TV

MEDIA_TYPES: dict[str, MediaType] = {MOVIE.name: MOVIE, TV.name: TV}
DEFAULT_MEDIA = MOVIE.name


def media_type(name: str) -> MediaType:
    """The media type called ``name``; a :class:`ConfigError` naming the valid ones if none."""
    try:
        return MEDIA_TYPES[name]
    except KeyError:
        raise ConfigError(
            f"unknown media {name!r}; choose one of {', '.join(MEDIA_TYPES)}"
        ) from None


__all__ = [
    "ALL_PARTS",
    "DEFAULT_MEDIA",
    "MEDIA_TYPES",
    "MOVIE",
    "TV",
    "ExpandingPart",
    "MediaType",
    "Part",
    "media_type",
]
