"""The ``tmdb-collector`` command line: a thin layer over the library.

Each command parses its options, builds library objects and calls them. Errors we raise become
one line on stderr and an exit code: 2 for bad input, 1 for runtime failures, 3 when a
collection finished with failed ids, 130 when it was paused.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import sys
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import click

from tmdb_collector import ATTRIBUTION, __version__, api
from tmdb_collector.credentials import Credentials, redact
from tmdb_collector.engine.collector import RunOutcome
from tmdb_collector.engine.events import ProgressEvents, progress_events, reporting, tell
from tmdb_collector.engine.runner import run_update_with_progress
from tmdb_collector.errors import (
    EXIT_FAILED_IDS,
    EXIT_PAUSED,
    EXIT_RUNTIME,
    EXIT_USAGE,
    CollectorError,
    UnexpectedError,
)
from tmdb_collector.export.exporter import FORMATS, default_export_path
from tmdb_collector.fetch.settings import (
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    ClientSettings,
    parse_duration,
)
from tmdb_collector.logs import LOGGER
from tmdb_collector.logs import configure as configure_logging
from tmdb_collector.media import DEFAULT_MEDIA, MEDIA_TYPES, MOVIE, TV, MediaType, media_type
from tmdb_collector.plan.config import build_client_settings, build_plan, read_config
from tmdb_collector.plan.plan import (
    DEFAULT_MEDIA_LANGUAGES,
    GENRES,
    Plan,
    parse_genres,
    parse_pages,
)
from tmdb_collector.status import collection_status, format_status
from tmdb_collector.store.database import stored_media
from tmdb_collector.store.progress import HARVEST_STAGES
from tmdb_collector.store.store import Store

F = TypeVar("F", bound=Callable[..., Any])
PROGRESS_MODES = ("auto", "plain", "json")
DEFAULT_DB = Path("tmdb_collection.db")


def _pages(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    return None if value is None else _as_usage(lambda: parse_pages(value, f"--{param.name}"))


def _genres(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    """Checked here, kept as text: the plan reads it against its media type's genres."""
    if value is not None:
        _as_usage(lambda: parse_genres(value))
    return value


def _as_usage(parse: Callable[[], object]) -> object:
    try:
        return parse()
    except CollectorError as exc:
        raise click.BadParameter(str(exc)) from None


db_option = click.option(
    "--db",
    type=click.Path(path_type=Path, dir_okay=True),
    default=DEFAULT_DB,
    show_default=True,
    help="Checkpoint database (SQLite).",
)
config_option = click.option(
    "--config",
    type=click.Path(path_type=Path, dir_okay=False),
    help="TOML file with [plan] and [client] tables; flags win over it.",
)
no_progress_option = click.option(
    "--no-progress", is_flag=True, help="Plain output, no progress bars."
)
progress_option = click.option(
    "--progress",
    "progress_mode",
    type=click.Choice(PROGRESS_MODES),
    default="auto",
    show_default=True,
    help="auto: bars on a terminal; plain: none (like --no-progress); json: one JSON event "
    "per line on stderr (docs/progress.md).",
)
base_url_option = click.option(
    "--base-url",
    help=f"TMDB-compatible API root (env {BASE_URL_ENV}; default {DEFAULT_BASE_URL}).",
)


def _client_option(flag: str, kind: type, what: str, default: float | None) -> Callable[[F], F]:
    """A flag for a ClientSettings field; its help names the field's default."""
    fallback = getattr(ClientSettings, flag.removeprefix("--"))
    shown = "" if default is not None else f" (default {fallback:g})"
    return click.option(
        flag, type=kind, default=default, show_default=default is not None, help=f"{what}{shown}."
    )


def rate_option(default: float | None = None) -> Callable[[F], F]:
    return _client_option("--rate", float, "Requests per second, all stages", default)


def concurrency_option(default: int | None = None) -> Callable[[F], F]:
    return _client_option("--concurrency", int, "Requests in flight", default)


timeout_option = _client_option("--timeout", float, "Seconds per request", None)


