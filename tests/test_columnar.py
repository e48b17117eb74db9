"""The columnar fast path builds exactly the tables the row-by-row builders define, and gives
way to them for any batch it cannot reproduce exactly."""

from __future__ import annotations

import copy
import gzip
import json
from pathlib import Path
from typing import Any

import httpx
import pyarrow as pa
import pytest

from tests.support.store import raw_items
from tests.test_tables import parts_550, variant_601, variant_602
from tmdb_collector.errors import ExportError
from tmdb_collector.export import columnar
from tmdb_collector.export.tables import _row_by_row, batch_tables
from tmdb_collector.fetch.records import encode
from tmdb_collector.media import MOVIE, TV, MediaType
from tmdb_collector.store.codec import MAGIC, Codec
from tmdb_collector.store.store import RawItemRow, Store

FIXTURE = Path(__file__).parent / "fixtures" / "v1_collection.db.gz"
FAST_PARTS = ("credits", "keywords", "recommendations")
BUILDERS = columnar.fast_paths(MOVIE.tables)
TV_FAST = columnar.fast_paths(TV.tables)


def simulator_batch(tmp_path: Path) -> list[RawItemRow]:
    """The fixture's 44 exported movies: real bodies from the simulator."""
    db = tmp_path / "v1.db"
    db.write_bytes(gzip.decompress(FIXTURE.read_bytes()))
    with Store.open_existing(db) as store:
        return list(raw_items(store, FAST_PARTS))


def raw(body: Any) -> bytes:
    return encode(body).encode()


def sample_batch() -> list[RawItemRow]:
    """Fight Club's real bodies and the edge cases of test_tables (integral floats, empty
    dates and lists, unicode, a collection)."""
    batch = []
    for movie_id, parts in ((550, parts_550()), (601, variant_601()), (602, variant_602())):
        bodies = tuple(raw(parts[name]) for name in FAST_PARTS)
        batch.append((movie_id, raw(parts["details"]), bodies))
    return batch


def slow(batch: list[RawItemRow], part: str) -> dict[str, Any]:
    index = FAST_PARTS.index(part) if part in FAST_PARTS else None
    texts = [item[1] if index is None else item[2][index] for item in batch]
    return _row_by_row(part, batch, texts, MOVIE.tables)


def fast(batch: list[RawItemRow], part: str) -> dict[str, Any]:
    ids = pa.array([item[0] for item in batch], pa.int64())
    index = FAST_PARTS.index(part) if part in FAST_PARTS else None
    texts = [item[1] if index is None else item[2][index] for item in batch]
    return BUILDERS[part](ids, texts)


@pytest.mark.parametrize("part", ["details", *FAST_PARTS])
def test_the_fast_path_equals_the_row_builders(tmp_path: Path, part: str) -> None:
    for batch in (simulator_batch(tmp_path), sample_batch()):
        built, expected = fast(batch, part), slow(batch, part)
        assert list(built) == list(expected)
        for name, table in built.items():
            assert table.schema == expected[name].schema, name
            assert table.to_pylist() == expected[name].to_pylist(), name
            assert table.num_rows > 0, name


def test_similar_uses_the_recommendations_shape(tmp_path: Path) -> None:
    batch = [(i, d, (bodies[2],)) for i, d, bodies in simulator_batch(tmp_path)]
    ids = pa.array([item[0] for item in batch], pa.int64())
    built = BUILDERS["similar"](ids, [item[2][0] for item in batch])
    expected = _row_by_row("similar", batch, [item[2][0] for item in batch], MOVIE.tables)
    assert built["similar"].to_pylist() == expected["similar"].to_pylist()


def odd(part: str, change: Any) -> list[RawItemRow]:
    """The sample batch with one body changed in a way only the row builders handle."""
    batch = sample_batch()
    movie_id, details, bodies = batch[1]
    if part == "details":
        data = json.loads(details)
        change(data)
        batch[1] = (movie_id, raw(data), bodies)
    else:
        index = FAST_PARTS.index(part)
        data = json.loads(bodies[index])
        change(data)
        changed = list(bodies)
        changed[index] = raw(data)
        batch[1] = (movie_id, details, tuple(changed))
    return batch


