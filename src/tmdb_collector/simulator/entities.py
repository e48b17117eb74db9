"""The linked entities' routes: ``/person/{id}``, ``/collection/{id}``, ``/company/{id}``,
``/network/{id}``, each with its parts standalone (``/person/{id}/images``) and appended
(``append_to_response``, at most 20), and their daily ID files (what each serves:
:mod:`.linked`).

Bodies are built off the event loop: the first person or collection request builds the
graph's reverse index (:mod:`.graph`).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from aiohttp import web

from tmdb_collector.media.base import APPEND_LIMIT
from tmdb_collector.simulator.graph import Graph
from tmdb_collector.simulator.handlers import (
    PERSON_CHANGES,
    STATE,
    changes_page,
    missing,
    parse_page,
    parse_window,
)
from tmdb_collector.simulator.linked import SERVED, JSONDict, Served
from tmdb_collector.simulator.render import parse_appends
from tmdb_collector.simulator.responses import NOT_FOUND, TOO_MANY_APPENDS, ApiError

T = TypeVar("T")
GRAPH: web.AppKey[Graph] = web.AppKey("tmdb_sim_graph", Graph)


def _item_id(request: web.Request) -> int:
    raw = request.match_info["item_id"]
    if not raw.isdigit():
        raise ApiError(404, NOT_FOUND)
    return int(raw)


def _lenient_page(request: web.Request) -> int:
    try:
        return parse_page(request.query)
    except ApiError:
        return 1


async def _off_loop(build: Callable[[], T]) -> T:
    return await asyncio.get_running_loop().run_in_executor(None, build)


def _handlers(served: Served) -> tuple[Any, Any]:
    async def details(request: web.Request) -> web.StreamResponse:
        st = request.app[STATE]
        await st.hold.admit()
        appends = parse_appends(request.query.get("append_to_response"))
        if len(appends) > APPEND_LIMIT:
            raise ApiError(400, TOO_MANY_APPENDS)
        item_id, page, graph = _item_id(request), _lenient_page(request), request.app[GRAPH]
        body = await _off_loop(lambda: served.body(graph, item_id, appends, page))
        return st.responder.ok(body)

    async def sub_resource(request: web.Request) -> web.StreamResponse:
        st = request.app[STATE]
        name, item_id = request.match_info["sub"], _item_id(request)
        if name not in served.parts:  # TMDB's other endpoints there (changes...): 501
            raise missing(request)
        page, graph = parse_page(request.query), request.app[GRAPH]
        body = await _off_loop(lambda: served.part(graph, item_id, name, page))
        return st.responder.ok(body)

    return details, sub_resource


async def person_changes(request: web.Request) -> web.StreamResponse:
    """``/person/changes``: the people credited by the titles that changed in the window
    (:meth:`Graph.changed_people`), paged and windowed as ``/movie/changes``."""
    st, graph = request.app[STATE], request.app[GRAPH]
    today = (await st.shelf.catalog("movie")).today
    start, end = parse_window(request.query, today)
    page = parse_page(request.query)
    people = await _off_loop(lambda: graph.changed_people(start, end))
    return st.responder.ok(changes_page([(person, False) for person in people], page))


def add_routes(router: web.UrlDispatcher) -> None:
    """Register every entity's routes (before the catch-all 404)."""
    router.add_get(PERSON_CHANGES, person_changes)
    for served in SERVED:
        details, sub_resource = _handlers(served)
        router.add_get(f"/3/{served.name}/{{item_id:\\d+}}", details)
        router.add_get(f"/3/{served.name}/{{item_id:\\d+}}/{{sub:.+}}", sub_resource)


def export_builders(graph: Graph) -> dict[str, Callable[[], Iterator[JSONDict]]]:
    """Each entity's daily export kind -> its lines (for :class:`.id_catalogue.CatalogueCache`)."""
    return {served.export: _lines(served, graph) for served in SERVED}


def _lines(served: Served, graph: Graph) -> Callable[[], Iterator[JSONDict]]:
    return lambda: served.lines(graph)
