"""Every TV fact in one place: TMDB's series paths, genres, parts and export names.

Key orders and shapes follow the OpenAPI spec's TV examples (``/3/tv/{series_id}`` and its
sub-resources). TV differs from movies in a few ways the rest of the code learns only from here:
discover filters on ``first_air_date``; keywords are ``{"id", "results"}``; ``aggregate_credits``
lists each person once with their ``roles`` (cast) or ``jobs`` (crew); and the optional part
``seasons`` holds every season's details with its episodes (an :class:`ExpandingPart`).

The tables (documented in ``docs/tables.md``, TV series tables): as for movies, every element
of a TMDB array becomes exactly one row. ``series_cast`` and ``series_crew`` have one row per
role or job of each person in ``aggregate_credits``, each with its episode count (a person whose
list is empty keeps one row with null role columns, so nobody is lost). The tables whose bodies
have the same shape as a movie's (credits, external ids, images, reviews, videos, watch
providers, alternative titles and translations) have the same columns, with ``series_id``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmdb_collector.media.base import ExpandingPart, MediaType, Part
from tmdb_collector.media.images import episode_stills, titles_images
from tmdb_collector.media.links import DETAILS, Link, credited, listed
from tmdb_collector.media.rows import (
    PERSON_ID,
    WATCH_PROVIDERS,
    Credits,
    Custom,
    Images,
    Reviews,
    Rows,
    Target,
    Translations,
    WatchProviders,
    Whole,
    each,
    objects,
    ranked,
)
from tmdb_collector.media.table_schema import (
    as_int,
    as_int_list,
    as_object,
    as_str_list,
    columns,
)
from tmdb_collector.media.table_sets import TableSet, common_keys, common_tables
from tmdb_collector.media.translated import TRANSLATIONS, TranslatedTexts

# TMDB's 16 TV genres, as /3/genre/tv/list returns them (English names).
GENRES: dict[int, str] = {
    10759: "Action & Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    10762: "Kids",
    9648: "Mystery",
    10763: "News",
    10764: "Reality",
    10765: "Sci-Fi & Fantasy",
    10766: "Soap",
    10767: "Talk",
    10768: "War & Politics",
    37: "Western",
}

# /discover/tv's sort_by values.
SORT_ORDERS = (
    "popularity.desc",
    "popularity.asc",
    "vote_average.desc",
    "vote_average.asc",
    "vote_count.desc",
    "vote_count.asc",
    "first_air_date.desc",
    "first_air_date.asc",
    "name.desc",
    "name.asc",
    "original_name.desc",
    "original_name.asc",
)


def season_subpaths(details: Mapping[str, Any]) -> list[str]:
    """``season/N`` for every season the details list, specials (season 0) included, in the
    details' order."""
    seasons = details.get("seasons")
    if not isinstance(seasons, list):
        return []
    numbers = (season.get("season_number") for season in seasons if isinstance(season, dict))
    return [f"season/{number}" for number in numbers if isinstance(number, int)]


# The 15 sub-resources of /tv/{id} that append_to_response can carry, and `seasons`. The
# standalone endpoints put the series id first, except where ``id_at`` says otherwise (after
# "cast" and "crew" in the credits, after "results" in content_ratings and episode_groups,
# after "backdrops" in images); /recommendations and /similar carry no id at all.
PARTS = (
    Part("aggregate_credits", ("cast", list), id_at=2),
    Part("alternative_titles", ("results", list)),
    Part("content_ratings", ("results", list), id_at=1),
    Part("credits", ("cast", list), id_at=2),
    Part("episode_groups", ("results", list), id_at=1),
    Part("external_ids"),
    Part("images", ("posters", list), id_at=1),
    Part("keywords", ("results", list)),
    Part("recommendations", ("results", list), id_at=None),
    Part("reviews", ("results", list)),
    Part("screened_theatrically", ("results", list)),
    Part("similar", ("results", list), id_at=None),
    Part(TRANSLATIONS),
    Part("videos", ("results", list)),
    Part(WATCH_PROVIDERS, ("results", dict)),
    ExpandingPart("seasons", ("episodes", list), id_at=None, subpaths=season_subpaths),
)

ID = "series_id"
# A series' title is its name, in its details and in its translations' data alike.
TEXTS = TranslatedTexts({"name": "name", "overview": "overview", "tagline": "tagline"})
_PERSON = (
    f"{ID}:int {PERSON_ID}:int name:str original_name:str gender:int"
    " known_for_department:str popularity:float profile_path:str adult:bool"
)
_LISTED = (
    "name:str original_name:str popularity:float vote_average:float vote_count:int"
    " first_air_date:date"
)
_OWN = {
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
    "series_genres": columns(f"{ID}:int genre_id:int name:str"),
    "networks": columns(f"{ID}:int network_id:int name:str logo_path:str origin_country:str"),
    "created_by": columns(
        f"{ID}:int {PERSON_ID}:int credit_id:str name:str original_name:str gender:int"
        " profile_path:str"
    ),
    "seasons": columns(
        f"{ID}:int season_id:int season_number:int name:str overview:str air_date:date"
        " episode_count:int poster_path:str vote_average:float"
    ),
    "episodes": columns(
        f"{ID}:int season_number:int episode_number:int episode_id:int episode_type:str"
        " name:str overview:str air_date:date runtime:int production_code:str"
        " vote_average:float vote_count:int still_path:str crew_count:int guest_star_count:int"
    ),
    "series_cast": columns(
        _PERSON + " credit_id:str character:str episode_count:int total_episode_count:int order:int"
    ),
    "series_crew": columns(
        _PERSON + " department:str credit_id:str job:str episode_count:int total_episode_count:int"
    ),
    "series_keywords": columns(f"{ID}:int keyword_id:int name:str"),
    "series_recommendations": columns(f"{ID}:int rank:int recommended_id:int {_LISTED}"),
    "series_similar": columns(f"{ID}:int rank:int similar_id:int {_LISTED}"),
    "content_ratings": columns(f"{ID}:int country:str rating:str descriptors:list_str"),
    "episode_groups": columns(
        f"{ID}:int group_id:str name:str description:str type:int episode_count:int"
        " group_count:int network_id:int network_name:str"
    ),
    "screened_theatrically": columns(
        f"{ID}:int episode_id:int season_number:int episode_number:int"
    ),
}
_ORDER = (  # the tables in their documented order (provenance follows)
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
)
_ALL = {**_OWN, **common_tables(ID)}
_DETAILS_LISTS = {  # the details' lists with a table of their own: (key, the id's column)
    "series_genres": ("genres", "genre_id"),
    "networks": ("networks", "network_id"),
    "created_by": ("created_by", PERSON_ID),
    "seasons": ("seasons", "season_id"),
}


