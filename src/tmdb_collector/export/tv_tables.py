"""The TV series' tables: their columns, which part feeds each, and how a stored series becomes
rows. Documented in ``docs/tables.md`` (TV series tables).

As for movies, every element of a TMDB array becomes exactly one row. ``aggregate_credits``
lists each person once with their ``roles`` (cast) or ``jobs`` (crew): ``series_cast`` and
``series_crew`` have one row per role or job, each with its episode count (a person whose list
is empty keeps one row with null role columns, so nobody is lost). Where a TV body has a movie
body's shape (credits, external ids, images, reviews, videos, watch providers, and alternative
titles and translations once their keys are mapped), the movie table and its builder are
shared, with ``series_id`` for ``movie_id``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from tmdb_collector.export import movie_tables
from tmdb_collector.export.table_schema import (
    Column,
    Row,
    array,
    as_int,
    as_int_list,
    as_object,
    as_str_list,
    columns,
    make_row,
)

Rows = dict[str, list[Row]]
Builder = Callable[[int, Mapping[str, Any]], Rows]
_PERSON = (
    "series_id:int person_id:int name:str original_name:str gender:int"
    " known_for_department:str popularity:float profile_path:str adult:bool"
)
_LISTED = (
    "name:str original_name:str popularity:float vote_average:float vote_count:int"
    " first_air_date:date"
)
# The movie tables a TV part shares, by the TV part (the table keeps its name).
SHARED = {
    "alternative_titles": "alternative_titles",
    "credits": "credits",
    "external_ids": "external_ids",
    "images": "images",
    "reviews": "reviews",
    "translations": "translations",
    "videos": "videos",
    "watch/providers": "watch/providers",
}


def _as_series(table: tuple[Column, ...]) -> tuple[Column, ...]:
    """A movie table's columns with ``series_id`` for its leading ``movie_id``."""
    first, *rest = table
    return (Column("series_id", first.kind), *rest)


_OWN: dict[str, tuple[Column, ...]] = {
    "series": columns(
        "id:int name:str original_name:str original_language:str overview:str tagline:str"
        " status:str type:str first_air_date:date last_air_date:date in_production:bool"
        " number_of_seasons:int number_of_episodes:int episode_run_time:list_int"
        " popularity:float vote_average:float vote_count:int adult:bool homepage:str"
        " poster_path:str backdrop_path:str origin_country:list_str languages:list_str"
        " production_countries:list_str spoken_languages:list_str"
        " production_company_ids:list_int network_ids:list_int last_episode_to_air_id:int"
        " next_episode_to_air_id:int"
    ),
    "series_genres": columns("series_id:int genre_id:int name:str"),
    "networks": columns("series_id:int network_id:int name:str logo_path:str origin_country:str"),
    "created_by": columns(
        "series_id:int person_id:int credit_id:str name:str original_name:str gender:int"
        " profile_path:str"
    ),
    "seasons": columns(
        "series_id:int season_id:int season_number:int name:str overview:str air_date:date"
        " episode_count:int poster_path:str vote_average:float"
    ),
    "episodes": columns(
        "series_id:int season_number:int episode_number:int episode_id:int episode_type:str"
        " name:str overview:str air_date:date runtime:int production_code:str"
        " vote_average:float vote_count:int still_path:str crew_count:int guest_star_count:int"
    ),
    "series_cast": columns(
        _PERSON + " credit_id:str character:str episode_count:int total_episode_count:int order:int"
    ),
    "series_crew": columns(
        _PERSON + " department:str credit_id:str job:str episode_count:int total_episode_count:int"
    ),
    "series_keywords": columns("series_id:int keyword_id:int name:str"),
    "series_recommendations": columns("series_id:int rank:int recommended_id:int " + _LISTED),
    "series_similar": columns("series_id:int rank:int similar_id:int " + _LISTED),
    "content_ratings": columns("series_id:int country:str rating:str descriptors:list_str"),
    "episode_groups": columns(
        "series_id:int group_id:str name:str description:str type:int episode_count:int"
        " group_count:int network_id:int network_name:str"
    ),
    "screened_theatrically": columns(
        "series_id:int episode_id:int season_number:int episode_number:int"
    ),
}
_SHARED_TABLES = {
    table: _as_series(movie_tables.TABLES[table])
    for part in SHARED.values()
    for table in movie_tables.PART_TABLES[part]
}
_ORDER = (  # the tables in their documented order
    "series",
    "series_genres",
    "networks",
    "created_by",
    "seasons",
    "episodes",
    "series_cast",
    "series_crew",
    "cast",
    "crew",
    "series_keywords",
    "series_recommendations",
    "series_similar",
    "content_ratings",
    "alternative_titles",
    "episode_groups",
    "external_ids",
    "images",
    "reviews",
    "screened_theatrically",
    "translations",
    "videos",
    "watch_providers",
    "provenance",
)
TABLES: dict[str, tuple[Column, ...]] = {
    name: _OWN.get(name) or _SHARED_TABLES.get(name) or _as_series(movie_tables.TABLES[name])
    for name in _ORDER
}
ALWAYS = ("series", "series_genres", "networks", "created_by", "seasons", "provenance")
# Columns that identify a row (the duckdb export's primary keys): the movie tables' keys with
# series_id for movie_id where a table is shared, and the TV tables' own.
KEYS: dict[str, tuple[str, ...]] = {
    **{
        name: tuple("series_id" if column == "movie_id" else column for column in key)
        for name, key in movie_tables.KEYS.items()
        if name in _SHARED_TABLES or name == "provenance"
    },
    "series": ("id",),
    "series_genres": ("series_id", "genre_id"),
    "networks": ("series_id", "network_id"),
    "seasons": ("series_id", "season_number"),
    "episodes": ("series_id", "season_number", "episode_number"),
    "series_keywords": ("series_id", "keyword_id"),
    "series_recommendations": ("series_id", "rank"),
    "series_similar": ("series_id", "rank"),
}


