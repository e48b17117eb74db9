"""Sub-resources shared by movies and TV series: alternative titles, images, videos,
translations, release dates and age ratings, watch providers, reviews and lists.

Each builder is a pure function of the seed and a :class:`Subject` (what a movie or a
series looks like to these parts), so the two media share one implementation. Bodies are
returned without the ``id`` member; the renderer adds it where TMDB's standalone endpoint
has one. Field names, types and key order follow the OpenAPI spec's examples.
"""

from __future__ import annotations

import math
import random
from collections.abc import Collection
from datetime import date, timedelta
from typing import Any, NamedTuple

from tmdb_collector.media.base import PAGE_SIZE
from tmdb_collector.simulator._hash import (
    SALT_PARTS,
    hash_ints,
    hex24,
    image_path,
    number,
    rng_for,
)
from tmdb_collector.simulator.vocab import COUNTRIES, LANGUAGES
from tmdb_collector.simulator.vocab_parts import (
    LIST_NAMES,
    REVIEW_AUTHORS,
    REVIEW_CLOSINGS,
    REVIEW_OPENINGS,
    VIDEO_SIZES,
    VIDEO_TYPES,
    YOUTUBE_ALPHABET,
)

JSONDict = dict[str, Any]
MEDIA_CODE = {"movie": 1, "tv": 2}
# Language filter: the allowed ``iso_639_1`` values (``None`` = language-neutral), or
# ``None`` for no filter at all.
Languages = frozenset[str | None] | None


class Subject(NamedTuple):
    """The facts of one movie or series that its sub-resources are drawn from."""

    media: str  # "movie" or "tv"
    id: int
    title: str
    original_title: str
    lang_index: int
    country: str  # home country (first origin country)
    popularity: float
    released: int  # release / first-air date ordinal, 0 = unknown
    maturity: int  # 0 (all audiences) .. 4 (adults only)
    poster: str | None  # the details' poster_path and backdrop_path
    backdrop: str | None
    overview: str
    tagline: str
    runtime: int
    today: int  # the simulated today's ordinal: nothing is dated after it


def part_rng(seed: int, s: Subject, part: int, *extra: int) -> random.Random:
    return rng_for(seed, SALT_PARTS, MEDIA_CODE[s.media], part, s.id, *extra)


def fame(s: Subject) -> float:
    """0..1, how much TMDB's community has added around this title."""
    return min(1.0, math.sqrt(s.popularity / 60.0))


def _stamp(day: date, rng: random.Random) -> str:
    secs = rng.randrange(86400)
    ms = rng.randrange(1000)
    return f"{day.isoformat()}T{secs // 3600:02d}:{secs // 60 % 60:02d}:{secs % 60:02d}.{ms:03d}Z"


def _no_later(day: date, s: Subject) -> date:
    return min(day, date.fromordinal(s.today))


def _day_near(s: Subject, rng: random.Random, before: int, after: int) -> date:
    """A day around the release, from ``before`` days ahead to ``after`` days later, but never
    after the simulated today (the span is cut there, so days do not pile up on today)."""
    base = s.released or date(2015, 6, 1).toordinal()
    latest = min(after, s.today - base)
    return date.fromordinal(base + rng.randint(-before, latest) if latest >= -before else s.today)


def slug(title: str) -> str:
    """TMDB's URL slug: lower-case words joined by dashes."""
    words = "".join(ch if ch.isalnum() else " " for ch in title.lower()).split()
    return "-".join(words)


def _local_title(rng: random.Random, lang_index: int, fallback: str) -> str:
    words = LANGUAGES[lang_index].words
    if not words:
        return fallback
    return " ".join(rng.choice(words) for _ in range(rng.randint(1, 3)))


# -------------------------------------------------------------------- alternative titles
_TITLE_TYPES = ("", "", "", "", "working title", "romanization", "short title")


def alternative_titles(seed: int, s: Subject, country: str | None = None) -> JSONDict:
    """``{"titles": [...]}`` for movies, ``{"results": [...]}`` for series."""
    rng = part_rng(seed, s, 1)
    count = 0 if rng.random() < 0.25 else rng.randint(1, 2 + int(14 * fame(s)))
    codes = sorted(COUNTRIES)
    items: list[JSONDict] = []
    for _ in range(count):
        cc = rng.choice(codes)
        lang = next((i for i, x in enumerate(LANGUAGES) if x.country == cc), 0)
        title = _local_title(rng, lang, s.title)
        items.append({"iso_3166_1": cc, "title": title, "type": rng.choice(_TITLE_TYPES)})
    if country:
        items = [x for x in items if x["iso_3166_1"] == country.upper()]
    return {"titles" if s.media == "movie" else "results": items}


