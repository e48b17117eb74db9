"""A batch of stored items -> Arrow tables, parsed by pyarrow's JSON reader (C++).

This is the table export's fast path for every body of a shape in :mod:`.rows` (each bound to
a media type's tables and id column), and for the bodies of a media type's own that name one
here (:data:`CUSTOM`: a movie's details). Each part's bodies of a batch are read as one block
of newline-delimited JSON against an explicit schema (those of ``watch/providers`` rewritten
first, see :func:`watch_providers`), then arrays are exploded into rows with Arrow compute: no
Python object per value, and no Python lock held while it runs. It was measured against DuckDB,
polars and hand-written loops over orjson (docs/benchmarks.md) and was the fastest.

The result must equal the row-by-row builders of :mod:`.rows` exactly. Whenever a batch
holds anything those builders would treat specially (a value of an unexpected type, a null
inside a list, a date that is not ``YYYY-MM-DD``, a timestamp not in TMDB's
``YYYY-MM-DDTHH:MM:SS[.mmm]Z``, a body that is not one JSON object), the reader raises or a
check here raises :class:`Irregular`, and the caller builds that batch's tables row by row.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from tmdb_collector.export.arrow_types import ARROW_TYPES, arrow_schema, value_data
from tmdb_collector.media.links import DETAILS
from tmdb_collector.media.rows import (
    CREDIT_TYPE,
    CREDIT_TYPES,
    CREDITED_TITLE,
    IMAGE_KINDS,
    OFFER_TYPES,
    PERSON_ID,
    Credits,
    Custom,
    Each,
    Images,
    Ranked,
    ReleaseDates,
    Reviews,
    Shape,
    Target,
    Translations,
    WatchProviders,
    Whole,
)
from tmdb_collector.media.table_schema import Column
from tmdb_collector.media.table_sets import TableSet

Tables = dict[str, Any]  # table name -> pa.Table
Builder = Callable[[Any, Sequence[bytes]], Tables]  # (ids, a part's bodies) -> its tables
# One thread: as fast per CPU second as with threads, and a lower peak RSS (docs/benchmarks.md).
READ_OPTIONS = pj.ReadOptions(use_threads=False, block_size=1 << 24)
# The timestamps TMDB sends; the row builders read any ISO 8601 text, so others go row by row.
TIMESTAMP = r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{3})?Z$"


class Irregular(Exception):
    """The batch holds something only the row-by-row builders reproduce exactly."""


def _parse(
    texts: Sequence[bytes],
    fields: list[tuple[str, Any]],
    unexpected: str = "ignore",
    refused: str | None = None,
) -> Any:
    # A body that is not an object is left to the row builders (pyarrow also crashes on a
    # top-level null); one body per line, so a body with a raw newline shows up in the count.
    if not all(text.startswith(b"{") for text in texts):
        raise Irregular
    data = pa.py_buffer(b"\n".join(texts))  # read in place: a BytesIO was copied once more
    return _parse_lines(data, len(texts), fields, unexpected, refused)


def _parse_lines(
    data: Any,
    count: int,
    fields: list[tuple[str, Any]],
    unexpected: str = "ignore",
    refused: str | None = None,
) -> Any:
    """:func:`_parse` of ``count`` bodies already joined, one a line, in the buffer ``data``."""
    schema = pa.schema(fields)
    options = pj.ParseOptions(explicit_schema=schema, unexpected_field_behavior=unexpected)
    text = _checked_text(data)
    if refused is not None and pc.any(pc.match_substring_regex(text, refused)).as_py():
        raise Irregular  # a pattern only the row builders read as they mean
    table = pj.read_json(pa.BufferReader(data), read_options=READ_OPTIONS, parse_options=options)
    if table.num_rows != count:
        raise Irregular
    return {name: _one_array(table.column(name)) for name in table.column_names}


def _one_array(column: Any) -> Any:
    """A parsed column as one array: its only chunk as it is (a batch is smaller than a block),
    since ``combine_chunks`` copies even a single chunk."""
    return column.chunk(0) if column.num_chunks == 1 else column.combine_chunks()


def _checked_text(data: Any) -> Any:
    """The whole block as one text value (no copy). The JSON reader copies text into string
    columns unchecked: invalid UTF-8 (which only a damaged database holds) goes to the row
    builders, which report it."""
    offsets = pa.array([0, data.size], pa.int64()).buffers()[1]
    text = pa.Array.from_buffers(pa.large_string(), 1, [None, offsets, data])
    try:
        text.validate(full=True)
    except pa.ArrowInvalid:
        raise Irregular from None
    return text


def _parse_type(column: Column) -> Any:
    return pa.string() if column.kind in ("date", "timestamp") else ARROW_TYPES[column.kind]


def _cast(column: Column, values: Any) -> Any:
    """Values as parsed -> the column's type (dates are parsed from text, ``""`` is null)."""
    if column.kind in ("date", "timestamp"):
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
    if column.kind == "date":
        return pc.cast(values, pa.date32())  # anything but YYYY-MM-DD raises: row by row
    if column.kind == "timestamp":
        matched = pc.fill_null(pc.match_substring_regex(values, TIMESTAMP), True)
        if not pc.all(matched, min_count=0).as_py():
            raise Irregular
        return pc.cast(values, ARROW_TYPES["timestamp"])
    if column.kind in ("list_str", "list_int") and pc.list_flatten(values).null_count:
        raise Irregular
    return values