ODD = [
    ("details", lambda d: d.update(runtime="136")),  # text where TMDB sends a number
    ("details", lambda d: d.update(release_date="1999-1-5")),  # not YYYY-MM-DD
    ("details", lambda d: d.update(origin_country=["US", None])),  # a null in a list
    ("details", lambda d: d.update(production_countries=[{"name": "x"}])),  # no code
    ("details", lambda d: d.update(vote_count=7.0)),  # an integral float in an int column
    ("credits", lambda c: c["cast"][0].update(order=True)),
    ("credits", lambda c: c.update(cast={"not": "a list"})),
    ("keywords", lambda k: k.update(keywords=[1, 2])),
    ("recommendations", lambda r: r["results"][2].update(release_date="soon")),
]


@pytest.mark.parametrize(("part", "change"), ODD)
def test_an_odd_batch_is_built_row_by_row(part: str, change: Any) -> None:
    batch = odd(part, change)
    with pytest.raises((columnar.Irregular, pa.ArrowInvalid, pa.ArrowTypeError)):
        fast(batch, part)
    tables = batch_tables(batch, FAST_PARTS, MOVIE.tables)
    for name, table in slow(batch, part).items():
        assert tables[name].to_pylist() == table.to_pylist()


def test_a_body_that_is_not_an_object_is_built_row_by_row() -> None:
    batch = sample_batch()
    movie_id, details, bodies = batch[0]
    batch[0] = (movie_id, details, (b"null", *bodies[1:]))
    with pytest.raises(columnar.Irregular):
        fast(batch, "credits")
    tables = batch_tables(batch, FAST_PARTS, MOVIE.tables)
    assert not [row for row in tables["cast"].to_pylist() if row["movie_id"] == movie_id]
    assert tables["cast"].num_rows == len(variant_601()["credits"]["cast"]) + len(
        variant_602()["credits"]["cast"]
    )


def test_every_movie_part_still_exports_row_by_row(tmp_path: Path) -> None:
    """Parts without a fast path go row by row; the batch holds every table of every part."""
    from tests.test_part_tables import appended

    parts = MOVIE.part_names
    bodies = MOVIE.split(76, appended(76), parts)
    item = (76, raw(bodies["details"]), tuple(raw(bodies[p]) for p in parts))
    tables = batch_tables([item, copy.deepcopy(item)], parts, MOVIE.tables)
    assert tables["watch_providers"].num_rows > 100
    assert set(tables) == {
        "movies", "genres", "cast", "crew", "keywords", "recommendations",
        "alternative_titles", "external_ids", "images", "lists", "release_dates", "reviews",
        "similar", "translations", "videos", "watch_providers",
    }  # fmt: skip


# ---- every part with a fast path, on real captures and simulator bodies ----------------------

COLUMNAR_PARTS = tuple(part for part in MOVIE.part_names if part in BUILDERS)


def every_part_batch() -> list[RawItemRow]:
    """TMDB's capture of /movie/76 with every part (two copies, one changed), and 20 simulated
    movies with every part: bodies as they are stored."""
    from tests.test_part_tables import appended
    from tmdb_collector.simulator import SimulatorConfig

    parts = MOVIE.part_names
    bodies = [MOVIE.split(76, appended(76), parts)]
    changed = MOVIE.split(77, appended(77), parts)
    changed["videos"]["results"].reverse()
    changed["release_dates"]["results"] = changed["release_dates"]["results"][:3]
    bodies.append(changed)
    bodies += simulated(MOVIE, parts, SimulatorConfig(catalog_size=1000))
    return stored(bodies, parts)