# ------------------------------------------------------------------------------ images
_IMAGE_KINDS = (("backdrops", 1.778, 0.15), ("logos", 0.0, 0.0), ("posters", 0.667, 0.1))
_WIDTHS = {"backdrops": (1280, 1920, 1920, 3840), "posters": (500, 1000, 2000, 2000)}


def _image_language(rng: random.Random, kind: str, s: Subject, neutral: float) -> str | None:
    roll = rng.random()
    if roll < neutral or (kind == "backdrops" and roll < 0.75):
        return None
    if roll < 0.8:
        return "en"
    if roll < 0.92:
        return LANGUAGES[s.lang_index].code
    return LANGUAGES[rng.randrange(len(LANGUAGES))].code


def _image(rng: random.Random, kind: str, ratio: float, lang: str | None, path: str) -> JSONDict:
    if kind == "logos":
        ratio = round(rng.uniform(1.5, 6.0), 3)
        width = rng.choice((300, 500, 800, 1200))
        height = max(1, round(width / ratio))
    else:
        width = rng.choice(_WIDTHS[kind])
        height = round(width / ratio)
    votes = 0 if rng.random() < 0.4 else rng.randint(1, 30)
    return {
        "aspect_ratio": number(ratio),
        "height": height,
        "iso_639_1": lang,
        "file_path": path,
        "vote_average": number(round(5.0 + 0.7 * rng.random(), 3)) if votes else 0,
        "vote_count": votes,
        "width": width,
    }


def images(seed: int, s: Subject, allowed: Languages = None) -> JSONDict:
    """``{backdrops, logos, posters}``, best voted first. The details' poster (English) and
    backdrop (language-neutral) come first; ``allowed`` filters by ``iso_639_1``."""
    body: JSONDict = {}
    known = fame(s)
    for part, (kind, ratio, neutral) in enumerate(_IMAGE_KINDS, start=10):
        rng = part_rng(seed, s, part)
        count = rng.randint(0, 2 + int(30 * known)) if kind != "logos" else rng.randint(0, 4)
        found: list[JSONDict] = []
        lead = {"posters": (s.poster, "en"), "backdrops": (s.backdrop, None)}.get(kind)
        if lead is not None and lead[0] is not None:
            item = _image(rng, kind, ratio, lead[1], lead[0])
            item["vote_average"], item["vote_count"] = 5.9, max(item["vote_count"], 12)
            found.append(item)
        ext = ".png" if kind == "logos" else ".jpg"
        for _ in range(count):
            lang = _image_language(rng, kind, s, neutral)
            found.append(_image(rng, kind, ratio, lang, image_path(rng, ext)))
        found.sort(key=lambda x: -x["vote_average"])
        if allowed is not None:
            found = [x for x in found if x["iso_639_1"] in allowed]
        body[kind] = found
    return body


# ------------------------------------------------------------------------------ videos
_VIDEO_NAMES = {
    "Trailer": ("Official Trailer", "Trailer", "Final Trailer", "Official Trailer 2"),
    "Teaser": ("Teaser", "Official Teaser", "Teaser Trailer"),
    "Clip": ("Clip", "Opening Scene", "Sneak Peek"),
    "Featurette": ("Featurette", "A Look Inside", "Meet the Cast"),
    "Behind the Scenes": ("Behind the Scenes", "Making Of"),
    "Bloopers": ("Bloopers", "Gag Reel"),
}


def youtube_key(rng: random.Random) -> str:
    """An 11-character YouTube video id."""
    return "".join(YOUTUBE_ALPHABET[rng.randrange(64)] for _ in range(11))


