"""Which image files a record names: the facts behind ``tmdb-collector images``.

An image *kind* (``poster``, ``backdrop``, ``logo``, ``still``, ``profile``) is TMDB's: its
sizes are ``/configuration``'s ``images.<kind>_sizes``. An :class:`ImageSource` says where one
media type's record names files of a kind: a field of its details (a title's
``poster_path``), or a list in one of its parts (the ``images`` part's ``posters``, the
``seasons`` part's episode stills). A media type lists its sources (``MediaType.images``);
the downloader walks them without knowing what they are.

A source marked ``gallery`` is the ``images`` part's list, read with ``--per-title N`` (its
first N); the others are each record's own pictures, read by default.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tmdb_collector.media.links import DETAILS

DEFAULT_IMAGE_RATE = 20.0  # files per second: polite to the CDN
DEFAULT_IMAGE_CONCURRENCY = 10  # connections; the CDN allows about 20 per IP

POSTER, BACKDROP, LOGO, STILL, PROFILE = "poster", "backdrop", "logo", "still", "profile"
IMAGE_KINDS = (POSTER, BACKDROP, LOGO, STILL, PROFILE)
DEFAULT_KINDS = (POSTER,)
# The size each kind gets without --size: what a library view shows.
DEFAULT_SIZES = {POSTER: "w342", BACKDROP: "w780", LOGO: "w300", STILL: "w300", PROFILE: "w185"}
GALLERY_PART = "images"

Reader = Callable[[Mapping[str, Any]], Iterator[str]]


def sizes_key(kind: str) -> str:
    """The /configuration key listing a kind's sizes: ``poster_sizes``."""
    return f"{kind}_sizes"


@dataclass(frozen=True)
class ImageSource:
    """Files of ``kind`` named in the body ``part`` (``details`` or a part name) of a record;
    ``read`` yields their paths (``/abc.jpg``) in TMDB's order."""

    kind: str
    part: str
    read: Reader
    gallery: bool = False


def _path(value: object) -> Iterator[str]:
    if isinstance(value, str) and value.startswith("/"):
        yield value


def own(kind: str, field: str) -> ImageSource:
    """The record's own picture: a path field of its details, e.g. ``poster_path``."""

    def read(body: Mapping[str, Any]) -> Iterator[str]:
        yield from _path(body.get(field))

    return ImageSource(kind, DETAILS, read)


def gallery(kind: str, key: str) -> ImageSource:
    """The ``images`` part's list ``key`` (``posters``), each entry's ``file_path``."""

    def read(body: Mapping[str, Any]) -> Iterator[str]:
        for entry in body.get(key) or ():
            if isinstance(entry, Mapping):
                yield from _path(entry.get("file_path"))

    return ImageSource(kind, GALLERY_PART, read, gallery=True)


def episode_stills(part: str) -> ImageSource:
    """Every episode's ``still_path`` in an expanding part keyed by season sub-path."""

    def read(body: Mapping[str, Any]) -> Iterator[str]:
        for season in body.values():
            if not isinstance(season, Mapping):
                continue
            for episode in season.get("episodes") or ():
                if isinstance(episode, Mapping):
                    yield from _path(episode.get("still_path"))

    return ImageSource(STILL, part, read)


def titles_images() -> tuple[ImageSource, ...]:
    """A title's (movie, series, collection): its poster and backdrop, and the gallery's."""
    return (
        own(POSTER, "poster_path"),
        own(BACKDROP, "backdrop_path"),
        gallery(POSTER, "posters"),
        gallery(BACKDROP, "backdrops"),
        gallery(LOGO, "logos"),
    )


def logos_images() -> tuple[ImageSource, ...]:
    """A company's or a network's: its logo, and the gallery's."""
    return own(LOGO, "logo_path"), gallery(LOGO, "logos")
