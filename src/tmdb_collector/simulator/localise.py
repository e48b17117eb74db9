"""``language`` on details and lists, as TMDB honours it: the title (TV: name), overview and
tagline come from the title's translation into that language (the one of the region asked,
``de-DE``, else the first of that language) where the translation has them (a non-empty value),
else they stay the default (``en-US``) ones; genre names are localised where the vocabulary has
the language (German). ``language=en`` or none changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tmdb_collector.simulator import bodies, parts, tv
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.vocab import GENRES, TV_GENRES, Genre

JSONDict = dict[str, Any]
DEFAULT = "en"
_GENRES: dict[str, dict[int, Genre]] = {
    "movie": {g.id: g for g in GENRES},
    "tv": {g.id: g for g in TV_GENRES},
}
# The translation's field for each body field (a series' title is its name).
_FIELDS = {"title": "title", "name": "name", "overview": "overview", "tagline": "tagline"}


def language_of(query: Mapping[str, str]) -> str | None:
    """The language asked, as ``xx`` or ``xx-YY`` (``de-de`` -> ``de-DE``), or None for the
    default."""
    code, _, region = query.get("language", "").strip().partition("-")
    code = code.lower()
    if code in ("", DEFAULT):
        return None
    return f"{code}-{region.upper()}" if region else code


def genre_name(genre: Genre, language: str | None) -> str:
    return (
        genre.name_de if language is not None and language.partition("-")[0] == "de" else genre.name
    )


def translation(cat: Catalog, idx: int, language: str) -> JSONDict:
    """The ``data`` of the title's translation into ``language`` (``xx-YY``: that region's
    if it has one, else the first of the language; empty when it has none)."""
    code, _, region = language.partition("-")
    subject = (tv.subject if cat.media == "tv" else bodies.subject)(cat, idx)
    found = [
        item
        for item in parts.translations(cat.seed, subject)["translations"]
        if item["iso_639_1"] == code
    ]
    found.sort(key=lambda item: item["iso_3166_1"] != region)
    return found[0]["data"] if found else {}


def localise(cat: Catalog, idx: int, body: JSONDict, language: str | None) -> JSONDict:
    """``body`` (details or a list item of slot ``idx``) in ``language``, in place."""
    if language is None:
        return body
    data = translation(cat, idx, language)
    for field, source in _FIELDS.items():
        if field in body and data.get(source):
            body[field] = data[source]
    if "genres" in body:
        known = _GENRES[cat.media]
        body["genres"] = [
            {"id": g["id"], "name": genre_name(known[g["id"]], language)} for g in body["genres"]
        ]
    return body


def localise_page(cat: Catalog, page: JSONDict, language: str | None) -> JSONDict:
    """A list page's items in ``language`` (items are found by id), in place."""
    if language is not None:
        for item in page["results"]:
            idx = cat.index_of(item["id"])
            if idx is not None:
                localise(cat, idx, item, language)
    return page
