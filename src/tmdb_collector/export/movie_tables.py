"""The movie tables: their columns, which part feeds each, and how a stored movie becomes rows.

``movies``, ``genres`` and ``provenance`` are always written; every other table comes from one
part (``cast`` and ``crew`` both from ``credits``) and is written when that part is exported.
Every element of a TMDB array becomes exactly one row, so row counts equal the raw counts.
Documented, with an example query per table, in ``docs/tables.md``.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tmdb_collector.export.table_schema import (
    Column,
    Row,
    array,
    as_int_list,
    as_object,
    as_str_list,
    columns,
    make_row,
)

_PERSON = (
    "movie_id:int person_id:int credit_id:str name:str original_name:str gender:int"
    " known_for_department:str popularity:float profile_path:str adult:bool"
)
_LISTED = "popularity:float vote_average:float vote_count:int release_date:date"
TABLES: dict[str, tuple[Column, ...]] = {
    "movies": columns(
        "id:int imdb_id:str title:str original_title:str original_language:str overview:str"
        " tagline:str status:str release_date:date runtime:int budget:int revenue:int"
        " popularity:float vote_average:float vote_count:int adult:bool video:bool homepage:str"
        " poster_path:str backdrop_path:str collection_id:int collection_name:str"
        " origin_country:list_str production_countries:list_str spoken_languages:list_str"
        " production_company_ids:list_int"
    ),
    "genres": columns("movie_id:int genre_id:int name:str"),
    "cast": columns(_PERSON + " character:str order:int cast_id:int"),
    "crew": columns(_PERSON + " department:str job:str"),
    "keywords": columns("movie_id:int keyword_id:int name:str"),
    "recommendations": columns("movie_id:int rank:int recommended_id:int title:str " + _LISTED),
    "alternative_titles": columns("movie_id:int country:str title:str type:str"),
    "external_ids": columns(
        "movie_id:int imdb_id:str wikidata_id:str facebook_id:str instagram_id:str twitter_id:str"
    ),
    "images": columns(
        "movie_id:int kind:str file_path:str language:str width:int height:int"
        " aspect_ratio:float vote_average:float vote_count:int"
    ),
    "lists": columns(
        "movie_id:int rank:int list_id:int name:str description:str list_type:str"
        " language:str item_count:int favorite_count:int poster_path:str"
    ),
    "release_dates": columns(
        "movie_id:int country:str type:int certification:str release_date:timestamp"
        " language:str note:str descriptors:list_str"
    ),
    "reviews": columns(
        "movie_id:int review_id:str author:str username:str rating:float content:str"
        " created_at:timestamp updated_at:timestamp url:str"
    ),
    "similar": columns("movie_id:int rank:int similar_id:int title:str " + _LISTED),
    "translations": columns(
        "movie_id:int language:str country:str name:str english_name:str title:str"
        " overview:str tagline:str homepage:str runtime:int"
    ),
    "videos": columns(
        "movie_id:int video_id:str language:str country:str name:str key:str site:str"
        " size:int type:str official:bool published_at:timestamp"
    ),
    "watch_providers": columns(
        "movie_id:int country:str offer_type:str provider_id:int provider_name:str"
        " display_priority:int logo_path:str link:str"
    ),
    "provenance": columns("movie_id:int stage:str genre_id:int query:str page:int position:int"),
}
TABLE_NAMES = tuple(TABLES)
# Columns that identify a row of each table (TMDB's ids are unique within their lists); the
# duckdb export makes them primary keys.
KEYS: dict[str, tuple[str, ...]] = {
    "movies": ("id",),
    "genres": ("movie_id", "genre_id"),
    "cast": ("movie_id", "credit_id"),
    "crew": ("movie_id", "credit_id"),
    "keywords": ("movie_id", "keyword_id"),
    "recommendations": ("movie_id", "rank"),
    "similar": ("movie_id", "rank"),
    "external_ids": ("movie_id",),
    "watch_providers": ("movie_id", "country", "offer_type", "provider_id"),
    "provenance": ("movie_id", "query", "page"),
}
ALWAYS = ("movies", "genres", "provenance")
IMAGE_KINDS = {"backdrops": "backdrop", "logos": "logo", "posters": "poster"}
OFFER_TYPES = ("flatrate", "free", "ads", "rent", "buy")  # watch/providers, in table order
OFFER_RANK = {offer_type: rank for rank, offer_type in enumerate(OFFER_TYPES)}


def table_names(parts: Iterable[str]) -> tuple[str, ...]:
    """The tables an export of ``parts`` writes, in their documented order."""
    chosen = {table for part in parts for table in PART_TABLES.get(part, ())}
    return tuple(name for name in TABLE_NAMES if name in chosen or name in ALWAYS)


# ---- one part's body -> rows ------------------------------------------------------------------

Rows = dict[str, list[Row]]


def _rows(table: str, items: Iterable[Mapping[str, Any]]) -> list[Row]:
    return [make_row(TABLES[table], item) for item in items]


def _objects(body: Mapping[str, Any], key: str) -> Iterable[Mapping[str, Any]]:
    return map(as_object, array(body, key))


def _credits(movie_id: int, body: Mapping[str, Any]) -> Rows:
    def person(credit: Mapping[str, Any]) -> dict[str, Any]:
        return {**credit, "movie_id": movie_id, "person_id": credit.get("id")}

    return {
        "cast": _rows("cast", map(person, _objects(body, "cast"))),
        "crew": _rows("crew", map(person, _objects(body, "crew"))),
    }


def _keywords(movie_id: int, body: Mapping[str, Any]) -> Rows:
    return {
        "keywords": _rows(
            "keywords",
            ({"movie_id": movie_id, "keyword_id": k.get("id"), "name": k.get("name")}
             for k in _objects(body, "keywords")),
        )
    }  # fmt: skip


def _ranked(table: str, id_column: str) -> Callable[[int, Mapping[str, Any]], Rows]:
    """A paged list of movies or lists (page 1): one row per result, with its rank."""

    def build(movie_id: int, body: Mapping[str, Any]) -> Rows:
        return {
            table: _rows(
                table,
                ({**item, "movie_id": movie_id, "rank": rank, id_column: item.get("id"),
                  "language": item.get("iso_639_1")}
                 for rank, item in enumerate(_objects(body, "results"))),
            )
        }  # fmt: skip

    return build


def _alternative_titles(movie_id: int, body: Mapping[str, Any]) -> Rows:
    return {
        "alternative_titles": _rows(
            "alternative_titles",
            ({**t, "movie_id": movie_id, "country": t.get("iso_3166_1")}
             for t in _objects(body, "titles")),
        )
    }  # fmt: skip


def _external_ids(movie_id: int, body: Mapping[str, Any]) -> Rows:
    return {"external_ids": [make_row(TABLES["external_ids"], {**body, "movie_id": movie_id})]}


def _images(movie_id: int, body: Mapping[str, Any]) -> Rows:
    rows = []
    for key, kind in IMAGE_KINDS.items():
        for image in _objects(body, key):
            values = {**image, "movie_id": movie_id, "kind": kind}
            rows.append(make_row(TABLES["images"], {**values, "language": image.get("iso_639_1")}))
    return {"images": rows}


def _release_dates(movie_id: int, body: Mapping[str, Any]) -> Rows:
    rows = []
    for country in _objects(body, "results"):
        code = country.get("iso_3166_1")
        for release in _objects(country, "release_dates"):
            values = {**release, "movie_id": movie_id, "country": code}
            values["language"] = release.get("iso_639_1")
            rows.append(make_row(TABLES["release_dates"], values))
    return {"release_dates": rows}


def _reviews(movie_id: int, body: Mapping[str, Any]) -> Rows:
    rows = []
    for review in _objects(body, "results"):
        author = as_object(review.get("author_details"))
        values = {**review, "movie_id": movie_id, "review_id": review.get("id")}
        values.update(username=author.get("username"), rating=author.get("rating"))
        rows.append(make_row(TABLES["reviews"], values))
    return {"reviews": rows}


def _translations(movie_id: int, body: Mapping[str, Any]) -> Rows:
    rows = []
    for translation in _objects(body, "translations"):
        data = as_object(translation.get("data"))
        values = {**data, "movie_id": movie_id, "name": translation.get("name")}
        values.update(
            language=translation.get("iso_639_1"),
            country=translation.get("iso_3166_1"),
            english_name=translation.get("english_name"),
        )
        rows.append(make_row(TABLES["translations"], values))
    return {"translations": rows}


def _videos(movie_id: int, body: Mapping[str, Any]) -> Rows:
    return {
        "videos": _rows(
            "videos",
            ({**v, "movie_id": movie_id, "video_id": v.get("id"),
              "language": v.get("iso_639_1"), "country": v.get("iso_3166_1")}
             for v in _objects(body, "results")),
        )
    }  # fmt: skip


def offer_order(offer_type: str) -> tuple[int, str]:
    """:data:`OFFER_TYPES` in their order, then any other list TMDB may add, by name."""
    return OFFER_RANK.get(offer_type, len(OFFER_RANK)), offer_type


def _watch_providers(movie_id: int, body: Mapping[str, Any]) -> Rows:
    """One row per country, offer type and provider; every list in a country is an offer type
    (``flatrate``, ``rent``, ``buy``, ``free``, ``ads``), ``link`` is the country's page. TMDB
    lists a country's offer types in no set order, so rows are by country code, then
    :func:`offer_order`, then provider as TMDB lists them."""
    rows = []
    results = as_object(body.get("results"))
    for country in sorted(results):
        offers = as_object(results[country])
        for offer_type in sorted(offers, key=offer_order):
            providers = offers[offer_type]
            if not isinstance(providers, list):
                continue
            for provider in map(as_object, providers):
                values = {**provider, "movie_id": movie_id, "country": country}
                values.update(offer_type=offer_type, link=offers.get("link"))
                rows.append(make_row(TABLES["watch_providers"], values))
    return {"watch_providers": rows}


BUILDERS: dict[str, Callable[[int, Mapping[str, Any]], Rows]] = {
    "alternative_titles": _alternative_titles,
    "credits": _credits,
    "external_ids": _external_ids,
    "images": _images,
    "keywords": _keywords,
    "lists": _ranked("lists", "list_id"),
    "recommendations": _ranked("recommendations", "recommended_id"),
    "release_dates": _release_dates,
    "reviews": _reviews,
    "similar": _ranked("similar", "similar_id"),
    "translations": _translations,
    "videos": _videos,
    "watch/providers": _watch_providers,
}
PART_TABLES: dict[str, tuple[str, ...]] = {
    part: ("cast", "crew") if part == "credits" else (part.replace("/", "_"),) for part in BUILDERS
}


def details_rows(movie_id: int, details: Mapping[str, Any]) -> Rows:
    """The ``movies`` and ``genres`` rows of one movie's details body."""
    collection = as_object(details.get("belongs_to_collection"))
    movie = {
        **details,
        "id": movie_id,
        "collection_id": collection.get("id"),
        "collection_name": collection.get("name"),
        "production_countries": as_str_list(details.get("production_countries"), "iso_3166_1"),
        "spoken_languages": as_str_list(details.get("spoken_languages"), "iso_639_1"),
        "production_company_ids": as_int_list(details.get("production_companies"), "id"),
    }
    genres = _rows(
        "genres",
        ({"movie_id": movie_id, "genre_id": g.get("id"), "name": g.get("name")}
         for g in _objects(details, "genres")),
    )  # fmt: skip
    return {"movies": [make_row(TABLES["movies"], movie)], "genres": genres}


def body_rows(part: str, movie_id: int, text: str | bytes) -> Rows:
    """The rows of one stored body: ``part`` is a part's name, or ``"details"``.

    Raises :class:`json.JSONDecodeError` when the text is not JSON."""
    body = as_object(json.loads(text))
    if part == "details":
        return details_rows(movie_id, body)
    return BUILDERS[part](movie_id, body)


def movie_rows(movie_id: int, details_text: str, part_texts: Mapping[str, str]) -> Rows:
    """Rows for every table but provenance, from one movie's stored JSON bodies (the tables of
    a part that is not in ``part_texts`` are left out)."""
    rows = body_rows("details", movie_id, details_text)
    for part, text in part_texts.items():
        rows.update(body_rows(part, movie_id, text))
    return rows
