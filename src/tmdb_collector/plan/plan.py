"""The collection plan: which lists to harvest ids from. Defaults are the seed page's.

A plan is pure data. It is validated on construction, stored in the checkpoint database when a
collection starts, and compared on every resume so a changed plan never silently mixes data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal
from urllib.parse import urlencode

from tmdb_collector.errors import ConfigError

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

MAX_PAGE = 500  # TMDB refuses page > 500 with HTTP 422
ALL_PAGES: Literal["all"] = "all"
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
_LANGUAGE = re.compile(r"^[a-z]{2}$")
_LOCALE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")

PageCount = int | Literal["all"]


@dataclass(frozen=True)
class Plan:
    """Stages 1-2 of the seed: popular pages, then discover pages per genre."""

    popular_pages: PageCount = 250
    popular_original_language: str = "en"
    genres: tuple[int, ...] = tuple(GENRES)
    genre_pages: PageCount = 25
    vote_count_gte: int = 50
    release_date_gte: str = "1970-01-01"
    release_date_lte: str = "2024-12-31"
    original_language: str = "en"
    sort_by: str = "popularity.desc"
    language: str = "en-US"
    # Stages 1-2 replaced by TMDB's daily ID export (a file path or URL), when set.
    ids_from: str | None = None
    min_popularity: float = 0.0
    include_adult: bool = False
    include_video: bool = False

    def __post_init__(self) -> None:
        _check_pages("popular_pages", self.popular_pages)
        _check_pages("genre_pages", self.genre_pages)
        object.__setattr__(self, "genres", tuple(self.genres))
        for genre in self.genres:
            if genre not in GENRES:
                known = ", ".join(str(g) for g in GENRES)
                raise ConfigError(f"unknown genre id {genre}: TMDB's movie genres are {known}")
        if len(set(self.genres)) != len(self.genres):
            raise ConfigError("genres lists a genre id twice")
        if isinstance(self.vote_count_gte, bool) or not isinstance(self.vote_count_gte, int):
            raise ConfigError("vote_count_gte must be a whole number")
        if self.vote_count_gte < 0:
            raise ConfigError(f"vote_count_gte must be 0 or more, not {self.vote_count_gte}")
        start = _check_date("release_date_gte", self.release_date_gte)
        end = _check_date("release_date_lte", self.release_date_lte)
        if start > end:
            raise ConfigError("release_date_gte must not be after release_date_lte")
        for name in ("popular_original_language", "original_language"):
            value = getattr(self, name)
            if not isinstance(value, str) or not _LANGUAGE.match(value):
                raise ConfigError(f"{name} must be an ISO-639-1 code such as 'en', not {value!r}")
        if not isinstance(self.language, str) or not _LOCALE.match(self.language):
            raise ConfigError(f"language must look like 'en-US', not {self.language!r}")
        if self.sort_by not in SORT_ORDERS:
            raise ConfigError(f"sort_by must be one of {', '.join(SORT_ORDERS)}")
        if self.ids_from is not None and (not isinstance(self.ids_from, str) or not self.ids_from):
            raise ConfigError("ids_from must be a file path or URL")
        popularity = self.min_popularity
        if isinstance(popularity, bool) or not isinstance(popularity, int | float):
            raise ConfigError(f"min_popularity must be a number, not {popularity!r}")
        if popularity < 0:
            raise ConfigError(f"min_popularity must be 0 or more, not {popularity}")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["genres"] = list(self.genres)
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "plan") -> Plan:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown setting {unknown[0]!r}")
        values = dict(data)
        if "genres" in values:
            values["genres"] = parse_genres(values["genres"])
        return cls(**values)

    def differences(self, other: Plan) -> list[str]:
        """Human-readable ``name: old -> new`` lines for every setting that differs."""
        mine, theirs = self.to_dict(), other.to_dict()
        return [f"{k}: {mine[k]!r} -> {theirs[k]!r}" for k in mine if mine[k] != theirs[k]]

    def discover_params(self, genre: int) -> dict[str, str]:
        return {
            "language": self.language,
            "with_genres": str(genre),
            "sort_by": self.sort_by,
            "vote_count.gte": str(self.vote_count_gte),
            "primary_release_date.gte": self.release_date_gte,
            "primary_release_date.lte": self.release_date_lte,
            "with_original_language": self.original_language,
        }

    def harvest_queries(self) -> list[HarvestQuery]:
        """The root queries of stages 1-2, in the order the seed runs them."""
        queries: list[HarvestQuery] = []
        if self.ids_from is not None:
            return queries
        if self.popular_pages != 0:
            queries.append(
                HarvestQuery(
                    stage="popular",
                    path="/movie/popular",
                    params={"language": self.language},
                    max_pages=self.popular_pages,
                    keep_language=self.popular_original_language,
                )
            )
        if self.genre_pages != 0:
            for genre in self.genres:
                queries.append(
                    HarvestQuery(
                        stage="discover",
                        path="/discover/movie",
                        params=self.discover_params(genre),
                        max_pages=self.genre_pages,
                        genre=genre,
                    )
                )
        return queries


@dataclass(frozen=True)
class HarvestQuery:
    """One paged list query. ``key`` identifies it in the checkpoint store."""

    stage: Literal["popular", "discover"]
    path: str
    params: Mapping[str, str]
    max_pages: PageCount
    genre: int | None = None
    keep_language: str | None = None  # keep only results with this original_language

    @property
    def key(self) -> str:
        return f"{self.path}?{urlencode(sorted(self.params.items()))}"

    def pages_estimate(self) -> int:
        """Pages to expect before TMDB has said how many there are."""
        return min(1 if self.max_pages == ALL_PAGES else int(self.max_pages), MAX_PAGE)

    def wanted_pages(self, total_pages: int) -> int:
        """How many pages to fetch once TMDB has said how many there are."""
        limit = total_pages if self.max_pages == ALL_PAGES else min(self.max_pages, total_pages)
        return int(limit)

    def with_dates(self, start: dt.date, end: dt.date) -> HarvestQuery:
        params = dict(self.params)
        params["primary_release_date.gte"] = start.isoformat()
        params["primary_release_date.lte"] = end.isoformat()
        return HarvestQuery(
            self.stage, self.path, params, self.max_pages, self.genre, self.keep_language
        )

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        start = self.params.get("primary_release_date.gte")
        end = self.params.get("primary_release_date.lte")
        if start is None or end is None:
            return None
        return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


def parse_genres(value: object) -> tuple[int, ...]:
    """Accept ``"28,35"``, ``[28, 35]`` or ``"all"``."""
    if value == ALL_PAGES or value == "":
        return tuple(GENRES)
    items: list[object]
    if isinstance(value, str):
        items = [part.strip() for part in value.split(",") if part.strip()]
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise ConfigError(f"genres must be a comma-separated list of ids, not {value!r}")
    genres: list[int] = []
    for item in items:
        try:
            genres.append(int(str(item)))
        except ValueError:
            raise ConfigError(f"genre id {item!r} is not a number") from None
    return tuple(genres)


def parse_pages(value: object, name: str) -> PageCount:
    if value == ALL_PAGES:
        return ALL_PAGES
    try:
        pages = int(str(value))
    except ValueError:
        raise ConfigError(f"{name} must be a whole number or 'all', not {value!r}") from None
    _check_pages(name, pages)
    return pages


def _check_pages(name: str, value: object) -> None:
    if value == ALL_PAGES:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name} must be a whole number or 'all', not {value!r}")
    if value < 0:
        raise ConfigError(f"{name} must be 0 (skip) or more, not {value}")


def _check_date(name: str, value: object) -> dt.date:
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ConfigError(f"{name} must be a date YYYY-MM-DD, not {value!r}") from None
