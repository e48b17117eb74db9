"""``/discover/movie`` and ``/discover/tv`` query parsing, filtering and ordering."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from tmdb_collector.simulator.generate import FLAG_ADULT, FLAG_VIDEO, Columns
from tmdb_collector.simulator.vocab import GENRE_BIT, LANGUAGE_INDEX, TV_GENRE_BIT

UNKNOWN_GENRE_BIT = 1 << 30  # no movie has it: AND with an unknown genre matches nothing
SORT_FIELDS = (
    "popularity",
    "vote_average",
    "vote_count",
    "primary_release_date",
    "release_date",
    "revenue",
    "title",
)


# /discover/tv sort fields, named by the movie field with the same column.
_TV_SORT = {
    "popularity": "popularity",
    "vote_average": "vote_average",
    "vote_count": "vote_count",
    "first_air_date": "primary_release_date",
    "name": "title",
    "original_name": "title",
}


class QueryError(ValueError):
    """A filter value TMDB would reject (bad date format)."""


class UnsupportedFilter(ValueError):
    """Filters of TMDB's discover that the simulator does not model (it answers 501)."""

    def __init__(self, names: list[str]) -> None:
        super().__init__(", ".join(names))
        self.names = names


# The discover filters of TMDB's spec that the catalogue cannot answer: asked with a value,
# they are refused rather than ignored (an unfiltered total would pass for a filtered one).
NOT_SIMULATED: dict[str, frozenset[str]] = {
    "movie": frozenset({
        "certification", "certification.gte", "certification.lte", "certification_country",
        "region", "with_cast", "with_crew", "with_people", "with_release_type", "watch_region",
        "with_watch_providers", "without_watch_providers", "with_watch_monetization_types",
    }),
    "tv": frozenset({
        "watch_region", "with_watch_providers", "without_watch_providers",
        "with_watch_monetization_types",
    }),
}  # fmt: skip
# TMDB's codes for /discover/tv with_status and with_type.
TV_STATUS_CODES = {"Returning Series": "0", "Planned": "1", "In Production": "2", "Ended": "3",
                   "Canceled": "4", "Pilot": "5"}  # fmt: skip
TV_TYPE_CODES = {"Documentary": "0", "News": "1", "Miniseries": "2", "Reality": "3",
                 "Scripted": "4", "Talk Show": "5", "Video": "6"}  # fmt: skip
Groups = tuple[frozenset[str], ...] | None  # an OR (``|``) of AND (``,``) groups; None: no filter


@dataclass(frozen=True)
class ItemFilter:
    """The filters answered from each title's own bodies (keywords, companies, runtime…)
    rather than the catalogue's columns; see :mod:`.discover_items`."""

    runtime_gte: int | None = None
    runtime_lte: int | None = None
    keywords: Groups = None
    without_keywords: frozenset[str] = frozenset()
    companies: Groups = None
    without_companies: frozenset[str] = frozenset()
    origin_country: Groups = None
    networks: Groups = None  # TV only, like the rest below
    status: Groups = None
    types: Groups = None
    screened_theatrically: bool = False
    air_date_gte: int | None = None  # ordinals: an episode aired in the range
    air_date_lte: int | None = None

    def __bool__(self) -> bool:
        return self != ItemFilter()


def parse_groups(value: str | None, upper: bool = False) -> Groups:
    if value is None or not value.strip():
        return None
    text = value.upper() if upper else value
    return tuple(
        frozenset(x.strip() for x in group.split(",") if x.strip())
        for group in text.split("|")
        if group.strip()
    )


def _without(value: str | None) -> frozenset[str]:
    return frozenset(x.strip() for x in (value or "").replace("|", ",").split(",") if x.strip())


def _item_filter(params: Mapping[str, str], tv: bool) -> ItemFilter:
    runtime_gte = _num(params, "with_runtime.gte", float)
    runtime_lte = _num(params, "with_runtime.lte", float)
    air_gte = params.get("air_date.gte", "").strip() if tv else ""
    air_lte = params.get("air_date.lte", "").strip() if tv else ""
    return ItemFilter(
        runtime_gte=None if runtime_gte is None else int(runtime_gte),
        runtime_lte=None if runtime_lte is None else int(runtime_lte),
        keywords=parse_groups(params.get("with_keywords")),
        without_keywords=_without(params.get("without_keywords")),
        companies=parse_groups(params.get("with_companies")),
        without_companies=_without(params.get("without_companies")),
        origin_country=parse_groups(params.get("with_origin_country"), upper=True),
        networks=parse_groups(params.get("with_networks")) if tv else None,
        status=parse_groups(params.get("with_status")) if tv else None,
        types=parse_groups(params.get("with_type")) if tv else None,
        screened_theatrically=tv and _bool(params, "screened_theatrically"),
        air_date_gte=_parse_date(air_gte) if air_gte else None,
        air_date_lte=_parse_date(air_lte) if air_lte else None,
    )


