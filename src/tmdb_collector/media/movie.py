"""Every movie fact in one place: TMDB's movie paths, genres, parts and export names."""

from __future__ import annotations

from tmdb_collector.media.base import MediaType, Part

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
    Part("translations"),  # TMDB may append an empty object
    Part("videos", ("results", list)),
    Part("watch/providers", ("results", dict)),
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
    id_column="movie_id",
    sort_orders=SORT_ORDERS,
)
