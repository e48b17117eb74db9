"""Person bodies: ``/person/{id}`` and its parts, in the OpenAPI spec's key order.

A person is one index of the pool the credits draw from; their name, gender, department,
popularity and profile are :func:`.text.person`'s (the movie catalogue's seed), the rest is drawn
here from the same index. Their credits are read from the titles that list them
(:meth:`.graph.Graph.credits_of`), so ``combined_credits`` and the titles' credits agree.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from tmdb_collector.simulator._hash import hash_ints, hex24, image_path, number, rng_for
from tmdb_collector.simulator.graph import Credit, Graph
from tmdb_collector.simulator.lists import recommendation_item
from tmdb_collector.simulator.text import person
from tmdb_collector.simulator.vocab import COUNTRIES, LANGUAGES

JSONDict = dict[str, Any]
SALT_PEOPLE = 21
_PLACES = (
    ("Los Angeles, California", "USA"), ("New York City, New York", "USA"),
    ("Chicago, Illinois", "USA"), ("London, England", "UK"), ("Manchester, England", "UK"),
    ("Toronto, Ontario", "Canada"), ("Sydney, New South Wales", "Australia"),
    ("Paris", "France"), ("Lyon", "France"), ("Berlin", "Germany"), ("Munich", "Germany"),
    ("Madrid", "Spain"), ("Rome", "Italy"), ("Tokyo", "Japan"), ("Seoul", "South Korea"),
    ("Mumbai, Maharashtra", "India"), ("Mexico City", "Mexico"), ("São Paulo", "Brazil"),
)  # fmt: skip
_ROLES = {"Acting": "actor", "Directing": "director", "Writing": "writer"}


def details(graph: Graph, index: int) -> JSONDict:
    """``GET /person/{id}``."""
    seed = graph.movies.seed
    p = person(seed, index)
    rng = rng_for(seed, SALT_PEOPLE, index)
    born = date(1920, 1, 1).toordinal() + int(31_000 * rng.random() ** 0.7)
    birthday = date.fromordinal(born).isoformat() if rng.random() < 0.85 else None
    died = None
    if birthday is not None and born < date(1950, 1, 1).toordinal() and rng.random() < 0.5:
        died = date.fromordinal(born + 365 * rng.randint(40, 90)).isoformat()
    city, country = rng.choice(_PLACES)
    place = f"{city}, {country}" if birthday is not None else None
    role = _ROLES.get(p.known_for_department, "filmmaker")
    biography = "" if rng.random() < 0.3 else f"{p.name} is a {role} born in {city}."
    return {
        "adult": False,
        "also_known_as": [p.name.upper()] if rng.random() < 0.2 else [],
        "biography": biography,
        "birthday": birthday,
        "deathday": died,
        "gender": p.gender,
        "homepage": None,
        "id": p.id,
        "imdb_id": imdb_id(seed, index),
        "known_for_department": p.known_for_department,
        "name": p.name,
        "place_of_birth": place,
        "popularity": number(p.popularity),
        "profile_path": p.profile_path,
    }


def imdb_id(seed: int, index: int) -> str | None:
    h = hash_ints(seed, SALT_PEOPLE, index, 1)
    return None if h % 10 == 0 else f"nm{h % 9_000_000 + 10_000:07d}"


def external_ids(graph: Graph, index: int) -> JSONDict:
    seed = graph.movies.seed
    h = hash_ints(seed, SALT_PEOPLE, index, 2)
    handle = person(seed, index).name.lower().replace(" ", "")
    known = h % 3 == 0
    return {
        "id": person(seed, index).id,
        "freebase_mid": f"/m/0{h % 36**4:x}" if h % 5 == 0 else None,
        "freebase_id": None,
        "imdb_id": imdb_id(seed, index),
        "tvrage_id": h % 90_000 + 1000 if h % 7 == 0 else None,
        "wikidata_id": f"Q{h % 90_000_000 + 10_000}" if h % 2 == 0 else None,
        "facebook_id": handle if known else None,
        "instagram_id": handle if known else None,
        "tiktok_id": None,
        "twitter_id": handle if known and h % 2 else None,
        "youtube_id": None,
    }


def images(graph: Graph, index: int) -> JSONDict:
    seed = graph.movies.seed
    p = person(seed, index)
    rng = rng_for(seed, SALT_PEOPLE, index, 3)
    paths = [p.profile_path] if p.profile_path else []
    paths += [image_path(rng) for _ in range(rng.randint(0, 4))] if paths else []
    profiles = [
        {
            "aspect_ratio": 0.667,
            "height": height,
            "iso_639_1": None,
            "file_path": path,
            "vote_average": number(round(5.0 + 0.6 * rng.random(), 3)),
            "vote_count": rng.randint(0, 40),
            "width": height * 2 // 3,
        }
        for path in paths
        for height in [rng.choice((750, 1500, 3000))]
    ]
    return {"id": p.id, "profiles": profiles}


def translations(graph: Graph, index: int) -> JSONDict:
    body = details(graph, index)
    chosen = [LANGUAGES[0]]
    rng = rng_for(graph.movies.seed, SALT_PEOPLE, index, 4)
    chosen += [LANGUAGES[i] for i in sorted(rng.sample(range(1, len(LANGUAGES)), 2))]
    items = [
        {
            "iso_3166_1": lang.country,
            "iso_639_1": lang.code,
            "name": lang.name,
            "english_name": lang.english_name,
            "data": {"biography": body["biography"] if n == 0 else "", "name": body["name"]},
        }
        for n, lang in enumerate(chosen)
        if lang.country in COUNTRIES
    ]
    return {"id": body["id"], "translations": items}


def tagged_images(graph: Graph, index: int, page: int = 1) -> JSONDict:
    """Stills of the person from the movies they are credited in (page 1 only)."""
    seed = graph.movies.seed
    person_id = person(seed, index).id
    rng = rng_for(seed, SALT_PEOPLE, index, 5)
    movies = sorted({c.slot for c in graph.credits_of(person_id) if c.catalog is graph.movies})
    results = []
    for slot in movies[: rng.randint(0, 3)]:
        media = recommendation_item(graph.movies, slot)
        results.append(
            {
                "aspect_ratio": 1.778,
                "file_path": image_path(rng),
                "height": 1080,
                "id": hex24(seed, SALT_PEOPLE, index, slot),
                "iso_639_1": None,
                "vote_average": 0,
                "vote_count": 0,
                "width": 1920,
                "image_type": "backdrop",
                "media": media,
                "media_type": "movie",
            }
        )
    shown = results if page == 1 else []
    return {
        "id": person_id,
        "page": page,
        "results": shown,
        "total_pages": 1 if results else 0,
        "total_results": len(results),
    }


# What a credit adds to the title's fields, by (catalogue media, cast or crew).
_MOVIE_CAST = ("character", "credit_id", "order")
_MOVIE_CREW = ("credit_id", "department", "job")


def _entries(graph: Graph, credit: Credit, combined: bool) -> list[JSONDict]:
    """The person's entries for one credit: one per role or job of a series."""
    entry = credit.entry
    title = graph.title_item(credit.catalog, credit.slot)
    if credit.catalog is graph.movies:
        keys = _MOVIE_CAST if credit.kind == "cast" else _MOVIE_CREW
        own = [{key: entry[key] for key in keys}]
        media = "movie"
    else:
        media = "tv"
        if credit.kind == "cast":
            own = [
                {"character": r["character"], "credit_id": r["credit_id"],
                 "episode_count": r["episode_count"]}
                for r in entry["roles"]
            ]  # fmt: skip
        else:
            own = [
                {"credit_id": j["credit_id"], "department": entry["department"],
                 "episode_count": j["episode_count"], "job": j["job"]}
                for j in entry["jobs"]
            ]  # fmt: skip
    extra = {"media_type": media} if combined else {}
    return [{**title, **fields, **extra} for fields in own]