@dataclass(frozen=True)
class DiscoverQuery:
    """Normalised, hashable filter set (the LRU cache key)."""

    with_genres: tuple[int, ...] | None = None  # OR over AND-masks
    without_genres: int = 0
    vote_count_gte: int | None = None
    vote_count_lte: int | None = None
    vote_average_gte: float | None = None
    vote_average_lte: float | None = None
    date_gte: int | None = None  # ordinals
    date_lte: int | None = None
    languages: tuple[int, ...] | None = None  # indices into LANGUAGES; (-1,) = none match
    include_adult: bool = False
    include_video: bool = False
    sort_field: str = "popularity"
    sort_desc: bool = True
    include_null_dates: bool = False  # TV: include_null_first_air_dates
    items: ItemFilter = ItemFilter()


def _genre_mask(ids: str, bits: Mapping[int, int] = GENRE_BIT) -> int:
    mask = 0
    for part in ids.split(","):
        part = part.strip()
        if not part:
            continue
        gid = int(part) if part.isdigit() else -1
        mask |= bits.get(gid, UNKNOWN_GENRE_BIT)
    return mask


def parse_genres(value: str | None, bits: Mapping[int, int] = GENRE_BIT) -> tuple[int, ...] | None:
    """``,`` = AND, ``|`` = OR (an OR of AND-groups when mixed)."""
    if value is None or not value.strip():
        return None
    return tuple(_genre_mask(group, bits) for group in value.split("|") if group.strip())


def _parse_date(value: str) -> int:
    try:
        return date.fromisoformat(value.strip()).toordinal()
    except ValueError as exc:
        raise QueryError(value) from exc


def _num(params: Mapping[str, str], key: str, kind: Callable[[str], float]) -> float | None:
    raw = params.get(key)
    if raw is None or not raw.strip():
        return None
    try:
        return kind(raw.strip())
    except ValueError:
        return None  # TMDB ignores unparsable numeric filters


def _bool(params: Mapping[str, str], key: str) -> bool:
    return params.get(key, "false").strip().lower() == "true"


def _date_bounds(params: Mapping[str, str], tv: bool) -> tuple[int | None, int | None]:
    lows: list[int] = []
    highs: list[int] = []
    prefixes = ("first_air_date", "air_date") if tv else ("primary_release_date", "release_date")
    for prefix in prefixes:
        if raw := params.get(prefix + ".gte", "").strip():
            lows.append(_parse_date(raw))
        if raw := params.get(prefix + ".lte", "").strip():
            highs.append(_parse_date(raw))
    if tv:
        year = _num(params, "first_air_date_year", int)
    else:
        year = _num(params, "primary_release_year", int) or _num(params, "year", int)
    if year is not None and 1 <= year <= 9999:
        lows.append(date(int(year), 1, 1).toordinal())
        highs.append(date(int(year), 12, 31).toordinal())
    return (max(lows) if lows else None), (min(highs) if highs else None)


def _languages(value: str | None) -> tuple[int, ...] | None:
    if value is None or not value.strip():
        return None
    found = tuple(LANGUAGE_INDEX.get(code.strip(), -1) for code in value.split("|"))
    return found


def _sort(value: str | None, tv: bool) -> tuple[str, bool]:
    field, _, direction = (value or "popularity.desc").partition(".")
    field = _TV_SORT.get(field, "") if tv else field
    if field not in SORT_FIELDS or direction not in ("asc", "desc"):
        return "popularity", True
    if field == "release_date":
        field = "primary_release_date"
    return field, direction == "desc"