def simulated(media: MediaType, parts: tuple[str, ...], config: Any) -> list[dict[str, Any]]:
    """The first page of the simulator's popular ``media``, each split into its ``parts``."""
    from tests.test_simulator_outage import TOKEN
    from tmdb_collector.simulator import running_simulator

    query = {"append_to_response": ",".join(media.appended(parts)), "language": "en-US"}
    query |= {"include_image_language": "en,null", "include_video_language": "en,null"}
    with (
        running_simulator(config) as sim,
        httpx.Client(base_url=sim.base_url, headers=TOKEN, timeout=60) as http,
    ):
        ids = [item["id"] for item in http.get(media.popular_path).json()["results"]]
        return [media.split(i, http.get(media.path_of(i), params=query).json(), parts) for i in ids]


def stored(splits: list[dict[str, Any]], parts: tuple[str, ...]) -> list[RawItemRow]:
    """Split bodies as the store holds them."""
    return [
        (split["details"]["id"], raw(split["details"]), tuple(raw(split[p]) for p in parts))
        for split in splits
    ]


@pytest.fixture(scope="module")
def full_batch() -> list[RawItemRow]:
    return every_part_batch()


def texts_of(batch: list[RawItemRow], part: str) -> list[bytes]:
    return [item[2][MOVIE.part_names.index(part)] for item in batch]


@pytest.mark.parametrize("part", COLUMNAR_PARTS)
def test_every_fast_path_equals_the_row_builders(full_batch: list[RawItemRow], part: str) -> None:
    ids = pa.array([item[0] for item in full_batch], pa.int64())
    built = BUILDERS[part](ids, texts_of(full_batch, part))
    expected = _row_by_row(part, full_batch, texts_of(full_batch, part), MOVIE.tables)
    assert list(built) == list(expected)
    for name, table in built.items():
        assert table.schema == expected[name].schema, name
        assert table.to_pylist() == expected[name].to_pylist(), name
        assert table.num_rows > len(full_batch) // 2, name  # the batch exercises the table


def test_every_movie_part_has_a_fast_path() -> None:
    assert set(MOVIE.part_names) == set(COLUMNAR_PARTS)


def first_country(body: dict[str, Any]) -> dict[str, Any]:
    country: dict[str, Any] = next(iter(body["results"].values()))
    return country


WATCH_EDGES = [
    lambda w: w["results"].update(DE={"flatrate": [None, {"provider_id": 8}]}),  # no link
    lambda w: first_country(w).update(rent=None, buy=[]),
    lambda w: w["results"].update(AE={"link": None, "ads": [{"provider_name": "Tubi"}]}),
    lambda w: w.update(results={}),
    lambda w: w["results"].update(ZZ={"flatrate": [{"provider_id": 8}]}),  # any code
]


@pytest.mark.parametrize("change", WATCH_EDGES)
def test_watch_providers_edge_cases_take_the_fast_path(
    full_batch: list[RawItemRow], change: Any
) -> None:
    batch = changed_body(full_batch, "watch/providers", change)
    ids = pa.array([item[0] for item in batch], pa.int64())
    texts = texts_of(batch, "watch/providers")
    built = BUILDERS["watch/providers"](ids, texts)["watch_providers"]
    assert (
        built.to_pylist()
        == _row_by_row("watch/providers", batch, texts, MOVIE.tables)["watch_providers"].to_pylist()
    )


def test_watch_providers_rows_are_by_country_then_offer_type() -> None:
    us = {"link": "u", "buy": [{"provider_id": 1}]}
    us["flatrate"] = [{"provider_id": 2}, {"provider_id": 3}]
    body = {"id": 5, "results": {"US": us, "DE": {"rent": [{"provider_id": 4}], "link": "d"}}}
    item: RawItemRow = (5, b"{}", (raw(body),))
    rows = _row_by_row("watch/providers", [item], [raw(body)], MOVIE.tables)[
        "watch_providers"
    ].to_pylist()
    ids = pa.array([5], pa.int64())
    assert rows == BUILDERS["watch/providers"](ids, [raw(body)])["watch_providers"].to_pylist()
    order = [(row["country"], row["offer_type"], row["provider_id"], row["link"]) for row in rows]
    assert order == [
        ("DE", "rent", 4, "d"), ("US", "flatrate", 2, "u"), ("US", "flatrate", 3, "u"),
        ("US", "buy", 1, "u"),
    ]  # fmt: skip


