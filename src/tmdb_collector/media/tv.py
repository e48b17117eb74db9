"""Every TV fact in one place: TMDB's series paths, genres, parts and export names.

Key orders and shapes follow the OpenAPI spec's TV examples (``/3/tv/{series_id}`` and its
sub-resources). TV differs from movies in a few ways the rest of the code learns only from here:
discover filters on ``first_air_date``; keywords are ``{"id", "results"}``; ``aggregate_credits``
lists each person once with their ``roles`` (cast) or ``jobs`` (crew); and the optional part
``seasons`` holds every season's details with its episodes (an :class:`ExpandingPart`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmdb_collector.media.base import ExpandingPart, MediaType, Part

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
    Part("translations"),
    Part("videos", ("results", list)),
    Part("watch/providers", ("results", dict)),
    ExpandingPart("seasons", ("episodes", list), id_at=None, subpaths=season_subpaths),
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
    id_column="series_id",
    sort_orders=SORT_ORDERS,
)
