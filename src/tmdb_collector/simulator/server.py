"""The simulated TMDB aiohttp application: routes, auth, rate limit, latency, faults."""

from __future__ import annotations

import asyncio

from aiohttp import web

from tmdb_collector.simulator import entities, faults, handlers, images, outage
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.config import SimulatorConfig
from tmdb_collector.simulator.drift import Drift
from tmdb_collector.simulator.graph import Graph
from tmdb_collector.simulator.handlers import STATE, Gate, Handler, SimState
from tmdb_collector.simulator.hold import HOLD_ROUTE, hold_control
from tmdb_collector.simulator.id_catalogue import CatalogueCache
from tmdb_collector.simulator.ratelimit import TokenBucket
from tmdb_collector.simulator.responses import (
    INVALID_API_KEY,
    ApiError,
    Responder,
    dumps,
    rate_limited_body,
)
from tmdb_collector.simulator.stats import SimulatorStats


def _authorized(request: web.Request, api_key: str | None) -> bool:
    """``api_key`` query parameter (judged when present) or ``Authorization: Bearer``."""
    if "api_key" in request.query:
        supplied = request.query["api_key"].strip()
    else:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        supplied = token.strip() if scheme.lower() == "bearer" else ""
    if not supplied:
        return False
    return api_key is None or supplied == api_key


async def _dispatch(request: web.Request, handler: Handler, st: SimState) -> web.StreamResponse:
    if not _authorized(request, st.config.api_key):
        return st.responder.error(401, INVALID_API_KEY)
    try:
        return await handler(request)
    except ApiError as exc:
        return st.responder.error(exc.status, exc.body)