def _list_of_field(lists: Any, name: str, kind: Any) -> Any:
    """``[{name: v}, ...]`` per row -> ``[v, ...]`` per row (as_str_list / as_int_list)."""
    values = pc.struct_field(pc.list_flatten(lists), name)
    if values.null_count:
        raise Irregular  # the row builders drop such items
    lengths = pc.fill_null(pc.list_value_length(lists), 0)
    offsets = pa.concat_arrays([pa.array([0], pa.int32()), pc.cumulative_sum(lengths)])
    return pa.ListArray.from_arrays(
        pc.cast(offsets, pa.int32()), values.cast(kind), mask=pc.is_null(lists)
    )


def _exploded(
    target: Target,
    table: str,
    ids: Any,
    lists: Any,
    renames: Mapping[str, str],
    fixed: Mapping[str, Callable[[Any], Any]] | None = None,
) -> Any:
    """One row per element of ``lists`` (a list<struct> per item); ``fixed`` builds the
    columns not read from the element's own fields, from the flattened elements."""
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists)
    arrays = []
    columns = target.tables[table]
    for column in columns:
        if fixed and column.name in fixed:
            arrays.append(fixed[column.name](flat))
        elif column.name == target.id_column:
            arrays.append(pc.take(ids, parents))
        elif column.name == "rank":
            starts = pc.take(_starts(lists), parents)
            arrays.append(pc.subtract(_arange(len(flat)), starts))
        else:
            values = pc.struct_field(flat, renames.get(column.name, column.name))
            arrays.append(_cast(column, values))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(columns))


def _arange(count: int) -> Any:
    """0, 1, ... ``count - 1`` (int64), made by Arrow: ``pa.array(range(count))`` goes through
    a Python int each (~80 ns), as ``pa.array([value] * count)`` does (see :func:`_repeat`)."""
    return pc.subtract(pc.cumulative_sum(_repeat(1, count, pa.int64())), 1)


def _repeat(value: Any, count: int, kind: Any) -> Any:
    """``value`` ``count`` times, as an array of ``kind``."""
    return pa.repeat(pa.scalar(value, kind), count)


def _starts(lists: Any) -> Any:
    lengths = pc.fill_null(pc.list_value_length(lists), 0)
    ends = pc.cumulative_sum(pc.cast(lengths, pa.int64()))
    return pc.subtract(ends, pc.cast(lengths, pa.int64()))


def _struct(
    target: Target, table: str, renames: Mapping[str, str], skip: Sequence[str] = ()
) -> Any:
    fields = [
        (renames.get(c.name, c.name), _parse_type(c))
        for c in target.tables[table]
        if c.name not in (target.id_column, "rank", *skip)
    ]
    return pa.list_(pa.struct(fields))