def details_rows(target: Target, series_id: int, details: Mapping[str, Any]) -> Rows:
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
    rows = {"series": target.rows("series", [series])}
    for table, (key, id_column) in _DETAILS_LISTS.items():
        rows |= each(table, key, **{id_column: "id"}).bind(target)(series_id, details)
    return rows


def aggregate_rows(target: Target, series_id: int, body: Mapping[str, Any]) -> Rows:
    """One row per role (cast) or job (crew) of each person; none -> one row, role null."""

    def rows(table: str, key: str, entries: str) -> list[Any]:
        found = []
        for person in objects(body, key):
            base = {**person, ID: series_id, PERSON_ID: person.get("id")}
            found += [{**base, **entry} for entry in objects(person, entries)] or [base]
        return target.rows(table, found)

    return {
        "series_cast": rows("series_cast", "cast", "roles"),
        "series_crew": rows("series_crew", "crew", "jobs"),
    }


def episode_rows(target: Target, series_id: int, body: Mapping[str, Any]) -> Rows:
    """Every episode of every stored season (the part is keyed ``season/N``)."""
    episodes = (
        {
            **episode,
            ID: series_id,
            "episode_id": episode.get("id"),
            "crew_count": _length(episode.get("crew")),
            "guest_star_count": _length(episode.get("guest_stars")),
        }
        for season in map(as_object, body.values())
        for episode in objects(season, "episodes")
    )
    return {"episodes": target.rows("episodes", episodes)}


def _length(value: Any) -> int | None:
    return len(value) if isinstance(value, list) else None


def episode_group_rows(target: Target, series_id: int, body: Mapping[str, Any]) -> Rows:
    def row(group: Mapping[str, Any]) -> dict[str, Any]:
        network = as_object(group.get("network"))
        return {
            **group,
            ID: series_id,
            "group_id": group.get("id"),
            "network_id": network.get("id"),
            "network_name": network.get("name"),
        }

    return {"episode_groups": target.rows("episode_groups", map(row, objects(body, "results")))}


TABLES = TableSet(
    id_column=ID,
    tables={name: _ALL[name] for name in _ORDER},
    always=("series", *_DETAILS_LISTS),
    details=Custom(("series", *_DETAILS_LISTS), details_rows),
    parts={
        "aggregate_credits": Custom(("series_cast", "series_crew"), aggregate_rows),
        "alternative_titles": each("alternative_titles", "results", country="iso_3166_1"),
        "content_ratings": each("content_ratings", "results", country="iso_3166_1"),
        "credits": Credits(),
        "episode_groups": Custom(("episode_groups",), episode_group_rows),
        "external_ids": Whole("external_ids"),
        "images": Images(),
        "keywords": each("series_keywords", "results", keyword_id="id"),
        "recommendations": ranked("series_recommendations", "recommended_id"),
        "reviews": Reviews(),
        "screened_theatrically": each("screened_theatrically", "results", episode_id="id"),
        "similar": ranked("series_similar", "similar_id"),
        "translations": Translations(title_from=TEXTS.fields["name"]),
        "videos": each(
            "videos", "results", video_id="id", language="iso_639_1", country="iso_3166_1"
        ),
        WATCH_PROVIDERS: WatchProviders(),
        "seasons": Custom(("episodes",), episode_rows),
    },
    keys={
        "series": ("id",),
        "series_genres": (ID, "genre_id"),
        "networks": (ID, "network_id"),
        "seasons": (ID, "season_number"),
        "episodes": (ID, "season_number", "episode_number"),
        "series_keywords": (ID, "keyword_id"),
        "series_recommendations": (ID, "rank"),
        "series_similar": (ID, "rank"),
        **common_keys(ID),
    },
)

TV = MediaType(
    name="tv",
    word="series",
    plural="series",
    label="TV",
    daily_export_prefix="tv_series_ids",
    daily_export_title="original_name",
    date_field="first_air_date",
    genres=GENRES,
    details_check=("name", str),
    parts=PARTS,
    default_parts=("aggregate_credits", "keywords", "recommendations"),
    export_filename="tv.json",
    tables=TABLES,
    sort_orders=SORT_ORDERS,
    translated=TEXTS,
    links=(
        Link("person", ("aggregate_credits", "credits"), credited),
        Link("company", (DETAILS,), listed("production_companies")),
        Link("network", (DETAILS,), listed("networks")),
    ),
    images=(*titles_images(), episode_stills("seasons")),
)
