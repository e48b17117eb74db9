"""A faithful, offline simulation of the TMDB v3 API (aiohttp) with a synthetic catalogue.

Public API::

    from tmdb_collector.simulator import (
        SimulatorConfig, build_app, run_forever, running_simulator, Catalog,
    )

Movies and TV series are served side by side (``Catalog(media="tv")`` is the series
catalogue); ``RunningSimulator.outage`` holds outages (see :mod:`.outage`).
"""

from tmdb_collector.simulator.catalog import (
    DEFAULT_CATALOG_SIZE,
    DEFAULT_TODAY,
    DEFAULT_TV_CATALOG_SIZE,
    Catalog,
    Movie,
)
from tmdb_collector.simulator.config import FAULT_KINDS, SimulatorConfig
from tmdb_collector.simulator.discover import DiscoverQuery, parse_discover_params
from tmdb_collector.simulator.outage import OUTAGE_KINDS, Outage, OutageWindow
from tmdb_collector.simulator.ratelimit import TokenBucket
from tmdb_collector.simulator.runner import RunningSimulator, run_forever, running_simulator
from tmdb_collector.simulator.server import build_app
from tmdb_collector.simulator.stats import SimulatorStats

__all__ = [
    "DEFAULT_CATALOG_SIZE",
    "DEFAULT_TODAY",
    "DEFAULT_TV_CATALOG_SIZE",
    "FAULT_KINDS",
    "OUTAGE_KINDS",
    "Catalog",
    "DiscoverQuery",
    "Movie",
    "Outage",
    "OutageWindow",
    "RunningSimulator",
    "SimulatorConfig",
    "SimulatorStats",
    "TokenBucket",
    "build_app",
    "parse_discover_params",
    "run_forever",
    "running_simulator",
]
