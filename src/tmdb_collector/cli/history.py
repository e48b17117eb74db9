"""``availability`` and ``versions``: what the kept part versions tell, and their upkeep."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from tmdb_collector import api
from tmdb_collector.cli.options import DATE, AttributedCommand, db_option
from tmdb_collector.errors import UsageError


@click.command(cls=AttributedCommand)
@db_option
@click.option("--country", required=True, metavar="CC", help="ISO 3166-1 country code: US, DE...")
@click.option("--provider", metavar="ID_OR_NAME", help="Only this provider (its id or name).")
@click.option("--since", type=DATE, help="Only events on or after DATE (YYYY-MM-DD).")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line.")
def availability(db: Path, country: str, provider: str | None, since: Any, as_json: bool) -> None:
    """List the titles that arrived on or left a streaming service in a country."""
    with api.Collection.open(db) as collection:
        events = collection.availability(country, provider, since.date() if since else None)
    if as_json:
        for event in events:
            click.echo(json.dumps(event.to_dict(), ensure_ascii=False))
        return
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"Availability in {country.upper()}")
    for column in ("date", "event", "title", "id", "provider", "offer"):
        table.add_column(column)
    for e in events:
        table.add_row(
            e.date.isoformat(), e.event, e.title, str(e.title_id), e.provider_name, e.offer_type
        )
    Console().print(table)
    click.echo(f"{len(events):,} events.")


@click.command(cls=AttributedCommand)
@db_option
@click.option("--off", "off", is_flag=True, help="Stop keeping versions on refetches.")
@click.option("--on", "on", is_flag=True, help="Keep versions on refetches (the default).")
@click.option(
    "--prune-older-than",
    type=click.IntRange(min=0),
    metavar="DAYS",
    help="Drop the past versions replaced more than DAYS days ago.",
)
def versions(db: Path, off: bool, on: bool, prune_older_than: int | None) -> None:
    """Turn part versions on or off for a collection, or prune the old ones."""
    if off and on:
        raise UsageError("--on and --off cannot be used together")
    if not (off or on or prune_older_than is not None):
        raise UsageError("give --off, --on or --prune-older-than DAYS")
    with api.Collection.open(db) as collection:
        if off or on:
            collection.set_versions(on)
            click.echo(f"Part versions {'kept' if on else 'not kept'} on later refetches.")
        if prune_older_than is not None:
            dropped = collection.prune_versions(prune_older_than)
            click.echo(f"{dropped:,} past versions older than {prune_older_than} days dropped.")
