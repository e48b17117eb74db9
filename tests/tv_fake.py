"""A small fake TMDB TV API for httpx.MockTransport, built from the OpenAPI spec's TV examples.

Until the simulator serves a TV catalogue, these tests drive the collector's TV path against
it: /genre/tv/list, /tv/popular, /discover/tv, /tv/{id} with append_to_response (parts and
season/N, at most 20, appended bodies without the series id as TMDB sends them), the
standalone /tv/{id}/<part> and /tv/{id}/season/{n}, and /tv/changes.
"""

from __future__ import annotations

import copy
import datetime as dt
import email.utils
import json
from collections import Counter
from functools import cache
from typing import Any

import httpx

from tests.conftest import REFERENCE
from tmdb_collector.media.base import PAGE_SIZE
from tmdb_collector.media.tv import GENRES

PART_NAMES = (
    "aggregate_credits",
    "alternative_titles",
    "content_ratings",
    "credits",
    "episode_groups",
    "external_ids",
    "images",
    "keywords",
    "recommendations",
    "reviews",
    "screened_theatrically",
    "similar",
    "translations",
    "videos",
    "watch/providers",
)
KEPT = 4  # elements kept of each array of the spec's examples


@cache
def _spec() -> dict[str, Any]:
    spec: dict[str, Any] = json.loads((REFERENCE / "openapi-v3.json").read_text("utf-8"))
    return spec


def spec_example(path: str) -> dict[str, Any]:
    """The 200 example of ``/3{path}`` in the OpenAPI spec, parsed."""
    content = _spec()["paths"][f"/3{path}"]["get"]["responses"]["200"]["content"]
    example = content["application/json"]["examples"]["Result"]["value"]
    body: dict[str, Any] = json.loads(example)
    return body


@cache
def _example(path: str) -> dict[str, Any]:
    """The spec's example with every array cut to :data:`KEPT` elements: the same shapes and
    key orders, small enough that a run of a few hundred requests stays fast."""
    body: dict[str, Any] = _trim(spec_example(path))
    return body


def _trim(value: Any) -> Any:
    if isinstance(value, list):
        return [_trim(item) for item in value[:KEPT]]
    if isinstance(value, dict):
        return {key: _trim(item) for key, item in value.items()}
    return value


