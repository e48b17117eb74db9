"""A dlt source for a collection: ``tmdb_source(db)`` loads every table of the parquet export
into any dlt destination, and later runs only what changed (docs/dlt.md).

Needs the optional extra: ``pip install 'tmdb-collector[dlt]'``.
"""

from __future__ import annotations

try:
    import dlt as _dlt  # noqa: F401  (only to say clearly what is missing)
except ImportError as exc:
    raise ImportError(
        "tmdb_collector.dlt needs the dlt package, which is not installed:"
        " pip install 'tmdb-collector[dlt]'"
    ) from exc

from tmdb_collector.dlt.source import DELETED, tmdb_source

__all__ = ["DELETED", "tmdb_source"]