def _duration(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    return None if value is None else _as_usage(lambda: parse_duration(value, "--give-up-after"))


give_up_option = click.option(
    "--give-up-after",
    callback=_duration,
    metavar="DURATION",
    help="When TMDB stays unreachable this long (e.g. 30m, 2h), end with exit 1; nothing is "
    "marked failed and re-running resumes (default: wait for TMDB forever).",
)


def _stack(func: F, *options: Callable[[Any], Any]) -> F:
    for option in reversed(options):
        func = option(func)
    return func


proxy_option = click.option(
    "--proxy",
    metavar="URL",
    help="HTTP(S) proxy, http://[user:password@]host:port (default: HTTPS_PROXY / HTTP_PROXY,"
    " NO_PROXY honoured).",
)
ca_file_option = click.option(
    "--ca-file",
    type=click.Path(dir_okay=False),
    help="PEM file of CAs to trust besides the system's (SSL_CERT_FILE), e.g. a proxy's.",
)


def client_options(func: F) -> F:
    """The [client] settings a flag can override: --base-url, --rate, --concurrency, --timeout,
    --give-up-after, --proxy and --ca-file."""
    return _stack(
        func,
        base_url_option,
        rate_option(),
        concurrency_option(),
        timeout_option,
        give_up_option,
        proxy_option,
        ca_file_option,
    )


def parts_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--parts",
        metavar="LIST",
        help=f"{what}: comma-separated TMDB sub-resources, or 'all'. Movies:"
        f" {', '.join(MOVIE.part_names)} (default {','.join(MOVIE.default_parts)}). TV:"
        f" {', '.join(TV.part_names)} (default {','.join(TV.default_parts)}; seasons costs"
        " one more request per 20 seasons).",
    )


def media_option(default: str | None = None) -> Callable[[F], F]:
    return click.option(
        "--media",
        type=click.Choice(list(MEDIA_TYPES)),
        default=default,
        show_default=default is not None,
        help="What to collect: TMDB movies or TV series (default movie). A database holds one"
        " media type, fixed when it is created.",
    )


def media_languages_option(kind: str) -> Callable[[F], F]:
    return click.option(
        f"--{kind}-languages",
        metavar="LIST",
        help=f"With the {kind}s part: the languages of the {kind}s kept (ISO-639-1 codes, 'null'"
        f" for none; default {DEFAULT_MEDIA_LANGUAGES}; 'all': every language).",
    )


def plan_options(func: F) -> F:
    """--config, the [plan] settings a flag can override, and the client options."""
    func = client_options(func)
    return _stack(
        func,
        config_option,
        media_option(),
        click.option(
            "--popular-pages",
            callback=_pages,
            help=f"Stage 1: /movie/popular or /tv/popular pages (default {Plan.popular_pages};"
            " 0 skips; 'all').",
        ),
        click.option(
            "--genre-pages",
            callback=_pages,
            help=f"Stage 2: /discover/movie or /discover/tv pages per genre (default "
            f"{Plan.genre_pages}; 0 skips; 'all' or >500 splits by release or first air date to "
            "reach every result).",
        ),
        click.option(
            "--genres",
            callback=_genres,
            help=f"Comma-separated TMDB genre ids (default: all {len(GENRES)} movie genres, or "
            f"all {len(TV.genres)} TV genres).",
        ),
        click.option(
            "--ids-from",
            help="Take ids from TMDB's daily ID export (file or URL) instead of stages 1-2.",
        ),
        click.option(
            "--min-popularity", type=float, help="With --ids-from: skip less popular entries."
        ),
        click.option(
            "--include-adult", is_flag=True, default=None, help="With --ids-from: keep adult."
        ),
        click.option(
            "--include-video", is_flag=True, default=None, help="With --ids-from: keep video."
        ),
        parts_option("Stage 3: the parts appended to each details request (one request an item)"),
        media_languages_option("image"),
        media_languages_option("video"),
    )


def _fields_of(cls: type[Any], options: dict[str, Any]) -> dict[str, Any]:
    """The options named like a field of dataclass ``cls``."""
    names = {field.name for field in fields(cls)}
    return {name: value for name, value in options.items() if name in names}


