"""Collection, company and network bodies, in the OpenAPI spec's key order.

A collection is what the movies' ``belongs_to_collection`` name (its parts are those movies,
:meth:`.graph.Graph.collections`); a company is one of :func:`.text.company`'s, a network one
of the vocabulary's, each with the name, logo and country the titles give it.
"""

from __future__ import annotations

from typing import Any

from tmdb_collector.simulator import bodies
from tmdb_collector.simulator._hash import hash_ints, hex24, image_path, number, rng_for
from tmdb_collector.simulator.graph import Graph
from tmdb_collector.simulator.lists import recommendation_item
from tmdb_collector.simulator.text import company, overview
from tmdb_collector.simulator.vocab import LANGUAGES
from tmdb_collector.simulator.vocab_parts import Network

JSONDict = dict[str, Any]
SALT_STUDIOS = 22
_TOWNS = {"US": "Los Angeles, California", "GB": "London", "FR": "Paris", "DE": "Berlin",
          "JP": "Tokyo", "KR": "Seoul", "IN": "Mumbai", "ES": "Madrid", "IT": "Rome"}  # fmt: skip
# A collection's part: the spec names a movie's title "name" here.
_PART_KEYS = (
    "adult", "backdrop_path", "id", "name", "original_name", "overview", "poster_path",
    "media_type", "original_language", "genre_ids", "popularity", "release_date", "video",
    "vote_average", "vote_count",
)  # fmt: skip


# ------------------------------------------------------------------------- collections
def collection(graph: Graph, collection_id: int) -> JSONDict | None:
    """``GET /collection/{id}``; None when no movie names it."""
    slots = graph.collections().get(collection_id)
    if not slots:
        return None
    movies = graph.movies
    first = bodies.details(movies, slots[0])
    named = first["belongs_to_collection"]
    parts = []
    for slot in sorted(slots, key=lambda s: (movies.release_date(s) or "9999", s)):
        item = recommendation_item(movies, slot)
        item |= {"name": item["title"], "original_name": item["original_title"]}
        parts.append({key: item[key] for key in _PART_KEYS})
    return {
        "id": collection_id,
        "name": named["name"],
        "original_language": first["original_language"],
        "original_name": named["name"],
        "overview": overview(movies.seed, collection_id),
        "poster_path": named["poster_path"],
        "backdrop_path": named["backdrop_path"],
        "parts": parts,
    }


def collection_images(graph: Graph, collection_id: int) -> JSONDict:
    body = collection(graph, collection_id) or {}
    rng = rng_for(graph.movies.seed, SALT_STUDIOS, collection_id, 1)
    found: JSONDict = {"id": collection_id}
    for kind, path, ratio, width, language in (
        ("backdrops", body.get("backdrop_path"), 1.778, 1920, None),
        ("posters", body.get("poster_path"), 0.667, 1000, "en"),
    ):
        paths = [path] if path else []
        paths += [image_path(rng) for _ in range(rng.randint(0, 3))]
        found[kind] = [_image(rng, p, ratio, width, language) for p in paths]
    return found


def _image(rng: Any, path: str, ratio: float, width: int, language: str | None) -> JSONDict:
    votes = rng.randint(0, 30)
    return {
        "aspect_ratio": ratio,
        "height": round(width / ratio),
        "iso_639_1": language,
        "file_path": path,
        "vote_average": number(round(5.0 + 0.6 * rng.random(), 3)) if votes else 0,
        "vote_count": votes,
        "width": width,
    }


def collection_translations(graph: Graph, collection_id: int) -> JSONDict:
    body = collection(graph, collection_id) or {}
    rng = rng_for(graph.movies.seed, SALT_STUDIOS, collection_id, 2)
    chosen = [0, *sorted(rng.sample(range(1, len(LANGUAGES)), rng.randint(0, 3)))]
    items = []
    for n in chosen:
        lang = LANGUAGES[n]
        english = n == 0
        data = {
            "title": body.get("name", "") if english else "",
            "overview": body.get("overview", "") if english else "",
            "homepage": "",
        }
        items.append(
            {
                "iso_3166_1": lang.country,
                "iso_639_1": lang.code,
                "name": lang.name,
                "english_name": lang.english_name,
                "data": data,
            }
        )
    return {"id": collection_id, "translations": items}


# ---------------------------------------------------------------- companies, networks
def company_details(index: int, seed: int) -> JSONDict:
    """``GET /company/{id}`` of company ``index`` (:func:`.text.company`)."""
    found = company(seed, index)
    rng = rng_for(seed, SALT_STUDIOS, found.id, 3)
    slug = "".join(ch for ch in found.name.lower() if ch.isalnum())
    return {
        "description": "",
        "headquarters": _TOWNS.get(found.origin_country, "") if rng.random() < 0.6 else "",
        "homepage": f"https://www.{slug}.com" if rng.random() < 0.4 else "",
        "id": found.id,
        "logo_path": found.logo_path,
        "name": found.name,
        "origin_country": found.origin_country,
        "parent_company": None,
    }


def network_details(network: Network) -> JSONDict:
    """``GET /network/{id}``."""
    slug = "".join(ch for ch in network.name.lower() if ch.isalnum())
    return {
        "headquarters": _TOWNS.get(network.origin_country, ""),
        "homepage": f"https://www.{slug}.com",
        "id": network.id,
        "logo_path": network.logo_path,
        "name": network.name,
        "origin_country": network.origin_country,
    }


def alternative_names(seed: int, item_id: int, name: str) -> JSONDict:
    """``{id, results}``: a short form and, sometimes, one in another script."""
    h = hash_ints(seed, SALT_STUDIOS, item_id, 4)
    results = []
    if h % 3:
        results.append({"name": name.split(" ")[0], "type": ""})
    if h % 5 == 0:
        results.append({"name": name.upper(), "type": "abbreviation"})
    return {"id": item_id, "results": results}


def logos(seed: int, item_id: int, logo_path: str | None) -> JSONDict:
    """``{id, logos}``: the details' logo first, then older ones."""
    rng = rng_for(seed, SALT_STUDIOS, item_id, 5)
    paths = [logo_path] if logo_path else []
    paths += [image_path(rng, ".png") for _ in range(rng.randint(0, 2))] if paths else []
    found: list[JSONDict] = []
    for path in paths:
        ratio = round(rng.uniform(1.5, 4.5), 3)
        width = rng.choice((300, 500, 800))
        found.append(
            {
                "aspect_ratio": ratio,
                "file_path": path,
                "height": max(1, round(width / ratio)),
                "id": hex24(seed, SALT_STUDIOS, item_id, len(found)),
                "file_type": ".svg" if rng.random() < 0.5 else ".png",
                "vote_average": 0,
                "vote_count": 0,
                "width": width,
            }
        )
    return {"id": item_id, "logos": found}
