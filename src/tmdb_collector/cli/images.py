"""``images``: download the image files a collection names."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from tmdb_collector import api
from tmdb_collector.cli.options import (
    AttributedCommand,
    base_url_option,
    ca_file_option,
    check_log_file,
    config_option,
    db_option,
    give_up_option,
    no_progress_option,
    progress_option,
    proxy_option,
    resolve_client_settings,
    run_view,
    timeout_option,
    verbosity_options,
)
from tmdb_collector.cli.reporting import reporting
from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.events import progress_events, tell
from tmdb_collector.errors import EXIT_FAILED_IDS
from tmdb_collector.media.images import (
    DEFAULT_IMAGE_CONCURRENCY,
    DEFAULT_IMAGE_RATE,
    DEFAULT_SIZES,
    IMAGE_KINDS,
)


@click.command("images", cls=AttributedCommand)
@db_option
@click.option(
    "--out",
    type=click.Path(path_type=Path),
    required=True,
    help="Directory the files go to, as <out>/<size>/<file_path>.",
)
@click.option(
    "--kinds",
    metavar="LIST",
    help=f"Comma-separated: {', '.join(IMAGE_KINDS)} (still: TV episodes, from the seasons"
    " part; profile: people, with `collect --linked people`). Default poster.",
)
@click.option(
    "--size",
    metavar="SIZE",
    help="One of the sizes TMDB's /configuration lists for each kind (w92 ... original);"
    " default " + ", ".join(f"{size} for {kind}s" for kind, size in DEFAULT_SIZES.items()) + ".",
)
@click.option(
    "--per-title",
    type=click.IntRange(min=1),
    metavar="N",
    help="The first N images of each kind from the collected images part, instead of each"
    " title's own poster_path, backdrop_path...",
)
@click.option(
    "--image-base-url",
    metavar="URL",
    help="The image server (default: /configuration's images.secure_base_url).",
)
@click.option(
    "--rate",
    type=click.FloatRange(min=0, min_open=True),
    default=DEFAULT_IMAGE_RATE,
    show_default=True,
    help="Files per second.",
)
@click.option(
    "--concurrency",
    type=click.IntRange(min=1),
    default=DEFAULT_IMAGE_CONCURRENCY,
    show_default=True,
    help="Downloads in flight (TMDB's CDN allows about 20 connections).",
)
@click.option(
    "--retry-missing",
    is_flag=True,
    help="Ask again for the files TMDB answered 404 for in earlier runs (recorded, and"
    " otherwise not asked again).",
)
@config_option
@base_url_option
@timeout_option
@give_up_option
@proxy_option
@ca_file_option
@no_progress_option
@progress_option
@verbosity_options
def images(
    db: Path,
    out: Path,
    kinds: str | None,
    size: str | None,
    per_title: int | None,
    image_base_url: str | None,
    rate: float,
    concurrency: int,
    retry_missing: bool,
    no_progress: bool,
    progress_mode: str,
    verbose: int,
    log_file: Path | None,
    **options: Any,
) -> None:
    """Download the posters (or backdrops, logos, stills, profiles) the collection in --db
    names into --out; re-running fetches only what is missing. The API's settings (--base-url,
    --proxy, --ca-file) reach /configuration, which names the image server.

    Needs TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN in the environment (for /configuration).
    """
    check_log_file(log_file, db)
    events = progress_events("images", progress_mode, verbose, log_file)
    with reporting(events):
        result = api.images(
            db,
            out,
            kinds=kinds,
            size=size,
            per_title=per_title,
            image_base_url=image_base_url,
            rate=rate,
            concurrency=concurrency,
            retry_missing=retry_missing,
            settings=resolve_client_settings(options),
            credentials=Credentials.from_env(),
            view=run_view(no_progress, progress_mode, events),
        )
        click.echo(result.summary())
        for shown, reason in result.failures:
            tell(events, f"failed: {shown}: {reason}")
        if result.failed:
            tell(events, "Run the same command again to retry the failed files.")
            raise SystemExit(EXIT_FAILED_IDS)
