"""Reaching TMDB from a restricted network: an HTTP(S) proxy, and the CAs to trust.

The proxy is ``--proxy`` / ``[client] proxy`` when given, else the environment as curl reads
it: ``https_proxy`` / ``HTTPS_PROXY`` for an https base URL, ``http_proxy`` / ``HTTP_PROXY``
for http. ``NO_PROXY`` (``no_proxy``) exempts hosts from either. Credentials in a proxy URL
(``http://user:password@host:port``) are taken out of it and sent as ``Proxy-Authorization``,
so no error aiohttp raises can quote them, and they are registered as secrets, which
:func:`~tmdb_collector.credentials.redact` blanks in every message and log line.

TLS trusts the system's CAs (OpenSSL honours ``SSL_CERT_FILE`` and ``SSL_CERT_DIR``) and, with
``--ca-file`` / ``[client] ca_file``, that PEM file too: the CA of a TLS-intercepting proxy.
"""

from __future__ import annotations

import base64
import os
import ssl
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import SplitResult, unquote, urlsplit

from tmdb_collector.credentials import REDACTED, register_secret
from tmdb_collector.errors import ConfigError

PROXY_SCHEMES = ("http", "https")
_DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class Proxy:
    url: str  # without credentials
    authorization: str | None  # the Proxy-Authorization header (Basic), a secret

    def __repr__(self) -> str:
        return f"Proxy({self.url!r}, authorization={REDACTED if self.authorization else None})"

    def headers(self) -> dict[str, str]:
        return {"Proxy-Authorization": self.authorization} if self.authorization else {}

    def request_options(self, url: str, headers: Mapping[str, str]) -> dict[str, Any]:
        """aiohttp's keyword arguments for a GET of ``url`` through this proxy, ``headers``
        included. To an https origin the credentials go in the CONNECT only (aiohttp sends
        ``proxy_headers`` there); to an http one, with the request itself."""
        sent = dict(headers)
        if not url.startswith("https:"):
            sent.update(self.headers())
        return {"headers": sent, "proxy": self.url, "proxy_headers": self.headers()}


def check_proxy(url: object, name: str = "proxy") -> str:
    """A proxy URL (``http://[user:password@]host:port``), its secrets registered."""
    if not isinstance(url, str):
        raise ConfigError(f"{name} must be a URL such as http://proxy.example:3128")
    parts = urlsplit(url)
    if parts.password:
        register_secret(url)
        register_secret(parts.password)
        register_secret(unquote(parts.password))
    if parts.scheme not in PROXY_SCHEMES or not parts.hostname:
        raise ConfigError(f"{name} {shown(url)!r} is not an http:// or https:// proxy URL")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"{name} {shown(url)!r} has a bad port") from None
    return url


def shown(url: str) -> str:
    """``url`` with any password replaced, for messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = f"{parts.username}:{REDACTED}@{parts.netloc.rsplit('@', 1)[1]}"
    return parts._replace(netloc=netloc).geturl()


def proxy_for(
    target: str, explicit: str | None, env: Mapping[str, str] | None = None
) -> Proxy | None:
    """The proxy to reach ``target`` through, or None for a direct connection."""
    env = os.environ if env is None else env
    parts = urlsplit(target)
    chosen = explicit
    if chosen is None:
        scheme = parts.scheme
        chosen = env.get(f"{scheme}_proxy") or env.get(f"{scheme.upper()}_PROXY") or None
        if chosen is not None:
            check_proxy(chosen, f"{scheme.upper()}_PROXY")
    if chosen is None or _exempt(parts, env):
        return None
    proxy = urlsplit(chosen)
    authorization = None
    if proxy.username is not None:
        pair = f"{unquote(proxy.username)}:{unquote(proxy.password or '')}".encode()
        authorization = f"Basic {base64.b64encode(pair).decode('ascii')}"
        register_secret(authorization)
    bare = proxy._replace(netloc=proxy.netloc.rsplit("@", 1)[-1]).geturl()
    return Proxy(bare, authorization)


def _exempt(target: SplitResult, env: Mapping[str, str]) -> bool:
    """NO_PROXY as curl reads it: ``*``, or hosts and domains (``example.com`` covers its
    subdomains; a leading dot is the same), each optionally with ``:port``."""
    no_proxy = env.get("no_proxy") or env.get("NO_PROXY") or ""
    host = (target.hostname or "").lower()
    for entry in (item.strip().lower() for item in no_proxy.split(",")):
        if entry == "*":
            return True
        name, _, port = entry.partition(":") if entry.count(":") == 1 else (entry, "", "")
        name = name.lstrip(".").strip("[]")
        if not name or (port and str(target.port or _DEFAULT_PORTS[target.scheme]) != port):
            continue
        if host == name or host.endswith(f".{name}"):
            return True
    return False


def ssl_context(ca_file: str | None) -> ssl.SSLContext:
    """The system's trust store (``SSL_CERT_FILE`` honoured), plus ``ca_file``."""
    context = ssl.create_default_context()
    if ca_file is not None:
        try:
            context.load_verify_locations(cafile=ca_file)
        except FileNotFoundError:
            raise ConfigError(f"ca_file {ca_file}: no such file") from None
        except (OSError, ssl.SSLError) as exc:
            raise ConfigError(f"ca_file {ca_file} is not a PEM certificate file: {exc}") from None
    return context
