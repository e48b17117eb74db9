"""One collected item (a movie or a series), and the encoding of TMDB's bodies as stored text.

An ``append_to_response`` body is split back into parts by the item's
:class:`~tmdb_collector.media.MediaType`: appended objects omit the ``id`` that the standalone
endpoints return, so the split puts it back. Every part is stored as compact JSON text, exactly
as the standalone endpoint would answer, so ``movies.json`` (or ``tv.json``) is identical
whether an item was fetched in one call or in one call per part.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from tmdb_collector.media import MediaType
from tmdb_collector.media.links import DETAILS


def encode(body: Any) -> str:
    """Compact JSON text, as TMDB sends it (key order kept, non-ASCII kept)."""
    return orjson.dumps(body).decode()


@dataclass(frozen=True, slots=True)
class ItemRecord:
    """One collected item: its details and each part as the JSON text of TMDB's body."""

    id: int
    details: str
    parts: Mapping[str, str] = field(default_factory=dict)
    fetched_at: dt.datetime | None = None

    @classmethod
    def from_parts(
        cls,
        item_id: int,
        bodies: Mapping[str, Any],
        media: MediaType,
        fetched_at: dt.datetime | None = None,
    ) -> ItemRecord:
        """From ``{"details": ..., <part>: ...}`` bodies, checked against ``media``."""
        media.check(item_id, bodies)
        return cls(
            id=item_id,
            details=encode(bodies[DETAILS]),
            parts={name: encode(body) for name, body in bodies.items() if name != DETAILS},
            fetched_at=fetched_at,
        )