def resolve_client_settings(options: dict[str, Any]) -> ClientSettings:
    """--config's [client] table with the client flags on top."""
    config = read_config(options.get("config"))
    return build_client_settings(config, _fields_of(ClientSettings, options))


def resolve_settings(options: dict[str, Any], db: Path) -> tuple[Plan, ClientSettings]:
    """--config's [plan] and [client] tables with the plan and client flags on top. Without
    --media or ``media`` in [plan], an existing --db keeps the media type it holds."""
    config = read_config(options.get("config"))
    overrides = _fields_of(Plan, options)
    if overrides.get("media") is None and "media" not in config.plan:
        overrides["media"] = stored_media(db)
    plan = build_plan(config, overrides)
    settings = build_client_settings(config, _fields_of(ClientSettings, options))
    return plan, settings


def verbosity_options(func: F) -> F:
    func = click.option(
        "--log-file", type=click.Path(path_type=Path, dir_okay=False), help="Also log here."
    )(func)
    func = click.option("-v", "--verbose", count=True, help="More log output (-vv: debug).")(func)
    return func


class _AttributedCommand(click.Command):
    """A command whose ``--help`` ends with TMDB's attribution, as TMDB's terms ask."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("epilog", ATTRIBUTION)
        super().__init__(*args, **kwargs)


class _AttributedGroup(click.Group):
    command_class = _AttributedCommand


@click.group(
    cls=_AttributedGroup,
    epilog=ATTRIBUTION,
    context_settings={"help_option_names": ["-h", "--help"]},
)
@click.version_option(__version__, prog_name="tmdb-collector")
def cli() -> None:
    """Harvest a movie dataset from The Movie Database (TMDB) API."""


@cli.command()
@db_option
@plan_options
@click.option("--force-plan", is_flag=True, help="Adopt a changed plan for an existing --db.")
@click.option("--retry-failed", is_flag=True, help="Retry ids that failed in earlier runs.")
@click.option(
    "--harvest-only", is_flag=True, help="Stop after stages 1-2: harvest ids, fetch no details."
)
@click.option(
    "--reharvest",
    type=click.Choice([*HARVEST_STAGES, "all"]),
    is_flag=False,
    flag_value="all",
    help="Fetch a stage's list pages again (alone: both stages) and add the ids they missed.",
)
@no_progress_option
@progress_option
@verbosity_options
def collect(
    db: Path,
    force_plan: bool,
    retry_failed: bool,
    harvest_only: bool,
    reharvest: str | None,
    no_progress: bool,
    progress_mode: str,
    verbose: int,
    log_file: Path | None,
    **options: Any,
) -> None:
    """Collect the plan's movies (or, with --media tv, series) into --db; re-running resumes
    where it stopped.

    Needs TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN in the environment.
    """
    events = progress_events("collect", progress_mode, verbose, log_file)
    with reporting(events):
        plan, settings = resolve_settings(options, db)
        result = api.collect(
            db,
            plan,
            settings=settings,
            credentials=Credentials.from_env(),
            force_plan=force_plan,
            retry_failed=retry_failed,
            harvest_only=harvest_only,
            reharvest=_reharvest_stages(reharvest),
            view=api.RunView(
                show_bars=not no_progress and progress_mode == "auto",
                events=events,
                handle_signals=True,
            ),
        )
        if retry_failed:
            tell(events, f"Retrying {result.retried} failed ids.")
        if reharvest:
            stages = ", ".join(_reharvest_stages(reharvest))
            tell(events, f"Reharvested {stages}: {result.reharvested} list pages fetched again.")
        _finish(result.outcome, result.status, events)
        _harvest_note(result.status, harvest_only)


def _reharvest_stages(choice: str | None) -> tuple[str, ...]:
    if choice is None:
        return ()
    return HARVEST_STAGES if choice == "all" else (choice,)


def _harvest_note(report: dict[str, Any], harvest_only: bool) -> None:
    if harvest_only:
        pending = report["ids"]["pending"]
        click.echo(f"{pending:,} ids await details; run without --harvest-only to fetch them.")


def _finish(
    outcome: RunOutcome, report: dict[str, Any], events: ProgressEvents | None = None
) -> None:
    """The run's summary, then its exit status; ``report`` is the status after it."""
    if outcome.status == "nothing-to-do":
        what = "harvest" if report["ids"]["pending"] else "collection"
        click.echo(f"The {what} is complete; nothing to fetch.")
        click.echo(format_status(report))
    elif outcome.error is not None:
        raise outcome.error
    else:
        click.echo(summary_line(outcome, media_type(report.get("media", DEFAULT_MEDIA))))
    if outcome.status == "paused":
        tell(events, "Paused. Run the same command to resume.")
        sys.exit(EXIT_PAUSED)
    if outcome.failed_pages:
        tell(
            events,
            f"{outcome.failed_pages} harvest pages failed; re-running the command retries them.",
        )
    if outcome.failed:
        tell(
            events,
            f"{outcome.failed} ids failed; `tmdb-collector collect --retry-failed` retries them.",
        )
    if outcome.failed or outcome.failed_pages:
        sys.exit(EXIT_FAILED_IDS)


