"""The collection plan: which lists to harvest ids from. Defaults are the seed page's.

A plan is pure data. It is validated on construction, stored in the checkpoint database when a
collection starts, and compared on every resume so a changed plan never silently mixes data.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields, replace
from typing import Any, Literal
from urllib.parse import urlencode

from tmdb_collector.errors import ConfigError
from tmdb_collector.media import DEFAULT_MEDIA, PERSON, MediaType, media_type
from tmdb_collector.media.base import ALL, MAX_PAGE
from tmdb_collector.media.images import GALLERY_PART
from tmdb_collector.media.translated import language_code
from tmdb_collector.plan.languages import TMDB_LANGUAGES
from tmdb_collector.plan.linked import (
    LinkedEntity,
    linked_entities,
    parse_cast,
    parse_crew,
    parse_linked,
    people_bound,
)
from tmdb_collector.plan.stages import DISCOVER, POPULAR, HarvestStage

ALL_PAGES = ALL
_LANGUAGE = re.compile(r"^[a-z]{2}$")

PageCount = int | Literal["all"]
# Appended images and videos follow ``language`` unless these name more (TMDB's rule): with
# en-US alone, a poster without text (no language) is left out. Part -> (plan field, param).
MEDIA_LANGUAGE_FILTERS = {
    GALLERY_PART: ("image_languages", "include_image_language"),
    "videos": ("video_languages", "include_video_language"),
}
DEFAULT_MEDIA_LANGUAGES = "en,null"  # English, and those with no language
ALL_LANGUAGES = ALL  # no filter: every language, named (TMDB has no wildcard)
EVERY_LANGUAGE = ",".join((*TMDB_LANGUAGES, "null"))


@dataclass(frozen=True)
class Plan:
    """Stages 1-2 of the seed (popular pages, then discover pages per genre) and stage 3's
    parts. A change of ``parts`` is not a conflict: see :meth:`conflicts`.

    ``genres`` and ``parts`` left as None become the media type's (all its genres, its default
    parts). ``release_date_gte``/``_lte`` bound the media type's ``date_field``: the release
    date of movies, the first air date of series."""

    media: str = DEFAULT_MEDIA
    popular_pages: PageCount = 250
    popular_original_language: str = "en"
    # None (the default): every genre of the media type; __post_init__ always sets a tuple.
    genres: tuple[int, ...] = None  # type: ignore[assignment]
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
    # Stage 3: the parts appended to each details request, in the media type's order.
    # None (the default): the media type's default parts; __post_init__ always sets a tuple.
    parts: tuple[str, ...] = None  # type: ignore[assignment]
    image_languages: str = DEFAULT_MEDIA_LANGUAGES
    video_languages: str = DEFAULT_MEDIA_LANGUAGES
    # The linked stage (plan/linked.py): the entity types fetched after stage 3 (plural words),
    # the parts of each person, and the bound on people (cast count, crew departments).
    linked: tuple[str, ...] = ()
    person_parts: tuple[str, ...] = None  # type: ignore[assignment]
    linked_cast: int | None = None
    linked_crew: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        media = media_type(self.media)
        if self.parts is None:
            object.__setattr__(self, "parts", media.default_parts)
        else:
            parts = self.parts if isinstance(self.parts, str) else list(self.parts)
            object.__setattr__(self, "parts", media.parse_parts(parts))
        for name, _ in MEDIA_LANGUAGE_FILTERS.values():
            object.__setattr__(self, name, parse_media_languages(getattr(self, name), name))
        _check_pages("popular_pages", self.popular_pages)
        _check_pages("genre_pages", self.genre_pages)
        genres = media.genres if self.genres is None else self.genres
        object.__setattr__(self, "genres", tuple(genres))
        for genre in self.genres:
            if genre not in media.genres:
                known = ", ".join(str(g) for g in media.genres)
                raise ConfigError(
                    f"unknown genre id {genre}: TMDB's {media.word} genres are {known}"
                )
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
        language_code(self.language, "language")
        if not media.listed and self.ids_from is None:
            raise ConfigError(
                f"TMDB has no lists of {media.plural} to harvest: give --ids-from"
                f" {media.daily_export_prefix}_MM_DD_YYYY.json.gz (a file or URL)"
            )
        if media.listed and self.sort_by not in media.sort_orders:
            raise ConfigError(f"sort_by must be one of {', '.join(media.sort_orders)}")
        if self.ids_from is not None and (not isinstance(self.ids_from, str) or not self.ids_from):
            raise ConfigError("ids_from must be a file path or URL")
        popularity = self.min_popularity
        if isinstance(popularity, bool) or not isinstance(popularity, int | float):
            raise ConfigError(f"min_popularity must be a number, not {popularity!r}")
        if popularity < 0:
            raise ConfigError(f"min_popularity must be 0 or more, not {popularity}")
        self._check_linked(media)

    def _check_linked(self, media: MediaType) -> None:
        person = PERSON.default_parts if self.person_parts is None else self.person_parts
        crew = self.linked_crew
        values = {
            "linked": parse_linked(self.linked, media),
            "person_parts": PERSON.parse_parts(person if isinstance(person, str) else list(person)),
            "linked_cast": parse_cast(self.linked_cast),
            "linked_crew": parse_crew(crew if isinstance(crew, str | None) else list(crew)),
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)
        bound = people_bound(self.linked_cast, self.linked_crew)
        linked_entities(media, self.linked, self.parts, self.person_parts, bound)

    @property
    def linked_entities(self) -> tuple[LinkedEntity, ...]:
        """The entity types the linked stage fetches (none by default)."""
        bound = people_bound(self.linked_cast, self.linked_crew)
        return linked_entities(self.media_type, self.linked, self.parts, self.person_parts, bound)

    def to_dict(self) -> dict[str, Any]:
        """The settings as JSON values. The linked settings at their defaults are left out:
        a plan without them reads as it did before the linked stage (manifests, status)."""
        data = self._settings()
        for name, value in _LINKED_DEFAULTS.items():
            if data[name] == value:
                del data[name]
        return data

    def _settings(self) -> dict[str, Any]:
        data = asdict(self)
        for name, value in data.items():
            if isinstance(value, tuple):
                data[name] = list(value)
        return data

    @property
    def media_type(self) -> MediaType:
        return media_type(self.media)

    @classmethod
    def from_dict(cls, data: Mapping[str, Any], *, source: str = "plan") -> Plan:
        known = {f.name for f in fields(cls)}
        unknown = sorted(set(data) - known)
        if unknown:
            raise ConfigError(f"{source}: unknown setting {unknown[0]!r}")
        values = dict(data)
        media = media_type(str(values.get("media", DEFAULT_MEDIA)))
        if "genres" in values:
            values["genres"] = parse_genres(values["genres"], media.genres)
        if "parts" in values:
            values["parts"] = media.parse_parts(values["parts"])
        return cls(**values)

    def differences(self, other: Plan) -> list[str]:
        """Human-readable ``name: old -> new`` lines for every setting that differs."""
        mine, theirs = self._settings(), other._settings()
        return [f"{k}: {mine[k]!r} -> {theirs[k]!r}" for k in mine if mine[k] != theirs[k]]

    def conflicts(self, other: Plan) -> list[str]:
        """The differences that make ``other`` another collection. Parts are not among them:
        more parts are fetched for the items that lack one, fewer are simply not exported."""
        return [line for line in self.differences(other) if line.split(":")[0] not in _FREE]

    def details_params(self) -> dict[str, str]:
        """The parameters of each details request besides ``append_to_response``: the language,
        and the language filters of the appended images and videos when those are chosen."""
        params = {"language": self.language}
        for part, (name, param) in MEDIA_LANGUAGE_FILTERS.items():
            if part in self.parts:
                value = getattr(self, name)
                params[param] = EVERY_LANGUAGE if value == ALL_LANGUAGES else value
        return params

    def discover_params(self, genre: int) -> dict[str, str]:
        dates = self.media_type.date_field
        return {
            "language": self.language,
            "with_genres": str(genre),
            "sort_by": self.sort_by,
            "vote_count.gte": str(self.vote_count_gte),
            f"{dates}.gte": self.release_date_gte,
            f"{dates}.lte": self.release_date_lte,
            "with_original_language": self.original_language,
        }

    def harvest_queries(self) -> list[HarvestQuery]:
        """The root queries of stages 1-2, in the order the seed runs them."""
        queries: list[HarvestQuery] = []
        if self.ids_from is not None:
            return queries
        media = self.media_type
        if self.popular_pages != 0:
            queries.append(
                HarvestQuery(
                    stage=POPULAR,
                    path=media.popular_path,
                    params={"language": self.language},
                    max_pages=self.popular_pages,
                    date_field=media.date_field,
                    keep_language=self.popular_original_language,
                )
            )
        if self.genre_pages != 0:
            for genre in self.genres:
                queries.append(
                    HarvestQuery(
                        stage=DISCOVER,
                        path=media.discover_path,
                        params=self.discover_params(genre),
                        max_pages=self.genre_pages,
                        genre=genre,
                        date_field=media.date_field,
                    )
                )
        return queries


# Settings a collection may change without becoming another: the parts (more are fetched for
# the items that lack one) and the linked stage's (what it lacks is fetched).
_FREE = frozenset(("parts", "linked", "person_parts", "linked_cast", "linked_crew"))
_LINKED_DEFAULTS: dict[str, Any] = {
    "linked": [],
    "person_parts": list(PERSON.default_parts),
    "linked_cast": None,
    "linked_crew": None,
}


@dataclass(frozen=True)
class HarvestQuery:
    """One paged list query. ``key`` identifies it in the checkpoint store."""

    stage: HarvestStage
    path: str
    params: Mapping[str, str]
    max_pages: PageCount
    date_field: str  # the media type's date filter, which splits a query in halves
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
        params[f"{self.date_field}.gte"] = start.isoformat()
        params[f"{self.date_field}.lte"] = end.isoformat()
        return replace(self, params=params)

    def date_range(self) -> tuple[dt.date, dt.date] | None:
        start = self.params.get(f"{self.date_field}.gte")
        end = self.params.get(f"{self.date_field}.lte")
        if start is None or end is None:
            return None
        return dt.date.fromisoformat(start), dt.date.fromisoformat(end)


def parse_genres(value: object, known: Mapping[int, str]) -> tuple[int, ...]:
    """Accept ``"28,35"``, ``[28, 35]`` or ``"all"`` (every genre in ``known``, the media
    type's)."""
    if value == ALL_PAGES or value == "":
        return tuple(known)
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


def parse_media_languages(value: object, name: str) -> str:
    """``"en,null"``, ``["fr", "null"]`` or ``"all"`` -> a clean comma-separated list."""
    items = value.split(",") if isinstance(value, str) else value
    if not isinstance(items, list | tuple):
        raise ConfigError(f"{name} must be a comma-separated list of languages, not {value!r}")
    codes: list[str] = []
    for item in items:
        code = str(item).strip().lower()
        if code == ALL_LANGUAGES and len(items) == 1:
            return ALL_LANGUAGES
        if code != "null" and not _LANGUAGE.match(code):
            raise ConfigError(
                f"{name}: {item!r} is not an ISO-639-1 code such as 'en' (or 'null' for none,"
                " 'all' for every language)"
            )
        if code not in codes:
            codes.append(code)
    if not codes:
        raise ConfigError(f"{name} must name at least one language (or 'all')")
    return ",".join(codes)


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
