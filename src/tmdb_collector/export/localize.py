"""``export --language xx-YY --fallback zz-WW,...``: each item's texts in a chosen language.

For every text the media type's translations localise (its
:class:`~tmdb_collector.media.translated.TranslatedTexts`: a movie's ``title``, ``overview``
and ``tagline``, a series' ``name``, ``overview`` and ``tagline``), the value is the first
non-blank one found in its stored ``translations`` part, looking at

1. the translations into the chosen language: the one of its region first (``de-DE``), then
   those of any other region of that language (``de-AT``, ``de-CH``) in TMDB's order;
2. the same for each fallback language, in the order given;
3. else the details' own value, as TMDB sent it (in the language the collection was made in,
   ``collect --language``; its language is reported as null).

The choice is reported beside each value: ``<field>_language`` is the translation it came from
(``de-DE``, or ``de`` for a translation without a region), null for the details. json and jsonl
records gain a ``localized`` object of those pairs (the details body stays as TMDB sent it);
the table exports gain a ``localized`` table of the same columns with the item's id
(docs/tables.md). Without ``--language`` nothing here runs, and every export is as before.
"""

from __future__ import annotations

from collections.abc import Generator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import orjson

from tmdb_collector.errors import ConfigError, UsageError
from tmdb_collector.media import MediaType
from tmdb_collector.media.table_schema import (
    Column,
    Row,
    array,
    as_object,
    columns,
    make_row,
)
from tmdb_collector.media.translated import TranslatedTexts, language_code
from tmdb_collector.store.store import ItemRow, Store

LOCALIZED = "localized"  # the records' key and the tables' name
LANGUAGE_SUFFIX = "_language"  # <field>_language: where the field's value came from


@dataclass(frozen=True, slots=True)
class Localization:
    """The language asked (``de-DE``) and the fallback languages, in order."""

    language: str
    fallback: tuple[str, ...] = ()

    @classmethod
    def of(cls, language: str | None, fallback: object = None) -> Localization | None:
        """From ``--language`` and ``--fallback`` (a comma-separated list, or a sequence):
        None without a language. A code that is not ``xx`` or ``xx-YY``, or a fallback
        without a language, is a :class:`UsageError`."""
        if language is None:
            if fallback:
                raise UsageError("--fallback needs --language (the language it falls back from)")
            return None
        codes: list[object]
        if fallback is None:
            codes = []
        elif isinstance(fallback, str):
            codes = [code.strip() for code in fallback.split(",")]
        elif isinstance(fallback, list | tuple):
            codes = list(fallback)
        else:
            raise UsageError(
                f"--fallback must be a comma-separated list of languages, not {fallback!r}"
            )
        try:
            return cls(
                language_code(language, "--language"),
                tuple(language_code(code, "--fallback") for code in codes),
            )
        except ConfigError as exc:
            raise UsageError(exc.cli_message) from None

    @property
    def order(self) -> tuple[str, ...]:
        return (self.language, *self.fallback)

    def manifest(self) -> dict[str, Any]:
        """What an export's manifest says of it."""
        return {"language": self.language, "fallback": list(self.fallback)}


def texts_of(media: MediaType, parts: Sequence[str]) -> TranslatedTexts:
    """The texts a localized export of ``parts`` reads; a :class:`UsageError` when the media
    type has none or ``parts`` lack the translations."""
    texts = media.translated
    if texts is None:
        raise UsageError(f"--language: TMDB translates no texts of {media.plural}")
    if texts.part not in parts:
        raise UsageError(
            f"--language needs the {texts.part} part, and this export's parts"
            f" ({', '.join(parts) or 'none'}) lack it: collect it (collect --parts with"
            f" {texts.part}) and export it (the collection's parts, or --parts with {texts.part})"
        )
    return texts


def choose(
    locale: Localization,
    texts: TranslatedTexts,
    details: Mapping[str, Any],
    translations: Mapping[str, Any],
) -> dict[str, Any]:
    """``{"title": value, "title_language": code or None, ...}`` for one item: see the module
    docstring for the rule."""
    candidates = [
        found for code in locale.order for found in _translations_into(translations, code)
    ]
    chosen: dict[str, Any] = {}
    for field, source in texts.fields.items():
        value, language = details.get(field), None
        for code, data in candidates:
            text = data.get(source)
            if isinstance(text, str) and text.strip():
                value, language = text, code
                break
        chosen[field] = value
        chosen[field + LANGUAGE_SUFFIX] = language
    return chosen


def _translations_into(
    translations: Mapping[str, Any], code: str
) -> list[tuple[str, Mapping[str, Any]]]:
    """``(its code, its data)`` of each translation into ``code``'s language: those of its
    region first (when it names one), then the others in TMDB's order."""
    language, _, region = code.partition("-")
    found = [
        entry
        for entry in array(translations, "translations")
        if isinstance(entry, dict) and entry.get("iso_639_1") == language
    ]
    found.sort(key=lambda entry: entry.get("iso_3166_1") != region)  # stable: else TMDB's order
    return [(_code(entry), as_object(entry.get("data"))) for entry in found]


def _code(entry: Mapping[str, Any]) -> str:
    region = entry.get("iso_3166_1")
    language = str(entry.get("iso_639_1"))
    return f"{language}-{region}" if isinstance(region, str) and region else language


# ---- json and jsonl records -------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Localizer:
    """One export's localization: the language and the facts of the media type read."""

    locale: Localization
    texts: TranslatedTexts
    part_index: int  # where the translations body is among an item's bodies

    @classmethod
    def of(cls, locale: Localization, media: MediaType, parts: Sequence[str]) -> Localizer:
        texts = texts_of(media, parts)
        return cls(locale, texts, list(parts).index(texts.part))

    def chosen(self, details: str | bytes, translations: str | bytes) -> dict[str, Any]:
        """The chosen texts of one item, from its stored details and translations (JSON)."""
        return choose(
            self.locale,
            self.texts,
            as_object(orjson.loads(details)),
            as_object(orjson.loads(translations)),
        )

    def record_tail(self, row: ItemRow) -> str:
        """``,"localized":{...}``: what the item's json record gains."""
        _, details, bodies = row
        chosen = self.chosen(details, bodies[self.part_index])
        return f',"{LOCALIZED}":{orjson.dumps(chosen).decode()}'

    # ---- the localized table -------------------------------------------------------------

    def columns(self, id_column: str) -> tuple[Column, ...]:
        """The ``localized`` table's columns: the item's id, then each text and its language."""
        spec = " ".join(f"{field}:str {field}{LANGUAGE_SUFFIX}:str" for field in self.texts.fields)
        return columns(f"{id_column}:int {spec}")

    def table_rows(
        self, store: Store, parts: Sequence[str], *, include_removed: bool
    ) -> Generator[Row]:
        """The ``localized`` table's rows: one per item the export writes (the same read of
        ``parts``), by id. Only the details and the translations of each are decoded."""
        spec = self.columns(store.media_type.id_column)
        decode = store.codec.decode
        items = store.iter_stored_items(parts, include_removed=include_removed)
        try:
            for item_id, details, bodies in items:
                chosen = self.chosen(decode(details), decode(bodies[self.part_index]))
                yield make_row(spec, {spec[0].name: item_id, **chosen})
        finally:
            items.close()
