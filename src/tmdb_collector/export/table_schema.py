"""The normalized tables' schemas, and the split of one stored movie into their rows.

Every table is a list of :class:`Column` (name and kind). The kind fixes the parquet type and
how a CSV cell is written, so both formats share one definition. Values are coerced to their
column's kind: TMDB sends integral floats as JSON integers (``"vote_average": 7``), and a value of
an unexpected JSON type (which TMDB does not send) becomes null rather than failing the export.
Row counts always equal the raw counts: every element of a TMDB array becomes exactly one row.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pyarrow as pa

Kind = Literal["int", "float", "bool", "str", "date", "list_str", "list_int"]
Row = tuple[Any, ...]

ARROW_TYPES: dict[Kind, Any] = {
    "int": pa.int64(),
    "float": pa.float64(),
    "bool": pa.bool_(),
    "str": pa.string(),
    "date": pa.date32(),
    "list_str": pa.list_(pa.string()),
    "list_int": pa.list_(pa.int64()),
}
LIST_SEPARATOR = "|"  # how CSV joins a list cell; ISO codes and integer ids never contain it


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind


def _columns(spec: str) -> tuple[Column, ...]:
    """``"id:int title:str"`` -> columns, so each table reads as one line of names and kinds."""
    columns = []
    for item in spec.split():
        name, kind = item.split(":")
        columns.append(Column(name, kind))  # type: ignore[arg-type]
    return tuple(columns)


_PERSON = (
    "movie_id:int person_id:int credit_id:str name:str original_name:str gender:int"
    " known_for_department:str popularity:float profile_path:str adult:bool"
)
TABLES: dict[str, tuple[Column, ...]] = {
    "movies": _columns(
        "id:int imdb_id:str title:str original_title:str original_language:str overview:str"
        " tagline:str status:str release_date:date runtime:int budget:int revenue:int"
        " popularity:float vote_average:float vote_count:int adult:bool video:bool homepage:str"
        " poster_path:str backdrop_path:str collection_id:int collection_name:str"
        " origin_country:list_str production_countries:list_str spoken_languages:list_str"
        " production_company_ids:list_int"
    ),
    "genres": _columns("movie_id:int genre_id:int name:str"),
    "cast": _columns(_PERSON + " character:str order:int cast_id:int"),
    "crew": _columns(_PERSON + " department:str job:str"),
    "keywords": _columns("movie_id:int keyword_id:int name:str"),
    "recommendations": _columns(
        "movie_id:int rank:int recommended_id:int title:str popularity:float vote_average:float"
        " vote_count:int release_date:date"
    ),
    "provenance": _columns("movie_id:int stage:str genre_id:int query:str page:int position:int"),
}
TABLE_NAMES = tuple(TABLES)
# The tables each part feeds; movies, genres and provenance are always written.
PART_TABLES: dict[str, tuple[str, ...]] = {
    "credits": ("cast", "crew"),
    "keywords": ("keywords",),
    "recommendations": ("recommendations",),
}


def table_names(parts: Iterable[str]) -> tuple[str, ...]:
    """The tables an export of ``parts`` writes, in their documented order."""
    chosen = {table for part in parts for table in PART_TABLES.get(part, ())}
    return tuple(
        name for name in TABLE_NAMES if name in chosen or name in ("movies", "genres", "provenance")
    )


def arrow_schema(table: str) -> Any:
    return pa.schema([pa.field(column.name, ARROW_TYPES[column.kind]) for column in TABLES[table]])


# ---- coercion to a column's kind ------------------------------------------------------------


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return None


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)


def as_bool(value: Any) -> bool | None:
    return value if isinstance(value, bool) else None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_date(value: Any) -> dt.date | None:
    """``"YYYY-MM-DD"`` -> date; ``""`` (TMDB's "unknown") or anything unparseable -> null."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        return None


def as_str_list(value: Any, key: str | None = None) -> list[str] | None:
    """A JSON array of strings, or of objects whose ``key`` is the string, as a list."""
    if not isinstance(value, list):
        return None
    items = (item.get(key) if key and isinstance(item, dict) else item for item in value)
    return [item for item in items if isinstance(item, str)]


def as_int_list(value: Any, key: str) -> list[int] | None:
    if not isinstance(value, list):
        return None
    items = (as_int(item.get(key)) if isinstance(item, dict) else None for item in value)
    return [item for item in items if item is not None]


COERCE: dict[Kind, Callable[[Any], Any]] = {
    "int": as_int,
    "float": as_float,
    "bool": as_bool,
    "str": as_str,
    "date": as_date,
    "list_str": as_str_list,
    "list_int": lambda value: value if isinstance(value, list) else None,
}


# ---- one stored movie -> rows of every table -------------------------------------------------


def _object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _array(body: Mapping[str, Any], key: str) -> list[Any]:
    value = body.get(key)
    return value if isinstance(value, list) else []


def _row(table: str, values: Mapping[str, Any]) -> Row:
    return tuple(COERCE[column.kind](values.get(column.name)) for column in TABLES[table])


def _person(movie_id: int, credit: Mapping[str, Any]) -> dict[str, Any]:
    return {**credit, "movie_id": movie_id, "person_id": credit.get("id")}


def movie_rows(
    movie_id: int, details_text: str, part_texts: Mapping[str, str]
) -> dict[str, list[Row]]:
    """Rows for every table but provenance, from one movie's stored JSON bodies (the tables of
    a part that is not in ``part_texts`` are left out)."""
    details = _object(json.loads(details_text))
    bodies = {name: _object(json.loads(text)) for name, text in part_texts.items()}
    collection = _object(details.get("belongs_to_collection"))
    movie = {
        **details,
        "id": movie_id,
        "collection_id": collection.get("id"),
        "collection_name": collection.get("name"),
        "production_countries": as_str_list(details.get("production_countries"), "iso_3166_1"),
        "spoken_languages": as_str_list(details.get("spoken_languages"), "iso_639_1"),
        "production_company_ids": as_int_list(details.get("production_companies"), "id"),
    }
    rows: dict[str, list[Row]] = {"movies": [_row("movies", movie)]}
    rows["genres"] = [
        _row("genres", {"movie_id": movie_id, "genre_id": g.get("id"), "name": g.get("name")})
        for g in map(_object, _array(details, "genres"))
    ]
    if "credits" in bodies:
        credits = bodies["credits"]
        rows["cast"] = [
            _row("cast", _person(movie_id, c)) for c in map(_object, _array(credits, "cast"))
        ]
        rows["crew"] = [
            _row("crew", _person(movie_id, c)) for c in map(_object, _array(credits, "crew"))
        ]
    if "keywords" in bodies:
        rows["keywords"] = [
            _row(
                "keywords",
                {"movie_id": movie_id, "keyword_id": k.get("id"), "name": k.get("name")},
            )
            for k in map(_object, _array(bodies["keywords"], "keywords"))
        ]
    if "recommendations" in bodies:
        rows["recommendations"] = [
            _row(
                "recommendations",
                {**r, "movie_id": movie_id, "rank": rank, "recommended_id": r.get("id")},
            )
            for rank, r in enumerate(map(_object, _array(bodies["recommendations"], "results")))
        ]
    return rows


# ---- CSV cells --------------------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    """Null -> empty; bool -> true/false; date -> ISO; float -> shortest round-trip text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return value if isinstance(value, str) else repr(value)