def videos(seed: int, s: Subject, allowed: Languages = None) -> JSONDict:
    """``{"results": [...]}``: YouTube trailers, teasers, clips (at least one trailer for
    most titles), published around the release; ``allowed`` filters by ``iso_639_1``."""
    rng = part_rng(seed, s, 20)
    count = 0 if rng.random() < 0.3 * (1.0 - fame(s)) else rng.randint(1, 2 + int(10 * fame(s)))
    home = LANGUAGES[s.lang_index]
    results: list[JSONDict] = []
    for n in range(count):
        kind = "Trailer" if n == 0 else VIDEO_TYPES[int(len(VIDEO_TYPES) * rng.random() ** 1.5)]
        english = home.code == "en" or rng.random() < 0.6
        lang, region = ("en", "US") if english else (home.code, home.country)
        day = _day_near(s, rng, 120, 30 if kind == "Trailer" else 400)
        results.append(
            {
                "iso_639_1": lang,
                "iso_3166_1": region,
                "name": f"{s.title} - {rng.choice(_VIDEO_NAMES[kind])}",
                "key": youtube_key(rng),
                "site": "YouTube",
                "size": rng.choice(VIDEO_SIZES),
                "type": kind,
                "official": rng.random() < 0.7,
                "published_at": _stamp(day, rng)[:-5] + ".000Z",
                "id": hex24(seed, SALT_PARTS, s.id, MEDIA_CODE[s.media], 21, n),
            }
        )
    if allowed is not None:
        results = [x for x in results if x["iso_639_1"] in allowed]
    return {"results": results}


# ------------------------------------------------------------------------ translations
# Regions a language is also translated for besides its home one (TMDB has es-MX beside es-ES,
# pt-PT beside pt-BR, fr-CA beside fr-FR, de-AT and de-CH beside de-DE...).
_OTHER_REGIONS = {"de": ("AT", "CH"), "es": ("MX",), "fr": ("CA",), "pt": ("PT",), "zh": ("TW",)}
# How often a translation has each text (title, overview, tagline), as TMDB's have them: most
# give an overview, fewer a title of their own (none where it equals the original), few a
# tagline. The second region of a language is sparser still.
_FILLED = {"home": (0.7, 0.75, 0.35), "original": (1.0, 0.85, 0.4), "region": (0.6, 0.5, 0.2)}


def translations(seed: int, s: Subject) -> JSONDict:
    """``{"translations": [...]}``: English first, the original language, then others; a
    language may have a second region's translation right after it, or only another region's.
    Texts are missing (``""``) as in TMDB's: English leaves the title empty where it is the
    original one, and the others lack a title, an overview or a tagline now and then."""
    rng = part_rng(seed, s, 30)
    picked = [0]
    if s.lang_index != 0:
        picked.append(s.lang_index)
    extra = rng.randint(0, 2 + int(12 * fame(s)))
    for lang in rng.sample(range(1, len(LANGUAGES)), min(extra, len(LANGUAGES) - 1)):
        if lang not in picked:
            picked.append(lang)
    out: list[JSONDict] = []
    for lang in picked:
        x = LANGUAGES[lang]
        others = _OTHER_REGIONS.get(x.code, ())
        if lang == 0:
            title = "" if s.title == s.original_title else s.title
            out.append(_translation(s, lang, x.country, (title, s.overview, s.tagline), s.runtime))
            continue
        region = x.country
        if others and rng.random() < 0.15:  # only another region's translation
            region = rng.choice(others)
        kind = "original" if lang == s.lang_index else "home"
        out.append(_translation(s, lang, region, _texts(rng, s, lang, kind), _runtime(rng, s)))
        if others and rng.random() < 0.2 + 0.4 * fame(s):
            second = rng.choice([r for r in (x.country, *others) if r != region])
            texts = _texts(rng, s, lang, "region")
            out.append(_translation(s, lang, second, texts, _runtime(rng, s)))
    return {"translations": out}


def _texts(rng: random.Random, s: Subject, lang: int, kind: str) -> tuple[str, str, str]:
    """A translation's title, overview and tagline, each ``""`` where it has none."""
    title_odds, overview_odds, tagline_odds = _FILLED[kind]
    if kind == "original":
        title = s.original_title
    else:
        title = _local_title(rng, lang, s.title) if rng.random() < title_odds else ""
    overview = _local_text(rng, lang, 12, 30) if rng.random() < overview_odds else ""
    tagline = ""
    if s.tagline and rng.random() < tagline_odds:
        tagline = _local_text(rng, lang, 2, 5)
    return title, overview, tagline


def _local_text(rng: random.Random, lang: int, low: int, high: int) -> str:
    """A sentence of ``low``..``high`` words of the language's vocabulary."""
    words = " ".join(rng.choice(LANGUAGES[lang].words) for _ in range(rng.randint(low, high)))
    return words[:1].upper() + words[1:] + "."


