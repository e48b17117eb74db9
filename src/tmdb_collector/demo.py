"""``tmdb-collector demo``: the seed's whole plan against the built-in simulator, offline."""

from __future__ import annotations

import asyncio
import contextlib
import os
import secrets
import sys
import threading
import time
import webbrowser
from collections.abc import Iterator
from pathlib import Path

import click

from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.runner import run_collection
from tmdb_collector.errors import EXIT_PAUSED, UsageError
from tmdb_collector.export.atomic import check_output_dir
from tmdb_collector.export.exporter import export
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.media import DEFAULT_MEDIA, media_type
from tmdb_collector.plan.plan import Plan
from tmdb_collector.simulator.process import simulator_process
from tmdb_collector.store import meta_keys
from tmdb_collector.store.database import stored_media
from tmdb_collector.store.store import Store

DEMO_DB = "tmdb_collection.db"


def run_demo(
    out: Path,
    plan: Plan,
    *,
    rate: float,
    concurrency: int,
    catalog_size: int | None,
    seed: int,
    show_bars: bool,
) -> None:
    started = time.monotonic()
    with _on_simulator(out, plan, rate, concurrency, catalog_size, seed) as (store, settings, key):
        outcome = asyncio.run(run_collection(store, plan, settings, key, show_bars=show_bars))
        if outcome.error is not None:
            raise outcome.error
        if outcome.status == "paused":  # the earlier export, if any, stays as it was
            click.echo("Paused. Run the same command to resume.", err=True)
            sys.exit(EXIT_PAUSED)
        media = plan.media_type
        movies_json = out / media.export_filename
        written = export(store, "json", movies_json)
    elapsed = time.monotonic() - started
    click.echo(
        f"Demo finished: {written:,} {media.plural}, {outcome.requests:,} requests,"
        f" {elapsed:.1f} s total -> {movies_json}"
    )


def run_demo_ui(
    out: Path,
    plan: Plan,
    *,
    rate: float,
    concurrency: int,
    catalog_size: int | None,
    seed: int,
    open_browser: bool,
) -> None:
    """Serve the dashboard on the simulator until Ctrl-C; Start there collects into OUT."""
    from tmdb_collector.dashboard import serve_dashboard

    def ready(url: str) -> None:
        click.echo(f"Dashboard on {url}")
        click.echo("Press Start Collection in the page; Ctrl-C here stops.", err=True)
        if open_browser:
            open_in_browser(url)

    with _on_simulator(out, plan, rate, concurrency, catalog_size, seed) as (store, settings, key):
        serve_dashboard(store, plan, settings, key, on_ready=ready)


@contextlib.contextmanager
def _on_simulator(
    out: Path, plan: Plan, rate: float, concurrency: int, catalog_size: int | None, seed: int
) -> Iterator[tuple[Store, ClientSettings, Credentials]]:
    """OUT's store and a simulator in a child process, with the settings and the throwaway
    key (the simulator insists on one) to reach it."""
    _make_output_dir(out)
    api_key = secrets.token_hex(16)
    sim_args = _simulator_args(seed, catalog_size, plan)
    with (
        _demo_store(out, plan, sim_args) as store,
        simulator_process(sim_args, api_key=api_key) as sim,
    ):
        click.echo(f"Simulated TMDB running at {sim.base_url}", err=True)
        settings = ClientSettings(base_url=sim.base_url, rate=rate, concurrency=concurrency)
        yield store, settings, Credentials(api_key=api_key)


def open_in_browser(url: str) -> None:
    """Best effort, in the background. Without a display it could only start a console
    browser that takes over the terminal, so it is skipped there."""
    if sys.platform.startswith("linux") and not (
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    ):
        return
    threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()


def _demo_store(out: Path, plan: Plan, sim_args: list[str]) -> Store:
    """OUT's collection: resumed only if it was collected from the same simulated catalogue
    (its media, seed and size), so a demo never mixes two catalogues."""
    db = out / DEMO_DB
    held = stored_media(db)
    if held is not None and held != plan.media:
        raise UsageError(
            f"{out} holds a demo of {media_type(held).plural}; use another --out for"
            f" --media {plan.media}"
        )
    store = Store.create_or_open(db, plan)
    catalogue = " ".join(sim_args)
    before = store.meta(meta_keys.DEMO_CATALOGUE)
    if before is None:  # new, or made before demos recorded their catalogue
        store.set_meta(meta_keys.DEMO_CATALOGUE, catalogue)
    elif before != catalogue:
        store.close()
        was = f" ({before})" if before else ""
        raise UsageError(
            f"{out} holds a demo collected from another simulated catalogue{was}; use another"
            f" --out for {catalogue}, or remove {out}"
        )
    return store


def _simulator_args(seed: int, catalog_size: int | None, plan: Plan) -> list[str]:
    args = ["--seed", str(seed)]
    if plan.media != DEFAULT_MEDIA:
        args += ["--media", plan.media]  # the simulator's catalogue of that media type
    if catalog_size is not None:
        args += ["--catalog-size", str(catalog_size)]
    return args


def _make_output_dir(out: Path) -> None:
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UsageError(f"cannot create --out {out}: {exc.strerror or exc}") from None
    check_output_dir(out)
