"""Running the simulator: in a background thread (tests) or in the foreground (CLI)."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

from aiohttp import web

from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.config import SimulatorConfig
from tmdb_collector.simulator.drift import Drift
from tmdb_collector.simulator.handlers import STATE, Shelf
from tmdb_collector.simulator.outage import OUTAGE_OVER, OUTAGE_PREFIX, Outage
from tmdb_collector.simulator.server import build_app
from tmdb_collector.simulator.stats import SimulatorStats

SHUTDOWN_TIMEOUT = 0.5
START_TIMEOUT = 60.0


@dataclass(frozen=True)
class RunningSimulator:
    """A live simulator: URLs, counters and the catalogue it serves."""

    config: SimulatorConfig
    host: str
    port: int
    stats: SimulatorStats
    catalog: Catalog
    outage: Outage  # start("refuse"|"html503"|"portal200") / stop(), from any thread
    shelf: Shelf
    drift: Drift  # ranking drift: rate, tick, set_tick() (see simulator.drift)

    @property
    def tv_catalog(self) -> Catalog:
        """The TV series catalogue served at /3/tv/… (built on first use)."""
        return self.shelf.catalog_now("tv")

    @property
    def root_url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        return f"{self.root_url}/3"


class _Listener:
    """The listening socket, closed and reopened on the same port by ``refuse`` outages."""

    def __init__(self, runner: web.AppRunner, host: str, port: int) -> None:
        self.runner, self.host, self.port = runner, host, port
        self.site: web.TCPSite | None = None

    async def open(self) -> None:
        self.site = web.TCPSite(self.runner, self.host, self.port, reuse_address=True)
        await self.site.start()

    async def close(self) -> None:
        if self.site is not None:
            await self.site.stop()
            self.site = None
        server = self.runner.server
        for connection in server.connections if server is not None else ():
            connection.force_close()


async def _start(app: web.Application, config: SimulatorConfig) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(app, access_log=None, shutdown_timeout=SHUTDOWN_TIMEOUT)
    await runner.setup()
    listener = _Listener(runner, config.host, config.port)
    await listener.open()
    listener.port = int(runner.addresses[0][1])
    outage = app[STATE].outage
    loop = asyncio.get_running_loop()
    outage.bind(loop, listener.close, listener.open)
    if outage.kind is not None:  # started before the server listened
        await outage.apply(outage.kind)
    outage.schedule(loop, config.outages)
    return runner, listener.port


class _ServerThread(threading.Thread):
    def __init__(self, app: web.Application, config: SimulatorConfig) -> None:
        super().__init__(name="tmdb-simulator", daemon=True)
        self.app = app
        self.config = config
        self.loop = asyncio.new_event_loop()
        self.ready = threading.Event()
        self.port = 0
        self.error: BaseException | None = None
        self._runner: web.AppRunner | None = None

    def run(self) -> None:
        asyncio.set_event_loop(self.loop)
        try:
            self._runner, self.port = self.loop.run_until_complete(_start(self.app, self.config))
        except BaseException as exc:  # reported to the starting thread
            self.error = exc
            self.ready.set()
            self.loop.close()
            return
        self.ready.set()
        self.loop.run_forever()
        self.loop.run_until_complete(self._runner.cleanup())
        self.loop.close()

    def stop(self) -> None:
        if self.loop.is_closed():
            return
        with suppress(RuntimeError):
            self.loop.call_soon_threadsafe(self.loop.stop)
        self.join(timeout=10.0)


@contextmanager
def running_simulator(
    config: SimulatorConfig, catalog: Catalog | None = None
) -> Iterator[RunningSimulator]:
    """Serve the simulator on a background thread for the duration of the block."""
    app = build_app(config, catalog)
    thread = _ServerThread(app, config)
    thread.start()
    if not thread.ready.wait(START_TIMEOUT):
        thread.stop()
        raise RuntimeError("simulated TMDB did not start in time")
    if thread.error is not None:
        raise RuntimeError("simulated TMDB failed to start") from thread.error
    try:
        state = app[STATE]
        yield RunningSimulator(
            config,
            config.host,
            thread.port,
            state.stats,
            state.catalog,
            state.outage,
            state.shelf,
            state.drift,
        )
    finally:
        thread.stop()


# Set by a parent that starts the simulator as its child (simulator/process.py) and keeps the
# write end of the child's stdin: the child stops when that pipe closes, so a parent killed
# outright (SIGKILL: `demo`, a test run) leaves no simulator behind.
LIFELINE_ENV = "TMDB_SIMULATOR_STDIN_LIFELINE"


async def _serve(config: SimulatorConfig) -> None:
    app = build_app(config)
    runner, port = await _start(app, config)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    if os.environ.get(LIFELINE_ENV) == "1":
        _stop_when_stdin_closes(loop, stop)
    print(f"Simulated TMDB listening on http://{config.host}:{port}/3", flush=True)
    app[STATE].outage.listen(
        lambda kind: print(f"{OUTAGE_PREFIX}{kind or OUTAGE_OVER}", flush=True)
    )
    try:
        await stop.wait()
    finally:
        await runner.cleanup()


def _stop_when_stdin_closes(loop: asyncio.AbstractEventLoop, stop: asyncio.Event) -> None:
    stdin = sys.stdin.fileno()

    def readable() -> None:
        try:
            data = os.read(stdin, 4096)
        except OSError:
            data = b""
        if not data:  # the parent is gone (or closed it): stop
            loop.remove_reader(stdin)
            stop.set()

    loop.add_reader(stdin, readable)


def run_forever(config: SimulatorConfig) -> None:
    """Serve in the foreground until SIGINT/SIGTERM; prints a "listening" line, then one as
    each outage begins (``Simulated TMDB outage: refuse``) and ends (``...: over``)."""
    asyncio.run(_serve(config))
