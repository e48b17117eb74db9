"""Which texts of an item TMDB translates, and where a translation holds each one.

TMDB's ``translations`` part lists an item's translations, each ``{"iso_3166_1", "iso_639_1",
"name", "english_name", "data"}``; ``data`` holds the translated texts under names of its own
(a series' title is ``name`` in both its details and its translations; a collection's is
``name`` in its details but ``title`` in its translations). A :class:`TranslatedTexts` names
those pairs for one media type, so ``export --language`` (export/localize.py) never asks which
media type it reads. An empty text in ``data`` means "not translated", not "translated as
nothing" (TMDB leaves a title empty where it equals the original).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass

from tmdb_collector.errors import ConfigError

TRANSLATIONS = "translations"  # the part listing an item's translations
# A language as TMDB's ``language`` parameter takes it: ISO 639-1, optionally with the
# ISO 3166-1 region (``de``, ``de-DE``, ``pt-BR``).
LANGUAGE_CODE = re.compile(r"^[a-z]{2}(-[A-Z]{2})?$")


def language_code(value: object, name: str) -> str:
    """``value`` if it is a language code (``xx`` or ``xx-YY``); else a :class:`ConfigError`
    naming the setting ``name`` (a flag as typed: ``--language``)."""
    if not isinstance(value, str) or not LANGUAGE_CODE.match(value):
        raise ConfigError(
            f"{name} must be a language code, xx or xx-YY (such as de or de-DE), not {value!r}"
        )
    return value


@dataclass(frozen=True, slots=True)
class TranslatedTexts:
    """The details' fields a translation localises: details field -> the field of a
    translation's ``data`` that holds it, in the order they are reported."""

    fields: Mapping[str, str]
    part: str = TRANSLATIONS
