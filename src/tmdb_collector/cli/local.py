"""``simulate``, ``demo`` and ``serve``: the built-in simulator and the local dashboard."""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from pathlib import Path
from typing import Any

import click

from tmdb_collector.cli.options import (
    DATE,
    AttributedCommand,
    check_log_file,
    concurrency_option,
    db_option,
    media_option,
    no_progress_option,
    parts_option,
    plan_options,
    rate_option,
    resolve_settings,
    verbosity_options,
)
from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.id_loading import check_new_source
from tmdb_collector.errors import EXIT_PAUSED, UsageError
from tmdb_collector.logs import configure as configure_logging
from tmdb_collector.media import DEFAULT_MEDIA, MEDIA_TYPES
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store


def _outage_windows(
    ctx: click.Context, param: click.Parameter, values: tuple[str, ...]
) -> tuple[Any, ...]:
    from tmdb_collector.simulator.outage import OutageWindow

    try:
        return tuple(OutageWindow.parse(value) for value in values)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command(cls=AttributedCommand)
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
    "--image-latency-ms",
    type=click.FloatRange(min=0),
    default=0.0,
    show_default=True,
    help="Delay added to every image (/t/p/<size>/<file_path>).",
)
@click.option(
    "--image-rate-limit",
    type=click.FloatRange(min=0, min_open=True),
    help="Images/s before 429 (the image CDN's own limit).",
)
@click.option(
    "--image-fault-rate",
    type=click.FloatRange(0, 1),
    default=0.0,
    show_default=True,
    help="Share of image requests given a transient fault.",
)
@click.option(
    "--media",
    type=click.Choice(list(MEDIA_TYPES)),
    default=DEFAULT_MEDIA,
    show_default=True,
    help="The catalogue --catalog-size sizes. Movies and TV series are both served, from "
    "separate id spaces, as on TMDB.",
)
@click.option(
    "--catalog-size", type=click.IntRange(min=1), help="Movies (or, with --media tv, series)."
)
@click.option("--seed", type=int, default=42, show_default=True, help="Catalogue seed.")
@click.option(
    "--today",
    type=DATE,
    help="Simulated date (drives /movie/changes and /tv/changes).",
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
    image_latency_ms: float,
    image_rate_limit: float | None,
    image_fault_rate: float,
    media: str,
    catalog_size: int | None,
    seed: int,
    today: Any,
    outages: tuple[Any, ...],
    drift: float,
) -> None:
    """Serve a simulated TMDB on HOST:PORT (port 0 picks a free one) until Ctrl-C."""
    from tmdb_collector.simulator import SimulatorConfig, run_forever
    from tmdb_collector.simulator.config import CATALOG_SIZE_FIELDS

    values: dict[str, Any] = {
        "host": host,
        "port": port,
        "api_key": api_key,
        "latency_ms": latency_ms,
        "rate_limit": rate_limit,
        "fault_rate": fault_rate,
        "slow_ms": slow_ms,
        "image_latency_ms": image_latency_ms,
        "image_rate_limit": image_rate_limit,
        "image_fault_rate": image_fault_rate,
        "seed": seed,
        "outages": outages,
        "drift": drift,
    }
    if catalog_size is not None:
        if media not in CATALOG_SIZE_FIELDS:
            raise UsageError(
                f"the simulator's {MEDIA_TYPES[media].plural} are those its titles name:"
                " size its movies or series instead"
            )
        values[CATALOG_SIZE_FIELDS[media]] = catalog_size
    if today is not None:
        values["today"] = today.date()
    try:
        run_forever(SimulatorConfig(**values))
    except OSError as exc:  # binding: a port in use, an address this host does not have
        reason = exc.strerror or str(exc)
        raise UsageError(f"cannot listen on {host}:{port}: {reason}") from None


@click.command(cls=AttributedCommand)
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

        def ready(url: str) -> None:
            click.echo(f"Dashboard on {url}")
            click.echo("Press Start Collection in the page; Ctrl-C here stops.", err=True)
            if not no_browser:
                open_in_browser(url)

        run_demo_ui(
            out,
            plan,
            rate=rate,
            concurrency=concurrency,
            catalog_size=catalog_size,
            seed=seed,
            on_simulator=_simulator_running,
            on_ready=ready,
        )
        return
    run = run_demo(
        out,
        plan,
        rate=rate,
        concurrency=concurrency,
        catalog_size=catalog_size,
        seed=seed,
        show_bars=not no_progress,
        on_simulator=_simulator_running,
    )
    if run.path is None:  # paused: the earlier export, if any, stays as it was
        click.echo("Paused. Run the same command to resume.", err=True)
        sys.exit(EXIT_PAUSED)
    click.echo(
        f"Demo finished: {run.exported:,} {plan.media_type.plural},"
        f" {run.outcome.requests:,} requests, {run.seconds:.1f} s total -> {run.path}"
    )


def _simulator_running(url: str) -> None:
    click.echo(f"Simulated TMDB running at {url}", err=True)


def open_in_browser(url: str) -> None:
    """Best effort, in the background. Without a display it could only start a console
    browser that takes over the terminal, so it is skipped there."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


@click.command(cls=AttributedCommand)
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

    check_log_file(log_file, db)
    configure_logging(verbose, log_file)
    plan, settings = resolve_settings(options, db)
    credentials = Credentials.from_env()
    if not is_loopback(host):
        click.echo(f"warning: anyone who can reach {host} can control this dashboard", err=True)
    unchecked = check_new_source(db, plan)
    with Store.create_or_open(db, plan) as store:
        last = serve_dashboard(
            store,
            plan,
            settings,
            credentials,
            host=host,
            port=port,
            on_ready=lambda url: click.echo(f"Dashboard on {url}"),
        )
        refused = (
            None if unchecked is None or last is None else unchecked.refusal(last.error, store)
        )
    if refused is not None:  # as collect: a refused --ids-from URL leaves no collection behind
        assert unchecked is not None
        unchecked.remove()
        raise refused