def test_watch_providers_with_a_country_twice_are_built_row_by_row(
    full_batch: list[RawItemRow],
) -> None:
    """The row builders keep a country's last object (a JSON object's last key wins): the
    fast path, which reads both, leaves such a batch to them."""
    text = (
        b'{"id":5,"results":{"US":{"link":"a","buy":[{"provider_id":1}]},'
        b'"DE":{"link":"d","rent":[{"provider_id":4}]},"US":{"link":"b","buy":[{"provider_id":2}]}}}'
    )
    batch = with_text(full_batch, "watch/providers", text)
    ids = pa.array([item[0] for item in batch], pa.int64())
    with pytest.raises(columnar.Irregular):
        BUILDERS["watch/providers"](ids, texts_of(batch, "watch/providers"))
    built = batch_tables(batch, MOVIE.part_names, MOVIE.tables)["watch_providers"]
    first = [row for row in built.to_pylist() if row["movie_id"] == batch[0][0]]
    assert [(row["country"], row["link"], row["provider_id"]) for row in first] == [
        ("DE", "d", 4),
        ("US", "b", 2),
    ]


def changed_body(batch: list[RawItemRow], part: str, change: Any) -> list[RawItemRow]:
    data = json.loads(batch[0][2][MOVIE.part_names.index(part)])
    change(data)
    return with_text(batch, part, raw(data))


def with_text(batch: list[RawItemRow], part: str, text: bytes) -> list[RawItemRow]:
    """The batch with its first movie's ``part`` stored as ``text``."""
    movie_id, details, bodies = batch[0]
    index = MOVIE.part_names.index(part)
    return [(movie_id, details, (*bodies[:index], text, *bodies[index + 1 :])), *batch[1:]]


ODD_PARTS = [
    ("videos", lambda v: v["results"][0].update(published_at="2014-10-02 15:00:00+02:00")),
    ("videos", lambda v: v["results"][0].update(size="1080")),
    ("release_dates", lambda r: r["results"][0]["release_dates"][0].update(descriptors=[None])),
    ("release_dates", lambda r: r["results"][0].update(release_dates={"not": "a list"})),
    ("reviews", lambda r: r["results"][0].update(author_details="someone")),
    ("translations", lambda t: t["translations"][0].update(data=["x"])),
    ("images", lambda i: i["posters"][0].update(width=500.0)),
    ("external_ids", lambda e: e.update(imdb_id=76)),
    ("lists", lambda body: body["results"][0].update(item_count="12")),
    ("alternative_titles", lambda a: a["titles"].append(None)),
    ("watch/providers", lambda w: first_country(w)["buy"][0].update(provider_id="8")),
    ("watch/providers", lambda w: first_country(w)["buy"][0].update(display_priority=1.0)),
    ("watch/providers", lambda w: first_country(w)["buy"][0].update(logo_path=None, tier=2)),
    ("watch/providers", lambda w: first_country(w).update(rent_uhd=[{"provider_id": 8}])),
    ("watch/providers", lambda w: w.update(results={"US": {}})),
    ("watch/providers", lambda w: first_country(w).update(link=["x"])),
    ("watch/providers", lambda w: w["results"].update(US=None)),
    ("watch/providers", lambda w: w.update(results=None)),
    ("watch/providers", lambda w: w.update(results=[])),
    ("watch/providers", lambda w: w["results"].update(us={"flatrate": [{"provider_id": 8}]})),
    ("watch/providers", lambda w: w.update(id="76")),
    ("watch/providers", lambda w: first_country(w)["buy"].append(7)),
    ("watch/providers", lambda w: first_country(w).update(country="XX")),
]


@pytest.mark.parametrize(("part", "change"), ODD_PARTS)
def test_an_odd_part_is_built_row_by_row(
    full_batch: list[RawItemRow], part: str, change: Any
) -> None:
    batch = changed_body(full_batch, part, change)
    ids = pa.array([item[0] for item in batch], pa.int64())
    if part != "alternative_titles":  # a null element is an empty row, for both
        with pytest.raises((columnar.Irregular, pa.ArrowInvalid, pa.ArrowTypeError)):
            BUILDERS[part](ids, texts_of(batch, part))
    tables = batch_tables(batch, MOVIE.part_names, MOVIE.tables)
    for name, table in _row_by_row(part, batch, texts_of(batch, part), MOVIE.tables).items():
        assert tables[name].to_pylist() == table.to_pylist()


