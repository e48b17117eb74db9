"""export --language xx-YY --fallback zz-WW,...: each title's texts in a chosen language.

The expected choice is computed here from the raw translation bodies, independently of
export/localize.py: for each text, the first non-empty value among the translations into the
asked language (its region first, then its other regions), then each fallback's, else the
details' own value.
"""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from tests.cli_helpers import collect_args, one_line_error, run_cli
from tests.conftest import load_sample
from tests.test_simulator_support import spec_example
from tmdb_collector import Collection
from tmdb_collector.errors import UsageError
from tmdb_collector.export.localize import Localization, Localizer, choose
from tmdb_collector.media import MOVIE
from tmdb_collector.simulator.vocab import GENRES
from tmdb_collector.store.store import Store

# media -> (its texts: details field -> translation field, its id column)
MEDIA = {
    "movie": ({"title": "title", "overview": "overview", "tagline": "tagline"}, "movie_id"),
    "tv": ({"name": "name", "overview": "overview", "tagline": "tagline"}, "series_id"),
}
GERMAN = ["de-DE", "en-US"]
assert MOVIE.translated is not None
MOVIE_TEXTS = MOVIE.translated


@pytest.fixture(scope="module")
def collections(sim_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """A movie and a TV collection with translations (the default parts besides)."""
    folder = tmp_path_factory.mktemp("localize")
    made = {}
    for media in MEDIA:
        db = folder / f"{media}.db"
        flags = ["--media", media, "--popular-pages", "6", "--genre-pages", "0"]
        flags += ["--parts", "credits,keywords,translations"]
        result = run_cli(collect_args(db, sim_url, *flags))
        assert result.returncode == 0, result.stderr
        made[media] = db
    return made


def expected(record: dict[str, Any], field: str, source: str, asked: list[str]) -> tuple[Any, Any]:
    """(value, the language it came from) for one text of one record."""
    entries = record["translations"]["translations"]
    for code in asked:
        language, _, region = code.partition("-")
        mine = [e for e in entries if e["iso_639_1"] == language]
        ordered = [e for e in mine if e["iso_3166_1"] == region]
        ordered += [e for e in mine if e["iso_3166_1"] != region]
        for entry in ordered:
            if entry["data"].get(source):
                return entry["data"][source], f"{language}-{entry['iso_3166_1']}"
    return record["details"].get(field), None


def origin(language: str | None) -> str:
    """Which step of the rule a choice came from."""
    if language is None:
        return "details"
    if language == "de-DE":
        return "region"
    return "language" if language.startswith("de-") else "fallback"


@pytest.mark.parametrize("media", list(MEDIA))
def test_german_with_english_fallback(
    collections: dict[str, Path], tmp_path: Path, media: str
) -> None:
    """The done-when of #25 item 3: every text of every record as the rule says, each step of
    the rule taken by some (the simulator's translations have gaps), the details untouched, and
    the parquet table the same choice as the json."""
    db, (texts, id_column) = collections[media], MEDIA[media]
    plain, localized, tables = tmp_path / "plain.json", tmp_path / "de.json", tmp_path / "pq"
    assert run_cli(["export", "--db", str(db), "--out", str(plain)]).returncode == 0
    for fmt, out in (("json", localized), ("parquet", tables)):
        flags = ["--format", fmt, "--out", str(out), "--language", "de-DE", "--fallback", "en-US"]
        result = run_cli(["export", "--db", str(db), *flags])
        assert result.returncode == 0, result.stderr

    records = json.loads(localized.read_text(encoding="utf-8"))
    before = json.loads(plain.read_text(encoding="utf-8"))
    assert "localized" not in plain.read_text(encoding="utf-8")
    steps: Counter[str] = Counter()
    chosen_by_id = {}
    for key, record in records.items():
        chosen = chosen_by_id[key] = record.pop("localized")
        assert record == before[key]  # the details (and every part) as TMDB sent them
        want: dict[str, Any] = {}
        for field, source in texts.items():
            value, language = expected(record, field, source, GERMAN)
            want |= {field: value, f"{field}_language": language}
            steps[origin(language)] += 1
        assert chosen == want, key
    assert set(steps) == {"region", "language", "fallback", "details"}, steps

    rows = pq.read_table(tables / "localized.parquet").to_pylist()
    assert [row.pop(id_column) for row in rows] == [int(key) for key in records]
    assert rows == [chosen_by_id[key] for key in records]
    manifest = json.loads((tables / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["export"]["localized"] == {"language": "de-DE", "fallback": ["en-US"]}
    again = run_cli(["export", "--db", str(db), "--format", "parquet", "--out", str(tables)])
    assert again.returncode == 0, again.stderr
    assert "still in" in again.stderr  # the localized table is an earlier export's
    assert "localized.parquet" in again.stderr


def test_a_language_without_region_and_several_fallbacks(collections: dict[str, Path]) -> None:
    """``de`` takes any German translation; the fallbacks are tried in the order given."""
    asked = ["de", "fr-CA", "es-ES", "en-US"]
    with Collection.open(collections["movie"]) as collection:
        records = list(collection.items(language="de", fallback="fr-CA,es-ES,en-US"))
        assert collection.get(records[0]["id"], language="de", fallback=asked[1:]) == records[0]
    languages: Counter[str | None] = Counter()
    for record in records:
        for field in MEDIA["movie"][0]:
            value, language = expected(record, field, field, asked)
            assert record["localized"][field] == value
            assert record["localized"][f"{field}_language"] == language
            languages[language] += 1
    assert {"fr-CA", "en-US"} <= set(languages)


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--language", "de-de"], "--language must be a language code, xx or xx-YY"),
        (["--language", "deu"], "not 'deu'"),
        (["--language", "de", "--fallback", "en,english"], "--fallback must be a language code"),
        (["--fallback", "en-US"], "--fallback needs --language"),
        (["--language", "de", "--parts", "credits"], "--language needs the translations part"),
    ],
)
def test_bad_language_flags(
    collections: dict[str, Path], tmp_path: Path, flags: list[str], message: str
) -> None:
    """Exit 2, one line, nothing written (an earlier export stays as it was)."""
    out = tmp_path / "out.json"
    out.write_text("earlier", encoding="utf-8")
    for fmt in ("json", "parquet"):
        target = out if fmt == "json" else tmp_path / "tables"
        command = ["export", "--db", str(collections["movie"]), "--format", fmt]
        result = run_cli([*command, "--out", str(target), *flags])
        assert result.returncode == 2, result.stderr
        assert message in one_line_error(result)
    assert out.read_text(encoding="utf-8") == "earlier"
    assert not (tmp_path / "tables").exists()
    assert not (tmp_path / "out.json.manifest.json").exists()


def test_an_as_of_export_checks_once_before_the_copy(
    collections: dict[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """export --as-of --language: the localization is made once, from the collection, and
    a refused export (here --tables with json) is refused before the collection is copied."""
    built: list[Localization] = []
    copies: list[Path] = []
    made = Localizer.of
    copy = Store.copy_to

    def counted(locale: Localization, *args: Any) -> Localizer:
        built.append(locale)
        return made(locale, *args)

    def counted_copy(store: Store, path: Path) -> None:
        copies.append(path)
        copy(store, path)

    monkeypatch.setattr(Localizer, "of", staticmethod(counted))
    monkeypatch.setattr(Store, "copy_to", counted_copy)
    with Store.open_existing(collections["movie"]) as store:
        span = store.history_span()
    assert span is not None
    day = span[1]
    with Collection.open(collections["movie"]) as collection:
        with pytest.raises(UsageError, match="tables is for the table exports"):
            collection.export(tmp_path / "x.json", as_of=day, language="de-DE", tables="genres")
        assert copies == []
        count = collection.export(tmp_path / "t", "parquet", as_of=day, language="de-DE")
    assert (built, len(copies)) == ([Localization("de-DE")], 1)
    assert pq.read_table(tmp_path / "t" / "localized.parquet").num_rows == count


def test_a_collection_without_translations_is_refused(sim_url: str, tmp_path: Path) -> None:
    db = tmp_path / "c.db"
    result = run_cli(collect_args(db, sim_url, "--popular-pages", "1", "--genre-pages", "0"))
    assert result.returncode == 0, result.stderr
    with Collection.open(db) as collection, pytest.raises(UsageError, match="translations part"):
        collection.export(tmp_path / "x.json", language="de-DE")
    assert not (tmp_path / "x.json").exists()


def test_the_rule_on_tmdbs_own_translations() -> None:
    """TMDB's example translations of movie 550 (Fight Club): fr-CA has no title and no tagline,
    fr-FR has both; es-MX and es-ES both have everything; de-DE has no title (it is the
    original's), and the details keep theirs."""
    body = spec_example("/3/movie/{movie_id}/translations")
    details = load_sample("movie_550_details.json")
    by_code = {f"{t['iso_639_1']}-{t['iso_3166_1']}": t["data"] for t in body["translations"]}

    def pick(language: str, *fallback: str) -> dict[str, Any]:
        return choose(Localization(language, fallback), MOVIE_TEXTS, details, body)

    canadian = pick("fr-CA")
    assert canadian["overview"] == by_code["fr-CA"]["overview"]
    assert canadian["overview_language"] == "fr-CA"
    assert (canadian["title"], canadian["title_language"]) == (by_code["fr-FR"]["title"], "fr-FR")
    assert canadian["tagline_language"] == "fr-FR"
    assert pick("es-MX")["title"] == "El club de la pelea"
    assert pick("es")["title_language"] == "es-ES"  # no region asked: TMDB's order
    german = pick("de-DE", "en-US")
    assert (german["title"], german["title_language"]) == (details["title"], None)
    assert german["tagline_language"] == "de-DE"
    unknown = pick("xx", "yy-ZZ")
    assert {unknown[f] for f in ("title", "overview", "tagline")} == {
        details["title"],
        details["overview"],
        details["tagline"],
    }


def test_collect_language_asks_tmdb_for_german(sim_url: str, tmp_path: Path) -> None:
    """collect --language de-DE: the plan keeps it, and the details come in German where the
    simulator has it (titles from the German translations, German genre names)."""
    db = tmp_path / "de.db"
    flags = ["--popular-pages", "2", "--genre-pages", "0", "--parts", "translations"]
    result = run_cli(collect_args(db, sim_url, *flags, "--language", "de-DE"))
    assert result.returncode == 0, result.stderr
    german_genres = {genre.name_de for genre in GENRES}
    with Collection.open(db) as collection:
        assert collection.status()["plan"]["language"] == "de-DE"
        records = list(collection.items())
    german_titles = 0
    for record in records:
        details = record["details"]
        assert {g["name"] for g in details["genres"]} <= german_genres
        # TMDB answers from one translation: the region's, else the language's first.
        german = [t for t in record["translations"]["translations"] if t["iso_639_1"] == "de"]
        german.sort(key=lambda t: t["iso_3166_1"] != "DE")
        if german and german[0]["data"]["title"]:
            assert details["title"] == german[0]["data"]["title"]
            german_titles += 1
    assert german_titles > 0
