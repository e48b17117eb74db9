"""TV series body builders: details, aggregate credits, credits, keywords, external ids,
episode groups, screened episodes (seasons and episodes: :mod:`.tv_seasons`).

Key order and types follow the OpenAPI spec's TV examples (``/3/tv/{series_id}``, its
season and sub-resources). A series' season layout (how many seasons, episodes, air dates)
is a pure function of the TV catalogue's seed and the series id.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from tmdb_collector.simulator._hash import SALT_TV, hash_ints, hex24, mix64, number
from tmdb_collector.simulator.bodies import (
    Credited,
    cast_pool,
    company_list,
    keyword_item,
    maturity,
    person_at,
    person_fields,
    person_index,
    spoken_languages,
    tagline,
)
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.generate import FLAG_ADULT
from tmdb_collector.simulator.lists import series_country
from tmdb_collector.simulator.parts import Subject
from tmdb_collector.simulator.text import character_from, overview, poster_backdrop
from tmdb_collector.simulator.tv_seasons import (
    Season,
    air_day,
    episode_air,
    episode_id,
    episode_stub,
    layout,
    networks,
    season_summary,
    series_rng,
)
from tmdb_collector.simulator.vocab import COUNTRIES, KEYWORDS, LANGUAGES, TV_GENRE_NAME

JSONDict = dict[str, Any]


CREATOR_POOL, CREW_POOL = 3000, 4000  # the people ``created_by`` and the crew draw from
_TYPES_BY_GENRE = {99: "Documentary", 10763: "News", 10764: "Reality", 10767: "Talk Show"}


def _created_by(cat: Catalog, idx: int) -> list[JSONDict]:
    sid = cat.cols.ids[idx]
    rng = series_rng(cat, sid, 4)
    out: list[JSONDict] = []
    for _ in range(rng.choice((0, 1, 1, 2))):
        p = person_fields(cat.seed, person_index(rng, CREATOR_POOL))
        out.append(
            {
                "id": p["id"],
                "credit_id": hex24(cat.seed, SALT_TV, sid, p["id"]),
                "name": p["name"],
                "gender": p["gender"],
                "profile_path": p["profile_path"],
            }
        )
    return out


def _status(cat: Catalog, seasons: tuple[Season, ...]) -> tuple[str, bool]:
    last = seasons[-1].air_ord
    recent = bool(last) and cat.today.toordinal() - last < 400
    return ("Returning Series" if recent else "Ended"), recent


def episode_run_time(cat: Catalog, idx: int) -> list[int]:
    rng = series_rng(cat, cat.cols.ids[idx], 5, 1)
    return [rng.choice((22, 25, 30, 45, 50, 60))] if rng.random() < 0.6 else []


def companies(cat: Catalog, idx: int) -> list[JSONDict]:
    rng = series_rng(cat, cat.cols.ids[idx], 5, 2)
    return company_list(rng, cat.seed, cat.cols.lang[idx])


def status(cat: Catalog, idx: int) -> str:
    return _status(cat, layout(cat, idx))[0]


def series_type(cat: Catalog, idx: int) -> str:
    genre_ids = cat.cols.combos[cat.cols.combo[idx]].genre_ids
    return next((_TYPES_BY_GENRE[g] for g in genre_ids if g in _TYPES_BY_GENRE), "Scripted")


def details(cat: Catalog, idx: int) -> JSONDict:
    """``GET /tv/{series_id}`` in the spec's key order."""
    c = cat.cols
    sid = c.ids[idx]
    rng = series_rng(cat, sid, 5)
    name, original = cat.titles_at(idx)
    poster, backdrop = poster_backdrop(cat.seed, sid)
    genre_ids = c.combos[c.combo[idx]].genre_ids
    seasons = layout(cat, idx)
    regular = [s for s in seasons if s.number > 0]
    status, in_production = _status(cat, seasons)
    last_season = regular[-1]
    last_episode = episode_stub(cat, idx, last_season, last_season.episodes)
    country = series_country(cat, idx)
    slug = "".join(ch for ch in name.lower() if ch.isalnum())
    return {
        "adult": bool(c.flags[idx] & FLAG_ADULT),
        "backdrop_path": backdrop,
        "created_by": _created_by(cat, idx),
        "episode_run_time": episode_run_time(cat, idx),
        "first_air_date": cat.release_date(idx),
        "genres": [{"id": g, "name": TV_GENRE_NAME[g]} for g in genre_ids],
        "homepage": f"https://www.{slug}.tv" if rng.random() < 0.3 else "",
        "id": sid,
        "in_production": in_production,
        "languages": [LANGUAGES[c.lang[idx]].code],
        "last_air_date": air_day(episode_air(last_season, last_season.episodes)),
        "last_episode_to_air": last_episode,
        "name": name,
        "next_episode_to_air": None,
        "networks": networks(cat, idx),
        "number_of_episodes": sum(s.episodes for s in regular),
        "number_of_seasons": len(regular),
        "origin_country": [country],
        "original_language": LANGUAGES[c.lang[idx]].code,
        "original_name": original,
        "overview": overview(cat.seed, sid),
        "popularity": number(c.popularity[idx]),
        "poster_path": poster,
        "production_companies": companies(cat, idx),
        "production_countries": [{"iso_3166_1": country, "name": COUNTRIES[country]}],
        "seasons": [season_summary(cat, idx, s) for s in seasons],
        "spoken_languages": spoken_languages(rng, c.lang[idx]),
        "status": status,
        "tagline": tagline(cat.seed, sid, cat.changes.version(idx)),
        "type": series_type(cat, idx),
        "vote_average": number(c.vote_average[idx]),
        "vote_count": c.vote_count[idx],
    }


