"""The options the commands share, declared once, and how they become a plan and
client settings."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from dataclasses import fields
from pathlib import Path
from typing import Any, TypeVar

import click

from tmdb_collector.about import ATTRIBUTION
from tmdb_collector.api import RunView
from tmdb_collector.engine.events import ProgressEvents
from tmdb_collector.errors import CollectorError, UsageError
from tmdb_collector.fetch.settings import (
    BASE_URL_ENV,
    DEFAULT_BASE_URL,
    ClientSettings,
    build_client_settings,
    parse_duration,
)
from tmdb_collector.media import DEFAULT_MEDIA, MEDIA_TYPES, ExpandingPart, MediaType
from tmdb_collector.media.base import APPEND_LIMIT
from tmdb_collector.media.translated import language_code
from tmdb_collector.plan.config import build_plan, read_config
from tmdb_collector.plan.linked import DEFAULT_PERSON_PARTS, PERSON_PARTS, linked_in_words
from tmdb_collector.plan.plan import (
    DEFAULT_MEDIA_LANGUAGES,
    Plan,
    parse_genres,
    parse_pages,
)
from tmdb_collector.store.database import database_error, database_files, stored_plan

F = TypeVar("F", bound=Callable[..., Any])
PROGRESS_MODES = ("auto", "plain", "json")
DEFAULT_DB = Path("tmdb_collection.db")
DATE = click.DateTime(["%Y-%m-%d"])  # --since, --as-of, --today: YYYY-MM-DD


def _pages(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    return None if value is None else _as_usage(lambda: parse_pages(value, param.opts[0]))


def _genres(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    """Its syntax checked here, kept as text: the plan reads it against its media type's
    genres (the media may come from the collection, not known yet)."""
    if value is not None:
        _as_usage(lambda: parse_genres(value, known={}))
    return value


def _language(ctx: click.Context, param: click.Parameter, value: str | None) -> object:
    return None if value is None else _as_usage(lambda: language_code(value, param.opts[0]))


def _as_usage(parse: Callable[[], object]) -> object:
    try:
        return parse()
    except CollectorError as exc:
        raise click.BadParameter(exc.cli_message) from None


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
    "per line on stderr (docs/progress-json.md).",
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


def _each_media(
    say: Callable[[MediaType], str], between: str = " or ", *, listed: bool = False
) -> str:
    """A fact of every media type (``listed``: of those TMDB lists), for a flag's help:
    "/movie/popular or /tv/popular"."""
    chosen = (media for media in MEDIA_TYPES.values() if media.listed or not listed)
    return between.join(say(media) for media in chosen)


def _parts_of(media: MediaType) -> str:
    """``Movies: credits, ... (default ...).``, with what an expanding part costs."""
    costs = "".join(
        f"; {part.name} costs one more request per {APPEND_LIMIT} {part.name}"
        for part in media.parts
        if isinstance(part, ExpandingPart)
    )
    return (
        f"{media.title}: {', '.join(media.part_names)}"
        f" (default {','.join(media.default_parts) or 'none'}{costs})."
    )


def parts_option(what: str) -> Callable[[F], F]:
    return click.option(
        "--parts",
        metavar="LIST",
        help=f"{what}: comma-separated TMDB sub-resources, 'all', or 'none' (details alone). "
        + _each_media(_parts_of, " "),
    )


def media_option(default: str | None = None) -> Callable[[F], F]:
    return click.option(
        "--media",
        type=click.Choice(list(MEDIA_TYPES)),
        default=default,
        show_default=default is not None,
        help="What to collect from TMDB: "
        + _each_media(lambda media: f"{media.name} ({media.plural})", ", ")
        + f" (default {DEFAULT_MEDIA}). A database holds one media type, fixed when it is"
        " created.",
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
            help=f"Stage 1: {_each_media(lambda media: media.popular_path, listed=True)} pages"
            f" (default {Plan.popular_pages}; 0 skips; 'all').",
        ),
        click.option(
            "--genre-pages",
            callback=_pages,
            help=f"Stage 2: {_each_media(lambda media: media.discover_path, listed=True)} pages per"
            f" genre (default {Plan.genre_pages}; 0 skips; 'all' or >500 splits by"
            f" {_each_media(lambda media: media.date_field, listed=True)} to reach every"
            " result).",
        ),
        click.option(
            "--genres",
            callback=_genres,
            help="Comma-separated TMDB genre ids (default: all the media type's genres: "
            + _each_media(lambda media: f"{len(media.genres)} {media.word}", ", ", listed=True)
            + ").",
        ),
        click.option(
            "--ids-from",
            help="Take ids from TMDB's daily ID export (file or URL) instead of stages 1-2: "
            + _each_media(lambda media: f"{media.daily_export_prefix}_MM_DD_YYYY.json.gz", ", ")
            + ". TMDB lists no "
            + ", ".join(media.plural for media in MEDIA_TYPES.values() if not media.listed)
            + ": they need it.",
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
        click.option(
            "--language",
            metavar="xx-YY",
            callback=_language,
            help="The language TMDB answers the lists and details in (xx or xx-YY; default"
            f" {Plan.language}): titles, overviews, taglines and genre names where it has them"
            " in that language, the default ones elsewhere.",
        ),
        media_languages_option("image"),
        media_languages_option("video"),
        *linked_options(),
    )


def linked_options() -> list[Callable[[F], F]]:
    """The linked stage's flags (plan/linked.py)."""
    return [
        click.option(
            "--linked",
            metavar="LIST",
            help="After stage 3, fetch the entities the titles name, one request each: "
            + linked_in_words()
            + ", or 'all' (default none).",
        ),
        click.option(
            "--person-parts",
            metavar="LIST",
            help="With --linked people: the parts appended to each person request: "
            + ", ".join(PERSON_PARTS)
            + f", 'all' or 'none' (default {','.join(DEFAULT_PERSON_PARTS)}).",
        ),
        click.option(
            "--linked-cast",
            metavar="N",
            help="With --linked people: only the first N billed cast of each title (default all).",
        ),
        click.option(
            "--linked-crew",
            metavar="LIST",
            help="With --linked people: only crew of these departments (e.g. Directing,Writing;"
            " 'none' for no crew; default all).",
        ),
    ]


