"""The machinery of the normalized tables: columns and their kinds, coercion, CSV cells.

Every table is a list of :class:`Column` (name and kind). The kind fixes the parquet type
(:mod:`.arrow_types`) and how a CSV cell is written, so both formats share one definition.
Values are coerced to their column's kind: TMDB sends integral floats as JSON integers
(``"vote_average": 7``), and a value of an unexpected JSON type (which TMDB does not send)
becomes null rather than failing the export. Pure Python (no pyarrow), so the media types can
declare their tables without loading pyarrow.
Row counts always equal the raw counts: every element of a TMDB array becomes exactly one row.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

Kind = Literal["int", "float", "bool", "str", "date", "timestamp", "list_str", "list_int"]
KINDS: tuple[Kind, ...] = get_args(Kind)
Row = tuple[Any, ...]

LIST_SEPARATOR = "|"  # how CSV joins a list cell; ISO codes and integer ids never contain it


@dataclass(frozen=True, slots=True)
class Column:
    name: str
    kind: Kind


def columns(spec: str) -> tuple[Column, ...]:
    """``"id:int title:str"`` -> columns, so each table reads as one line of names and kinds."""
    columns = []
    for item in spec.split():
        name, word = item.split(":")
        columns.append(Column(name, _kind(word)))
    return tuple(columns)


def _kind(word: str) -> Kind:
    """A column kind by name; a misspelt one fails when its media type is declared."""
    for kind in KINDS:
        if kind == word:
            return kind
    raise ValueError(f"unknown column kind {word!r}; the kinds are {', '.join(KINDS)}")


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


def as_timestamp(value: Any) -> dt.datetime | None:
    """``"2013-11-05T10:39:51.000Z"`` -> an aware UTC datetime; anything else -> null."""
    if not isinstance(value, str) or not value:
        return None
    try:
        when = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return when.astimezone(dt.UTC) if when.tzinfo else when.replace(tzinfo=dt.UTC)


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
    "timestamp": as_timestamp,
    "list_str": as_str_list,
    "list_int": lambda value: value if isinstance(value, list) else None,
}


# ---- building rows ---------------------------------------------------------------------------


def as_object(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def array(body: Mapping[str, Any], key: str) -> list[Any]:
    value = body.get(key)
    return value if isinstance(value, list) else []


def make_row(columns: tuple[Column, ...], values: Mapping[str, Any]) -> Row:
    """One row: each column's value from ``values``, coerced to the column's kind."""
    return tuple(COERCE[column.kind](values.get(column.name)) for column in columns)


# ---- CSV cells --------------------------------------------------------------------------------


def csv_cell(value: Any) -> str:
    """Null -> empty; bool -> true/false; date -> ISO; float -> shortest round-trip text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return LIST_SEPARATOR.join(str(item) for item in value)
    if isinstance(value, dt.date):  # a datetime too: 2013-11-05T10:39:51+00:00
        return value.isoformat()
    return value if isinstance(value, str) else repr(value)
