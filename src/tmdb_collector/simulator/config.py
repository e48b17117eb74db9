"""Simulator configuration."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from tmdb_collector.media import MOVIE, TV
from tmdb_collector.simulator.catalog import (
    DEFAULT_CATALOG_SIZE,
    DEFAULT_DELETED_FRACTION,
    DEFAULT_SEED,
    DEFAULT_TODAY,
    DEFAULT_TV_CATALOG_SIZE,
)
from tmdb_collector.simulator.outage import OutageWindow

FAULT_KINDS: tuple[str, ...] = ("error", "slow", "reset", "truncated")
# The media types served, each with the field that sizes its catalogue (simulate --media).
CATALOG_SIZE_FIELDS: dict[str, str] = {MOVIE.name: "catalog_size", TV.name: "tv_catalog_size"}


@dataclass(frozen=True)
class SimulatorConfig:
    """How the simulated TMDB behaves. Every field has an offline-safe default."""

    host: str = "127.0.0.1"
    port: int = 0  # 0 = pick a free port
    api_key: str | None = None  # None: any non-empty key/token is accepted
    latency_ms: float = 0.0  # added to every /3 response
    rate_limit: float | None = None  # requests/s over all /3 requests; None = unlimited
    fault_rate: float = 0.0  # 0..1 share of /3 requests that get a transient fault
    slow_ms: float = 30_000.0  # stall of a "slow" fault before answering normally
    catalog_size: int = DEFAULT_CATALOG_SIZE
    tv_catalog_size: int = DEFAULT_TV_CATALOG_SIZE  # series (built on the first TV request)
    seed: int = DEFAULT_SEED
    today: datetime.date = DEFAULT_TODAY  # simulated date; never wall-clock
    deleted_fraction: float = DEFAULT_DELETED_FRACTION
    fault_kinds: tuple[str, ...] = FAULT_KINDS  # subset of FAULT_KINDS to draw from
    outages: tuple[OutageWindow, ...] = ()  # scheduled outages, from server start
    # The image CDN (/t/p/<size>/<file_path>): its own latency, rate limit and faults.
    image_latency_ms: float = 0.0
    image_rate_limit: float | None = None  # images/s; None = unlimited
    image_fault_rate: float = 0.0
    drift: float = 0.0  # chance a page boundary of a popularity ranking is swapped, per request

    def __post_init__(self) -> None:
        if not 0.0 <= self.drift <= 1.0:
            raise ValueError("drift must be within 0..1")
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError("fault_rate must be within 0..1")
        if not 0.0 <= self.image_fault_rate <= 1.0:
            raise ValueError("image_fault_rate must be within 0..1")
        for name in ("rate_limit", "image_rate_limit"):
            limit = getattr(self, name)
            if limit is not None and limit <= 0:
                raise ValueError(f"{name} must be positive or None")
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown or not self.fault_kinds:
            raise ValueError(f"fault_kinds must be a non-empty subset of {FAULT_KINDS}")