def movie_details(target: Target, shape: Custom) -> Builder:
    """A movie's details (media/movie.py): its own table, then its genres."""
    movies, genres = shape.tables
    movie_columns = target.tables[movies]
    genre_renames = {"genre_id": "id"}
    plain = list(movie_columns[1:20])  # imdb_id .. backdrop_path, named as TMDB names them

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        fields = [(c.name, _parse_type(c)) for c in plain]
        fields += [
            ("belongs_to_collection", pa.struct([("id", pa.int64()), ("name", pa.string())])),
            ("origin_country", pa.list_(pa.string())),
            ("production_countries", pa.list_(pa.struct([("iso_3166_1", pa.string())]))),
            ("spoken_languages", pa.list_(pa.struct([("iso_639_1", pa.string())]))),
            ("production_companies", pa.list_(pa.struct([("id", pa.int64())]))),
            ("genres", _struct(target, genres, genre_renames)),
        ]
        parsed = _parse(texts, fields)
        collection = parsed["belongs_to_collection"]
        arrays = [ids, *(_cast(c, parsed[c.name]) for c in plain)]
        arrays += [
            pc.struct_field(collection, "id"),
            pc.struct_field(collection, "name"),
            _cast(movie_columns[22], parsed["origin_country"]),
            _list_of_field(parsed["production_countries"], "iso_3166_1", pa.string()),
            _list_of_field(parsed["spoken_languages"], "iso_639_1", pa.string()),
            _list_of_field(parsed["production_companies"], "id", pa.int64()),
        ]
        return {
            movies: pa.Table.from_arrays(arrays, schema=arrow_schema(movie_columns)),
            genres: _exploded(target, genres, ids, parsed["genres"], genre_renames),
        }

    return build


_PERSON = {PERSON_ID: "id"}


def credits(target: Target, shape: Credits) -> Builder:
    cast, crew = shape.tables

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        fields = [
            ("cast", _struct(target, cast, _PERSON)),
            ("crew", _struct(target, crew, _PERSON)),
        ]
        parsed = _parse(texts, fields)
        return {
            cast: _exploded(target, cast, ids, parsed["cast"], _PERSON),
            crew: _exploded(target, crew, ids, parsed["crew"], _PERSON),
        }

    return build


def listed(target: Target, shape: Each) -> Builder | None:
    """A part whose body lists its rows under a key: one row per element, with its rank for a
    :class:`~.rows.Ranked` page of results (this path computes a ``rank`` column, so another
    table with one goes row by row)."""
    table, key, renames = shape.table, shape.key, shape.renamed
    if isinstance(shape, Ranked) != ("rank" in (c.name for c in target.tables[table])):
        return None

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        parsed = _parse(texts, [(key, _struct(target, table, renames))])
        return {table: _exploded(target, table, ids, parsed[key], renames)}

    return build


_WHERE = {"language": "iso_639_1", "country": "iso_3166_1"}


def whole(target: Target, shape: Whole) -> Builder | None:
    """One row from each whole body (``external_ids``); the id column must come first."""
    columns = target.tables[shape.table]
    read = [c for c in columns if c.name != target.id_column]
    if columns[0].name != target.id_column:
        return None

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        parsed = _parse(texts, [(c.name, _parse_type(c)) for c in read])
        arrays = [ids, *(_cast(c, parsed[c.name]) for c in read)]
        return {shape.table: pa.Table.from_arrays(arrays, schema=arrow_schema(columns))}

    return build


def images(target: Target, shape: Images) -> Builder:
    """Each item's backdrops, then logos, then posters, as the row builders order them."""
    (table,) = shape.tables
    renames = {"language": "iso_639_1"}
    element = _struct(target, table, renames, skip=("kind",))

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        parsed = _parse(texts, [(key, element) for key in IMAGE_KINDS])
        pieces, parents, kinds = [], [], []
        for rank, (key, kind) in enumerate(IMAGE_KINDS.items()):
            lists = parsed[key]
            fixed = {"kind": lambda flat, kind=kind: _repeat(kind, len(flat), pa.string())}
            pieces.append(_exploded(target, table, ids, lists, renames, fixed))
            parents.append(pc.list_parent_indices(lists))
            kinds.append(_repeat(rank, len(parents[-1]), pa.int8()))
        rows = pa.concat_tables(pieces)
        order = pa.table({"item": pa.concat_arrays(parents), "kind": pa.concat_arrays(kinds)})
        keys = [("item", "ascending"), ("kind", "ascending")]
        return {table: rows.take(pc.sort_indices(order, sort_keys=keys))}  # a stable sort

    return build


