"""A real HTTP forward proxy on 127.0.0.1 for the tests, on asyncio streams in its own thread.

Absolute-form requests (``GET http://host:port/path``) are relayed to their origin and the
answer streamed back; ``CONNECT host:port`` is tunnelled (for https). It can demand Basic
credentials (407 otherwise) or refuse every request (403), and it records what it relayed. It
only ever connects to loopback origins. :class:`TlsFront` puts TLS in front of a plain origin.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import threading
from collections.abc import Iterator
from ssl import SSLContext
from urllib.parse import urlsplit

LOOPBACK = ("127.0.0.1", "localhost")


class LoopbackServer:
    """A TCP server on 127.0.0.1 (TLS with ``ssl``) on its own event loop and thread."""

    def __init__(self, ssl: SSLContext | None = None) -> None:
        self._ssl = ssl
        self.port = 0
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        server = self._loop.run_until_complete(
            asyncio.start_server(self._handle, "127.0.0.1", 0, ssl=self._ssl)
        )
        self.port = server.sockets[0].getsockname()[1]
        self._ready.set()
        self._loop.run_forever()
        server.close()
        pending = asyncio.all_tasks(self._loop)
        for task in pending:
            task.cancel()
        self._loop.run_until_complete(asyncio.gather(*pending, return_exceptions=True))
        self._loop.run_until_complete(server.wait_closed())
        self._loop.close()

    def start(self) -> None:
        self._thread.start()
        if not self._ready.wait(timeout=30):
            raise RuntimeError("the test server did not start")

    def stop(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=30)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        raise NotImplementedError


async def pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(ConnectionError):
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    sink.close()


class TlsFront(LoopbackServer):
    """TLS on 127.0.0.1 in front of a plain-HTTP origin port: an https TMDB for the tests."""

    def __init__(self, ssl: SSLContext, origin_port: int) -> None:
        super().__init__(ssl)
        self._origin = origin_port

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        origin_reader, origin_writer = await asyncio.open_connection("127.0.0.1", self._origin)
        await asyncio.gather(pipe(reader, origin_writer), pipe(origin_reader, writer))


class ForwardProxy(LoopbackServer):
    def __init__(
        self, *, user: str | None = None, password: str = "", refuse: bool = False
    ) -> None:
        super().__init__()
        self._expected = None
        if user is not None:
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            self._expected = f"Basic {token}"
        self._refuse = refuse
        self.relayed: list[str] = []  # "GET http://..." or "CONNECT host:port"
        self.denied = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while await self._one_request(reader, writer):
                pass
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    async def _one_request(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> bool:
        """Serve one request; True when the client connection can carry another."""
        head = await reader.readuntil(b"\r\n\r\n")
        request_line, *header_lines = head.decode("latin-1").split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = dict(line.split(": ", 1) for line in header_lines if ": " in line)
        if self._refuse or (
            self._expected is not None and headers.get("Proxy-Authorization") != self._expected
        ):
            self.denied += 1
            status = "403 Forbidden" if self._refuse else "407 Proxy Authentication Required"
            challenge = "" if self._refuse else 'Proxy-Authenticate: Basic realm="test"\r\n'
            writer.write(
                f"HTTP/1.1 {status}\r\n{challenge}Content-Length: 0\r\n\r\n".encode("latin-1")
            )
            await writer.drain()
            return True
        if method == "CONNECT":
            host, port = target.rsplit(":", 1)
            await self._tunnel(host, int(port), writer, reader, f"CONNECT {target}")
            return False
        url = urlsplit(target)
        if url.hostname not in LOOPBACK:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return True
        self.relayed.append(f"{method} {target}")
        origin_reader, origin_writer = await asyncio.open_connection(url.hostname, url.port)
        path = url.path + (f"?{url.query}" if url.query else "")
        kept = [f"{k}: {v}" for k, v in headers.items() if not k.lower().startswith("proxy-")]
        kept = [line for line in kept if not line.lower().startswith("connection:")]
        origin_writer.write(
            "\r\n".join([f"{method} {path} HTTP/1.1", *kept, "Connection: close", "", ""]).encode(
                "latin-1"
            )
        )
        await origin_writer.drain()
        # The origin closes after its answer; the client is told so, and reconnects.
        answer = await origin_reader.read()
        origin_writer.close()
        status_end = answer.index(b"\r\n\r\n")
        head_lines = [
            line
            for line in answer[:status_end].split(b"\r\n")
            if not line.lower().startswith(b"connection:")
        ]
        writer.write(b"\r\n".join([*head_lines, b"Connection: close"]) + answer[status_end:])
        await writer.drain()
        return False

    async def _tunnel(
        self,
        host: str,
        port: int,
        writer: asyncio.StreamWriter,
        reader: asyncio.StreamReader,
        what: str,
    ) -> None:
        if host not in LOOPBACK:
            writer.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n")
            return
        self.relayed.append(what)
        origin_reader, origin_writer = await asyncio.open_connection(host, port)
        writer.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        await writer.drain()
        await asyncio.gather(pipe(reader, origin_writer), pipe(origin_reader, writer))


@contextlib.contextmanager
def forward_proxy(**options: object) -> Iterator[ForwardProxy]:
    proxy = ForwardProxy(**options)  # type: ignore[arg-type]
    proxy.start()
    try:
        yield proxy
    finally:
        proxy.stop()