async def _api(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Rate limit -> latency -> fault draw -> auth -> route, for every /3 request."""
    st = request.app[STATE]

    async def authorized(request: web.Request) -> web.StreamResponse:
        return await _dispatch(request, handler, st)

    return await _gated(request, authorized, st.api_gate)


async def _gated(request: web.Request, handler: Handler, gate: Gate) -> web.StreamResponse:
    """Rate limit -> latency -> fault draw -> ``handler``: the API's gate, or the images'."""
    st = request.app[STATE]
    stats, bucket, injector = st.stats, gate.bucket, gate.faults
    wait = bucket.acquire() if bucket is not None else None
    if gate.latency_ms > 0:
        await asyncio.sleep(gate.latency_ms / 1000.0)
    if bucket is not None and wait is not None:
        body = rate_limited_body(bucket.recent_count, bucket.rate)
        extra = {"Retry-After": str(bucket.retry_after(wait))}
        stats.record_status(429)
        return st.responder.error(429, body, extra)
    fault = injector.draw()
    if fault == faults.ERROR:
        status, body = injector.server_error()
        stats.record_fault(fault, served=True)
        stats.record_status(status)
        return st.responder.error(status, body)
    if fault == faults.RESET:
        stats.record_fault(fault)
        faults.reset_connection(request)
        return web.Response()  # never reaches the client: the transport is gone
    if fault == faults.SLOW:
        stats.record_fault(fault, served=True)
        await asyncio.sleep(st.config.slow_ms / 1000.0)
    response = await handler(request)
    if fault == faults.TRUNCATED and isinstance(response, web.Response):
        stats.record_fault(fault)
        return await faults.send_truncated(request, response)
    stats.record_status(response.status)
    return response


@web.middleware
async def simulator_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    if not request.path.startswith("/__sim/"):
        kind = request.app[STATE].outage.kind
        if kind is not None:
            return _outage_answer(request, kind)
    if request.path == "/3" or request.path.startswith("/3/"):
        return await _api(request, handler)
    if request.path.startswith(images.IMAGE_PREFIX):
        return await _gated(request, handler, request.app[STATE].image_gate)
    response = await handler(request)
    if not request.path.startswith("/__sim/"):
        request.app[STATE].stats.record_status(response.status)
    return response


def _outage_answer(request: web.Request, kind: str) -> web.StreamResponse:
    stats = request.app[STATE].stats
    if kind == outage.REFUSE:  # a connection that was open before the listener closed
        stats.record_fault("outage_refuse")
        faults.reset_connection(request)
        return web.Response()  # never reaches the client: the transport is gone
    stats.record_fault("outage_" + kind, served=True)
    response = outage.outage_response(kind)
    stats.record_status(response.status)
    return response


async def _outage_control(request: web.Request) -> web.StreamResponse:
    """``POST /__sim/outage?kind=K[&duration=S]`` starts one (``refuse`` needs a duration:
    the listener it closes also serves this route); ``DELETE`` ends it; ``GET`` reads it."""
    control = request.app[STATE].outage
    if request.method == "GET":
        return web.json_response({"kind": control.kind})
    if request.method == "DELETE":
        await control.apply(None)
        return web.json_response({"kind": None})
    kind = request.query.get("kind", outage.REFUSE)
    raw = request.query.get("duration", "")
    try:
        duration = float(raw) if raw else None
    except ValueError:
        duration = -1.0
    problem = None
    if kind not in outage.OUTAGE_KINDS:
        problem = f"kind must be one of {', '.join(outage.OUTAGE_KINDS)}"
    elif duration is not None and duration <= 0:
        problem = "duration must be a positive number of seconds"
    elif kind == outage.REFUSE and duration is None:
        problem = "a refuse outage needs a duration (this route is refused too)"
    if problem:
        return web.json_response({"error": problem}, status=400)
    response = web.json_response({"kind": kind, "duration": duration})
    await response.prepare(request)
    await response.write_eof()  # answered before the listener closes
    if duration is not None:
        control.schedule(asyncio.get_running_loop(), (outage.OutageWindow(0.0, duration, kind),))
    else:
        await control.apply(kind)
    return response


async def _health(request: web.Request) -> web.StreamResponse:
    return web.Response(body=dumps({"ok": True}), content_type="application/json")


async def _stats(request: web.Request) -> web.StreamResponse:
    body = dumps(request.app[STATE].stats.snapshot())
    return web.Response(body=body, content_type="application/json")


def _routes(app: web.Application) -> None:
    r = app.router
    r.add_get("/__sim/health", _health)
    r.add_get("/__sim/stats", _stats)
    r.add_route("*", outage.OUTAGE_ROUTE, _outage_control)
    r.add_route("*", HOLD_ROUTE, hold_control(app[STATE].hold))
    r.add_get("/p/exports/{name}", handlers.export_file)
    r.add_get(images.IMAGE_ROUTE, images.image)
    for route in handlers.ROUTES:
        r.add_get(route.path, route.handler)
    entities.add_routes(r)  # /person/{id}, /collection/{id}, /company/{id}, /network/{id}
    r.add_route("*", "/3{tail:.*}", handlers.unserved)


def build_app(config: SimulatorConfig, catalog: Catalog | None = None) -> web.Application:
    """A ready-to-run simulated TMDB (``catalog`` may be passed to share one)."""
    if catalog is None:
        catalog = Catalog(config.catalog_size, config.seed, config.today, config.deleted_fraction)

    def build_tv() -> Catalog:
        size, today, gone = config.tv_catalog_size, config.today, config.deleted_fraction
        return Catalog(size, config.seed, today, gone, media="tv")

    shelf = handlers.Shelf(catalog, build_tv)
    graph = Graph(lambda: shelf.catalog_now("movie"), lambda: shelf.catalog_now("tv"))
    app = web.Application(middlewares=[simulator_middleware])
    app[entities.GRAPH] = graph
    app[STATE] = SimState(
        config=config,
        catalog=catalog,
        responder=Responder(catalog.today),
        exports=CatalogueCache(
            catalog, lambda: shelf.catalog_now("tv"), entities.export_builders(graph)
        ),
        stats=SimulatorStats(),
        api_gate=Gate(
            TokenBucket(config.rate_limit) if config.rate_limit else None,
            config.latency_ms,
            faults.FaultInjector(config.fault_rate, config.seed, config.fault_kinds),
        ),
        image_gate=Gate(
            TokenBucket(config.image_rate_limit) if config.image_rate_limit else None,
            config.image_latency_ms,
            faults.FaultInjector(config.image_fault_rate, config.seed + 1, config.fault_kinds),
        ),
        outage=outage.Outage(),
        shelf=shelf,
        drift=Drift(config.drift, config.seed),
    )
    _routes(app)
    return app
