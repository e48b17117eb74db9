"""Media types: the facts that differ between movies, TV series and the entities they link to
(people, collections, companies, networks), one module per type."""

from __future__ import annotations

from tmdb_collector.errors import ConfigError
from tmdb_collector.media.base import ALL_PARTS, ExpandingPart, MediaType, Part
from tmdb_collector.media.collection import COLLECTION
from tmdb_collector.media.company import COMPANY
from tmdb_collector.media.movie import MOVIE
from tmdb_collector.media.network import NETWORK
from tmdb_collector.media.person import PERSON
from tmdb_collector.media.tv import TV

# The titles, then the entities they link to (whole catalogues of those come from --ids-from).
MEDIA_TYPES: dict[str, MediaType] = {
    media.name: media for media in (MOVIE, TV, PERSON, COLLECTION, COMPANY, NETWORK)
}
DEFAULT_MEDIA = MOVIE.name
# What a database made before media types holds (schema 1's, and any without a media key).
LEGACY_MEDIA = MOVIE.name


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
    "COLLECTION",
    "COMPANY",
    "DEFAULT_MEDIA",
    "LEGACY_MEDIA",
    "MEDIA_TYPES",
    "MOVIE",
    "NETWORK",
    "PERSON",
    "TV",
    "ExpandingPart",
    "MediaType",
    "Part",
    "media_type",
]
