"""Column-wise generation of the synthetic catalogue's compact per-movie attributes.

All values are deterministic for ``(size, seed)`` plus each movie's *version* (see
:mod:`tmdb_collector.simulator.changes`). Release dates never depend on the simulated
``today`` so that a movie's body changes only when the movie itself changes.
"""

from __future__ import annotations

import math
import random
from array import array
from dataclasses import dataclass
from datetime import date
from itertools import accumulate
from typing import NamedTuple

from tmdb_collector.simulator._hash import SALT_DELETED, SALT_DRIFT, hash_ints, unit
from tmdb_collector.simulator.famous import Famous, place
from tmdb_collector.simulator.vocab import GENRES, LANGUAGES, TV_GENRES, Genre

ID_MIN = 2
ID_MAX = 1_300_000
FIRST_YEAR = 1925
LAST_RELEASE = date(2026, 11, 24)
COMBO_TABLE_SIZE = 4096
VOTE_SCALE = 4.0

FLAG_ADULT = 1
FLAG_VIDEO = 2
FLAG_DELETED = 4
FLAG_ADULT_NULL = 8  # the changes feed reports ``adult: null`` for this id


class CatalogKind(NamedTuple):
    """What differs between the movie and the TV catalogue's generation."""

    media: str
    genres: tuple[Genre, ...]
    id_max: int
    first_year: int
    videos: bool  # movies can be flagged ``video``; series cannot


MOVIE = CatalogKind("movie", GENRES, ID_MAX, FIRST_YEAR, True)
TV = CatalogKind("tv", TV_GENRES, 320_000, 1950, False)


@dataclass(frozen=True)
class GenreCombo:
    genre_ids: tuple[int, ...]
    mask: int


@dataclass
class Columns:
    """Parallel arrays, one slot per movie, ordered by ascending TMDB id."""

    ids: array[int]
    lang: array[int]
    combo: array[int]
    date_ord: array[int]  # 0 = unknown release date
    flags: array[int]
    popularity: array[float]  # current (versioned) values
    vote_count: array[int]
    vote_average: array[float]
    combos: tuple[GenreCombo, ...]


def _genre_combos(rng: random.Random, genres: tuple[Genre, ...]) -> tuple[GenreCombo, ...]:
    weights = [g.weight for g in genres]
    bits = {g.id: 1 << i for i, g in enumerate(genres)}
    combos: list[GenreCombo] = []
    for _ in range(COMBO_TABLE_SIZE):
        count = rng.choices((1, 2, 3), weights=(0.4, 0.4, 0.2))[0]
        picked: list[int] = []
        while len(picked) < count:
            gid = rng.choices(genres, weights=weights)[0].id
            if gid not in picked:
                picked.append(gid)
        mask = 0
        for gid in picked:
            mask |= bits[gid]
        combos.append(GenreCombo(tuple(picked), mask))
    return tuple(combos)


def _release_ordinals(rng: random.Random, size: int, first_year: int) -> array[int]:
    years = list(range(first_year, LAST_RELEASE.year + 1))
    weights = [1.0 + 30.0 * ((y - first_year) / 100.0) ** 2.5 for y in years]
    cum = list(accumulate(weights))
    first_days = {y: date(y, 1, 1).toordinal() for y in years}
    last_ord = LAST_RELEASE.toordinal()
    out = array("i", bytes(4 * size))
    picked_years = rng.choices(years, cum_weights=cum, k=size)
    for i, year in enumerate(picked_years):
        if rng.random() < 0.003:
            continue  # unknown release date -> ""
        out[i] = min(first_days[year] + rng.randrange(365), last_ord)
    return out


def _flags(rng: random.Random, ids: array[int], seed: int, deleted_fraction: float) -> array[int]:
    out = array("B", bytes(len(ids)))
    for i, mid in enumerate(ids):
        flag = 0
        roll = rng.random()
        if roll < 0.01:
            flag |= FLAG_ADULT
        elif roll < 0.02:
            flag |= FLAG_VIDEO
        elif roll < 0.04:
            flag |= FLAG_ADULT_NULL
        if unit(hash_ints(seed, SALT_DELETED, mid)) < deleted_fraction:
            flag |= FLAG_DELETED
        out[i] = flag
    return out