class FakeTV:
    """``count`` English-language series (every 7th is French), ids from 1001; series ``i``
    has ``i % 4`` seasons plus specials, and ``long_series`` has ``long_seasons`` seasons."""

    def __init__(self, count: int = 30, *, long_series: int = 1005, long_seasons: int = 25) -> None:
        self.ids = list(range(1001, 1001 + count))
        self.long_series, self.long_seasons = long_series, long_seasons
        self.changed: set[int] = set()
        self.today = dt.date(2025, 3, 1)
        self.requests: Counter[str] = Counter()
        self.details_requests: list[tuple[int, str]] = []
        self.version = 0  # bump to change every body (as TMDB's data changes)
        self.withheld: set[str] = set()  # appended sub-paths left out of answers, e.g. season/2

    # ---- the catalogue ---------------------------------------------------------------------

    def seasons_of(self, series_id: int) -> int:
        return self.long_seasons if series_id == self.long_series else series_id % 4

    def language_of(self, series_id: int) -> str:
        return "fr" if series_id % 7 == 0 else "en"

    def genres_of(self, series_id: int) -> list[int]:
        ids = list(GENRES)
        first, second = series_id % len(ids), (series_id // 3) % len(ids)
        if second == first:  # TMDB lists a genre once
            second = (first + 1) % len(ids)
        return [ids[first], ids[second]]

    def first_air_date(self, series_id: int) -> str:
        """Spread over 1990-2022, inside the plan's date range."""
        step = 12_000 // len(self.ids)
        return (dt.date(1990, 1, 1) + dt.timedelta(days=step * (series_id - 1000))).isoformat()

    def list_item(self, series_id: int) -> dict[str, Any]:
        return {
            "id": series_id,
            "name": f"Series {series_id}",
            "original_language": self.language_of(series_id),
            "genre_ids": self.genres_of(series_id),
            "first_air_date": self.first_air_date(series_id),
            "popularity": 1000.0 - series_id / 10,
        }

    def details(self, series_id: int) -> dict[str, Any]:
        body = copy.deepcopy(_example("/tv/{series_id}"))
        body["id"] = series_id
        body["name"] = body["original_name"] = f"Series {series_id} v{self.version}"
        body["original_language"] = self.language_of(series_id)
        body["first_air_date"] = self.first_air_date(series_id)
        body["genres"] = [{"id": g, "name": GENRES[g]} for g in self.genres_of(series_id)]
        template = body["seasons"][1]
        count = self.seasons_of(series_id)
        body["seasons"] = [
            {**template, "id": series_id * 100 + n, "season_number": n, "name": f"Season {n}"}
            for n in range(count + 1)
        ]
        body["number_of_seasons"] = count
        body["number_of_episodes"] = 2 * (count + 1)
        return body

    def season(self, series_id: int, number: int) -> dict[str, Any]:
        body = copy.deepcopy(_example("/tv/{series_id}/season/{season_number}"))
        template = body["episodes"][0]
        body["id"] = series_id * 100 + number
        body["season_number"] = number
        body["name"] = f"Season {number}"
        body["episodes"] = [
            {
                **template,
                "id": series_id * 10_000 + number * 100 + e,
                "episode_number": e,
                "season_number": number,
                "show_id": series_id,
            }
            for e in (1, 2)
        ]
        return body

    def part(self, series_id: int, name: str) -> dict[str, Any]:
        """The standalone body of /tv/{id}/{name}."""
        body = copy.deepcopy(_example(f"/tv/{{series_id}}/{name}"))
        if "id" in body:
            body["id"] = series_id
        if name == "aggregate_credits":
            # One actor with two roles and one crew member with two jobs, as TMDB has them.
            star, lead = body["cast"][0], body["crew"][0]
            star["roles"].append({**star["roles"][0], "character": "Narrator", "episode_count": 1})
            lead["jobs"].append({**lead["jobs"][0], "job": "Writer", "episode_count": 2})
        return body

    # ---- HTTP -----------------------------------------------------------------------------

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path.removeprefix("/3")
        params = request.url.params
        self.requests[path] += 1
        if path == "/genre/tv/list":
            genres = [{"id": g, "name": name} for g, name in GENRES.items()]
            return self._ok({"genres": genres})
        if path == "/configuration":
            return self._ok({"images": {}, "change_keys": []})
        if path == "/tv/popular":
            return self._page(self.ids, int(params.get("page", "1")))
        if path == "/discover/tv":
            return self._page(self._discover(params), int(params.get("page", "1")))
        if path == "/tv/changes":  # items are {"id", "adult"}, as the spec's example
            changes = [{"id": i, "adult": False} for i in sorted(self.changed)]
            return self._ok(
                {"results": changes, "page": 1, "total_pages": 1, "total_results": len(changes)}
            )
        rest = path.removeprefix("/tv/").split("/", 1)
        series_id = int(rest[0])
        if series_id not in self.ids:
            return httpx.Response(404, json={"status_code": 34, "status_message": "Not found"})
        if len(rest) == 2:
            sub = rest[1]
            if sub.startswith("season/"):
                return self._ok(self.season(series_id, int(sub.removeprefix("season/"))))
            return self._ok(self.part(series_id, sub))
        return self._details(series_id, params.get("append_to_response", ""))

    def _ok(self, body: dict[str, Any]) -> httpx.Response:
        date = email.utils.format_datetime(
            dt.datetime.combine(self.today, dt.time(12), tzinfo=dt.UTC), usegmt=True
        )
        return httpx.Response(200, json=body, headers={"Date": date})

    def _page(self, ids: list[int], page: int) -> httpx.Response:
        chosen = ids[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
        total_pages = max(1, -(-len(ids) // PAGE_SIZE))
        return self._ok(
            {
                "page": page,
                "results": [self.list_item(i) for i in chosen],
                "total_pages": total_pages,
                "total_results": len(ids),
            }
        )

    def _discover(self, params: httpx.QueryParams) -> list[int]:
        genre = int(params["with_genres"])
        start = params.get("first_air_date.gte", "0000")
        end = params.get("first_air_date.lte", "9999")
        return [
            i
            for i in self.ids
            if genre in self.genres_of(i)
            and self.language_of(i) == params.get("with_original_language", "en")
            and start <= self.first_air_date(i) <= end
        ]

    def _details(self, series_id: int, asked: str) -> httpx.Response:
        self.details_requests.append((series_id, asked))
        names = [name for name in asked.split(",") if name]
        if len(names) > 20:
            return httpx.Response(
                400,
                json={
                    "status_code": 27,
                    "status_message": "Too many append to response objects: The maximum"
                    " number of remote calls is 20.",
                },
            )
        body = self.details(series_id)
        for name in names:
            if name in self.withheld:
                continue
            if name.startswith("season/"):
                number = int(name.removeprefix("season/"))
                if number <= self.seasons_of(series_id):
                    body[name] = self.season(series_id, number)
            else:
                appended = self.part(series_id, name)
                appended.pop("id", None)  # appended bodies omit the series id
                body[name] = appended
        return self._ok(body)
