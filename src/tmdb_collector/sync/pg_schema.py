"""The export's tables as PostgreSQL sees them: each column kind's type, and the statements
that make a table and COPY a batch's rows into it (in COPY's binary format, built by
:mod:`.copy_binary`).
"""

from __future__ import annotations

from tmdb_collector.media.table_schema import Column, Kind

PG_TYPES: dict[Kind, str] = {
    "int": "bigint",
    "float": "double precision",
    "bool": "boolean",
    "str": "text",
    "date": "date",
    "timestamp": "timestamp with time zone",
    "list_str": "text[]",
    "list_int": "bigint[]",
}
# How information_schema.columns names them (``data_type``; an array is "ARRAY" there, its
# element type in ``udt_name``): what a table of the same name is checked against.
PG_UDT: dict[Kind, str] = {
    "int": "int8",
    "float": "float8",
    "bool": "bool",
    "str": "text",
    "date": "date",
    "timestamp": "timestamptz",
    "list_str": "_text",
    "list_int": "_int8",
}
COPY_OPTIONS = "FORMAT binary"
# What a COPY statement is given for a batch: chunks written one after the other (views of
# Arrow's buffers, made by copy_binary.copy_data).
CopyData = tuple[bytes | memoryview, ...]
# Into a table made in the same transaction (a first load): rows written already frozen, so
# the vacuum that follows a bulk load has nothing to rewrite.
FREEZE = ", FREEZE"


def quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def column_list(columns: tuple[Column, ...]) -> str:
    return ", ".join(quoted(column.name) for column in columns)


def create_table(
    schema: str, table: str, columns: tuple[Column, ...], key: tuple[str, ...] = ()
) -> str:
    body = ", ".join(f"{quoted(c.name)} {PG_TYPES[c.kind]}" for c in columns)
    if key:
        body += f", PRIMARY KEY ({', '.join(quoted(column) for column in key)})"
    return f"CREATE TABLE {quoted(schema)}.{quoted(table)} ({body})"


def copy_statement(
    schema: str, table: str, columns: tuple[Column, ...], *, freeze: bool = False
) -> str:
    options = COPY_OPTIONS + (FREEZE if freeze else "")
    return f"COPY {quoted(schema)}.{quoted(table)} ({column_list(columns)}) FROM STDIN ({options})"
