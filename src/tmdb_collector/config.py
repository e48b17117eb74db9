"""Client settings and the TOML config file that can hold them together with the plan.

A config file has up to two tables; flags given on the command line win over the file::

    [plan]
    popular_pages = 250
    genre_pages = 25
    genres = [28, 35]

    [client]
    base_url = "https://api.themoviedb.org/3"
    rate = 40
    concurrency = 20
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from tmdb_collector.errors import ConfigError
from tmdb_collector.plan import Plan, parse_pages

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


@dataclass(frozen=True)
class ConfigFile:
    plan: Mapping[str, Any]
    client: Mapping[str, Any]


def read_config(path: Path | None) -> ConfigFile:
    if path is None:
        return ConfigFile({}, {})
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"config file {path} does not exist") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"cannot read config file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    unknown = sorted(set(data) - {"plan", "client"})
    if unknown:
        raise ConfigError(f"{path}: unknown table [{unknown[0]}]; expected [plan] and [client]")
    plan, client = data.get("plan", {}), data.get("client", {})
    if not isinstance(plan, dict) or not isinstance(client, dict):
        raise ConfigError(f"{path}: [plan] and [client] must be tables")
    return ConfigFile(plan, client)


def build_plan(config: ConfigFile, overrides: Mapping[str, Any]) -> Plan:
    """The plan from the config file's [plan] table, with command-line overrides on top."""
    values = dict(config.plan)
    for name in ("popular_pages", "genre_pages"):
        if name in values:
            values[name] = parse_pages(values[name], name)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Plan.from_dict(values, source="[plan]")


def build_client_settings(
    config: ConfigFile, overrides: Mapping[str, Any], env: Mapping[str, str] | None = None
) -> ClientSettings:
    env = os.environ if env is None else env
    known = {f.name for f in fields(ClientSettings)}
    unknown = sorted(set(config.client) - known)
    if unknown:
        raise ConfigError(f"[client]: unknown setting {unknown[0]!r}")
    settings = ClientSettings()
    if env.get(BASE_URL_ENV):
        settings = replace(settings, base_url=env[BASE_URL_ENV])
    settings = replace(settings, **config.client)
    return replace(settings, **{k: v for k, v in overrides.items() if v is not None})