# ---- TV parts with a movie part's shape --------------------------------------------------------


TV_PARTS = tuple(part for part in TV.part_names if part in TV_FAST)


@pytest.fixture(scope="module")
def tv_batch() -> list[RawItemRow]:
    """20 simulated series with the TV parts of a movie part's shape, as they are stored."""
    from tmdb_collector.simulator import SimulatorConfig

    config = SimulatorConfig(catalog_size=100, tv_catalog_size=500)
    return stored(simulated(TV, TV_PARTS, config), TV_PARTS)


@pytest.mark.parametrize("part", sorted(TV_FAST))
def test_tv_fast_paths_equal_the_row_builders(tv_batch: list[RawItemRow], part: str) -> None:
    texts = [item[2][TV_PARTS.index(part)] for item in tv_batch]
    ids = pa.array([item[0] for item in tv_batch], pa.int64())
    built = TV_FAST[part](ids, texts)
    expected = _row_by_row(part, tv_batch, texts, TV.tables)
    assert list(built) == list(expected)
    for name, table in built.items():
        assert table.schema == expected[name].schema, name
        assert table.to_pylist() == expected[name].to_pylist(), name
        assert table.num_rows > 0, name


def test_tv_parts_of_a_shared_shape_have_fast_paths() -> None:
    """Every part whose shape is one of media/rows.py's has its fast path, whatever the media
    type: only TV's own bodies (and its details) go row by row."""
    assert set(TV_FAST) == set(TV.part_names) - {"aggregate_credits", "episode_groups", "seasons"}


# ---- bodies only a damaged database holds --------------------------------------------------


@pytest.mark.parametrize(
    ("part", "text", "reason"),
    [
        # an object in results that is no country's: the rewrite must not make it valid
        ("watch/providers", b'{"id":1,"results":{{"country":"US","buy":[]}}}', "JSON"),
        ("watch/providers", b'{"id":1,"results":{"US":{"link":"a\xffb","buy":[]}}}', "UTF-8"),
        ("credits", b'{"id":1,"cast":[{"name":"\xed\xa0\x80"}],"crew":[]}', "UTF-8"),
    ],
)
def test_a_damaged_body_is_not_exported(
    full_batch: list[RawItemRow], part: str, text: bytes, reason: str
) -> None:
    batch = with_text(full_batch, part, text)
    ids = pa.array([item[0] for item in batch], pa.int64())
    with pytest.raises((columnar.Irregular, pa.ArrowInvalid, pa.ArrowTypeError)):
        BUILDERS[part](ids, texts_of(batch, part))
    with pytest.raises(ExportError, match=f"is not valid {reason}"):
        batch_tables(batch, MOVIE.part_names, MOVIE.tables)


def test_a_batch_as_stored_is_decoded_a_part_at_a_time(tmp_path: Path) -> None:
    """batch_tables(decode=) builds from the stored frames (each part's bodies decoded just
    before its tables) exactly what it builds from bodies decoded beforehand, a part that goes
    row by row included."""
    coder = Codec()
    batch = simulator_batch(tmp_path)
    odd = [(i, d, (b[0], b[1], b"[]" if i == batch[0][0] else b[2])) for i, d, b in batch]
    for decoded in (batch, odd):
        stored = [
            (i, coder.encode("movie:details", d), tuple(coder.encode("movie:x", b) for b in bs))
            for i, d, bs in decoded
        ]
        assert all(body.startswith(MAGIC) for item in stored for body in item[2])
        expected = batch_tables(decoded, FAST_PARTS, MOVIE.tables)
        built = batch_tables(stored, FAST_PARTS, MOVIE.tables, decode=coder.decode)
        assert list(built) == list(expected)
        for name, table in built.items():
            assert table.equals(expected[name]), name
