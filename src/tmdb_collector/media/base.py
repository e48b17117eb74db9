"""What the collector needs to know about one kind of TMDB item (movie, TV series).

A :class:`MediaType` holds every fact that differs between media: the paths of the three
stages, the genre list, the date field that splits a long discover query, the parts TMDB can
append to the details request and how each is split back into its standalone body, the export's
file name, and the builders of its tables. The engine, the store and the exporters ask the
media type; they never branch on the media themselves.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from tmdb_collector.errors import BadResponseError, ConfigError

ALL_PARTS = "all"
APPEND_LIMIT = 20  # TMDB serves at most 20 appended sub-resources per request


@dataclass(frozen=True, slots=True)
class Part:
    """One sub-resource of the details endpoint, e.g. ``credits`` or ``watch/providers``.

    ``check`` names a field the body always carries and the JSON type it has (None: only an
    object is required). Appended bodies omit the ``id`` the standalone endpoint returns;
    ``id_at`` is where that endpoint puts it among the body's keys (None: it has none).
    """

    name: str
    check: tuple[str, type] | None = None
    id_at: int | None = 0

    def standalone(self, item_id: int, appended: Mapping[str, Any]) -> dict[str, Any]:
        """The body ``/{media}/{id}/{name}`` answers, from the appended one."""
        if self.id_at is None or "id" in appended:
            return dict(appended)
        items = list(appended.items())
        items.insert(self.id_at, ("id", item_id))
        return dict(items)

    def problem(self, item_id: int, body: Any) -> str | None:
        """Why ``body`` is not what this part's endpoint returns, or None when it is."""
        if not isinstance(body, dict):
            return f"{self.name} body is not a JSON object"
        if self.check is not None:
            name, kind = self.check
            if not isinstance(body.get(name), kind):
                return f"{self.name} body lacks {name!r}"
        if self.id_at is not None and body.get("id") != item_id:
            return f"{self.name} body is for another id"
        return None


@dataclass(frozen=True)
class MediaType:
    """Every fact about one media type; see :mod:`tmdb_collector.media.movie`."""

    name: str  # the --media value and the database's meta "media"
    word: str  # one item, in messages: "movie"
    plural: str  # "movies"
    details_path: str  # "/movie/{id}"
    popular_path: str
    discover_path: str
    genre_list_path: str
    changes_path: str
    daily_export_prefix: str  # "movie_ids" as in movie_ids_MM_DD_YYYY.json.gz
    date_field: str  # discover's date filter, split in halves past 500 pages
    genres: Mapping[int, str]
    details_check: tuple[str, type]  # a field every details body carries
    parts: tuple[Part, ...]  # every valid part, in canonical (export) order
    default_parts: tuple[str, ...]
    export_filename: str  # the json export's default file name
    id_column: str  # the item id's column in the part tables: "movie_id"
    _by_name: dict[str, Part] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {part.name: part for part in self.parts})
        if len(self.parts) > APPEND_LIMIT:
            raise ValueError(f"{self.name}: more parts than one request can append")

    @property
    def part_names(self) -> tuple[str, ...]:
        return tuple(part.name for part in self.parts)

    def part(self, name: str) -> Part:
        return self._by_name[name]

    def path_of(self, item_id: int) -> str:
        return self.details_path.format(id=item_id)

    def parse_parts(self, value: object) -> tuple[str, ...]:
        """``"credits,videos"``, a list of names, or ``"all"`` -> names in canonical order.

        An unknown name is a :class:`ConfigError` that lists the valid ones.
        """
        if value == ALL_PARTS:
            return self.part_names
        if isinstance(value, str):
            names: Iterable[object] = [name.strip() for name in value.split(",") if name.strip()]
        elif isinstance(value, list | tuple):
            names = value
        else:
            raise ConfigError(f"parts must be a comma-separated list of names, not {value!r}")
        chosen = set()
        for name in names:
            if name == ALL_PARTS:
                return self.part_names
            if not isinstance(name, str) or name not in self._by_name:
                raise ConfigError(
                    f"unknown {self.word} part {name!r}; valid parts are "
                    f"{', '.join(self.part_names)} (or 'all')"
                )
            chosen.add(name)
        return tuple(name for name in self.part_names if name in chosen)

    def split(self, item_id: int, body: Mapping[str, Any], parts: Sequence[str]) -> dict[str, Any]:
        """An ``append_to_response`` body -> ``{"details": ..., <part>: standalone body}``."""
        path = self.path_of(item_id)
        missing = [name for name in parts if not isinstance(body.get(name), dict)]
        if missing:
            raise BadResponseError(
                f"appended {', '.join(missing)} missing from the body", path=path
            )
        appended = set(parts)
        bodies: dict[str, Any] = {
            "details": {key: value for key, value in body.items() if key not in appended}
        }
        for name in parts:
            bodies[name] = self.part(name).standalone(item_id, body[name])
        return bodies

    def check(self, item_id: int, bodies: Mapping[str, Any]) -> None:
        """Reject bodies that are valid JSON but not what the endpoints return."""
        path = self.path_of(item_id)
        details = bodies.get("details")
        field_name, kind = self.details_check
        if not isinstance(details, dict) or not isinstance(details.get(field_name), kind):
            raise BadResponseError(f"details body lacks {field_name!r}", path=path)
        if details.get("id") != item_id:
            raise BadResponseError("details body is for another id", path=path)
        for name, body in bodies.items():
            if name != "details":
                problem = self.part(name).problem(item_id, body)
                if problem is not None:
                    raise BadResponseError(problem, path=path)