# ---- one part's body -> rows -------------------------------------------------------------------


def _rows(table: str, items: Iterable[Mapping[str, Any]]) -> list[Row]:
    return [make_row(TABLES[table], item) for item in items]


def _objects(body: Mapping[str, Any], key: str) -> Iterable[Mapping[str, Any]]:
    return map(as_object, array(body, key))


def _each(table: str, key: str, **renamed: str) -> Builder:
    """One row per element of ``body[key]``, with columns ``renamed`` from its fields."""

    def build(series_id: int, body: Mapping[str, Any]) -> Rows:
        def row(item: Mapping[str, Any]) -> dict[str, Any]:
            return {**item, "series_id": series_id, **{c: item.get(f) for c, f in renamed.items()}}

        return {table: _rows(table, map(row, _objects(body, key)))}

    return build


def _ranked(table: str, id_column: str) -> Builder:
    """A paged list of series (page 1): one row per result, with its rank."""

    def build(series_id: int, body: Mapping[str, Any]) -> Rows:
        return {
            table: _rows(
                table,
                ({**item, "series_id": series_id, "rank": rank, id_column: item.get("id")}
                 for rank, item in enumerate(_objects(body, "results"))),
            )
        }  # fmt: skip

    return build


def _aggregate(series_id: int, body: Mapping[str, Any]) -> Rows:
    """One row per role (cast) or job (crew) of each person; none -> one row, role null."""

    def rows(table: str, key: str, entries: str) -> list[Row]:
        found = []
        for person in _objects(body, key):
            base = {**person, "series_id": series_id, "person_id": person.get("id")}
            found += [{**base, **entry} for entry in _objects(person, entries)] or [base]
        return _rows(table, found)

    return {
        "series_cast": rows("series_cast", "cast", "roles"),
        "series_crew": rows("series_crew", "crew", "jobs"),
    }


def _episodes(series_id: int, body: Mapping[str, Any]) -> Rows:
    """Every episode of every stored season (the part is keyed ``season/N``)."""
    episodes = (
        {
            **episode,
            "series_id": series_id,
            "episode_id": episode.get("id"),
            "crew_count": _length(episode.get("crew")),
            "guest_star_count": _length(episode.get("guest_stars")),
        }
        for season in map(as_object, body.values())
        for episode in _objects(season, "episodes")
    )
    return {"episodes": _rows("episodes", episodes)}