def _fields_of(cls: type[Any], options: dict[str, Any]) -> dict[str, Any]:
    """The options named like a field of dataclass ``cls``."""
    names = {field.name for field in fields(cls)}
    return {name: value for name, value in options.items() if name in names}


def resolve_client_settings(options: dict[str, Any]) -> ClientSettings:
    """--config's [client] table with the client flags on top."""
    config = read_config(options.get("config"))
    return build_client_settings(config.client, _fields_of(ClientSettings, options))


def resolve_settings(
    options: dict[str, Any], db: Path, *, force_plan: bool = False
) -> tuple[Plan, ClientSettings]:
    """--config's [plan] and [client] tables with the plan and client flags on top. For an
    existing --db, what they leave unset is the collection's own plan (so `collect --db DB`
    resumes it, and a flag changes only its own setting), except with ``force_plan``: the
    plan adopted is then exactly what they say, the defaults filling in. Without --media or
    ``media`` in [plan], it keeps the media type it holds."""
    config = read_config(options.get("config"))
    overrides = _fields_of(Plan, options)
    plan = build_plan(config, overrides, stored_plan(db), force_plan=force_plan)
    settings = build_client_settings(config.client, _fields_of(ClientSettings, options))
    return plan, settings


def check_log_file(log_file: Path | None, db: Path) -> None:
    """A --log-file is appended to: never the database (or its journal files)."""
    if log_file is None:
        return
    target = log_file.resolve()
    if target in database_files(db):
        raise UsageError(f"--log-file {log_file} is the database {db}; log somewhere else")
    try:
        with target.open("rb") as existing:
            start = existing.read(16).lstrip()
    except OSError:
        return  # missing (it is created), or opening it for the log says why
    if start.startswith(b"SQLite format 3") or start[:1] in (b"{", b"["):
        raise UsageError(
            f"--log-file {log_file} holds a database or JSON, not a log; log somewhere else"
        )


def verbosity_options(func: F) -> F:
    func = click.option(
        "--log-file",
        type=click.Path(path_type=Path, dir_okay=False),
        help="Also log here, appending, with timestamps: every level (as -vv), each run's start"
        " and end, and the error that ends the command.",
    )(func)
    func = click.option("-v", "--verbose", count=True, help="More log output (-vv: debug).")(func)
    return func


def run_view(no_progress: bool, progress_mode: str, events: ProgressEvents | None) -> RunView:
    """How a command's run shows itself: bars on a terminal unless told otherwise, or JSON
    events; Ctrl-C pauses it."""
    show_bars = not no_progress and progress_mode == "auto"
    return RunView(show_bars=show_bars, events=events, handle_signals=True)


class AttributedCommand(click.Command):
    """A command whose ``--help`` ends with TMDB's attribution, as TMDB's terms ask, and
    whose SQLite errors that the library did not name (a read of a damaged page, anywhere)
    are told as the store tells them, naming its ``--db``: not as a bug to re-run."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("epilog", ATTRIBUTION)
        super().__init__(*args, **kwargs)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except sqlite3.Error as exc:
            db = ctx.params.get("db")
            # Only SQLite's own failures (they carry its result code): a misuse of the
            # connection (a closed one: ProgrammingError) is a bug, reported as one.
            if not isinstance(db, Path) or getattr(exc, "sqlite_errorcode", None) is None:
                raise
            raise database_error(db, exc) from exc


class AttributedGroup(click.Group):
    command_class = AttributedCommand
