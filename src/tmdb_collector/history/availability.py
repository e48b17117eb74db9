"""The availability timeline: where each title streams (or rents, sells...) since when.

Each version of a title's ``watch/providers`` lists its offers, one per country, provider and
offer type. An offer's interval starts on the first day a version held it (a title first
collected on day D starts at D) and ends on the first day a version no longer held it (null
while it is offered). Versions are only as frequent as the refetches: a refresh a week tells
an arrival within that week, on the day of the refresh that saw it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Literal

import orjson

from tmdb_collector.errors import UsageError
from tmdb_collector.media.rows import WATCH_PROVIDERS
from tmdb_collector.store import codec
from tmdb_collector.store.store import Store

TITLE_COLUMN = "title_id"  # the title's id: in the history tables and the events
OfferKey = tuple[str, int, str]  # country, provider id, offer type


@dataclass(frozen=True)
class Interval:
    """One offer, from the first day seen to the first day seen gone (None: still offered)."""

    title_id: int
    country: str
    provider_id: int
    provider_name: str
    offer_type: str
    available_from: dt.date
    available_to: dt.date | None

    def row(self) -> tuple[int, str, int, str, str, dt.date, dt.date | None]:
        """The interval as a row of the ``availability`` table (its columns in order)."""
        return (
            self.title_id,
            self.country,
            self.provider_id,
            self.provider_name,
            self.offer_type,
            self.available_from,
            self.available_to,
        )


@dataclass(frozen=True)
class Event:
    """A title that arrived on or left a provider in a country on ``date``."""

    title_id: int
    title: str
    provider_id: int
    provider_name: str
    offer_type: str
    event: Literal["arrived", "left"]
    date: dt.date

    def to_dict(self) -> dict[str, Any]:
        return {
            TITLE_COLUMN: self.title_id,
            "title": self.title,
            "provider_id": self.provider_id,
            "provider_name": self.provider_name,
            "offer_type": self.offer_type,
            "event": self.event,
            "date": self.date.isoformat(),
        }


def offers(body: bytes) -> dict[OfferKey, str]:
    """The offers of a ``watch/providers`` body: ``(country, provider id, offer type)`` ->
    provider name."""
    found: dict[OfferKey, str] = {}
    results = orjson.loads(body).get("results")
    for country, entry in (results if isinstance(results, dict) else {}).items():
        for offer_type, providers in (entry if isinstance(entry, dict) else {}).items():
            if not isinstance(providers, list):
                continue
            for provider in providers:
                if isinstance(provider, dict) and isinstance(provider.get("provider_id"), int):
                    name = provider.get("provider_name")
                    key = (country, provider["provider_id"], offer_type)
                    found[key] = name if isinstance(name, str) else ""
    return found


def intervals(
    title_id: int, timeline: Iterable[tuple[str, codec.Stored]], coder: codec.Codec
) -> list[Interval]:
    """The offer intervals of one title's ``watch/providers`` versions (oldest first)."""
    done: list[Interval] = []
    open_: dict[OfferKey, tuple[dt.date, str]] = {}
    for day_text, body in timeline:
        day = dt.date.fromisoformat(day_text)
        now = offers(coder.decode(body))
        for key in [key for key in open_ if key not in now]:
            since, name = open_.pop(key)
            done.append(Interval(title_id, key[0], key[1], name, key[2], since, day))
        for key, name in now.items():
            if key not in open_:
                open_[key] = (day, name)
    for key, (since, name) in open_.items():
        done.append(Interval(title_id, key[0], key[1], name, key[2], since, None))
    done.sort(key=lambda x: (x.country, x.provider_id, x.offer_type, x.available_from))
    return done


def availability(
    store: Store, *, include_removed: bool = False, ids: Collection[int] | None = None
) -> Iterator[Interval]:
    """Every offer interval of the collection's titles (as the exports read them; of the
    titles ``ids`` only, if given), by id."""
    coder = store.codec
    for title_id, _, timeline in store.part_timelines(
        WATCH_PROVIDERS, include_removed=include_removed, ids=ids
    ):
        yield from intervals(title_id, timeline, coder)


def events(
    store: Store,
    country: str,
    provider: str | None = None,
    since: dt.date | None = None,
) -> list[Event]:
    """Arrivals and departures in ``country`` (an ISO 3166-1 code), on ``provider`` (an id
    or a name, any case) if given, on or after ``since``, by date then title. A title's first
    collection is not an arrival: only offers a later version added are. An unknown country
    or provider is a :class:`UsageError`."""
    if WATCH_PROVIDERS not in store.plan().parts:
        raise UsageError(f"this collection does not hold {WATCH_PROVIDERS}; collect with it")
    country = country.upper()
    coder, title_key = store.codec, store.media_type.details_check[0]
    countries: set[str] = set()
    providers: dict[int, str] = {}
    found: list[Event] = []
    for title_id, details, timeline in store.part_timelines(WATCH_PROVIDERS):
        first = dt.date.fromisoformat(timeline[0][0])
        title: str | None = None
        for offer in intervals(title_id, timeline, coder):
            countries.add(offer.country)
            if offer.country != country:
                continue
            providers[offer.provider_id] = offer.provider_name
            moves: list[tuple[Literal["arrived", "left"], dt.date]] = []
            if offer.available_to:
                moves.append(("left", offer.available_to))
            if offer.available_from > first:
                moves.append(("arrived", offer.available_from))
            for event, day in moves:
                if day is None or (since is not None and day < since):
                    continue
                if title is None:
                    title = _title(coder.decode(details), title_key)
                found.append(
                    Event(
                        title_id,
                        title,
                        offer.provider_id,
                        offer.provider_name,
                        offer.offer_type,
                        event,
                        day,
                    )
                )
    if country not in countries:
        raise UsageError(f"--country {country}: no title of this collection is offered there")
    if provider is not None:
        wanted = _provider(provider, providers, country)
        found = [event for event in found if event.provider_id == wanted]
    found.sort(key=lambda e: (e.date, e.title_id, e.provider_id, e.offer_type, e.event))
    return found


def _provider(provider: str, known: dict[int, str], country: str) -> int:
    text = provider.strip()
    if text.isdigit() and int(text) in known:
        return int(text)
    for provider_id, name in known.items():
        if name.casefold() == text.casefold():
            return provider_id
    raise UsageError(f"--provider {provider}: not a provider of this collection in {country}")


def _title(details: bytes, key: str) -> str:
    value = orjson.loads(details).get(key)
    return value if isinstance(value, str) else ""