def _episode_groups(series_id: int, body: Mapping[str, Any]) -> Rows:
    def row(group: Mapping[str, Any]) -> dict[str, Any]:
        network = as_object(group.get("network"))
        return {
            **group,
            "series_id": series_id,
            "group_id": group.get("id"),
            "network_id": network.get("id"),
            "network_name": network.get("name"),
        }

    return {"episode_groups": _rows("episode_groups", map(row, _objects(body, "results")))}


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, list) else None


def _shared(part: str, adapt: Callable[[Mapping[str, Any]], Mapping[str, Any]] | None) -> Builder:
    """The movie builder of ``part`` on the TV body (``adapt`` maps TV keys to the movie's)."""
    movie = movie_tables.BUILDERS[part]

    def build(series_id: int, body: Mapping[str, Any]) -> Rows:
        return movie(series_id, adapt(body) if adapt else body)

    return build


def _titles(body: Mapping[str, Any]) -> Mapping[str, Any]:
    return {"titles": array(body, "results")}  # TV lists alternative titles as "results"


def _translations(body: Mapping[str, Any]) -> Mapping[str, Any]:
    """A TV translation's ``data.name`` is the series' name: the ``title`` column."""
    translations = [
        {**t, "data": {**as_object(t.get("data")), "title": as_object(t.get("data")).get("name")}}
        for t in _objects(body, "translations")
    ]
    return {"translations": translations}


ADAPT = {"alternative_titles": _titles, "translations": _translations}
BUILDERS: dict[str, Builder] = {
    "aggregate_credits": _aggregate,
    "content_ratings": _each("content_ratings", "results", country="iso_3166_1"),
    "episode_groups": _episode_groups,
    "keywords": _each("series_keywords", "results", keyword_id="id"),
    "recommendations": _ranked("series_recommendations", "recommended_id"),
    "screened_theatrically": _each("screened_theatrically", "results", episode_id="id"),
    "seasons": _episodes,
    "similar": _ranked("series_similar", "similar_id"),
    **{part: _shared(movie, ADAPT.get(part)) for part, movie in SHARED.items()},
}
PART_TABLES: dict[str, tuple[str, ...]] = {
    "aggregate_credits": ("series_cast", "series_crew"),
    "content_ratings": ("content_ratings",),
    "episode_groups": ("episode_groups",),
    "keywords": ("series_keywords",),
    "recommendations": ("series_recommendations",),
    "screened_theatrically": ("screened_theatrically",),
    "seasons": ("episodes",),
    "similar": ("series_similar",),
    **{part: movie_tables.PART_TABLES[movie] for part, movie in SHARED.items()},
}


def details_rows(series_id: int, details: Mapping[str, Any]) -> Rows:
    """The rows of the tables always written, from one series' details body."""
    run_time = details.get("episode_run_time")
    series = {
        **details,
        "id": series_id,
        "episode_run_time": (
            [n for n in map(as_int, run_time) if n is not None]
            if isinstance(run_time, list)
            else None
        ),
        "production_countries": as_str_list(details.get("production_countries"), "iso_3166_1"),
        "spoken_languages": as_str_list(details.get("spoken_languages"), "iso_639_1"),
        "production_company_ids": as_int_list(details.get("production_companies"), "id"),
        "network_ids": as_int_list(details.get("networks"), "id"),
        "last_episode_to_air_id": as_object(details.get("last_episode_to_air")).get("id"),
        "next_episode_to_air_id": as_object(details.get("next_episode_to_air")).get("id"),
    }
    return {
        "series": [make_row(TABLES["series"], series)],
        **_each("series_genres", "genres", genre_id="id")(series_id, details),
        **_each("networks", "networks", network_id="id")(series_id, details),
        **_each("created_by", "created_by", person_id="id")(series_id, details),
        **_each("seasons", "seasons", season_id="id")(series_id, details),
    }