def credits(graph: Graph, index: int, media: str | None) -> JSONDict:
    """``combined_credits`` (``media`` None), ``movie_credits`` or ``tv_credits``."""
    person_id = person(graph.movies.seed, index).id
    found: dict[str, list[JSONDict]] = {"cast": [], "crew": []}
    for credit in graph.credits_of(person_id):
        is_movie = credit.catalog is graph.movies
        if media is None or (media == "movie") == is_movie:
            found[credit.kind] += _entries(graph, credit, combined=media is None)
    return {"cast": found["cast"], "crew": found["crew"], "id": person_id}


PARTS = {
    "combined_credits": lambda g, i, page: credits(g, i, None),
    "movie_credits": lambda g, i, page: credits(g, i, "movie"),
    "tv_credits": lambda g, i, page: credits(g, i, "tv"),
    "external_ids": lambda g, i, page: external_ids(g, i),
    "images": lambda g, i, page: images(g, i),
    "translations": lambda g, i, page: translations(g, i),
    "tagged_images": tagged_images,
}


def export_line(graph: Graph, index: int) -> JSONDict:
    """A line of ``person_ids_MM_DD_YYYY.json.gz``."""
    p = person(graph.movies.seed, index)
    return {"adult": False, "id": p.id, "name": p.name, "popularity": number(p.popularity)}