def _runtime(rng: random.Random, s: Subject) -> int:
    return s.runtime if rng.random() < 0.5 else 0


def _translation(
    s: Subject, lang: int, region: str, texts: tuple[str, str, str], runtime: int
) -> JSONDict:
    x = LANGUAGES[lang]
    title, overview, tagline = texts
    data: JSONDict
    if s.media == "movie":
        data = {"homepage": "", "overview": overview, "runtime": runtime}
        data |= {"tagline": tagline, "title": title}
    else:
        data = {"name": title, "overview": overview, "homepage": "", "tagline": tagline}
    return {
        "iso_3166_1": region,
        "iso_639_1": x.code,
        "name": x.name,
        "english_name": x.english_name,
        "data": data,
    }


# ---------------------------------------------------------------------- reviews, lists
def _paged(page: int, total: int, build: Any) -> JSONDict:
    start = (page - 1) * PAGE_SIZE
    results = [build(rank) for rank in range(start, min(total, start + PAGE_SIZE))]
    return {
        "page": page,
        "results": results,
        "total_pages": -(-total // PAGE_SIZE),
        "total_results": total,
    }


def reviews(seed: int, s: Subject, page: int = 1) -> JSONDict:
    """Paged reviews; most titles have none, popular ones a few dozen."""
    rng = part_rng(seed, s, 60)
    total = 0 if rng.random() > 0.1 + 0.9 * fame(s) else rng.randint(1, 3 + int(30 * fame(s)))

    def review(rank: int) -> JSONDict:
        r = part_rng(seed, s, 61, rank)
        author = r.choice(REVIEW_AUTHORS)
        review_id = hex24(seed, SALT_PARTS, MEDIA_CODE[s.media], s.id, 62, rank)
        created = _day_near(s, r, -3, 2500)
        content = f"{r.choice(REVIEW_OPENINGS)}\r\n\r\n{r.choice(REVIEW_CLOSINGS)}"
        rating = float(r.randint(2, 10)) if r.random() < 0.7 else None
        return {
            "author": author,
            "author_details": {
                "name": author if r.random() < 0.5 else "",
                "username": author.replace(" ", "").lower(),
                "avatar_path": image_path(r) if r.random() < 0.6 else None,
                "rating": rating,
            },
            "content": content,
            "created_at": _stamp(created, r),
            "id": review_id,
            "updated_at": _stamp(_no_later(created + timedelta(days=r.randint(0, 900)), s), r),
            "url": f"https://www.themoviedb.org/review/{review_id}",
        }

    return _paged(page, total, review)


def lists(seed: int, s: Subject, page: int = 1) -> JSONDict:
    """Paged user lists that contain the title (many for famous titles)."""
    rng = part_rng(seed, s, 70)
    total = int(rng.random() * (2 + 2500 * fame(s) ** 2))

    def user_list(rank: int) -> JSONDict:
        r = part_rng(seed, s, 71, rank)
        item: JSONDict = {
            "description": "" if r.random() < 0.7 else "Movies I own",
            "favorite_count": 0,
            "id": 1000 + hash_ints(seed, SALT_PARTS, s.id, rank) % 8_400_000,
            "item_count": int(5 + 15000 * r.random() ** 4),
            "iso_639_1": "en" if r.random() < 0.8 else LANGUAGES[r.randrange(len(LANGUAGES))].code,
        }
        if s.media == "tv":
            item["iso_3166_1"] = "US"
        item |= {"list_type": s.media, "name": r.choice(LIST_NAMES), "poster_path": None}
        return item

    return _paged(page, total, user_list)


def allowed_languages(
    language: str | None, include: str | None, default: Collection[str | None] | None
) -> Languages:
    """TMDB's image/video language filter from ``language`` (``en-US`` -> ``en``) and
    ``include_image_language``/``include_video_language`` (``null`` = no language)."""
    allowed: set[str | None] = set()
    if language and language.strip():
        allowed.add(language.strip().split("-")[0].lower())
    if include and include.strip():
        for code in include.split(","):
            code = code.strip().lower()
            if code:
                allowed.add(None if code == "null" else code.split("-")[0])
    if not allowed:
        return None if default is None else frozenset(default)
    return frozenset(allowed)
