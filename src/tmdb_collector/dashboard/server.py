"""The dashboard's HTTP side: the page, a JSON API, Server-Sent Events and downloads.

Routes::

    GET  /                     the page          GET  /static/{name}   its script and style
    GET  /api/state            progress now      GET  /api/events      progress + log (SSE)
    POST /api/start            Start / resume    POST /api/pause       Pause
    GET  /api/download?format=json|jsonl|parquet|csv
"""

from __future__ import annotations

import asyncio
import contextlib
import importlib
import importlib.resources
import json
import sys
from collections.abc import Callable
from typing import Any

from aiohttp import web

from tmdb_collector.credentials import Credentials
from tmdb_collector.dashboard.downloads import download, downloads
from tmdb_collector.dashboard.logfeed import LogFeed, LogLine
from tmdb_collector.dashboard.security import (
    LOOPBACK,
    WILDCARD_HOSTS,
    add_security_headers,
    guard,
)
from tmdb_collector.dashboard.session import CollectionSession
from tmdb_collector.engine.collector import RunOutcome
from tmdb_collector.engine.signals import on_stop_signals
from tmdb_collector.errors import ConfigError, UsageError
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.plan.plan import Plan
from tmdb_collector.store.store import Store

TICK_SECONDS = 0.5  # progress events per client: two a second
ASSET_TYPES = {"index.html": "text/html", "app.js": "text/javascript", "style.css": "text/css"}
Asset = tuple[bytes, str]

SESSION = web.AppKey("session", CollectionSession)
FEED = web.AppKey("feed", LogFeed)
CLOSING = web.AppKey("closing", asyncio.Event)
ASSETS = web.AppKey("assets", dict[str, Asset])


def create_app(session: CollectionSession, *, host: str = LOOPBACK) -> web.Application:
    app = web.Application(middlewares=[guard(host)])
    app[SESSION] = session
    app[FEED] = LogFeed()
    app[CLOSING] = asyncio.Event()
    app[ASSETS] = _load_assets()
    importlib.import_module("tmdb_collector.export.tables")  # now, not at the first download
    app.on_response_prepare.append(add_security_headers)
    app.on_startup.append(_startup)
    app.on_shutdown.append(_shutdown)
    app.on_cleanup.append(_cleanup)
    app.router.add_get("/", _index)
    app.router.add_get("/static/{name}", _asset)
    app.router.add_get("/api/state", _state)
    app.router.add_get("/api/events", _events)
    app.router.add_post("/api/start", _start)
    app.router.add_post("/api/pause", _pause)
    app.router.add_get("/api/download", _download)
    return app


def _load_assets() -> dict[str, Asset]:
    folder = importlib.resources.files("tmdb_collector.dashboard").joinpath("static")
    return {name: (folder.joinpath(name).read_bytes(), kind) for name, kind in ASSET_TYPES.items()}


async def _startup(app: web.Application) -> None:
    app[FEED].attach()
    app[SESSION].announce_checkpoint()


async def _shutdown(app: web.Application) -> None:
    app[CLOSING].set()  # event streams end, so the server can close


async def _cleanup(app: web.Application) -> None:
    await app[SESSION].close()
    app[FEED].detach()


def _view(app: web.Application) -> dict[str, Any]:
    session = app[SESSION]
    return {**session.snapshot(), "formats": downloads(session.progress.media)}


def _send_asset(app: web.Application, name: str) -> web.Response:
    body, kind = app[ASSETS][name]
    return web.Response(body=body, content_type=kind, charset="utf-8")


async def _index(request: web.Request) -> web.Response:
    return _send_asset(request.app, "index.html")


async def _asset(request: web.Request) -> web.Response:
    name = request.match_info["name"]
    if name == "index.html" or name not in request.app[ASSETS]:
        raise web.HTTPNotFound()
    return _send_asset(request.app, name)


async def _state(request: web.Request) -> web.Response:
    return web.json_response(_view(request.app))


async def _start(request: web.Request) -> web.Response:
    """Start; an optional JSON body ``{"parts": [...]}`` chooses the parts first."""
    try:
        body = await request.json() if request.can_read_body else {}
    except json.JSONDecodeError:
        body = None
    if not isinstance(body, dict):
        raise web.HTTPBadRequest(text="the body must be a JSON object")
    try:
        accepted = request.app[SESSION].start(body.get("parts"))
    except ConfigError as exc:
        raise web.HTTPBadRequest(text=str(exc)) from None
    return web.json_response(_view(request.app), status=200 if accepted else 409)


async def _pause(request: web.Request) -> web.Response:
    accepted = request.app[SESSION].pause()
    return web.json_response(_view(request.app), status=200 if accepted else 409)


async def _download(request: web.Request) -> web.StreamResponse:
    fmt = request.query.get("format", "json")
    return await download(request, request.app[SESSION].store.path, fmt)


async def _events(request: web.Request) -> web.StreamResponse:
    """Progress twice a second, and new log lines (their ``id`` lets a reconnect resume)."""
    response = web.StreamResponse(headers={"X-Accel-Buffering": "no"})
    response.content_type = "text/event-stream"
    response.charset = "utf-8"
    await response.prepare(request)
    with contextlib.suppress(ConnectionResetError):  # the page went away
        await _stream_events(request.app, response, _last_event_id(request))
    return response


async def _stream_events(app: web.Application, response: web.StreamResponse, last: int) -> None:
    await response.write(b"retry: 1000\n\n")
    while not app[CLOSING].is_set():
        lines = app[FEED].since(last)
        if lines:
            last = lines[-1].seq
        text = "".join(_log_event(line) for line in lines) + _event("progress", _view(app))
        await response.write(text.encode("utf-8"))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(app[CLOSING].wait(), TICK_SECONDS)


def _last_event_id(request: web.Request) -> int:
    value = request.headers.get("Last-Event-ID", "")
    return int(value) if value.isdigit() else 0


def _event(name: str, data: dict[str, Any], event_id: int | None = None) -> str:
    head = f"id: {event_id}\n" if event_id is not None else ""
    return f"{head}event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _log_event(line: LogLine) -> str:
    return _event("log", line.to_dict(), line.seq)


# ---- serving ------------------------------------------------------------------------------


def dashboard_url(host: str, port: int) -> str:
    if host in WILDCARD_HOSTS:
        host = LOOPBACK
    elif ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/"


def serve_dashboard(
    store: Store,
    plan: Plan,
    settings: ClientSettings,
    credentials: Credentials,
    *,
    host: str = LOOPBACK,
    port: int = 0,
    on_ready: Callable[[str], None] = print,
) -> RunOutcome | None:
    """Serve the dashboard for ``store`` until SIGINT/SIGTERM; ``on_ready`` gets its URL.
    Returns the last run's outcome (None: no run ended)."""
    session = CollectionSession(store, plan, settings, credentials)
    asyncio.run(_serve(create_app(session, host=host), host, port, on_ready))
    return session.outcome


async def _serve(
    app: web.Application, host: str, port: int, on_ready: Callable[[str], None]
) -> None:
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        try:
            await web.TCPSite(runner, host, port, shutdown_timeout=2.0).start()
        except OSError as exc:
            raise UsageError(f"cannot listen on {host}:{port}: {exc.strerror or exc}") from None
        on_ready(dashboard_url(host, int(runner.addresses[0][1])))
        await _until_signalled()
        print("Stopping: pausing the collection…", file=sys.stderr, flush=True)
    finally:
        await runner.cleanup()


async def _until_signalled() -> None:
    stop = asyncio.Event()
    with on_stop_signals(stop.set):
        await stop.wait()
