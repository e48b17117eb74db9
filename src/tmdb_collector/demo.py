"""``tmdb-collector demo``: the seed's whole plan against the built-in simulator, offline."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.collector import RunOutcome
from tmdb_collector.engine.runner import run_collection
from tmdb_collector.errors import UsageError
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
Announce = Callable[[str], None]  # told a URL: the simulator's, or the dashboard's


def _unheard(url: str) -> None:
    """The default :data:`Announce`: nobody is told."""


@dataclass(frozen=True)
class DemoRun:
    """A demo's collection and its export: ``path`` (``exported`` items), or None when the
    collection was paused (the earlier export, if any, stays as it was)."""

    outcome: RunOutcome
    path: Path | None
    exported: int
    seconds: float  # the whole demo: simulator, collection and export


def run_demo(
    out: Path,
    plan: Plan,
    *,
    rate: float,
    concurrency: int,
    catalog_size: int | None,
    seed: int,
    show_bars: bool,
    on_simulator: Announce = _unheard,
) -> DemoRun:
    """Collect ``plan`` from a simulator (``on_simulator`` is told its URL once it runs) into
    OUT's database, then export it as OUT's json; raises the collection's error, if any."""
    started = time.monotonic()
    with _on_simulator(out, plan, rate, concurrency, catalog_size, seed) as (store, settings, key):
        on_simulator(settings.base_url)
        outcome = asyncio.run(run_collection(store, plan, settings, key, show_bars=show_bars))
        if outcome.error is not None:
            raise outcome.error
        if outcome.status == "paused":
            return DemoRun(outcome, None, 0, time.monotonic() - started)
        path = out / plan.media_type.export_filename
        written = export(store, "json", path)
    return DemoRun(outcome, path, written, time.monotonic() - started)


def run_demo_ui(
    out: Path,
    plan: Plan,
    *,
    rate: float,
    concurrency: int,
    catalog_size: int | None,
    seed: int,
    on_ready: Announce = _unheard,
    on_simulator: Announce = _unheard,
) -> None:
    """Serve the dashboard on the simulator until Ctrl-C (``on_ready`` is told its URL once it
    listens); Start there collects into OUT."""
    from tmdb_collector.dashboard import serve_dashboard

    with _on_simulator(out, plan, rate, concurrency, catalog_size, seed) as (store, settings, key):
        on_simulator(settings.base_url)
        serve_dashboard(store, plan, settings, key, on_ready=on_ready)


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
        settings = ClientSettings(base_url=sim.base_url, rate=rate, concurrency=concurrency)
        yield store, settings, Credentials(api_key=api_key)


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