def parse_discover_params(params: Mapping[str, str], media: str = "movie") -> DiscoverQuery:
    """Build a :class:`DiscoverQuery` from ``/discover/movie`` (or, with ``media="tv"``,
    ``/discover/tv``) query parameters (raises :class:`QueryError`, or
    :class:`UnsupportedFilter` for filters the simulator does not model)."""
    tv = media == "tv"
    refused = sorted(name for name in NOT_SIMULATED[media] if params.get(name, "").strip())
    if refused:
        raise UnsupportedFilter(refused)
    bits = TV_GENRE_BIT if tv else GENRE_BIT
    date_gte, date_lte = _date_bounds(params, tv)
    without = params.get("without_genres", "")
    vc_gte = _num(params, "vote_count.gte", float)
    vc_lte = _num(params, "vote_count.lte", float)
    sort_field, sort_desc = _sort(params.get("sort_by"), tv)
    return DiscoverQuery(
        with_genres=parse_genres(params.get("with_genres"), bits),
        without_genres=_genre_mask(without.replace("|", ","), bits) & ~UNKNOWN_GENRE_BIT,
        vote_count_gte=None if vc_gte is None else int(-(-vc_gte // 1)),
        vote_count_lte=None if vc_lte is None else int(vc_lte // 1),
        vote_average_gte=_num(params, "vote_average.gte", float),
        vote_average_lte=_num(params, "vote_average.lte", float),
        date_gte=date_gte,
        date_lte=date_lte,
        languages=_languages(params.get("with_original_language")),
        include_adult=_bool(params, "include_adult"),
        include_video=_bool(params, "include_video"),
        sort_field=sort_field,
        sort_desc=sort_desc,
        include_null_dates=tv and _bool(params, "include_null_first_air_dates"),
        items=_item_filter(params, tv),
    )


def _matcher(q: DiscoverQuery, cols: Columns) -> Callable[[int], bool]:
    masks = [c.mask for c in cols.combos]
    combo, flags, vc, avg, dates = (
        cols.combo,
        cols.flags,
        cols.vote_count,
        cols.vote_average,
        cols.date_ord,
    )
    excluded = (0 if q.include_adult else FLAG_ADULT) | (0 if q.include_video else FLAG_VIDEO)
    groups = q.with_genres
    without = q.without_genres
    vc_lo = -1 if q.vote_count_gte is None else q.vote_count_gte
    vc_hi = math.inf if q.vote_count_lte is None else q.vote_count_lte
    va_lo = -math.inf if q.vote_average_gte is None else q.vote_average_gte
    va_hi = math.inf if q.vote_average_lte is None else q.vote_average_lte
    dated = q.date_gte is not None or q.date_lte is not None
    d_lo = 0 if q.date_gte is None else q.date_gte
    d_hi = math.inf if q.date_lte is None else q.date_lte
    null_ok = q.include_null_dates

    def match(i: int) -> bool:
        if flags[i] & excluded:
            return False
        mask = masks[combo[i]]
        if groups is not None and not any(mask & g == g for g in groups):
            return False
        if mask & without or not vc_lo <= vc[i] <= vc_hi or not va_lo <= avg[i] <= va_hi:
            return False
        if dates[i] == 0:
            return not dated or null_ok
        return not dated or d_lo <= dates[i] <= d_hi

    return match


def run_query(
    q: DiscoverQuery,
    cols: Columns,
    by_popularity: Mapping[int, Sequence[int]],
    title_of: Callable[[int], str],
    revenue_of: Callable[[int], int],
) -> list[int]:
    """Indices matching ``q`` in the requested order (ties broken by id ascending).

    ``by_popularity`` maps a language index to that language's movie indices in
    popularity-descending order (key ``-1`` holds all movies).
    """
    if q.languages is None:
        sources: list[Sequence[int]] = [by_popularity[-1]]
    else:
        sources = [by_popularity.get(lang, ()) for lang in sorted(set(q.languages))]
    match = _matcher(q, cols)
    found = [i for source in sources for i in source if match(i)]
    ids = cols.ids
    if q.sort_field == "popularity":
        pop = cols.popularity
        if len(sources) > 1:
            found.sort(key=lambda i: (-pop[i], ids[i]))
        if not q.sort_desc:
            found.sort(key=lambda i: (pop[i], ids[i]))
        return found
    key = _sort_key(q.sort_field, cols, title_of, revenue_of)
    found.sort(key=lambda i: (key(i), ids[i]))
    if q.sort_desc:
        # Descending by value but still ascending by id within ties.
        found.sort(key=key, reverse=True)
    return found


def _sort_key(
    field: str,
    cols: Columns,
    title_of: Callable[[int], str],
    revenue_of: Callable[[int], int],
) -> Callable[[int], float | str]:
    if field == "vote_average":
        return cols.vote_average.__getitem__
    if field == "vote_count":
        return cols.vote_count.__getitem__
    if field == "primary_release_date":
        return cols.date_ord.__getitem__
    if field == "revenue":
        return revenue_of
    return title_of
