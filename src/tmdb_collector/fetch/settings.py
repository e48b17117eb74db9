"""How the client talks to TMDB: base URL, rate, concurrency, timeout and attempts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from tmdb_collector.errors import ConfigError

DEFAULT_BASE_URL = "https://api.themoviedb.org/3"
BASE_URL_ENV = "TMDB_BASE_URL"


@dataclass(frozen=True)
class ClientSettings:
    base_url: str = DEFAULT_BASE_URL
    rate: float = 40.0  # requests per second, shared by every stage
    concurrency: int = 20  # requests in flight
    timeout: float = 15.0  # seconds per request
    max_attempts: int = 6  # per request, for transient errors

    def __post_init__(self) -> None:
        object.__setattr__(self, "base_url", check_base_url(self.base_url))
        _positive_number("rate", self.rate)
        _positive_number("timeout", self.timeout)
        _positive_int("concurrency", self.concurrency)
        _positive_int("max_attempts", self.max_attempts)


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
