"""An HTTP proxy on a fixed loopback port in front of the simulator that can stop accepting
connections and come back on the same port: an outage of TMDB, as the client sees one; and the
simulator's own outages, begun and ended through its control route in a child process."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit

import httpx

from tmdb_collector.simulator.outage import OUTAGE_OVER, OUTAGE_PREFIX, OUTAGE_ROUTE
from tmdb_collector.simulator.process import SimulatorProcess

# Framing headers a proxy sets itself for the body it sends on.
HOP_HEADERS = frozenset({"transfer-encoding", "connection", "content-length"})


def send_whole(
    handler: BaseHTTPRequestHandler, status: int, body: bytes, headers: Iterable[tuple[str, str]]
) -> None:
    """Answer ``handler``'s request with ``status``, ``headers`` and all of ``body`` (its length
    given), leaving out any framing header in ``headers``."""
    handler.send_response(status)
    for name, value in headers:
        if name.lower() not in HOP_HEADERS:
            handler.send_header(name, value)
    handler.send_header("Content-Length", str(len(body)))
    handler.end_headers()
    handler.wfile.write(body)


class OutageProxy:
    """Forwards GETs to ``root_url``; ``refuse()`` closes the listening socket (connections are
    refused), ``restore()`` listens again on the same port."""

    def __init__(self, root_url: str) -> None:
        self.upstream = root_url
        parts = urlsplit(root_url)
        self._target = (parts.hostname or "127.0.0.1", parts.port or 80)
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port: int = probe.getsockname()[1]
        self._server: ThreadingHTTPServer | None = None
        self.restore()

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/3"

    def restore(self) -> None:
        if self._server is not None:
            return
        target = self._target

        class Forward(BaseHTTPRequestHandler):  # HTTP/1.0: one request per connection
            def do_GET(self) -> None:
                upstream = http.client.HTTPConnection(*target, timeout=60)
                try:
                    upstream.request("GET", self.path, headers=dict(self.headers))
                    answer = upstream.getresponse()
                    body = answer.read()
                finally:
                    upstream.close()
                send_whole(self, answer.status, body, answer.getheaders())

            def log_message(self, format: str, *args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Forward)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def refuse(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def close(self) -> None:
        self.refuse()


def start_outage(
    sim: SimulatorProcess, kind: str = "html503", duration: float | None = None
) -> None:
    """Begin an outage in the child (``refuse`` needs ``duration``: the control route is
    refused too); see :mod:`tmdb_collector.simulator.outage`."""
    query = {"kind": kind} | ({"duration": str(duration)} if duration is not None else {})
    httpx.post(sim.root_url + OUTAGE_ROUTE, params=query, timeout=30).raise_for_status()


def stop_outage(sim: SimulatorProcess) -> None:
    httpx.delete(sim.root_url + OUTAGE_ROUTE, timeout=30).raise_for_status()


def outages_over(sim: SimulatorProcess, count: int, timeout: float) -> bool:
    """Wait until the child has said ``count`` outages are over (the port of a refuse outage
    accepts connections again then); False if ``timeout`` seconds pass first."""
    return sim.output.seen(OUTAGE_PREFIX + OUTAGE_OVER, timeout, count) is not None
