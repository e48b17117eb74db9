"""A TV series' seasons and episodes: its season layout (how many seasons, episodes and air
dates, a pure function of the TV catalogue's seed and the series id), the season summaries of
its details, and ``GET /tv/{series_id}/season/{season_number}`` with its episodes.

Key order and types follow the OpenAPI spec's TV season example.
"""

from __future__ import annotations

import random
from datetime import date
from functools import lru_cache
from typing import Any, NamedTuple

from tmdb_collector.simulator._hash import SALT_TV, hash_ints, hex24, image_path, number, rng_for
from tmdb_collector.simulator.bodies import person_fields, person_index
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.lists import series_country
from tmdb_collector.simulator.text import character_name, overview, titles
from tmdb_collector.simulator.vocab_parts import NETWORKS

JSONDict = dict[str, Any]
MAX_SEASONS = 30
WEEK = 7  # days between a season's episodes
_EPISODE_COUNTS = (6, 8, 8, 10, 10, 10, 12, 13, 13, 22, 24)
_ANY_NETWORK = NETWORKS["US"][1:2] + NETWORKS["US"][7:8]  # Netflix, Prime Video


class Season(NamedTuple):
    number: int
    episodes: int
    air_ord: int  # 0 = unknown


def series_rng(cat: Catalog, sid: int, *extra: int) -> random.Random:
    return rng_for(cat.seed, SALT_TV, sid, *extra)


