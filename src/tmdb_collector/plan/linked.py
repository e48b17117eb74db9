"""The plan's linked entities: ``--linked``, ``--person-parts`` and the bound on people.

``--linked`` takes the plural words of the entity types a title links to (``people``,
``collections``, ``companies``, ``networks``) or ``all`` (every one the title's media type
links to: networks are TV's alone). People are bounded by ``--linked-cast N`` (the first N
billed cast of each title; default all) and ``--linked-crew LIST`` (crew departments; default
all, ``none`` for no crew).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tmdb_collector.errors import ConfigError
from tmdb_collector.media import MEDIA_TYPES, PERSON, MediaType, media_type
from tmdb_collector.media.base import ALL, NO_PARTS
from tmdb_collector.media.links import DETAILS, Link, PeopleBound

PERSON_PARTS, DEFAULT_PERSON_PARTS = PERSON.part_names, PERSON.default_parts  # --person-parts


def linkable() -> tuple[str, ...]:
    """Every --linked word any media type accepts, in the media types' order."""
    entities = {link.entity for media in MEDIA_TYPES.values() for link in media.links}
    return tuple(media.plural for media in MEDIA_TYPES.values() if media.name in entities)


def linked_in_words() -> str:
    """The --linked words for a help text, each naming the media types that link to it when
    not all do: "people, collections (Movie only), companies, networks (TV only)"."""
    titles = [media for media in MEDIA_TYPES.values() if media.links]
    words = []
    for plural in linkable():
        by = [
            title.label
            for title in titles
            if plural in (media_type(link.entity).plural for link in title.links)
        ]
        words.append(plural if len(by) == len(titles) else f"{plural} ({'/'.join(by)} only)")
    return ", ".join(words)


def _words(value: object) -> list[str]:
    if isinstance(value, str):
        return [word.strip() for word in value.split(",") if word.strip()]
    if isinstance(value, list | tuple):
        return [str(word).strip() for word in value]
    raise ConfigError(f"linked must be a comma-separated list, not {value!r}")


def parse_linked(value: object, media: MediaType) -> tuple[str, ...]:
    """``"people,collections"``, a list, ``"all"`` or ``"none"``/``""`` -> the plural words,
    in the media type's link order; unknown words and ones ``media`` does not link to are a
    :class:`ConfigError` naming the accepted values."""
    mine = tuple(media_type(link.entity).plural for link in media.links)
    words = _words(value)
    if words in ([], [NO_PARTS]):
        return ()
    if ALL in words:
        return mine
    for word in words:
        if word not in linkable():
            raise ConfigError(
                f"unknown --linked value {word!r}; accepted values are"
                f" {', '.join(linkable())}, {ALL}"
            )
        if word not in mine:
            accepted = f"{', '.join(mine)}, {ALL}" if mine else "none"
            raise ConfigError(
                f"--linked {word} does not apply to a collection of {media.plural};"
                f" accepted values here: {accepted}"
            )
    return tuple(word for word in mine if word in words)


def parse_cast(value: object) -> int | None:
    if value is None or value == ALL:
        return None
    try:
        count = int(str(value))
    except ValueError:
        count = -1
    if count < 0:
        raise ConfigError(f"linked_cast must be a whole number or '{ALL}', not {value!r}")
    return count


def parse_crew(value: object) -> tuple[str, ...] | None:
    """Crew departments kept (None: all; empty: none)."""
    if value is None or value == ALL:
        return None
    words = _words(value)
    if words == [NO_PARTS]:
        return ()
    return tuple(words)


@dataclass(frozen=True)
class LinkedEntity:
    """One linked entity type of a plan: its media type, the link read, the title body it is
    read from (``details`` or a part), the parts fetched with each entity and the plan's
    bound on the people a credits body names (``--linked-cast``, ``--linked-crew``)."""

    media: MediaType
    link: Link
    source: str
    parts: tuple[str, ...]
    bound: PeopleBound

    def read(self, body: Mapping[str, Any]) -> Iterator[int]:
        """The ids of this entity type a title's ``source`` body names, within the bound."""
        return self.link.read(body, self.bound)


def linked_entities(
    media: MediaType,
    words: tuple[str, ...],
    title_parts: tuple[str, ...],
    person_parts: tuple[str, ...],
    bound: PeopleBound,
) -> tuple[LinkedEntity, ...]:
    """The plan's linked entity types; a :class:`ConfigError` when the title part a link is
    read from is not among the plan's parts."""
    chosen = []
    for link in media.links:
        entity = media_type(link.entity)
        if entity.plural not in words:
            continue
        held = (DETAILS, *title_parts)
        source = next((name for name in link.sources if name in held), None)
        if source is None:
            raise ConfigError(
                f"--linked {entity.plural} reads the {' or '.join(link.sources)} part of each"
                f" {media.word}: add it to --parts"
            )
        parts = person_parts if entity is PERSON else entity.default_parts
        chosen.append(LinkedEntity(entity, link, source, parts, bound))
    return tuple(chosen)


def people_bound(cast: int | None, crew: tuple[str, ...] | None) -> PeopleBound:
    return PeopleBound(cast, None if crew is None else frozenset(crew))
