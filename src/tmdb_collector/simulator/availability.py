"""Where and for whom a title is released: release dates with each country's certification,
TV content ratings, and watch providers per country (shared by movies and series)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import NamedTuple

from tmdb_collector.simulator._hash import SALT_PARTS, hash_ints
from tmdb_collector.simulator.generate import LAST_RELEASE
from tmdb_collector.simulator.parts import JSONDict, Subject, fame, part_rng, slug
from tmdb_collector.simulator.vocab_parts import (
    FESTIVALS,
    MOVIE_RATINGS,
    OFFER_TYPES,
    PHYSICAL_NOTES,
    TV_RATINGS,
    WATCH_REGIONS,
    Provider,
)


# --------------------------------------------------------- release dates, age ratings
def _rating(ladder: tuple[str, ...], maturity: int) -> str:
    return ladder[max(0, min(len(ladder) - 1, maturity))]


def _release(cert: str, day: date, kind: int, note: str, lang: str = "") -> JSONDict:
    return {
        "certification": cert,
        "descriptors": [],
        "iso_639_1": lang,
        "note": note,
        "release_date": f"{day.isoformat()}T00:00:00.000Z",
        "type": kind,
    }


def release_dates(seed: int, s: Subject) -> JSONDict:
    """``{"results": [{iso_3166_1, release_dates: [...]}]}``. The home country's theatrical
    (type 3) date is the details' ``release_date``; certifications follow each country's
    own rating system. Types: 1 premiere, 3 theatrical, 4 digital, 5 physical, 6 TV."""
    if not s.released:
        return {"results": []}
    rng = part_rng(seed, s, 40)
    first = date.fromordinal(s.released)
    today = date.fromordinal(s.today).isoformat()
    countries = [s.country]
    others = [c for c in MOVIE_RATINGS if c != s.country]
    countries += rng.sample(others, min(len(others), rng.randint(0, 2 + int(14 * fame(s)))))
    results: list[JSONDict] = []
    for n, cc in enumerate(countries):
        cert = _rating(MOVIE_RATINGS[cc], s.maturity) if rng.random() < 0.8 else ""
        start = first if n == 0 else first + timedelta(days=rng.randint(0, 200))
        dates: list[JSONDict] = []
        if n == 0 and rng.random() < 0.3:
            premiere = start - timedelta(days=rng.randint(10, 120))
            dates.append(_release("", premiere, 1, rng.choice(FESTIVALS)))
        dates.append(_release(cert, start, 3, ""))
        if rng.random() < 0.5:
            dates.append(_release(cert, start + timedelta(days=rng.randint(40, 120)), 4, ""))
        if rng.random() < 0.3:
            note = rng.choice(PHYSICAL_NOTES)
            dates.append(_release(cert, start + timedelta(days=rng.randint(90, 400)), 5, note))
        dates = [x for x in dates if x["release_date"][:10] <= today]  # none scheduled yet
        if dates:
            results.append({"iso_3166_1": cc, "release_dates": dates})
    return {"results": results}


def content_ratings(seed: int, s: Subject) -> JSONDict:
    """TV: ``{"results": [{descriptors, iso_3166_1, rating}]}`` (``id`` comes last)."""
    rng = part_rng(seed, s, 41)
    others = [c for c in TV_RATINGS if c != s.country]
    countries = [s.country] if s.country in TV_RATINGS else []
    countries += rng.sample(others, rng.randint(0, min(len(others), 2 + int(8 * fame(s)))))
    results = [
        {"descriptors": [], "iso_3166_1": cc, "rating": _rating(TV_RATINGS[cc], s.maturity)}
        for cc in countries
    ]
    return {"results": results}


# ---------------------------------------------------------------------- watch providers
def _priority(region: str, provider_id: int) -> int:
    """A provider's display priority in a region: the same for every title, like TMDB."""
    return 1 + hash_ints(SALT_PARTS, sum(map(ord, region)), provider_id) % 60