@lru_cache(maxsize=8192)
def _layout_cached(
    seed: int, sid: int, first_ord: int, today_ord: int, fame: float
) -> tuple[Season, ...]:
    rng = rng_for(seed, SALT_TV, sid, 1)
    years = max(1, (today_ord - first_ord) // 365 + 1) if first_ord else 1
    count = 1 + int((min(MAX_SEASONS, years) - 1) * rng.random() ** (2.5 - fame))
    per_season = rng.choice(_EPISODE_COUNTS)
    seasons: list[Season] = []
    if rng.random() < 0.2:
        seasons.append(_aired(0, rng.randint(1, 6), first_ord, first_ord, today_ord))
    for n in range(1, count + 1):
        air = first_ord + (n - 1) * 365 + rng.randint(-40, 40) if first_ord else 0
        episodes = max(1, per_season + rng.randint(-2, 2)) if per_season > 8 else per_season
        seasons.append(_aired(n, episodes, air, first_ord, today_ord))
    return tuple(seasons)


def _aired(number: int, episodes: int, air: int, first_ord: int, today_ord: int) -> Season:
    """A season whose weekly episodes have all aired by today: it starts early enough, not
    before the series, and holds only the episodes aired so far when the series is new."""
    if not first_ord:
        return Season(number, episodes, 0)
    air = max(min(air, today_ord - WEEK * (episodes - 1)), first_ord)
    aired = max(1, (today_ord - air) // WEEK + 1)
    return Season(number, min(episodes, aired), air)


def layout(cat: Catalog, idx: int) -> tuple[Season, ...]:
    """The series' seasons (season 0 = specials, when it has them), oldest first."""
    fame = min(1.0, cat.cols.popularity[idx] / 60.0)
    first = cat.cols.date_ord[idx]
    return _layout_cached(cat.seed, cat.cols.ids[idx], first, cat.today.toordinal(), fame)


def season_id(sid: int, number: int) -> int:
    return 10_000_000 + sid * (MAX_SEASONS + 1) + number


def episode_id(sid: int, number: int, episode: int) -> int:
    return 20_000_000 + (sid * (MAX_SEASONS + 1) + number) * 64 + episode


def air_day(ordinal: int) -> str | None:
    return date.fromordinal(ordinal).isoformat() if ordinal else None


def episode_air(season: Season, episode: int) -> int:
    return season.air_ord + WEEK * (episode - 1) if season.air_ord else 0


def networks(cat: Catalog, idx: int) -> list[JSONDict]:
    pool = NETWORKS.get(series_country(cat, idx), _ANY_NETWORK)
    pick = pool[hash_ints(cat.seed, SALT_TV, cat.cols.ids[idx], 2) % len(pool)]
    return [pick._asdict()]


def episode_stub(cat: Catalog, idx: int, season: Season, episode: int) -> JSONDict:
    sid = cat.cols.ids[idx]
    rng = series_rng(cat, sid, 3, season.number, episode)
    votes = rng.randint(0, 40)
    return {
        "id": episode_id(sid, season.number, episode),
        "name": f"Episode {episode}"
        if rng.random() < 0.3
        else _episode_title(cat, sid, season.number, episode),
        "overview": overview(cat.seed, episode_id(sid, season.number, episode)),
        "vote_average": number(round(6 + 3 * rng.random(), 3)) if votes else 0,
        "vote_count": votes,
        "air_date": air_day(episode_air(season, episode)),
        "episode_number": episode,
        "production_code": f"{season.number}{episode:02d}",
        "runtime": rng.randint(20, 65),
        "season_number": season.number,
        "show_id": sid,
        "still_path": image_path(rng) if rng.random() < 0.8 else None,
    }


def _episode_title(cat: Catalog, sid: int, number: int, episode: int) -> str:
    return titles(cat.seed, episode_id(sid, number, episode), 0)[0]


def season_summary(cat: Catalog, idx: int, s: Season) -> JSONDict:
    sid = cat.cols.ids[idx]
    rng = series_rng(cat, sid, 6, s.number)
    return {
        "air_date": air_day(s.air_ord),
        "episode_count": s.episodes,
        "id": season_id(sid, s.number),
        "name": "Specials" if s.number == 0 else f"Season {s.number}",
        "overview": "",
        "poster_path": image_path(rng) if rng.random() < 0.8 else None,
        "season_number": s.number,
        "vote_average": number(round(6 + 3 * rng.random(), 1)) if s.number else 0,
    }


def season(cat: Catalog, idx: int, number: int) -> JSONDict | None:
    """``GET /tv/{id}/season/{n}`` with its episodes, or ``None`` if there is no such season."""
    found = next((s for s in layout(cat, idx) if s.number == number), None)
    if found is None:
        return None
    sid = cat.cols.ids[idx]
    summary = season_summary(cat, idx, found)
    episodes: list[JSONDict] = []
    for episode in range(1, found.episodes + 1):
        stub = episode_stub(cat, idx, found, episode)
        rng = series_rng(cat, sid, 7, number, episode)
        kind = "finale" if episode == found.episodes else "standard"
        director = person_fields(cat.seed, person_index(rng, 4000))
        crew = [
            {
                "department": "Directing",
                "job": "Director",
                "credit_id": hex24(cat.seed, SALT_TV, sid, number, episode, 1),
                **director,
            }
        ]
        guests = []
        for order in range(rng.randint(0, 4)):
            guest = person_fields(cat.seed, person_index(rng, 8000))
            guests.append({"character": character_name(rng), "credit_id": hex24(
                cat.seed, SALT_TV, sid, number, episode, 2 + order), "order": 500 + order,
                **guest})  # fmt: skip
        episodes.append(
            {"air_date": stub["air_date"], "episode_number": episode, "episode_type": kind}
            | {k: stub[k] for k in ("id", "name", "overview", "production_code", "runtime")}
            | {"season_number": number, "show_id": sid, "still_path": stub["still_path"]}
            | {"vote_average": stub["vote_average"], "vote_count": stub["vote_count"]}
            | {"crew": crew, "guest_stars": guests}
        )
    return {
        "_id": hex24(cat.seed, SALT_TV, sid, number, 0),
        "air_date": summary["air_date"],
        "episodes": episodes,
        "name": summary["name"],
        "networks": networks(cat, idx),
        "overview": summary["overview"],
        "id": summary["id"],
        "poster_path": summary["poster_path"],
        "season_number": number,
        "vote_average": summary["vote_average"],
    }
