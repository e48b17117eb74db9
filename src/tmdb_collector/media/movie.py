"""Every movie fact in one place: TMDB's movie paths, genres, parts, export names and tables.

The tables (documented, with an example query per table, in ``docs/tables.md``): ``movies``,
``genres`` and ``provenance`` are always written; every other table comes from one part
(``cast`` and ``crew`` both from ``credits``) and is written when that part is exported.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmdb_collector.media.base import MediaType, Part
from tmdb_collector.media.images import titles_images
from tmdb_collector.media.links import DETAILS, Link, credited, listed, named
from tmdb_collector.media.rows import (
    WATCH_PROVIDERS,
    Credits,
    Custom,
    Images,
    ReleaseDates,
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
from tmdb_collector.media.table_schema import as_int_list, as_object, as_str_list, columns
from tmdb_collector.media.table_sets import TableSet, common_keys, common_tables
from tmdb_collector.media.translated import TRANSLATIONS, TranslatedTexts

# TMDB's 19 movie genres, as /3/genre/movie/list returns them (English names).
GENRES: dict[int, str] = {
    28: "Action",
    12: "Adventure",
    16: "Animation",
    35: "Comedy",
    80: "Crime",
    99: "Documentary",
    18: "Drama",
    10751: "Family",
    14: "Fantasy",
    36: "History",
    27: "Horror",
    10402: "Music",
    9648: "Mystery",
    10749: "Romance",
    878: "Science Fiction",
    10770: "TV Movie",
    53: "Thriller",
    10752: "War",
    37: "Western",
}

# /discover/movie's sort_by values.
SORT_ORDERS = (
    "popularity.desc",
    "popularity.asc",
    "vote_average.desc",
    "vote_average.asc",
    "vote_count.desc",
    "vote_count.asc",
    "primary_release_date.desc",
    "primary_release_date.asc",
    "revenue.desc",
    "revenue.asc",
)

# The 13 sub-resources of /movie/{id} that append_to_response can carry, by name. Appended,
# each omits the "id" its standalone endpoint returns (first among its keys, except in
# /images, where it follows "backdrops"); /recommendations and /similar carry no id at all.
PARTS = (
    Part("alternative_titles", ("titles", list)),
    Part("credits", ("cast", list)),
    Part("external_ids"),
    Part("images", ("posters", list), id_at=1),
    Part("keywords", ("keywords", list)),
    Part("lists", ("results", list)),
    Part("recommendations", ("results", list), id_at=None),
    Part("release_dates", ("results", list)),
    Part("reviews", ("results", list)),
    Part("similar", ("results", list), id_at=None),
    Part(TRANSLATIONS),  # TMDB may append an empty object
    Part("videos", ("results", list)),
    Part(WATCH_PROVIDERS, ("results", dict)),
)

ID = "movie_id"
_LISTED = "popularity:float vote_average:float vote_count:int release_date:date"
_OWN = {
    "movies": columns(
        "id:int imdb_id:str title:str original_title:str original_language:str overview:str"
        " tagline:str status:str release_date:date runtime:int budget:int revenue:int"
        " popularity:float vote_average:float vote_count:int adult:bool video:bool homepage:str"
        " poster_path:str backdrop_path:str collection_id:int collection_name:str"
        " origin_country:list_str production_countries:list_str spoken_languages:list_str"
        " production_company_ids:list_int"
    ),
    "genres": columns(f"{ID}:int genre_id:int name:str"),
    "keywords": columns(f"{ID}:int keyword_id:int name:str"),
    "recommendations": columns(f"{ID}:int rank:int recommended_id:int title:str {_LISTED}"),
    "lists": columns(
        f"{ID}:int rank:int list_id:int name:str description:str list_type:str"
        " language:str item_count:int favorite_count:int poster_path:str"
    ),
    "release_dates": columns(
        f"{ID}:int country:str type:int certification:str release_date:timestamp"
        " language:str note:str descriptors:list_str"
    ),
    "similar": columns(f"{ID}:int rank:int similar_id:int title:str {_LISTED}"),
}
_ORDER = (  # the tables in their documented order (provenance follows)
    "movies",
    "genres",
    "cast",
    "crew",
    "keywords",
    "recommendations",
    "alternative_titles",
    "external_ids",
    "images",
    "lists",
    "release_dates",
    "reviews",
    "similar",
    "translations",
    "videos",
    "watch_providers",
)
_ALL = {**_OWN, **common_tables(ID)}


def details_rows(target: Target, movie_id: int, details: Mapping[str, Any]) -> Rows:
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
    genres = ({**g, ID: movie_id, "genre_id": g.get("id")} for g in objects(details, "genres"))
    return {"movies": target.rows("movies", [movie]), "genres": target.rows("genres", genres)}


TOP_CAST = 5  # actors listed in movie_summary.top_cast


def views(tables: set[str]) -> list[str]:
    """The duckdb export's views over the exported ``tables`` (docs/tables.md): none
    without ``movies`` (``export --tables`` may leave it out)."""
    if "movies" not in tables:
        return []

    def listed(table: str, expression: str, where: str = "", order: str = "") -> str:
        if table not in tables:
            return "NULL"
        ordered = f"list({expression} ORDER BY {order or expression})"
        found = f'(SELECT {ordered} FROM "{table}" t WHERE t.{ID} = m.id{where})'
        return f"coalesce({found}, [])"  # a movie with none has an empty list, not NULL

    director = listed("crew", "t.name", " AND t.job = 'Director'")
    top_cast = listed("cast", "t.name", f' AND t."order" < {TOP_CAST}', 't."order"')
    statements = [
        "CREATE VIEW movie_summary AS SELECT m.id, m.title, year(m.release_date) AS year,"
        f" nullif(array_to_string({director}, ', '), '') AS director, {top_cast} AS top_cast,"
        f" {listed('genres', 't.name')} AS genres, {listed('keywords', 't.name')} AS keywords,"
        " m.vote_average, m.vote_count, m.popularity FROM movies m"
    ]
    if "watch_providers" in tables:
        statements.append(
            f"CREATE VIEW streaming_offers AS SELECT w.{ID}, m.title, w.country, w.offer_type,"
            " w.provider_id, w.provider_name, w.display_priority, w.link"
            f" FROM watch_providers w JOIN movies m ON m.id = w.{ID}"
        )
    return statements


TABLES = TableSet(
    id_column=ID,
    tables={name: _ALL[name] for name in _ORDER},
    always=("movies", "genres"),
    details=Custom(("movies", "genres"), details_rows, fast="movie_details"),
    parts={
        "alternative_titles": each("alternative_titles", "titles", country="iso_3166_1"),
        "credits": Credits(),
        "external_ids": Whole("external_ids"),
        "images": Images(),
        "keywords": each("keywords", "keywords", keyword_id="id"),
        "lists": ranked("lists", "list_id"),
        "recommendations": ranked("recommendations", "recommended_id"),
        "release_dates": ReleaseDates(),
        "reviews": Reviews(),
        "similar": ranked("similar", "similar_id"),
        "translations": Translations(),
        "videos": each(
            "videos", "results", video_id="id", language="iso_639_1", country="iso_3166_1"
        ),
        WATCH_PROVIDERS: WatchProviders(),
    },
    # TMDB's ids are unique within their lists
    keys={
        "movies": ("id",),
        "genres": (ID, "genre_id"),
        "keywords": (ID, "keyword_id"),
        "recommendations": (ID, "rank"),
        "similar": (ID, "rank"),
        **common_keys(ID),
    },
    views=views,
)

MOVIE = MediaType(
    name="movie",
    word="movie",
    plural="movies",
    label="Movie",
    daily_export_prefix="movie_ids",
    daily_export_title="original_title",
    date_field="primary_release_date",
    genres=GENRES,
    details_check=("title", str),
    parts=PARTS,
    default_parts=("credits", "keywords", "recommendations"),
    export_filename="movies.json",
    tables=TABLES,
    sort_orders=SORT_ORDERS,
    translated=TranslatedTexts({"title": "title", "overview": "overview", "tagline": "tagline"}),
    links=(
        Link("person", ("credits",), credited),
        Link("collection", (DETAILS,), named("belongs_to_collection")),
        Link("company", (DETAILS,), listed("production_companies")),
    ),
    images=titles_images(),
)
