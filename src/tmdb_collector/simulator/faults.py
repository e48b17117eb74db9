"""Transient fault injection: 5xx bodies, stalls, connection resets, truncated bodies.

Faults are drawn from a ``random.Random`` seeded by the simulator seed and advanced once
per API request (never derived from the URL), so a retried URL can succeed. A fault
never changes what a successful response contains.
"""

from __future__ import annotations

import contextlib
import random
import socket
import struct

from aiohttp import web

from tmdb_collector.simulator._hash import SALT_FAULTS, hash_ints
from tmdb_collector.simulator.responses import SERVER_ERRORS

ERROR = "error"
SLOW = "slow"
RESET = "reset"
TRUNCATED = "truncated"


class FaultInjector:
    """Decides, request by request, whether and how to misbehave."""

    def __init__(self, rate: float, seed: int, kinds: tuple[str, ...]) -> None:
        self.rate = rate
        self.kinds = kinds
        self._rng = random.Random(hash_ints(seed, SALT_FAULTS))

    def draw(self) -> str | None:
        """The fault for the next request, or ``None``."""
        if self.rate <= 0.0:
            return None
        if self._rng.random() >= self.rate:
            return None
        return self.kinds[self._rng.randrange(len(self.kinds))]

    def server_error(self) -> tuple[int, bytes]:
        """One of 500/11, 502/43, 503/9, 503/46, 504/24."""
        return SERVER_ERRORS[self._rng.randrange(len(SERVER_ERRORS))]


def reset_connection(request: web.BaseRequest) -> None:
    """Drop the connection with a TCP RST and no response at all."""
    transport = request.transport
    if transport is None:
        return
    sock = transport.get_extra_info("socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    transport.abort()


async def send_truncated(request: web.BaseRequest, response: web.Response) -> web.StreamResponse:
    """Send the response's status and headers with the full ``Content-Length``, about
    half of the body, then close the connection."""
    body = response.body
    assert isinstance(body, bytes)
    stream = web.StreamResponse(status=response.status, headers=response.headers)
    stream.content_length = len(body)
    await stream.prepare(request)
    await stream.write(body[: len(body) // 2])
    if request.transport is not None:
        request.transport.close()
    return stream