def summary_line(outcome: RunOutcome, media: MediaType = MOVIE) -> str:
    rate = outcome.requests / outcome.elapsed if outcome.elapsed > 0 else 0.0
    return (
        f"{outcome.movies:,} {media.plural} collected ({outcome.not_found} not found, "
        f"{outcome.failed} failed); {outcome.requests:,} requests in {outcome.elapsed:.1f} s "
        f"({rate:.1f} req/s, {outcome.throttled} rate-limited)"
    )


@cli.command()
@db_option
@click.option(
    "--max-age",
    type=click.IntRange(min=0),
    help="Also refetch items fetched more than DAYS days ago.",
    metavar="DAYS",
)
@click.option(
    "--since",
    type=click.DateTime(["%Y-%m-%d"]),
    help="Read the changes from DATE (YYYY-MM-DD) instead of from the last sync.",
)
@click.option(
    "--ids-from",
    metavar="FILE_OR_URL",
    help="Also follow this daily ID export: queue its new ids, mark vanished ones removed.",
)
@config_option
@client_options
@no_progress_option
@progress_option
@verbosity_options
def update(
    db: Path,
    max_age: int | None,
    since: Any,
    ids_from: str | None,
    no_progress: bool,
    progress_mode: str,
    verbose: int,
    log_file: Path | None,
    **options: Any,
) -> None:
    """Refetch the movies (or series) TMDB reports as changed since the last sync."""
    events = progress_events("update", progress_mode, verbose, log_file)
    with reporting(events):
        settings = resolve_client_settings(options)
        credentials = Credentials.from_env()
        with Store.open_existing(db) as store:
            store.lock()
            result = asyncio.run(
                run_update_with_progress(
                    store,
                    settings,
                    credentials,
                    max_age_days=max_age,
                    show_bars=not no_progress and progress_mode == "auto",
                    events=events,
                    since=since.date() if since else None,
                    ids_from=ids_from,
                )
            )
            if result.export is not None:
                click.echo(
                    f"Daily export: {result.export.added:,} new ids queued, "
                    f"{result.export.removed:,} ids marked removed, "
                    f"{result.export.restored:,} listed again."
                )
                if store.plan().ids_from is None:
                    tell(
                        events,
                        "New ids are only queued for a collection built with --ids-from;"
                        " `collect --reharvest` finds this one's.",
                    )
            click.echo(
                f"Changes {result.since}..{result.until}: {result.changed:,} ids changed on TMDB;"
                f" {result.refreshed:,} collected {store.media_type.plural} refetched"
                f" ({result.stale:,} for age)."
            )
            _finish(result.run, collection_status(store), events)


@cli.command()
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


@cli.command("export")
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
    help="The parts to export (comma-separated, or 'all'); default: the collection's. Items"
    " lacking one are left out.",
)
@click.option(
    "--include-removed",
    is_flag=True,
    help="Also export items gone from TMDB's daily export (see update --ids-from).",
)
def export_command(
    db: Path, fmt: str, out: Path | None, parts: str | None, include_removed: bool
) -> None:
    """Export the collected movies or series (movies.json or tv.json, in the seed's shape, by
    default)."""
    with api.Collection.open(db) as collection:
        media = collection.media
        target = default_export_path(media, fmt) if out is None else out
        count = collection.export(target, format=fmt, parts=parts, include_removed=include_removed)
        missing = collection.lacking(parts)
    click.echo(f"Wrote {count:,} {media.plural} to {target} ({fmt}).")
    if missing:
        click.echo(
            f"{missing:,} collected {media.plural} lack one of these parts and were left out;"
            " `collect --parts ...` with the same parts fetches them.",
            err=True,
        )


