"""``status`` and ``export``: reading a collection."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tmdb_collector import api
from tmdb_collector.cli.options import (
    DATE,
    AttributedCommand,
    db_option,
    no_progress_option,
)
from tmdb_collector.errors import UsageError
from tmdb_collector.export.formats import FORMATS, TABLE_FORMATS, default_export_path
from tmdb_collector.export.manifest import MANIFEST_NAME, read_listed
from tmdb_collector.status import format_status


@click.command(cls=AttributedCommand)
@db_option
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
def status(db: Path, as_json: bool) -> None:
    """Show a collection's stage, counts and failures."""
    with api.Collection.open(db) as collection:
        report = collection.status()
    if as_json:
        click.echo(json.dumps(report, indent=2))
    else:
        click.echo(format_status(report))


@click.command("export", cls=AttributedCommand)
@db_option
@click.option(
    "--format", "fmt", default="json", show_default=True, help=f"One of: {', '.join(FORMATS)}."
)
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    help="Output file (json, jsonl, duckdb; default movies.json or tv.json, with .jsonl or"
    " .duckdb for those) or directory (parquet, csv; required).",
)
@click.option(
    "--parts",
    metavar="LIST",
    help="The parts to export (comma-separated, 'all' or 'none'); default: the collection's. Items"
    " lacking one are left out.",
)
@click.option(
    "--tables",
    metavar="LIST",
    help="Table exports (parquet, csv, duckdb): only these tables (comma-separated, e.g."
    " availability or people,person_credits); the others are neither built nor written.",
)
@click.option(
    "--include-removed",
    is_flag=True,
    help="Also export items gone from TMDB's daily export (see update --ids-from).",
)
@click.option(
    "--as-of",
    type=DATE,
    help="Export the collection as it was on DATE (YYYY-MM-DD), from the part versions kept.",
)
@click.option(
    "--entity",
    metavar="NAME",
    help="Export the linked entities of `collect --linked` instead: people, collections,"
    " companies or networks (json or jsonl; --out required).",
)
@click.option(
    "--language",
    metavar="xx-YY",
    help="Also give each title's texts (a movie's title, overview, tagline; a series' name,"
    " overview, tagline) in this language (xx or xx-YY), from its translations part, with the"
    " language each came from: a 'localized' object per json/jsonl record, a 'localized'"
    " table in parquet, csv and duckdb.",
)
@click.option(
    "--fallback",
    metavar="LIST",
    help="With --language: the languages to take a text from, in order, where the first has"
    " none (e.g. en-US or fr-FR,en-US); after them, the details' own text.",
)
@no_progress_option
def export_command(
    db: Path,
    fmt: str,
    out: Path | None,
    parts: str | None,
    tables: str | None,
    include_removed: bool,
    as_of: Any,
    entity: str | None,
    language: str | None,
    fallback: str | None,
    no_progress: bool,
) -> None:
    """Export the collected movies or series (movies.json or tv.json, in the seed's shape, by
    default), or with --entity the people, collections, companies or networks they link to."""
    del no_progress  # taken as by every command; an export draws no bars
    if entity is not None:
        if out is None:
            raise UsageError("export --entity needs --out FILE")
        if as_of is not None:
            raise UsageError(
                "export --entity does not take --as-of (linked entities keep no versions)"
            )
        if language is not None or fallback is not None:
            raise UsageError("export --entity does not take --language or --fallback")
        if tables is not None:
            raise UsageError("export --entity does not take --tables (it writes json or jsonl)")
        with api.Collection.open(db) as collection:
            count = collection.export_entity(entity, out, format=fmt)
        click.echo(f"Wrote {count:,} {entity} to {out} ({fmt}).")
        return
    with api.Collection.open(db) as collection:
        media = collection.media
        target = default_export_path(media, fmt) if out is None else out
        count = collection.export(
            target,
            format=fmt,
            parts=parts,
            include_removed=include_removed,
            as_of=as_of.date() if as_of else None,
            language=language,
            fallback=fallback,
            tables=tables,
        )
        missing = collection.lacking(parts)
        earlier = collection.earlier_tables(fmt, target) if fmt in TABLE_FORMATS else []
    written = f"{count:,} {media.plural}" if tables is None else _tables_written(fmt, target)
    click.echo(f"Wrote {written} to {target} ({fmt}).")
    if not count:  # the rule the refusal over an earlier export says too
        click.echo(
            f"{target} holds no {media.word}: an empty export is written only where there was"
            " none; it never replaces an earlier export (that is refused, exit 2).",
            err=True,
        )
    if earlier:
        shown = ", ".join(earlier[:4]) + (", ..." if len(earlier) > 4 else "")
        tables = "1 table" if len(earlier) == 1 else f"{len(earlier)} tables"
        click.echo(
            f"{tables} of an earlier export (not written by this one) still in {target}:"
            f" {shown}; its {MANIFEST_NAME} lists this export's files.",
            err=True,
        )
    if missing:
        click.echo(
            f"{missing:,} collected {media.plural} lack one of these parts and were left out;"
            " `collect --parts ...` with the same parts fetches them.",
            err=True,
        )


def _tables_written(fmt: str, target: Path) -> str:
    """What an ``export --tables`` wrote, as its manifest counts it: the rows of each table
    (the titles it counts were maybe not written at all, as with ``--tables people``)."""
    directory = fmt in TABLE_FORMATS
    rows = read_listed(target, directory=directory).table_rows(directory=directory)
    return ", ".join(
        f"{name} ({count:,} {'row' if count == 1 else 'rows'})" for name, count in rows.items()
    )