def vote_average_for(quality: float, noise: float, votes: int) -> float:
    """Observed average for a hidden quality; few votes -> noisy, coarse values."""
    if votes <= 0:
        return 0.0
    value = min(10.0, max(0.5, quality + noise * 2.5 / math.sqrt(votes)))
    if votes < 5:
        return round(value * 2.0) / 2.0
    return round(value, 3)


def _metrics(
    rng: random.Random, cols: Columns, versions: array[int], seed: int
) -> tuple[array[float], array[int], array[float]]:
    """Popularity / votes per movie at its current version."""
    size = len(cols.ids)
    pop = array("d", bytes(8 * size))
    votes = array("i", bytes(4 * size))
    avg = array("d", bytes(8 * size))
    recent_ord = date(2019, 1, 1).toordinal()
    last_ord = LAST_RELEASE.toordinal()
    lang = cols.lang
    for i in range(size):
        released = cols.date_ord[i] or recent_ord
        boost = 1.0 + 3.0 * max(0, released - recent_ord) / (last_ord - recent_ord)
        base_pop = 0.6 * (1.0 - rng.random()) ** (-1.0 / 1.3) * boost
        base_pop /= 1.0 + base_pop / 4000.0
        age_years = max(0.05, (last_ord - released) / 365.25)
        maturity = min(1.0, age_years / 1.5)
        reach = VOTE_SCALE * (1.6 if lang[i] == 0 else 0.6)
        base_votes = reach * base_pop**1.3 * maturity * math.exp(rng.gauss(0.0, 1.0))
        base_votes /= 1.0 + base_votes / 40_000.0
        quality = rng.gauss(6.3, 0.8)
        noise = rng.gauss(0.0, 1.0)
        version = versions[i]
        vc = max(0, int(base_votes - 1.0))
        p = base_pop
        if version:
            vc += version * (1 + vc // 100)
            p *= 0.85 + 0.3 * unit(hash_ints(seed, SALT_DRIFT, cols.ids[i], version))
        pop[i] = max(0.0143, round(p, 4))
        votes[i] = vc
        avg[i] = vote_average_for(quality, noise, vc)
    return pop, votes, avg


def _shape_famous(cols: Columns, famous: list[tuple[int, Famous]], kind: CatalogKind) -> None:
    """The famous titles' language, date and genres as in their samples; always listed."""
    bits = {g.id: 1 << i for i, g in enumerate(kind.genres)}
    combos = list(cols.combos)
    for slot, item in famous:
        cols.lang[slot] = 0  # English
        cols.date_ord[slot] = min(item.released.toordinal(), LAST_RELEASE.toordinal())
        cols.flags[slot] = 0
        mask = sum(bits[g] for g in item.genre_ids)
        combos.append(GenreCombo(item.genre_ids, mask))
        cols.combo[slot] = len(combos) - 1
    cols.combos = tuple(combos)


def generate_columns(
    size: int, seed: int, versions: array[int], deleted_fraction: float, kind: CatalogKind = MOVIE
) -> Columns:
    """Build all columns for ``size`` movies or series (``versions`` indexed like the result)."""
    rng = random.Random(seed)
    id_max = max(kind.id_max, 2 * size + ID_MIN)
    ids = array("i", sorted(rng.sample(range(ID_MIN, id_max + 1), size)))
    famous = place(ids, kind.media)
    lang_weights = [lang.weight for lang in LANGUAGES]
    lang = array("B", rng.choices(range(len(LANGUAGES)), weights=lang_weights, k=size))
    combos = _genre_combos(rng, kind.genres)
    combo = array("H", (rng.getrandbits(12) for _ in range(size)))
    date_ord = _release_ordinals(rng, size, kind.first_year)
    flags = _flags(rng, ids, seed, deleted_fraction)
    if not kind.videos:
        flags = array("B", (f & ~FLAG_VIDEO for f in flags))
    cols = Columns(ids, lang, combo, date_ord, flags, array("d"), array("i"), array("d"), combos)
    _shape_famous(cols, famous, kind)  # after every draw: the other titles are unchanged
    cols.popularity, cols.vote_count, cols.vote_average = _metrics(rng, cols, versions, seed)
    for slot, item in famous:
        votes = versions[slot] * (1 + item.vote_count // 100)  # grows as others' do
        cols.popularity[slot] = item.popularity
        cols.vote_count[slot] = item.vote_count + votes
        cols.vote_average[slot] = item.vote_average
    return cols
