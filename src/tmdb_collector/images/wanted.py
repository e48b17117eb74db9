"""The image files a collection names: its titles', and the linked entities' it holds.

Each media type says where its records name images (``MediaType.images``,
:mod:`tmdb_collector.media.images`); this walks the stored records with those facts alone. By
default a record's own pictures (a title's ``poster_path``); with ``per_title`` the first N of
each kind from its ``images`` part where the collection holds that part, else its own
pictures (at most N). The records are read one at a time: memory stays flat.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import orjson

from tmdb_collector.errors import UsageError
from tmdb_collector.media import MediaType
from tmdb_collector.media.images import GALLERY_PART, ImageSource
from tmdb_collector.media.links import DETAILS
from tmdb_collector.store.store import Store


@dataclass(frozen=True, slots=True)
class Wanted:
    """One image a record names: ``entity`` (its media type's name), id, kind, file path."""

    entity: str
    item_id: int
    kind: str
    file_path: str


def sources(
    media: MediaType, kinds: Sequence[str], per_title: int | None, held: Sequence[str]
) -> list[ImageSource]:
    """The sources of ``kinds`` to read for ``media``, whose records hold the parts ``held``."""
    chosen: list[ImageSource] = []
    for kind in kinds:
        of_kind = [source for source in media.images if source.kind == kind]
        galleries = [source for source in of_kind if source.gallery and source.part in held]
        if per_title is not None and galleries:
            chosen += galleries
        else:
            chosen += [
                source
                for source in of_kind
                if not source.gallery and (source.part == DETAILS or source.part in held)
            ]
    return chosen


def check_per_title(store: Store, per_title: int | None) -> None:
    """``--per-title`` reads the titles' ``images`` part: refused when it was not collected."""
    if per_title is None:
        return
    if per_title < 1:
        raise UsageError(f"--per-title must be a whole number of at least 1, not {per_title}")
    media = store.media_type
    if GALLERY_PART not in store.plan().parts:
        raise UsageError(
            f"--per-title reads the {GALLERY_PART} part, which this collection of"
            f" {media.plural} did not collect: run `tmdb-collector collect --db"
            f" {store.path} --parts ...,{GALLERY_PART}` first, or leave --per-title out for"
            " each title's own pictures"
        )


def wanted(store: Store, kinds: Sequence[str], per_title: int | None) -> Iterator[Wanted]:
    """Every image the records name, record by record (titles first, then the linked
    entities), each (kind, path) once per record."""
    titles = store.media_type
    yield from _of(titles, kinds, per_title, store.plan().parts, store, linked=False)
    for media in store.held_linked().values():
        yield from _of(media, kinds, per_title, store.linked_parts(media), store, linked=True)


def _of(
    media: MediaType,
    kinds: Sequence[str],
    per_title: int | None,
    held: Sequence[str],
    store: Store,
    *,
    linked: bool,
) -> Iterator[Wanted]:
    chosen = sources(media, kinds, per_title, held)
    if not chosen:
        return
    parts = sorted({source.part for source in chosen} - {DETAILS})
    rows = store.iter_linked(media.name, parts) if linked else store.iter_items(parts)
    for item_id, details, bodies in rows:
        by_part = {DETAILS: details, **dict(zip(parts, bodies, strict=True))}
        decoded: dict[str, object] = {}
        seen: set[tuple[str, str]] = set()
        for source in chosen:
            if source.part not in decoded:
                decoded[source.part] = orjson.loads(by_part[source.part])
            body = decoded[source.part]
            if not isinstance(body, dict):
                continue
            taken = 0
            for path in source.read(body):
                if per_title is not None and taken >= per_title:
                    break
                if (source.kind, path) not in seen:
                    seen.add((source.kind, path))
                    taken += 1
                    yield Wanted(media.name, item_id, source.kind, path)
