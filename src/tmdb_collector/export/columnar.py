"""A batch of stored movies -> Arrow tables, parsed by pyarrow's JSON reader (C++).

This is the table export's fast path for the parts most collections have (details, credits,
keywords, recommendations, similar). Each part's bodies of a batch are read as one block of
newline-delimited JSON against an explicit schema, then arrays are exploded into rows with
Arrow compute: no Python object per value. It was measured against DuckDB and against
hand-written loops over orjson (docs/benchmarks.md) and was the fastest of the three.

The result must equal the row-by-row builders of :mod:`.movie_tables` exactly. Whenever a batch
holds anything those builders would treat specially (a value of an unexpected type, a null
inside a list, a date that is not ``YYYY-MM-DD``, a body that is not one JSON object), the
reader raises or a check here raises :class:`Irregular`, and the caller builds that batch's
tables row by row instead.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.json as pj

from tmdb_collector.export.movie_tables import TABLES
from tmdb_collector.export.table_schema import ARROW_TYPES, Column, arrow_schema

Tables = dict[str, Any]  # table name -> pa.Table
# One thread: as fast per CPU second as with threads, and a lower peak RSS (docs/benchmarks.md).
READ_OPTIONS = pj.ReadOptions(use_threads=False, block_size=1 << 24)


class Irregular(Exception):
    """The batch holds something only the row-by-row builders reproduce exactly."""


def _parse(texts: Sequence[bytes], fields: list[tuple[str, Any]]) -> Any:
    # A body that is not an object is left to the row builders (pyarrow also crashes on a
    # top-level null); one body per line, so a body with a raw newline shows up in the count.
    if not all(text.startswith(b"{") for text in texts):
        raise Irregular
    options = pj.ParseOptions(explicit_schema=pa.schema(fields), unexpected_field_behavior="ignore")
    data = b"\n".join(texts)
    table = pj.read_json(io.BytesIO(data), read_options=READ_OPTIONS, parse_options=options)
    if table.num_rows != len(texts):
        raise Irregular
    return {name: table.column(name).combine_chunks() for name in table.column_names}


def _parse_type(column: Column) -> Any:
    return pa.string() if column.kind in ("date", "timestamp") else ARROW_TYPES[column.kind]


def _cast(column: Column, values: Any) -> Any:
    """Values as parsed -> the column's type (dates are parsed from text, ``""`` is null)."""
    if column.kind == "date":
        values = pc.if_else(pc.equal(values, ""), pa.scalar(None, pa.string()), values)
        return pc.cast(values, pa.date32())  # anything but YYYY-MM-DD raises: row by row
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


def _exploded(table: str, ids: Any, lists: Any, renames: dict[str, str]) -> Any:
    """One row per element of ``lists`` (a list<struct> per movie)."""
    flat = pc.list_flatten(lists)
    parents = pc.list_parent_indices(lists)
    arrays = []
    for column in TABLES[table]:
        if column.name == "movie_id":
            arrays.append(pc.take(ids, parents))
        elif column.name == "rank":
            starts = pc.take(_starts(lists), parents)
            arrays.append(pc.subtract(pa.array(range(len(flat)), pa.int64()), starts))
        else:
            values = pc.struct_field(flat, renames.get(column.name, column.name))
            arrays.append(_cast(column, values))
    return pa.Table.from_arrays(arrays, schema=arrow_schema(TABLES[table]))


def _starts(lists: Any) -> Any:
    lengths = pc.fill_null(pc.list_value_length(lists), 0)
    ends = pc.cumulative_sum(pc.cast(lengths, pa.int64()))
    return pc.subtract(ends, pc.cast(lengths, pa.int64()))


def _struct(table: str, renames: dict[str, str], skip: Sequence[bytes] = ()) -> Any:
    fields = [
        (renames.get(c.name, c.name), _parse_type(c))
        for c in TABLES[table]
        if c.name not in ("movie_id", "rank", *skip)
    ]
    return pa.list_(pa.struct(fields))


_PERSON = {"person_id": "id"}


def details(ids: Any, texts: Sequence[bytes]) -> Tables:
    movie_columns = TABLES["movies"]
    plain = list(movie_columns[1:20])  # imdb_id .. backdrop_path, named as TMDB names them
    fields = [(c.name, _parse_type(c)) for c in plain]
    fields += [
        ("belongs_to_collection", pa.struct([("id", pa.int64()), ("name", pa.string())])),
        ("origin_country", pa.list_(pa.string())),
        ("production_countries", pa.list_(pa.struct([("iso_3166_1", pa.string())]))),
        ("spoken_languages", pa.list_(pa.struct([("iso_639_1", pa.string())]))),
        ("production_companies", pa.list_(pa.struct([("id", pa.int64())]))),
        ("genres", _struct("genres", {"genre_id": "id"})),
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
        "movies": pa.Table.from_arrays(arrays, schema=arrow_schema(movie_columns)),
        "genres": _exploded("genres", ids, parsed["genres"], {"genre_id": "id"}),
    }


def credits(ids: Any, texts: Sequence[bytes]) -> Tables:
    fields = [("cast", _struct("cast", _PERSON)), ("crew", _struct("crew", _PERSON))]
    parsed = _parse(texts, fields)
    return {
        "cast": _exploded("cast", ids, parsed["cast"], _PERSON),
        "crew": _exploded("crew", ids, parsed["crew"], _PERSON),
    }


def keywords(ids: Any, texts: Sequence[bytes]) -> Tables:
    renames = {"keyword_id": "id"}
    parsed = _parse(texts, [("keywords", _struct("keywords", renames))])
    return {"keywords": _exploded("keywords", ids, parsed["keywords"], renames)}


def _ranked(table: str, id_column: str) -> Callable[[Any, Sequence[bytes]], Tables]:
    renames = {id_column: "id"}

    def build(ids: Any, texts: Sequence[bytes]) -> Tables:
        parsed = _parse(texts, [("results", _struct(table, renames))])
        return {table: _exploded(table, ids, parsed["results"], renames)}

    return build


# The parts with a fast path ("details" is the movie's own body); others go row by row.
BUILDERS: dict[str, Callable[[Any, Sequence[bytes]], Tables]] = {
    "details": details,
    "credits": credits,
    "keywords": keywords,
    "recommendations": _ranked("recommendations", "recommended_id"),
    "similar": _ranked("similar", "similar_id"),
}
