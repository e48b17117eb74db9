"""The fake TV API of tests/tv_fake.py on a real socket (127.0.0.1), for the CLI in a
subprocess: an aiohttp server on its own thread and event loop."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from aiohttp import web

from tests.tv_fake import FakeTV
from tmdb_collector.simulator.hold import HOLD_ROUTE, Hold, hold_control

SERIES_DETAILS = re.compile(r"^/3/tv/\d+$")


@contextmanager
def tv_server(fake: FakeTV, *, latency: float = 0.0) -> Iterator[str]:
    """Serve ``fake`` until the block ends; yields the API root (``http://127.0.0.1:N/3``).
    ``latency`` seconds are added to every answer. The simulator's hold (``HOLD_ROUTE``)
    holds the series details requests when a test closes it (tests/support/hold.py)."""
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    lock = threading.Lock()  # the fake is plain Python state; one request at a time touches it
    port: list[int] = []
    hold = Hold()

    async def handle(request: web.Request) -> web.Response:
        if SERIES_DETAILS.match(request.path):
            await hold.admit()
        if latency:
            await asyncio.sleep(latency)
        with lock:
            answer = fake(httpx.Request("GET", str(request.url)))
        headers = {k: v for k, v in answer.headers.items() if k.lower() in ("date", "retry-after")}
        return web.Response(
            status=answer.status_code,
            body=answer.content,
            content_type="application/json",
            headers=headers,
        )

    app = web.Application()
    app.router.add_route("*", HOLD_ROUTE, hold_control(hold))
    app.router.add_get("/{tail:.*}", handle)
    runner = web.AppRunner(app)

    def serve() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(runner.setup())
        site = web.TCPSite(runner, "127.0.0.1", 0)
        loop.run_until_complete(site.start())
        port.append(site._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, name="fake-tv", daemon=True)
    thread.start()
    assert ready.wait(timeout=30), "the fake TV server did not start"
    try:
        yield f"http://127.0.0.1:{port[0]}/3"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=30)