def translations(target: Target, shape: Translations) -> Builder:
    """One row per translation; its title, overview... come from its ``data`` (the title
    from ``data[shape.title_from]``)."""
    (table,) = shape.tables
    columns = {c.name: c for c in target.tables[table]}
    inner = {"title": shape.title_from, **{n: n for n in ("overview", "tagline", "homepage")}}
    inner["runtime"] = "runtime"
    data = pa.struct([(source, _parse_type(columns[name])) for name, source in inner.items()])
    element = pa.struct(
        [(source, pa.string()) for source in ("iso_639_1", "iso_3166_1", "name", "english_name")]
        + [("data", data)]
    )

    def from_data(name: str) -> Callable[[Any], Any]:
        return lambda flat: _cast(
            columns[name], pc.struct_field(pc.struct_field(flat, "data"), inner[name])
        )

    fixed = {name: from_data(name) for name in inner}

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        parsed = _parse(texts, [("translations", pa.list_(element))])
        return {table: _exploded(target, table, ids, parsed["translations"], _WHERE, fixed)}

    return build


def reviews(target: Target, shape: Reviews) -> Builder:
    """One row per review; ``username`` and ``rating`` come from its ``author_details``."""
    (table,) = shape.tables
    renames = {"review_id": "id"}
    author = pa.struct([("username", pa.string()), ("rating", pa.float64())])
    element = _struct(target, table, renames, skip=("username", "rating"))
    element = pa.list_(pa.struct([*element.value_type, ("author_details", author)]))

    def from_author(name: str) -> Callable[[Any], Any]:
        return lambda flat: pc.struct_field(pc.struct_field(flat, "author_details"), name)

    fixed = {name: from_author(name) for name in ("username", "rating")}

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        parsed = _parse(texts, [("results", element)])
        return {table: _exploded(target, table, ids, parsed["results"], renames, fixed)}

    return build


def release_dates(target: Target, shape: ReleaseDates) -> Builder | None:
    """One row per country and release: two levels of lists (the id column and ``country``
    must come first)."""
    (table,) = shape.tables
    columns = target.tables[table]
    if [c.name for c in columns[:2]] != [target.id_column, "country"]:
        return None
    renames = {"language": "iso_639_1"}
    release = pa.struct([(renames.get(c.name, c.name), _parse_type(c)) for c in columns[2:]])
    country = pa.struct([("iso_3166_1", pa.string()), ("release_dates", pa.list_(release))])

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        parsed = _parse(texts, [("results", pa.list_(country))])
        countries = pc.list_flatten(parsed["results"])
        releases = pc.struct_field(countries, "release_dates")
        flat = pc.list_flatten(releases)
        of_country = pc.list_parent_indices(releases)
        of_item = pc.take(pc.list_parent_indices(parsed["results"]), of_country)
        arrays = [
            pc.take(ids, of_item),
            pc.take(pc.struct_field(countries, "iso_3166_1"), of_country),
        ]
        arrays += [
            _cast(c, pc.struct_field(flat, renames.get(c.name, c.name))) for c in columns[2:]
        ]
        return {table: pa.Table.from_arrays(arrays, schema=arrow_schema(columns))}

    return build


# watch/providers' results are keyed by country code, which no fixed schema can name. RE2 (no
# Python lock) rewrites each of TMDB's compact bodies, {"id":N,"results":{"US":{...},...}}, into
# {"id":N,"results":[{"country":"US",...},...]}. A country key is the only place the pattern
# "XX":{ can follow { or , (inside a string its quotes are escaped), so a body of another shape
# ends up invalid JSON or off the schema, and the batch goes row by row.
_WATCH_START = r'^\{"id":\d+,"results":\{'
_COUNTRY_KEY = r'([{,])"([A-Z]{2})":\{'
_KEY_GROWTH = len('{"country":"XX",') - len('"XX":{')
_BY_COUNTRY = [("item", "ascending"), ("country", "ascending")]