def _outage_windows(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[Any, ...]:
    from tmdb_collector.simulator.outage import OutageWindow

    try:
        return tuple(OutageWindow.parse(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@cli.command()
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=0,
    show_default=True,
    help="Port to listen on; 0 picks a free one.",
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--api-key",
    envvar="TMDB_SIMULATOR_API_KEY",
    help="Only accept this key/token (env TMDB_SIMULATOR_API_KEY); default: any.",
)
@click.option(
    "--latency-ms",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Delay added to every response.",
)
@click.option(
    "--rate-limit", type=click.FloatRange(min=0, min_open=True), help="Requests/s before 429."
)
@click.option(
    "--fault-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of requests given a transient fault (5xx, slow, reset, truncated body).",
)
@click.option(
    "--slow-ms",
    type=click.FloatRange(min=0),
    default=30_000.0,
    show_default=True,
    help="How long a 'slow' fault stalls.",
)
@click.option(
    "--media",
    type=click.Choice(["movie", "tv"]),
    default="movie",
    show_default=True,
    help="The catalogue --catalog-size sizes. Movies and TV series are both served, from "
    "separate id spaces, as on TMDB.",
)
@click.option(
    "--catalog-size", type=click.IntRange(min=1), help="Movies (or, with --media tv, series)."
)
@click.option("--seed", type=int, default=42, show_default=True, help="Catalogue seed.")
@click.option(
    "--today", type=click.DateTime(["%Y-%m-%d"]), help="Simulated date (drives /movie/changes)."
)
@click.option(
    "--outage",
    "outages",
    multiple=True,
    callback=_outage_windows,
    metavar="AFTER_S:DURATION_S[:KIND]",
    help="Hold an outage AFTER_S seconds after start for DURATION_S: refuse (default; "
    "connections refused), html503 (a CDN's HTML 503) or portal200 (a captive portal's "
    "HTML 200). Repeatable.",
)
@click.option(
    "--drift",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Re-rank popularity lists between requests: the chance that the two items either "
    "side of a page boundary trade places at each list request (deterministic for --seed), "
    "so an item can show on two pages and another on none.",
)
def simulate(
    port: int,
    host: str,
    api_key: str | None,
    latency_ms: float,
    rate_limit: float | None,
    fault_rate: float,
    slow_ms: float,
    media: str,
    catalog_size: int | None,
    seed: int,
    today: Any,
    outages: tuple[Any, ...],
    drift: float,
) -> None:
    """Serve a simulated TMDB on HOST:PORT (port 0 picks a free one) until Ctrl-C."""
    from tmdb_collector.simulator import SimulatorConfig, run_forever

    values: dict[str, Any] = {
        "host": host,
        "port": port,
        "api_key": api_key,
        "latency_ms": latency_ms,
        "rate_limit": rate_limit,
        "fault_rate": fault_rate,
        "slow_ms": slow_ms,
        "seed": seed,
        "outages": outages,
        "drift": drift,
    }
    if catalog_size is not None:
        values["tv_catalog_size" if media == "tv" else "catalog_size"] = catalog_size
    if today is not None:
        values["today"] = today.date()
    run_forever(SimulatorConfig(**values))


@cli.command()
@click.option(
    "--out",
    type=click.Path(path_type=Path, file_okay=False),
    default=Path("demo-output"),
    show_default=True,
    help="Directory for the database and movies.json (tv.json with --media tv).",
)
@media_option(default=DEFAULT_MEDIA)
@rate_option(default=400.0)
@concurrency_option(default=32)
@click.option("--catalog-size", type=click.IntRange(min=1), help="Simulated catalogue size.")
@click.option("--seed", type=int, default=42, show_default=True, help="Catalogue seed.")
@no_progress_option
@click.option("--ui", is_flag=True, help="Collect from the web dashboard instead (until Ctrl-C).")
@click.option("--no-browser", is_flag=True, help="With --ui: print the URL, open no browser.")
@parts_option("The parts of each movie or series")
def demo(
    out: Path,
    media: str,
    rate: float,
    concurrency: int,
    catalog_size: int | None,
    seed: int,
    no_progress: bool,
    ui: bool,
    no_browser: bool,
    parts: str | None,
) -> None:
    """Run the seed's full plan against the built-in simulator and write OUT/movies.json
    (with --media tv, the TV plan and OUT/tv.json).

    With --ui, serve the dashboard on the simulator instead: Start, Pause and Download there.
    """
    from tmdb_collector.demo import run_demo, run_demo_ui

    configure_logging()
    values = {"media": media} if parts is None else {"media": media, "parts": parts}
    plan = Plan.from_dict(values, source="--parts")
    if ui:
        run_demo_ui(
            out,
            plan,
            rate=rate,
            concurrency=concurrency,
            catalog_size=catalog_size,
            seed=seed,
            open_browser=not no_browser,
        )
        return
    run_demo(
        out,
        plan,
        rate=rate,
        concurrency=concurrency,
        catalog_size=catalog_size,
        seed=seed,
        show_bars=not no_progress,
    )


@cli.command()
@db_option
@plan_options
@click.option(
    "--host",
    default="127.0.0.1",
    show_default=True,
    help="Address to listen on; keep it loopback (the page can start runs and download data).",
)
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@verbosity_options
def serve(
    db: Path, host: str, port: int, verbose: int, log_file: Path | None, **options: Any
) -> None:
    """Serve the collection dashboard (Start / Pause / Download Data) until Ctrl-C.

    Prints `Dashboard on URL` first. Needs TMDB_API_KEY or TMDB_READ_ACCESS_TOKEN in the
    environment; the key stays in this process and never reaches the page.
    """
    from tmdb_collector.dashboard import serve_dashboard
    from tmdb_collector.dashboard.security import is_loopback

    configure_logging(verbose, log_file)
    plan, settings = resolve_settings(options, db)
    credentials = Credentials.from_env()
    if not is_loopback(host):
        click.echo(f"warning: anyone who can reach {host} can control this dashboard", err=True)
    with Store.create_or_open(db, plan) as store:
        serve_dashboard(
            store,
            plan,
            settings,
            credentials,
            host=host,
            port=port,
            on_ready=lambda url: click.echo(f"Dashboard on {url}"),
        )


def main() -> None:
    """Console entry point: our errors become one redacted line and an exit code."""
    # Arrow's default allocator (mimalloc) held some 90 MB more at the peak of a table export
    # than the system's (docs/benchmarks.md); a choice made in the environment wins.
    os.environ.setdefault("ARROW_DEFAULT_MEMORY_POOL", "system")
    try:
        code = cli.main(standalone_mode=False)
    except click.UsageError as exc:
        hint = f" (see `{exc.ctx.command_path} --help`)" if exc.ctx else ""
        click.echo(f"error: {redact(exc.format_message())}{hint}", err=True)
        sys.exit(EXIT_USAGE)
    except click.ClickException as exc:
        click.echo(f"error: {redact(exc.format_message())}", err=True)
        sys.exit(exc.exit_code)
    except click.Abort:
        click.echo("Aborted.", err=True)
        sys.exit(EXIT_PAUSED)
    except CollectorError as exc:
        click.echo(f"error: {redact(str(exc))}", err=True)
        sys.exit(exc.exit_code)
    except KeyboardInterrupt:
        click.echo("Interrupted.", err=True)
        sys.exit(EXIT_PAUSED)
    except Exception as exc:  # a bug: one line; the traceback only with -v
        logging.getLogger(LOGGER).info("unexpected error", exc_info=exc)
        click.echo(f"error: {redact(str(UnexpectedError('in tmdb-collector', exc)))}", err=True)
        sys.exit(EXIT_RUNTIME)
    sys.exit(code if isinstance(code, int) else 0)
