"""The sub-resources of one TV season (``/tv/{id}/season/{n}/<part>``, and the same names in
a season's ``append_to_response``): credits, aggregate credits, external ids, images,
translations, videos and watch providers, as the OpenAPI spec's season examples have them.

Bodies come without the season's ``id``; the renderer adds it where the standalone endpoint
has one (first, or last for the credits).
"""

from __future__ import annotations

from typing import Any

from tmdb_collector.simulator import availability, parts, tv
from tmdb_collector.simulator._hash import SALT_TV, hash_ints
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.parts import Languages, Subject
from tmdb_collector.simulator.tv_seasons import Season, layout, season_id, season_summary

JSONDict = dict[str, Any]
SEASON_PARTS = (
    "aggregate_credits", "credits", "external_ids", "images", "translations", "videos",
    "watch/providers",
)  # fmt: skip
ID_LAST = frozenset({"aggregate_credits", "credits"})  # the spec's season examples


def find_season(cat: Catalog, idx: int, number: int) -> Season | None:
    return next((s for s in layout(cat, idx) if s.number == number), None)


def season_subject(cat: Catalog, idx: int, season: Season) -> Subject:
    """The season as the shared parts see it: its own id, name, poster and air date."""
    series = tv.subject(cat, idx)
    summary = season_summary(cat, idx, season)
    return series._replace(
        id=summary["id"],
        title=f"{series.title} - {summary['name']}",
        released=season.air_ord,
        poster=summary["poster_path"],
        backdrop=None,
        overview=summary["overview"],
        tagline="",
    )


def aggregate_credits(cat: Catalog, idx: int, season: Season) -> JSONDict:
    """The series' aggregate credits narrowed to the season, counting its episodes."""
    whole = tv.aggregate_credits(cat, idx)
    cast: list[JSONDict] = []
    for member in tv.season_regulars(cat, idx, season.number):
        roles = [dict(r, episode_count=season.episodes) for r in member["roles"]]
        cast.append({**member, "roles": roles, "total_episode_count": season.episodes,
                     "order": len(cast)})  # fmt: skip
    crew = [
        {**m, "jobs": [dict(j, episode_count=season.episodes) for j in m["jobs"]],
         "total_episode_count": season.episodes}
        for m in whole["crew"]
    ]  # fmt: skip
    return {"cast": cast, "crew": crew}


def credits(cat: Catalog, idx: int, season: Season) -> JSONDict:
    """The season's cast (the regulars it has) and crew."""
    return tv.credits(cat, idx, season.number)


def external_ids(cat: Catalog, idx: int, season: Season) -> JSONDict:
    h = hash_ints(cat.seed, SALT_TV, season_id(cat.cols.ids[idx], season.number), 17)
    return {
        "freebase_mid": None,
        "freebase_id": None,
        "tvdb_id": 300_000 + h % 900_000 if h % 10 < 8 else None,
        "tvrage_id": None,
        "wikidata_id": f"Q{h % 90_000_000 + 10_000}" if h % 4 == 0 else None,
    }


def images(cat: Catalog, idx: int, season: Season, allowed: Languages) -> JSONDict:
    """A season has posters only."""
    body = parts.images(cat.seed, season_subject(cat, idx, season), allowed)
    return {"posters": body["posters"]}


def translations(cat: Catalog, idx: int, season: Season) -> JSONDict:
    body = parts.translations(cat.seed, season_subject(cat, idx, season))
    for item in body["translations"]:
        data = item["data"]
        item["data"] = {"name": "", "overview": data["overview"]}
    return body


def videos(cat: Catalog, idx: int, season: Season, allowed: Languages) -> JSONDict:
    return parts.videos(cat.seed, season_subject(cat, idx, season), allowed)


def watch_providers(cat: Catalog, idx: int, season: Season) -> JSONDict:
    """Where the series streams (a season is offered where its series is)."""
    return availability.watch_providers(cat.seed, tv.subject(cat, idx))