def watch_providers(target: Target, shape: WatchProviders) -> Builder:
    """One row per country, offer type and provider, in the row builders' order: by country,
    then :func:`~.rows.offer_order`, then as listed (a stable sort)."""
    (table,) = shape.tables
    providers = _struct(target, table, {}, skip=("country", "offer_type", "link"))
    offers = [(name, providers) for name in OFFER_TYPES]
    country = pa.struct([("country", pa.string()), ("link", pa.string()), *offers])
    fields = [("id", pa.int64()), ("results", pa.list_(country))]

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        bodies = pa.array(texts, pa.binary())
        starts = pc.match_substring_regex(bodies, _WATCH_START)
        if not pc.all(pc.and_(starts, pc.ends_with(bodies, "}}")), min_count=0).as_py():
            raise Irregular
        before = pc.binary_length(bodies)
        bodies = pc.replace_substring_regex(bodies, _COUNTRY_KEY, r'\1{"country":"\2",')
        # Each key rewritten adds _KEY_GROWTH bytes, so the lengths count them (one pass less).
        rewritten = pc.divide(pc.subtract(pc.binary_length(bodies), before), _KEY_GROWTH)
        bodies = pc.replace_substring(bodies, '"results":{', '"results":[', max_replacements=1)
        lines = pc.binary_join_element_wise(pc.binary_slice(bodies, 0, -2), b"]}\n", b"")
        parsed = _parse_lines(value_data(lines), len(texts), fields, unexpected="error")
        lengths = pc.list_value_length(parsed["results"])
        if not pc.all(pc.equal(lengths, rewritten), min_count=0).as_py():
            raise Irregular  # an object in results that was no country's: not TMDB's JSON
        countries = pc.list_flatten(parsed["results"])
        of_item = pc.list_parent_indices(parsed["results"])
        codes, links = pc.struct_field(countries, "country"), pc.struct_field(countries, "link")
        # Each country's place among all the batch's countries, by item then country code.
        places = pc.sort_indices(pa.table({"item": of_item, "country": codes}), _BY_COUNTRY)
        place = pc.scatter(_arange(len(places)), places.cast(pa.int64()))
        if repeats(pc.take(of_item, places), pc.take(codes, places)):
            raise Irregular  # a country twice in a body: the row builders keep the last
        country_ids = pc.take(ids, of_item)  # each country's item, for _exploded's id column
        pieces, order = [], []
        for rank, offer_type in enumerate(OFFER_TYPES):
            lists = pc.struct_field(countries, offer_type)
            at = pc.list_parent_indices(lists)  # the country of each provider
            of_country = {"country": pc.take(codes, at), "link": pc.take(links, at)}
            fixed = {name: lambda flat, v=values: v for name, values in of_country.items()}
            fixed["offer_type"] = lambda flat, kind=offer_type: _repeat(
                kind, len(flat), pa.string()
            )
            pieces.append(_exploded(target, table, country_ids, lists, {}, fixed))
            key = pc.add(pc.multiply(pc.take(place, at), len(OFFER_TYPES)), rank)
            order.append(key)
        rows = pa.concat_tables(pieces)
        return {table: rows.take(pc.sort_indices(pa.concat_arrays(order)))}  # a stable sort

    return build


def repeats(*columns: Any) -> bool:
    """Whether two rows in a row hold the same values (of ``columns``, sorted, no nulls): a
    key twice. (``group_by`` would load Arrow's query engine, ~0.02 s of each export's start.)"""
    if len(columns[0]) < 2:
        return False
    same = pc.equal(columns[0][1:], columns[0][:-1])
    for column in columns[1:]:
        same = pc.and_(same, pc.equal(column[1:], column[:-1]))
    return bool(pc.any(same).as_py())


def own_row(target: Target, shape: Custom) -> Builder:
    """One row of the entity's own table from its details (a person's ``people``): the item's
    id first, then each column read from the field of its name."""
    (table,) = shape.tables
    columns = target.tables[table]
    read = columns[1:]

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        parsed = _parse(texts, [(c.name, _parse_type(c)) for c in read])
        arrays = [ids, *(_cast(c, parsed[c.name]) for c in read)]
        return {table: pa.Table.from_arrays(arrays, schema=arrow_schema(columns))}

    return build


# A person's credits (media/person.py credit_rows): a movie's fields, else a series'.
_OR = {"title": "name", "original_title": "original_name", "release_date": "first_air_date"}


