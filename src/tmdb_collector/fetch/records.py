"""A movie's four parts, and the split of an ``append_to_response`` body back into them.

TMDB's appended objects omit the ``id`` that the standalone endpoints return, so the split puts
it back. Every part is stored as compact JSON text, exactly as the standalone endpoint would
answer, so ``movies.json`` is identical whether a movie was fetched in one call or four.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import orjson

from tmdb_collector.errors import BadResponseError

APPENDED = ("credits", "keywords", "recommendations")
PARTS = ("details", *APPENDED)


def encode(body: Any) -> str:
    """Compact JSON text, as TMDB sends it (key order kept, non-ASCII kept)."""
    return orjson.dumps(body).decode()


@dataclass(frozen=True, slots=True)
class MovieRecord:
    """One collected movie: each part is the JSON text of TMDB's body for that endpoint."""

    id: int
    details: str
    credits: str
    keywords: str
    recommendations: str
    fetched_at: dt.datetime | None = None

    @classmethod
    def from_parts(
        cls, movie_id: int, parts: Mapping[str, Any], fetched_at: dt.datetime | None = None
    ) -> MovieRecord:
        _check_parts(movie_id, parts)
        return cls(
            id=movie_id,
            details=encode(parts["details"]),
            credits=encode(parts["credits"]),
            keywords=encode(parts["keywords"]),
            recommendations=encode(parts["recommendations"]),
            fetched_at=fetched_at,
        )


def split_appended(movie_id: int, body: Mapping[str, Any]) -> dict[str, Any]:
    """Turn ``/movie/{id}?append_to_response=credits,keywords,recommendations`` into 4 bodies."""
    missing = [name for name in APPENDED if not isinstance(body.get(name), dict)]
    if missing:
        raise BadResponseError(
            f"appended {', '.join(missing)} missing from the body", path=f"/movie/{movie_id}"
        )
    details = {key: value for key, value in body.items() if key not in APPENDED}
    return {
        "details": details,
        "credits": {"id": movie_id, **body["credits"]},
        "keywords": {"id": movie_id, **body["keywords"]},
        "recommendations": dict(body["recommendations"]),
    }


def _check_parts(movie_id: int, parts: Mapping[str, Any]) -> None:
    """Reject bodies that are valid JSON but not what the endpoint returns."""
    expectations: dict[str, tuple[str, type]] = {
        "details": ("title", str),
        "credits": ("cast", list),
        "keywords": ("keywords", list),
        "recommendations": ("results", list),
    }
    for part, (field, kind) in expectations.items():
        body = parts.get(part)
        if not isinstance(body, dict) or not isinstance(body.get(field), kind):
            raise BadResponseError(f"{part} body lacks {field!r}", path=f"/movie/{movie_id}")
        if part != "recommendations" and body.get("id") != movie_id:
            raise BadResponseError(f"{part} body is for another id", path=f"/movie/{movie_id}")
