"""Response bodies and headers exactly as TMDB sends them (API-FACTS §1, §6)."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from aiohttp import web

CONTENT_TYPE = "application/json;charset=utf-8"
CACHE_CONTROL = "public, max-age=28800"
SERVER = "openresty"
_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def dumps(obj: Any) -> bytes:
    """Compact UTF-8 JSON like TMDB's (no spaces, non-ASCII kept)."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def tmdb_error(status_code: int, message: str) -> bytes:
    """The current error body shape (``success`` first, as live TMDB sends it)."""
    return dumps({"success": False, "status_code": status_code, "status_message": message})


# 401 keeps the key order of the SPEC example on /3/authentication.
INVALID_API_KEY = dumps(
    {
        "status_code": 7,
        "status_message": "Invalid API key: You must be granted a valid key.",
        "success": False,
    }
)
NOT_FOUND = tmdb_error(34, "The resource you requested could not be found.")
INVALID_PAGE = tmdb_error(
    22, "Invalid page: Pages start at 1 and max at 500. They are expected to be an integer."
)
PAGE_OVER_500 = dumps({"errors": ["page must be less than or equal to 500"]})
TOO_MANY_APPENDS = tmdb_error(
    27, "Too many append to response objects: The maximum number of remote calls is 20."
)
INVALID_DATE_RANGE = tmdb_error(20, "Invalid date range: Should be a range no longer than 14 days.")
INVALID_DATE = tmdb_error(23, "Invalid date: Format needs to be YYYY-MM-DD.")
NOT_SIMULATED_STATUS = 501


def _not_simulated(message: str, **named: object) -> bytes:
    """A 501 body (not TMDB's: TMDB has no such answer) saying what is not simulated."""
    return dumps(
        {
            "success": False,
            "status_code": NOT_SIMULATED_STATUS,
            "status_message": f"Not simulated: {message} (the README lists what it does).",
            **named,
        }
    )


def not_simulated(method: str, template: str) -> bytes:
    """The 501 body of a TMDB endpoint the simulator does not serve, naming the endpoint so
    a client can tell it from "no such id"."""
    endpoint = f"{method} {template}"
    return _not_simulated(f"{endpoint} is a TMDB endpoint the simulator does not serve",
                          endpoint=endpoint)  # fmt: skip


def filters_not_simulated(names: list[str]) -> bytes:
    """The 501 body of a discover request with filters the simulator does not model."""
    listed = ", ".join(names)
    return _not_simulated(f"the simulator does not model the discover filters {listed}",
                          parameters=names)  # fmt: skip


AUTH_SUCCESS = dumps({"success": True, "status_code": 1, "status_message": "Success."})

# (HTTP status, body) of the transient server errors a fault can produce.
SERVER_ERRORS: tuple[tuple[int, bytes], ...] = (
    (500, tmdb_error(11, "Internal error: Something went wrong, contact TMDb.")),
    (502, tmdb_error(43, "Couldn't connect to the backend server.")),
    (503, tmdb_error(9, "Service offline: This service is temporarily offline, try again later.")),
    (503, tmdb_error(46, "The API is undergoing maintenance. Try again later.")),
    (504, tmdb_error(24, "Backend timeout: Your request to the backend server timed out.")),
)


def rate_limited_body(count: int, limit: float) -> bytes:
    return tmdb_error(
        25, f"Your request count ({count}) is over the allowed limit of {round(limit)}."
    )


class ApiError(Exception):
    """Raised by handlers; the middleware turns it into an error response."""

    def __init__(self, status: int, body: bytes) -> None:
        super().__init__(status)
        self.status = status
        self.body = body


def http_date(today: datetime.date, now: datetime.datetime | None = None) -> str:
    """RFC 1123 date of the *simulated* day with the current UTC time of day."""
    clock = now or datetime.datetime.now(datetime.UTC)
    return (
        f"{_WEEKDAYS[today.weekday()]}, {today.day:02d} {_MONTHS[today.month - 1]} "
        f"{today.year} {clock:%H:%M:%S} GMT"
    )


def etag(body: bytes) -> str:
    return f'W/"{hashlib.md5(body, usedforsecurity=False).hexdigest()}"'


class Responder:
    """Builds responses carrying the simulated ``Date``."""

    def __init__(self, today: datetime.date) -> None:
        self.today = today

    def ok(self, body: bytes, tag: str | None = None) -> web.Response:
        headers = {
            "Content-Type": CONTENT_TYPE,
            "Cache-Control": CACHE_CONTROL,
            "Etag": tag or etag(body),
            "Date": http_date(self.today),
            "Server": SERVER,
        }
        return web.Response(status=200, body=body, headers=headers)

    def error(self, status: int, body: bytes, extra: dict[str, str] | None = None) -> web.Response:
        headers = {"Content-Type": CONTENT_TYPE, "Date": http_date(self.today), "Server": SERVER}
        if extra:
            headers.update(extra)
        return web.Response(status=status, body=body, headers=headers)

    def raw(self, body: bytes, content_type: str) -> web.Response:
        headers = {"Content-Type": content_type, "Date": http_date(self.today), "Server": SERVER}
        return web.Response(status=200, body=body, headers=headers)