def person_credits(target: Target, shape: Custom) -> Builder:
    """One row per cast, then crew, entry of each person (``fast``: ``credits:`` and the
    entries' default media type). The row builders read ``title`` else ``name`` (...), and
    ``media_type`` else that default, by key: a batch whose entries give one of those keys a
    null (or, with a default, name ``media_type`` at all) goes row by row, as the reader
    cannot tell a null from an absent key. The entries are put in that order once, as one
    array (:func:`_cast_then_crew`), and each column is read from it."""
    (table,) = shape.tables
    media_type = (shape.fast or "").partition(":")[2] or None
    columns = target.tables[table]
    schema = arrow_schema(columns)
    fixed_names = (target.id_column, CREDITED_TITLE, CREDIT_TYPE, "media_type", *_OR)
    element = pa.struct(
        [("id", pa.int64()), ("media_type", pa.string())]
        + [(c.name, _parse_type(c)) for c in columns if c.name not in fixed_names]
        + [(name, pa.string()) for pair in _OR.items() for name in pair]
    )
    fields = [(kind, pa.list_(element)) for kind in CREDIT_TYPES]
    # Stored bodies are orjson's text (fetch/records.py encode): a key is never escaped.
    ambiguous = "|".join(rf'"{name}"\s*:\s*null' for name in _OR)
    if media_type is not None:
        ambiguous += r'|"media_type"\s*:'

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        parsed = _parse(texts, fields, refused=ambiguous)
        entries, parents, is_cast = _cast_then_crew(parsed["cast"], parsed["crew"])
        arrays = []
        for column in columns:
            if column.name == target.id_column:
                arrays.append(pc.take(ids, parents))
            elif column.name == CREDIT_TYPE:
                arrays.append(pc.if_else(is_cast, *CREDIT_TYPES))
            elif column.name == "media_type" and media_type is not None:
                arrays.append(pa.repeat(pa.scalar(media_type, pa.string()), len(entries)))
            elif column.name in _OR:
                values = pc.struct_field(entries, column.name)
                other = pc.struct_field(entries, _OR[column.name])
                arrays.append(_cast(column, pc.coalesce(values, other)))
            else:
                field = "id" if column.name == CREDITED_TITLE else column.name
                arrays.append(_cast(column, pc.struct_field(entries, field)))
        return {table: pa.Table.from_arrays(arrays, schema=schema)}

    return build


def _cast_then_crew(cast: Any, crew: Any) -> tuple[Any, Any, Any]:
    """The entries of two lists per item as one array, each item's ``cast`` then its ``crew``
    (the row builders' order), with each entry's item and whether it is from ``cast``. An
    entry's place is known without sorting: the ``k``-th cast entry of the batch, of item
    ``i``, goes after the crew of the items before ``i``; the ``k``-th crew entry after the
    cast of the items up to ``i``."""
    cast_items, crew_items = pc.list_parent_indices(cast), pc.list_parent_indices(crew)
    in_cast = len(cast_items)
    counted = pc.cumulative_sum(pa.repeat(pa.scalar(1, pa.int64()), in_cast + len(crew_items)))
    index = pc.subtract(counted, 1)  # 0, 1, 2... over the cast entries, then the crew's
    cast_places = pc.add(index[:in_cast], pc.take(_starts(crew), cast_items))
    crew_places = pc.add(pc.subtract(index[in_cast:], in_cast), pc.take(_ends(cast), crew_items))
    order = pc.inverse_permutation(pa.concat_arrays([cast_places, crew_places]))
    entries = pc.take(pa.concat_arrays([pc.list_flatten(cast), pc.list_flatten(crew)]), order)
    items = pc.take(pa.concat_arrays([cast_items, crew_items]), order)
    return entries, items, pc.less(order, in_cast)


def _ends(lists: Any) -> Any:
    """Where each item's elements end in the flattened ``lists``."""
    return pc.cumulative_sum(pc.cast(pc.fill_null(pc.list_value_length(lists), 0), pa.int64()))


# The fast paths of the media types' own bodies, by the name their Custom shape gives.
CUSTOM: dict[str, Callable[[Target, Custom], Builder]] = {
    "movie_details": movie_details,
    "own_row": own_row,
    "credits": person_credits,  # media/person.py credit_rows
}


def fast_path(shape: Shape, target: Target) -> Builder | None:
    """The fast path of ``shape`` bound to ``target``, or None: built row by row."""
    match shape:
        case Each():
            return listed(target, shape)
        case Credits():
            return credits(target, shape)
        case Whole():
            return whole(target, shape)
        case Images():
            return images(target, shape)
        case Translations():
            return translations(target, shape)
        case Reviews():
            return reviews(target, shape)
        case ReleaseDates():
            return release_dates(target, shape)
        case WatchProviders():
            return watch_providers(target, shape)
        case Custom(fast=str(name)):
            return CUSTOM[name.partition(":")[0]](target, shape)
    return None


@functools.cache
def fast_paths(tables: TableSet) -> dict[str, Builder]:
    """Every fast path of a table set, by part (``"details"`` for the details body)."""
    shapes = {DETAILS: tables.details, **tables.parts}
    found = {name: fast_path(shape, tables.target) for name, shape in shapes.items()}
    return {name: build for name, build in found.items() if build is not None}