class _Regular(NamedTuple):
    person: JSONDict
    character: str
    first: int  # first and last regular season it appears in
    last: int
    credit_id: str  # one per role: a person can hold two roles in a series


def credited_people(cat: Catalog, idx: int) -> Credited:
    """The pool indices of the series' regulars and crew (``aggregate_credits``' order), from
    a stream of their own so that the graph's reverse index draws them without the bodies."""
    rng = series_rng(cat, cat.cols.ids[idx], 17)
    fame = min(1.0, cat.cols.popularity[idx] / 40.0)
    n_cast = 3 + int(12 * fame * rng.random()) + rng.randint(0, 4)
    n_crew = rng.randint(3, len(_CREW_JOBS))
    cast_from, crew_from = pools(cat)
    cast = [person_at(rng.random(), cast_from) for _ in range(n_cast)]
    return cast, [person_at(rng.random(), crew_from) for _ in range(n_crew)]


def pools(cat: Catalog) -> tuple[int, int]:
    """The people the series' cast and crew draw from."""
    return cast_pool(cat.size), max(CREW_POOL, cat.size)


def _regulars(
    cat: Catalog, idx: int, only: int | None = None, people: Credited | None = None
) -> list[tuple[int, _Regular]]:
    """The series' regulars with their order (or only pool index ``only``'s), each drawn from
    a hash of its own. ``people``: :func:`credited_people`'s answer, if the caller holds it."""
    sid = cat.cols.ids[idx]
    seasons = [s.number for s in layout(cat, idx) if s.number > 0]
    out: list[tuple[int, _Regular]] = []
    for slot, index in enumerate((people or credited_people(cat, idx))[0]):
        if only is not None and index != only:
            continue
        h = hash_ints(cat.seed, SALT_TV, sid, 8, slot)
        first = seasons[h % len(seasons)]
        later = [n for n in seasons if n >= first]
        last = later[(h >> 20) % len(later)]
        person = person_fields(cat.seed, index)
        credit_id = hex24(cat.seed, SALT_TV, sid, person["id"], 9, slot)
        out.append((slot, _Regular(person, character_from(mix64(h)), first, last, credit_id)))
    return out


def _episodes_between(cat: Catalog, idx: int, first: int, last: int) -> int:
    return sum(s.episodes for s in layout(cat, idx) if first <= s.number <= last)


def aggregate_credits(cat: Catalog, idx: int) -> JSONDict:
    """Every season's cast (``roles``) and crew (``jobs``) with episode counts."""
    return aggregate_entries(cat, idx)


def aggregate_entries(
    cat: Catalog, idx: int, only: int | None = None, people: Credited | None = None
) -> JSONDict:
    """``aggregate_credits``' ``cast`` and ``crew``, or only pool index ``only``'s entries
    (``people``: :func:`credited_people`'s answer, if the caller holds it)."""
    people = people or credited_people(cat, idx)
    sid = cat.cols.ids[idx]
    cast: list[JSONDict] = []
    for order, r in _regulars(cat, idx, only, people):
        episodes = _episodes_between(cat, idx, r.first, r.last)
        role = {"credit_id": r.credit_id, "character": r.character, "episode_count": episodes}
        cast.append({**r.person, "roles": [role], "total_episode_count": episodes, "order": order})
    seasons = [s.number for s in layout(cat, idx) if s.number > 0]
    crew: list[JSONDict] = []
    crew_people = people[1]
    for n, ((department, job), index) in enumerate(zip(_CREW_JOBS, crew_people, strict=False)):
        if only is not None and index != only:
            continue
        first = seasons[hash_ints(cat.seed, SALT_TV, sid, 10, n) % len(seasons)]
        episodes = _episodes_between(cat, idx, first, seasons[-1])
        person = person_fields(cat.seed, index)
        jobs = [{"credit_id": hex24(cat.seed, SALT_TV, sid, n, 11), "job": job,
                 "episode_count": episodes}]  # fmt: skip
        crew.append({**person, "jobs": jobs, "department": department,
                     "total_episode_count": episodes})  # fmt: skip
    return {"cast": cast, "crew": crew}


