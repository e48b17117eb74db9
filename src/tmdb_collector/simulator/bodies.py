"""Movie body builders: details, credits, keywords, external ids and per-movie changes.

Key order and types as TMDB emits them (API-FACTS §3). Each builder is a pure function of
the catalogue, the movie slot and the movie's version.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Any

from tmdb_collector.simulator._hash import (
    SALT_CREDITS,
    SALT_DETAILS,
    SALT_KEYWORDS,
    hash_ints,
    hex24,
    image_path,
    number,
    rng_for,
    unit,
)
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.generate import FLAG_ADULT, FLAG_VIDEO
from tmdb_collector.simulator.parts import Subject
from tmdb_collector.simulator.text import (
    COMPANIES_PER_LANGUAGE,
    character_from,
    company,
    money,
    overview,
    person,
    poster_backdrop,
)
from tmdb_collector.simulator.vocab import (
    COUNTRIES,
    CREW_JOBS,
    EN_COUNTRIES,
    GENRE_NAME,
    KEYWORDS,
    LANGUAGES,
    TAGLINES,
)

JSONDict = dict[str, Any]


def imdb_id(seed: int, movie_id: int) -> str:
    return f"tt{hash_ints(seed, SALT_DETAILS, movie_id, 7) % 30_000_000 + 10_000:07d}"


def tagline(seed: int, movie_id: int, version: int) -> str:
    return TAGLINES[hash_ints(seed, SALT_DETAILS, movie_id, version // 4) % len(TAGLINES)]


def origin_countries(rng: random.Random, lang_index: int) -> list[str]:
    home = LANGUAGES[lang_index].country
    if home == "US":
        home = rng.choice(EN_COUNTRIES)
    countries = [home]
    if rng.random() < 0.2:
        extra = rng.choice(sorted(COUNTRIES))
        if extra != home:
            countries.append(extra)
    return countries


def _collection(rng: random.Random, title: str) -> JSONDict | None:
    if rng.random() >= 0.1:
        return None
    base = title.split(":")[0].rstrip(" 234")
    return {
        "id": rng.randint(10, 1_400_000),
        "name": f"{base} Collection",
        "poster_path": image_path(rng) if rng.random() < 0.9 else None,
        "backdrop_path": image_path(rng) if rng.random() < 0.8 else None,
    }


def company_list(rng: random.Random, seed: int, lang_index: int) -> list[JSONDict]:
    out: list[JSONDict] = []
    for _ in range(rng.choice((0, 1, 1, 2, 2, 3, 4))):
        block = lang_index if rng.random() < 0.85 else 0
        index = block * COMPANIES_PER_LANGUAGE + int(COMPANIES_PER_LANGUAGE * rng.random() ** 2)
        comp = company(seed, index)
        out.append(comp._asdict())
    return out


def spoken_languages(rng: random.Random, lang_index: int) -> list[JSONDict]:
    langs = [LANGUAGES[lang_index]]
    if rng.random() < 0.25 and lang_index != 0:
        langs.append(LANGUAGES[0])
    return [{"english_name": x.english_name, "iso_639_1": x.code, "name": x.name} for x in langs]


def origin_country(cat: Catalog, idx: int) -> list[str]:
    """A movie's production countries (its details' ``origin_country`` is the first)."""
    rng = rng_for(cat.seed, SALT_DETAILS, cat.cols.ids[idx], 23)
    return origin_countries(rng, cat.cols.lang[idx])


def runtime(cat: Catalog, idx: int) -> int:
    c = cat.cols
    rng = rng_for(cat.seed, SALT_DETAILS, c.ids[idx], 21)
    is_doc = 99 in c.combos[c.combo[idx]].genre_ids
    return rng.randint(40, 110) if is_doc else rng.randint(75, 175)


def companies(cat: Catalog, idx: int) -> list[JSONDict]:
    """The production companies (a movie's; :func:`.tv.companies` for a series')."""
    rng = rng_for(cat.seed, SALT_DETAILS, cat.cols.ids[idx], 22)
    return company_list(rng, cat.seed, cat.cols.lang[idx])


def details(cat: Catalog, idx: int) -> JSONDict:
    c = cat.cols
    mid = c.ids[idx]
    lang_index = c.lang[idx]
    rng = rng_for(cat.seed, SALT_DETAILS, mid)
    title, original = cat.titles_at(idx)
    poster, backdrop = poster_backdrop(cat.seed, mid)
    budget, revenue = money(cat.seed, mid)
    countries = origin_country(cat, idx)
    slug = "".join(ch for ch in title.lower() if ch.isalnum())
    homepage = f"https://www.{slug}-movie.com" if rng.random() < 0.35 else ""
    collection = _collection(rng, title)
    spoken = spoken_languages(rng, lang_index)
    return {
        "adult": bool(c.flags[idx] & FLAG_ADULT),
        "backdrop_path": backdrop,
        "belongs_to_collection": collection,
        "budget": budget,
        "genres": [{"id": g, "name": GENRE_NAME[g]} for g in c.combos[c.combo[idx]].genre_ids],
        "homepage": homepage,
        "id": mid,
        "imdb_id": imdb_id(cat.seed, mid),
        "origin_country": countries[:1],
        "original_language": LANGUAGES[lang_index].code,
        "original_title": original,
        "overview": overview(cat.seed, mid),
        "popularity": number(c.popularity[idx]),
        "poster_path": poster,
        "production_companies": companies(cat, idx),
        "production_countries": [{"iso_3166_1": x, "name": COUNTRIES[x]} for x in countries],
        "release_date": cat.release_date(idx),
        "revenue": revenue,
        "runtime": runtime(cat, idx),
        "spoken_languages": spoken,
        "status": "Released",
        "tagline": tagline(cat.seed, mid, cat.changes.version(idx)),
        "title": title,
        "video": bool(c.flags[idx] & FLAG_VIDEO),
        "vote_average": number(c.vote_average[idx]),
        "vote_count": c.vote_count[idx],
    }


PEOPLE_PER_TITLE = 3  # the cast and crew pool per title of a catalogue (TMDB: ~3.5M people)
_HEAD = 0.2  # the pool's head: with density ~ (x + pool/4)**-2, a quarter of it takes 5/8 of
# the credits and the most credited person about 5 in ``pool`` (no one is in a large share)


def person_at(draw: float, pool: int) -> int:
    """The pool index a uniform ``draw`` in [0, 1) picks: small indices are the famous people,
    credited more often, but each at most ~5/pool of the time (a Lomax-like inverse CDF)."""
    return int(pool * _HEAD * draw / (1.0 - (1.0 - _HEAD) * draw))


def person_index(rng: random.Random, pool: int) -> int:
    """A person of the pool, skewed towards small indices (famous people)."""
    return person_at(rng.random(), pool)


def cast_pool(size: int) -> int:
    """How many people the credits of a catalogue of ``size`` titles draw from."""
    return max(2000, PEOPLE_PER_TITLE * size)


def person_fields(seed: int, index: int) -> JSONDict:
    p = person(seed, index)
    return {
        "adult": False,
        "gender": p.gender,
        "id": p.id,
        "known_for_department": p.known_for_department,
        "name": p.name,
        "original_name": p.name,
        "popularity": number(p.popularity),
        "profile_path": p.profile_path,
    }


def _sizes(cat: Catalog, idx: int, rng: random.Random) -> tuple[int, int]:
    fame = min(1.0, (cat.cols.popularity[idx] / 40.0) ** 0.5)
    n_cast = 5 + int(25 * fame * rng.random() + 10 * rng.random())
    n_crew = 5 + int(40 * fame * rng.random() + 15 * rng.random())
    return min(n_cast, 40), min(n_crew, 60)


Credited = tuple[list[int], list[int]]  # a title's credited pool indices, in two lists


def credited_people(cat: Catalog, idx: int) -> Credited:
    """The pool indices of the movie's crew and cast, in credit order, from a stream of their
    own (so that the graph's reverse index draws them without building the bodies). The crew
    comes first: the cast grows as the movie changes, the crew stays."""
    rng = rng_for(cat.seed, SALT_CREDITS, cat.cols.ids[idx], 3)
    n_cast, n_crew = _sizes(cat, idx, rng)
    n_cast += min(40 - n_cast, cat.changes.version(idx) // 5)
    pool = cast_pool(cat.size)
    draws = [person_at(rng.random(), pool) for _ in range(n_crew + n_cast)]
    return draws[:n_crew], draws[n_crew:]


def credits(cat: Catalog, idx: int) -> JSONDict:
    """``{id, cast, crew}``; the crew always contains a Director."""
    return {"id": cat.cols.ids[idx], **credit_entries(cat, idx)}


def credit_entries(
    cat: Catalog, idx: int, only: int | None = None, people: Credited | None = None
) -> dict[str, list[JSONDict]]:
    """The movie's ``cast`` and ``crew`` entries, or only those of pool index ``only``: each
    entry is drawn from a hash of its own, so one costs the same without the others.
    ``people``: :func:`credited_people`'s answer, if the caller holds it."""
    seed = cat.seed
    crew_people, cast_people = people or credited_people(cat, idx)
    title = hash_ints(seed, SALT_CREDITS, cat.cols.ids[idx], 4)
    director_at = title % len(crew_people)
    cast: list[JSONDict] = []
    for order, index in enumerate(cast_people):
        if only is None or index == only:
            h = hash_ints(title, 0, order)
            item = person_fields(seed, index)
            item["cast_id"] = 2 * order + 1 + (h & 1)  # ascending, with gaps as on TMDB
            item["character"] = character_from(h >> 1)
            item["credit_id"] = hex24(h)
            item["order"] = order
            cast.append(item)
    crew: list[JSONDict] = []
    for slot, index in enumerate(crew_people):
        if only is None or index == only:
            h = hash_ints(title, 1, slot)
            department, job = ("Directing", "Director")
            if slot != director_at:
                department, job = CREW_JOBS[h % len(CREW_JOBS)]
            item = person_fields(seed, index)
            item["credit_id"] = hex24(h)
            item["department"] = department
            item["job"] = job
            crew.append(item)
    return {"cast": cast, "crew": crew}


def keyword_item(k: int) -> JSONDict:
    return {"id": 818 + (k * 104729) % 350_000, "name": KEYWORDS[k]}


def keywords(cat: Catalog, idx: int) -> JSONDict:
    """``{id, keywords}`` with 0-20 keywords; a few are added as the movie changes."""
    mid = cat.cols.ids[idx]
    rng = rng_for(cat.seed, SALT_KEYWORDS, mid)
    count = 0 if rng.random() < 0.12 else rng.randint(1, 14)
    picked = rng.sample(range(len(KEYWORDS)), count)
    for step in range(cat.changes.version(idx) // 3):
        if len(picked) >= 20:
            break
        k = hash_ints(cat.seed, SALT_KEYWORDS, mid, step) % len(KEYWORDS)
        if k not in picked:
            picked.append(k)
    return {"id": mid, "keywords": [keyword_item(k) for k in picked]}


def external_ids(cat: Catalog, idx: int) -> JSONDict:
    mid = cat.cols.ids[idx]
    h = hash_ints(cat.seed, SALT_DETAILS, mid, 11)
    return {
        "id": mid,
        "imdb_id": imdb_id(cat.seed, mid),
        "wikidata_id": f"Q{h % 90_000_000 + 10_000}" if unit(h) < 0.5 else None,
        "facebook_id": None,
        "instagram_id": None,
        "twitter_id": None,
    }


def _change_item(cat: Catalog, mid: int, day: date, kind: int) -> JSONDict:
    secs = hash_ints(cat.seed, SALT_DETAILS, mid, day.toordinal()) % 86400
    return {
        "id": hex24(cat.seed, mid, day.toordinal(), kind),
        "action": "updated" if kind == 3 else "added",
        "time": f"{day.isoformat()} {secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d} UTC",
        "iso_639_1": "en" if kind == 3 else "",
        "iso_3166_1": "US" if kind == 3 else "",
    }


def movie_changes(cat: Catalog, idx: int, start: date, end: date) -> JSONDict:
    """``{changes:[…]}`` for the simulated days in ``[start, end]`` the movie changed:
    a ``tagline`` update when the tagline moved, otherwise an added poster image."""
    mid = cat.cols.ids[idx]
    taglines: list[JSONDict] = []
    images: list[JSONDict] = []
    for day in cat.changes.changed_on(idx, start, end):
        version = cat.changes.version_on(idx, day)
        new, old = tagline(cat.seed, mid, version), tagline(cat.seed, mid, version - 1)
        if new != old:
            item = _change_item(cat, mid, day, 3)
            item["value"] = new
            item["original_value"] = old
            taglines.append(item)
        else:
            item = _change_item(cat, mid, day, 4)
            rng = rng_for(cat.seed, SALT_DETAILS, mid, day.toordinal())
            item["value"] = {"poster": {"file_path": image_path(rng)}}
            images.append(item)
    changes = [{"key": "images", "items": images}] if images else []
    if taglines:
        changes.append({"key": "tagline", "items": taglines})
    return {"changes": changes}


_MILD_GENRES = frozenset({16, 10751})  # Animation, Family
_HARSH_GENRES = frozenset({27, 53, 80, 10752})  # Horror, Thriller, Crime, War


def maturity(seed: int, item_id: int, genre_ids: tuple[int, ...], adult: bool) -> int:
    """0 (all audiences) .. 4 (adults only), from the genres: the age-rating ladder step."""
    if adult:
        return 4
    base = 1 + hash_ints(seed, SALT_DETAILS, item_id, 13) % 3
    if _MILD_GENRES & set(genre_ids):
        return base - 1
    if _HARSH_GENRES & set(genre_ids):
        return min(4, base + 1)
    return base


def subject(cat: Catalog, idx: int) -> Subject:
    """What the shared sub-resources (:mod:`.parts`) need to know about a movie."""
    d = details(cat, idx)
    c = cat.cols
    genre_ids = c.combos[c.combo[idx]].genre_ids
    return Subject(
        media="movie",
        id=d["id"],
        title=d["title"],
        original_title=d["original_title"],
        lang_index=c.lang[idx],
        country=d["origin_country"][0],
        popularity=c.popularity[idx],
        released=c.date_ord[idx],
        maturity=maturity(cat.seed, d["id"], genre_ids, d["adult"]),
        poster=d["poster_path"],
        backdrop=d["backdrop_path"],
        overview=d["overview"],
        tagline=d["tagline"],
        runtime=d["runtime"],
        today=cat.today.toordinal(),
    )
