"""tmdb-collector: harvest a movie dataset from The Movie Database (TMDB) API."""

from typing import TYPE_CHECKING, Any

from tmdb_collector.about import ATTRIBUTION, __version__

# The Python API (api.py) loads on first use, so `import tmdb_collector` and the CLI stay fast.
_API = (
    "Collection",
    "CollectResult",
    "UpdateResult",
    "collect",
    "collect_async",
    "update",
    "update_async",
)
__all__ = [
    "ATTRIBUTION",
    "CollectResult",
    "Collection",
    "UpdateResult",
    "__version__",
    "collect",
    "collect_async",
    "update",
    "update_async",
]

if TYPE_CHECKING:
    from tmdb_collector.api import (
        Collection,
        CollectResult,
        UpdateResult,
        collect,
        collect_async,
        update,
        update_async,
    )


def __getattr__(name: str) -> Any:
    if name in _API:
        from tmdb_collector import api

        return getattr(api, name)
    raise AttributeError(f"module 'tmdb_collector' has no attribute {name!r}")
