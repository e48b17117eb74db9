"""How the client talks to TMDB: base URL, rate, concurrency, timeout, attempts, outages,
proxy and CAs."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlsplit

from tmdb_collector.errors import ConfigError
from tmdb_collector.fetch.breaker import BreakerSettings
from tmdb_collector.fetch.network import check_proxy, ssl_context

DEFAULT_BASE_URL = "https://api.themoviedb.org/3"
BASE_URL_ENV = "TMDB_BASE_URL"


@dataclass(frozen=True)
class ClientSettings:
    base_url: str = DEFAULT_BASE_URL
    rate: float = 40.0  # requests per second, shared by every stage
    concurrency: int = 20  # requests in flight
    timeout: float = 15.0  # seconds per request
    max_attempts: int = 6  # per request, for transient errors
    # Outages (fetch/breaker.py, where the defaults live): failures in a row across units that
    # mean "TMDB unreachable", the first and the longest wait between probes, and an optional
    # bound on the outage.
    outage_threshold: int = BreakerSettings.threshold
    probe_initial: float = BreakerSettings.probe_initial
    probe_max: float = BreakerSettings.probe_max
    give_up_after: float | None = None  # seconds; "30m" / "2h" accepted; None: never
    proxy: str | None = field(default=None, repr=False)  # else HTTPS_PROXY etc.; fetch/network
    ca_file: str | None = None  # a PEM file of CAs to trust besides the system's

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", check_base_url(self.base_url))
        _positive_number("rate", self.rate)
        _positive_number("timeout", self.timeout)
        _positive_int("concurrency", self.concurrency)
        _positive_int("max_attempts", self.max_attempts)
        _positive_int("outage_threshold", self.outage_threshold)
        _positive_number("probe_initial", self.probe_initial)
        _positive_number("probe_max", self.probe_max)
        if self.give_up_after is not None:
            object.__setattr__(self, "give_up_after", parse_duration(self.give_up_after))
        if self.proxy is not None:
            check_proxy(self.proxy)
        if self.ca_file is not None and not isinstance(self.ca_file, str):
            raise ConfigError(f"ca_file must be a file path, not {self.ca_file!r}")
        if self.ca_file is not None:
            ssl_context(self.ca_file)  # read now: a bad file is refused before any collection

    @property
    def breaker(self) -> BreakerSettings:
        """The circuit breaker's settings (outages: docs/robustness.md)."""
        return BreakerSettings(
            threshold=self.outage_threshold,
            probe_initial=self.probe_initial,
            probe_max=self.probe_max,
            give_up_after=self.give_up_after,
        )


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)([hms]?)")
_UNIT_SECONDS = {"h": 3600.0, "m": 60.0, "s": 1.0, "": 1.0}


def parse_duration(value: object, name: str = "give_up_after") -> float:
    """``30m``, ``2h``, ``1h30m``, ``45s`` or a number of seconds, as seconds (> 0)."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        seconds = float(value)
    elif isinstance(value, str) and value.strip():
        text = value.strip().lower()
        parts = _DURATION_PART.findall(text)
        if "".join(number + unit for number, unit in parts) != text:
            raise ConfigError(f"{name} must be a duration such as 30m, 2h or 90s, not {value!r}")
        seconds = sum(float(number) * _UNIT_SECONDS[unit] for number, unit in parts)
    else:
        raise ConfigError(f"{name} must be a duration such as 30m, 2h or 90s, not {value!r}")
    if not seconds > 0:
        raise ConfigError(f"{name} must be longer than 0, not {value!r}")
    return seconds


def check_base_url(url: object) -> str:
    if not isinstance(url, str):
        raise ConfigError(f"base URL must be text, not {url!r}")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(f"malformed base URL {url!r}: expected e.g. {DEFAULT_BASE_URL}")
    if parts.query or parts.fragment:
        raise ConfigError(f"base URL {url!r} must not carry a query or fragment")
    try:
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError:
        raise ConfigError(f"malformed base URL {url!r}: bad port") from None
    return url.rstrip("/")


def _positive_number(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value > 0:
        raise ConfigError(f"{name} must be a number greater than 0, not {value!r}")


def _positive_int(name: str, value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ConfigError(f"{name} must be a whole number of at least 1, not {value!r}")


def build_client_settings(
    client: Mapping[str, Any], overrides: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> ClientSettings:
    """The settings from a config file's [client] table, ``$TMDB_BASE_URL`` under it and the
    command line's ``overrides`` (None: not given) over it."""
    env = os.environ if env is None else env
    known = {f.name for f in fields(ClientSettings)}
    unknown = sorted(set(client) - known)
    if unknown:
        raise ConfigError(f"[client]: unknown setting {unknown[0]!r}")
    settings = ClientSettings()
    if env.get(BASE_URL_ENV):
        settings = replace(settings, base_url=env[BASE_URL_ENV])
    settings = replace(settings, **client)
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
