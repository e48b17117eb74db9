"""The dashboard answers only to its own address, and only its own page may change state.

* Every request's ``Host`` must name the dashboard (``127.0.0.1``, ``localhost``, ``[::1]``,
  the ``--host`` it binds, or the IP the connection arrived on, each with the port it serves
  on). A DNS-rebinding page reaches us under its own host name and is refused.
* A request that changes state (POST and the like) must also come from the dashboard's origin:
  a cross-site form or ``fetch`` carries its own ``Origin`` and is refused (CSRF). Without an
  ``Origin`` header, the ``Host`` check above decides.
"""

from __future__ import annotations

from aiohttp import hdrs, web
from aiohttp.typedefs import Handler, Middleware

LOOPBACK = "127.0.0.1"  # the address the dashboard binds by default, and names for a wildcard
LOOPBACK_HOSTS = (LOOPBACK, "localhost", "::1")  # the one list of loopback host names
WILDCARD_HOSTS = frozenset({"", "0.0.0.0", "::"})
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host and not host.startswith("[") else host


LOOPBACK_NAMES = frozenset(_bracketed(host) for host in LOOPBACK_HOSTS)  # as a Host header has them


def is_loopback(host: str) -> bool:
    """Whether binding ``host`` keeps the dashboard reachable from this machine only."""
    return _bracketed(host.lower()) in LOOPBACK_NAMES


def host_names(bind_host: str) -> frozenset[str]:
    """The names the dashboard answers to, besides the IP a connection arrives on."""
    if bind_host in WILDCARD_HOSTS:
        return LOOPBACK_NAMES
    return LOOPBACK_NAMES | {_bracketed(bind_host.lower())}


def own_hosts(request: web.Request, names: frozenset[str]) -> frozenset[str]:
    """Every ``Host`` value that names this dashboard, for the socket ``request`` came in on."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if not sockname:
        return frozenset()
    local_ip, port = str(sockname[0]), int(sockname[1])
    every = names | {_bracketed(local_ip.lower())}
    hosts = {f"{name}:{port}" for name in every}
    if port == 80:
        hosts |= every
    return frozenset(hosts)


def origin_allowed(origin: str | None, hosts: frozenset[str]) -> bool:
    if origin is None:
        return True
    return origin.lower() in {f"http://{host}" for host in hosts}


def guard(bind_host: str) -> Middleware:
    names = host_names(bind_host)

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        hosts = own_hosts(request, names)
        if request.headers.get(hdrs.HOST, "").lower() not in hosts:
            raise web.HTTPForbidden(text="Forbidden: unknown Host; use the dashboard's address.")
        if request.method not in SAFE_METHODS and not origin_allowed(
            request.headers.get(hdrs.ORIGIN), hosts
        ):
            raise web.HTTPForbidden(text="Forbidden: cross-origin request refused.")
        return await handler(request)

    return middleware


async def add_security_headers(request: web.Request, response: web.StreamResponse) -> None:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
