"""The TOML config file that holds the plan and the client settings, and the plan built from it.

A config file has up to two tables; flags given on the command line win over the file::

    [plan]
    popular_pages = 250
    genre_pages = 25
    genres = [28, 35]

    [client]
    base_url = "https://api.themoviedb.org/3"
    rate = 40
    concurrency = 20

The [client] table becomes :class:`~tmdb_collector.fetch.settings.ClientSettings` in
:func:`~tmdb_collector.fetch.settings.build_client_settings`.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tmdb_collector.errors import ConfigError
from tmdb_collector.plan.plan import Plan, parse_pages


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


def build_plan(
    config: ConfigFile,
    overrides: Mapping[str, Any],
    stored: Mapping[str, Any] | None = None,
    *,
    force_plan: bool = False,
) -> Plan:
    """The plan from the config file's [plan] table, with command-line overrides on top; what
    neither sets comes from ``stored`` as :func:`on_collection` says, else the defaults."""
    values = dict(config.plan)
    for name in ("popular_pages", "genre_pages"):
        if name in values:
            values[name] = parse_pages(values[name], name)
    values.update({k: v for k, v in overrides.items() if v is not None})
    return Plan.from_dict(on_collection(values, stored, force_plan=force_plan), source="[plan]")


def on_collection(
    values: Mapping[str, Any], stored: Mapping[str, Any] | None, *, force_plan: bool
) -> dict[str, Any]:
    """A plan's settings ``values`` for an existing collection whose plan is ``stored`` (see
    :func:`~tmdb_collector.store.database.stored_plan`): what they leave out is the
    collection's own, unless ``force_plan`` (the plan adopted is then the one given, for the
    collection's media unless they name one) or they name another media (opening the database
    then says it holds the other)."""
    if stored is None or values.get("media", stored["media"]) != stored["media"]:
        return dict(values)
    if force_plan:
        return {**values, "media": stored["media"]}
    return {**stored, **values}