_CREW_JOBS = (
    ("Production", "Executive Producer"), ("Writing", "Writer"), ("Directing", "Director"),
    ("Sound", "Original Music Composer"), ("Camera", "Director of Photography"),
    ("Editing", "Editor"), ("Production", "Casting"), ("Art", "Production Design"),
)  # fmt: skip


def credits(cat: Catalog, idx: int, number: int | None = None) -> JSONDict:
    """Season ``number``'s cast and crew (TV ``credits``: the latest season's)."""
    if number is None:
        number = max(s.number for s in layout(cat, idx))
    cast = []
    held = (x for _, x in _regulars(cat, idx) if x.first <= number <= x.last)
    for order, r in enumerate(held):
        cast.append({**r.person, "character": r.character, "credit_id": r.credit_id,
                     "order": order})  # fmt: skip
    crew = []
    for member in aggregate_credits(cat, idx)["crew"]:
        job = member["jobs"][0]
        person = {k: v for k, v in member.items() if k not in _AGGREGATE_ONLY}
        crew.append(
            {**person, "credit_id": job["credit_id"], "department": member["department"]}
            | {"job": job["job"]}
        )
    return {"cast": cast, "crew": crew}


def season_regulars(cat: Catalog, idx: int, number: int) -> list[JSONDict]:
    """The aggregate cast members who play in season ``number``."""
    cast = aggregate_credits(cat, idx)["cast"]
    held = _regulars(cat, idx)
    return [m for m, (_, r) in zip(cast, held, strict=True) if r.first <= number <= r.last]


_AGGREGATE_ONLY = frozenset({"jobs", "department", "total_episode_count"})


def keywords(cat: Catalog, idx: int) -> JSONDict:
    """TV keywords come as ``{"results": [{"name", "id"}]}``."""
    rng = series_rng(cat, cat.cols.ids[idx], 12)
    picked = rng.sample(range(len(KEYWORDS)), 0 if rng.random() < 0.15 else rng.randint(1, 10))
    return {"results": [{"name": KEYWORDS[k], "id": keyword_item(k)["id"]} for k in picked]}


def external_ids(cat: Catalog, idx: int) -> JSONDict:
    sid = cat.cols.ids[idx]
    h = hash_ints(cat.seed, SALT_TV, sid, 13)
    return {
        "imdb_id": f"tt{h % 30_000_000 + 10_000:07d}",
        "freebase_mid": None,
        "freebase_id": None,
        "tvdb_id": 70_000 + h % 400_000 if h % 10 < 8 else None,
        "tvrage_id": None,
        "wikidata_id": f"Q{h % 90_000_000 + 10_000}" if h % 3 else None,
        "facebook_id": None,
        "instagram_id": None,
        "twitter_id": None,
    }


def episode_groups(cat: Catalog, idx: int) -> JSONDict:
    sid = cat.cols.ids[idx]
    seasons = [s for s in layout(cat, idx) if s.number > 0]
    if len(seasons) < 3 or hash_ints(cat.seed, SALT_TV, sid, 14) % 4:
        return {"results": []}
    group = {
        "description": "",
        "episode_count": sum(s.episodes for s in seasons),
        "group_count": len(seasons),
        "id": hex24(cat.seed, SALT_TV, sid, 15),
        "name": "Aired Order",
        "network": networks(cat, idx)[0],
        "type": 1,
    }
    return {"results": [group]}


def screened_theatrically(cat: Catalog, idx: int) -> JSONDict:
    sid = cat.cols.ids[idx]
    last = [s for s in layout(cat, idx) if s.number > 0][-1]
    if hash_ints(cat.seed, SALT_TV, sid, 16) % 50:
        return {"results": []}
    item = {"id": episode_id(sid, last.number, last.episodes), "episode_number": last.episodes,
            "season_number": last.number}  # fmt: skip
    return {"results": [item]}


def subject(cat: Catalog, idx: int) -> Subject:
    """What the shared sub-resources (:mod:`.parts`) need to know about a series."""
    c = cat.cols
    sid = c.ids[idx]
    name, original = cat.titles_at(idx)
    poster, backdrop = poster_backdrop(cat.seed, sid)
    genre_ids = c.combos[c.combo[idx]].genre_ids
    return Subject(
        media="tv",
        id=sid,
        title=name,
        original_title=original,
        lang_index=c.lang[idx],
        country=series_country(cat, idx),
        popularity=c.popularity[idx],
        released=c.date_ord[idx],
        maturity=maturity(cat.seed, sid, genre_ids, bool(c.flags[idx] & FLAG_ADULT)),
        poster=poster,
        backdrop=backdrop,
        overview=overview(cat.seed, sid),
        tagline=tagline(cat.seed, sid, cat.changes.version(idx)),
        runtime=0,
        today=cat.today.toordinal(),
    )
