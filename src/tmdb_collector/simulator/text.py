"""Deterministic synthetic text and small records: titles, overviews, people, companies."""

from __future__ import annotations

import random
from functools import lru_cache
from typing import NamedTuple

from tmdb_collector.simulator._hash import (
    SALT_PERSON,
    SALT_TITLE,
    hash_ints,
    image_path,
    image_path_from,
    mix64,
    rng_for,
    unit,
)
from tmdb_collector.simulator.vocab import (
    CHARACTER_ROLES,
    COMPANY_WORDS,
    DEPARTMENTS,
    EN_ADJECTIVES,
    EN_NOUNS,
    FIRST_NAMES_F,
    FIRST_NAMES_M,
    LANGUAGES,
    LAST_NAMES,
    OVERVIEW_OBJECTS,
    OVERVIEW_SUBJECTS,
    OVERVIEW_VERBS,
)

SALT_IMAGES = 101
SALT_OVERVIEW = 102
SALT_MONEY = 103
SALT_COMPANY = 104
PERSON_ID_BITS = 22
_ALL_FIRST = FIRST_NAMES_F + FIRST_NAMES_M


class Person(NamedTuple):
    id: int
    gender: int
    known_for_department: str
    name: str
    popularity: float
    profile_path: str | None


class Company(NamedTuple):
    id: int
    logo_path: str | None
    name: str
    origin_country: str


def _english_title(rng: random.Random) -> str:
    adj, noun, other = rng.choice(EN_ADJECTIVES), rng.choice(EN_NOUNS), rng.choice(EN_NOUNS)
    pattern = rng.randrange(6)
    if pattern == 0:
        title = f"The {adj} {noun}"
    elif pattern == 1:
        title = f"{adj} {noun}"
    elif pattern == 2:
        title = f"{noun} of the {other}"
    elif pattern == 3:
        title = f"The {noun}"
    elif pattern == 4:
        title = f"{rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)}'s {noun}"
    else:
        title = f"{adj} {noun}: {other}"
    if rng.random() < 0.08:
        title += f" {rng.randint(2, 4)}"
    return title


def _native_title(rng: random.Random, lang_index: int) -> str:
    lang = LANGUAGES[lang_index]
    words = [rng.choice(lang.words) for _ in range(rng.randint(1, 3))]
    if lang.code == "ja":
        return "の".join(words)
    if lang.code in ("zh", "cn"):
        return "".join(words)
    joined = " ".join(words)
    return joined[:1].upper() + joined[1:]


@lru_cache(maxsize=65536)
def titles(seed: int, movie_id: int, lang_index: int) -> tuple[str, str]:
    """``(title, original_title)``; identical for English-language movies."""
    rng = rng_for(seed, SALT_TITLE, movie_id)
    title = _english_title(rng)
    if LANGUAGES[lang_index].code == "en":
        return title, title
    return title, _native_title(rng, lang_index)


@lru_cache(maxsize=65536)
def overview(seed: int, movie_id: int) -> str:
    rng = rng_for(seed, SALT_OVERVIEW, movie_id)
    first = (
        f"{rng.choice(OVERVIEW_SUBJECTS)} {rng.choice(OVERVIEW_VERBS)} "
        f"{rng.choice(OVERVIEW_OBJECTS)}."
    )
    if rng.random() < 0.6:
        second = (
            f" When {rng.choice(OVERVIEW_SUBJECTS).lower()} {rng.choice(OVERVIEW_VERBS)} "
            f"{rng.choice(OVERVIEW_OBJECTS)}, nothing will ever be the same."
        )
        return first + second
    return first


@lru_cache(maxsize=65536)
def poster_backdrop(seed: int, movie_id: int) -> tuple[str | None, str | None]:
    rng = rng_for(seed, SALT_IMAGES, movie_id)
    poster = image_path(rng) if rng.random() >= 0.03 else None
    backdrop = image_path(rng) if rng.random() >= 0.15 else None
    return poster, backdrop


def money(seed: int, movie_id: int) -> tuple[int, int]:
    """``(budget, revenue)``; both 0 for most small movies, like TMDB."""
    h = hash_ints(seed, SALT_MONEY, movie_id)
    if unit(h) < 0.55:
        return 0, 0
    budget = int(10 ** (5.0 + 3.5 * unit(h >> 7) ** 0.7)) // 1000 * 1000
    roll = unit(hash_ints(h, 1))
    revenue = 0 if roll < 0.25 else int(budget * 4.0 * roll**1.5)
    return budget, revenue


def person_id(index: int) -> int:
    """A bijective scramble of the person-pool index into a sparse TMDB-like id."""
    return ((index * 2654435761) & ((1 << PERSON_ID_BITS) - 1)) + 1


@lru_cache(maxsize=50_000)
def person(seed: int, index: int) -> Person:
    """Person ``index`` of the pool (small index = famous); derived from one hash."""
    h = hash_ints(seed, SALT_PERSON, index)
    roll = h % 100
    gender = 2 if roll < 50 else 1 if roll < 85 else 0
    h >>= 7
    first_pool = FIRST_NAMES_M if gender == 2 else FIRST_NAMES_F if gender == 1 else _ALL_FIRST
    first = first_pool[h % len(first_pool)]
    h //= len(first_pool)
    name = f"{first} {LAST_NAMES[h % len(LAST_NAMES)]}"
    h //= len(LAST_NAMES)
    department = "Acting" if h % 100 < 55 else DEPARTMENTS[(h >> 7) % len(DEPARTMENTS)]
    fame = 1.0 / (1.0 + index / 500.0)
    h2 = mix64(h)
    popularity = round(0.6 + 60.0 * fame * unit(h2) + 3.0 * unit(mix64(h2)), 3)
    profile = None
    if unit(mix64(h2 + 1)) < 0.65 + 0.3 * fame:
        bits = (h2 << 128) | (mix64(h2 + 2) << 64) | mix64(h2 + 3)
        profile = image_path_from(bits)
    return Person(person_id(index), gender, department, name, popularity, profile)


def character_from(h: int) -> str:
    """A character's name from a 64-bit hash (one credit's own draw, no stream)."""
    if unit(h) < 0.3:
        return CHARACTER_ROLES[(h >> 8) % len(CHARACTER_ROLES)]
    h = mix64(h)
    return f"{_ALL_FIRST[h % len(_ALL_FIRST)]} {LAST_NAMES[(h >> 16) % len(LAST_NAMES)]}"


def character_name(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return rng.choice(CHARACTER_ROLES)
    first = rng.choice(FIRST_NAMES_F + FIRST_NAMES_M)
    return f"{first} {rng.choice(LAST_NAMES)}"


COMPANIES_PER_LANGUAGE = 1000


@lru_cache(maxsize=8192)
def company(seed: int, index: int) -> Company:
    """Company ``index``; its home country follows the language block it belongs to."""
    rng = rng_for(seed, SALT_COMPANY, index)
    country = LANGUAGES[(index // COMPANIES_PER_LANGUAGE) % len(LANGUAGES)].country
    stem = rng.choice(LAST_NAMES + EN_NOUNS)
    name = f"{stem} {rng.choice(COMPANY_WORDS)}"
    logo = image_path(rng, ".png") if rng.random() < 0.6 else None
    origin = country if rng.random() < 0.9 else ""
    return Company(1 + index * 7 + index % 5, logo, name, origin)