# The world moves after the default day (generate.LAST_RELEASE, the simulator's default
# today): on each later day some titles arrive on or leave a service. Up to that day the
# offers are as they always were, so every body served at the default day is unchanged.
WORLD_MOVES_AFTER = LAST_RELEASE
WEEKLY_MOVE = 0.03  # chance a title's offers move in a given week...
NEW_RELEASE_MOVE = 0.25  # ...and for a title released fewer than NEW_RELEASE_DAYS before
NEW_RELEASE_DAYS = 120
_REGIONS = sorted(WATCH_REGIONS)


class OfferMove(NamedTuple):
    """One offer toggled on ``day`` (an ordinal): it arrives if absent, leaves if present."""

    day: int
    region: str
    offer: str
    provider: Provider


def _candidates(region: str, offer: str) -> tuple[Provider, ...]:
    offers = WATCH_REGIONS[region]
    return offers["stores"] if offer in ("rent", "buy") else offers.get(offer, ())


def offer_moves(seed: int, s: Subject) -> list[OfferMove]:
    """The offers of ``s`` that moved after :data:`WORLD_MOVES_AFTER` up to its ``today``, in
    day order: deterministic for the seed, the title and the week, whatever today is. Not in
    the changes feed (on TMDB they come from JustWatch)."""
    moves: list[OfferMove] = []
    for week in range(WORLD_MOVES_AFTER.toordinal() + 1, s.today + 1, 7):
        rng = part_rng(seed, s, 51, week)
        new = s.released and week - s.released < NEW_RELEASE_DAYS
        if rng.random() >= (NEW_RELEASE_MOVE if new else WEEKLY_MOVE):
            continue
        day = week + rng.randrange(7)
        for _ in range(rng.randint(1, 2)):
            region, offer = rng.choice(_REGIONS), rng.choice(OFFER_TYPES)
            providers = _candidates(region, offer)
            if providers and day <= s.today:
                moves.append(OfferMove(day, region, offer, rng.choice(providers)))
    return moves


def watch_providers(seed: int, s: Subject) -> JSONDict:
    """``{"results": {CC: {link, flatrate, rent, buy, free, ads}}}`` with only the offer
    types a region has for this title, providers sorted by display priority; offers move
    after the default day (:func:`offer_moves`)."""
    rng = part_rng(seed, s, 50)
    known = fame(s)
    link = f"https://www.themoviedb.org/{s.media}/{s.id}-{slug(s.title)}/watch?locale="
    offered: dict[str, dict[str, list[Provider]]] = {}
    for region, offers in WATCH_REGIONS.items():
        if rng.random() > 0.15 + 0.8 * known:
            continue
        stores = offers["stores"]
        sold = [p for p in stores if rng.random() < 0.3 + 0.6 * known]
        offered[region] = {
            "flatrate": [p for p in offers["flatrate"] if rng.random() < 0.1 + 0.3 * known],
            "rent": sold,
            "buy": [p for p in sold if rng.random() < 0.9],
            "free": [p for p in offers.get("free", ()) if rng.random() < 0.3],
            "ads": [p for p in offers.get("ads", ()) if rng.random() < 0.3],
        }
    for move in offer_moves(seed, s):
        held = offered.setdefault(move.region, {}).setdefault(move.offer, [])
        if move.provider in held:
            held.remove(move.provider)
        else:
            held.append(move.provider)
    results: JSONDict = {}
    for region in WATCH_REGIONS:
        entry: JSONDict = {"link": link + region}
        picked = offered.get(region, {})
        for offer in OFFER_TYPES:
            providers = sorted(picked.get(offer, ()), key=lambda p: (_priority(region, p.id), p.id))
            if providers:
                entry[offer] = [
                    {
                        "logo_path": p.logo_path,
                        "provider_id": p.id,
                        "provider_name": p.name,
                        "display_priority": _priority(region, p.id),
                    }
                    for p in providers
                ]
        if len(entry) > 1:
            results[region] = entry
    return {"results": results}
