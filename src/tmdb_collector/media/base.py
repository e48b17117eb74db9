"""What the collector needs to know about one kind of TMDB item (movie, TV series).

A :class:`MediaType` holds every fact that differs between media: the paths of the three
stages, the genre list, the date field that splits a long discover query, the parts TMDB can
append to the details request and how each is split back into its standalone body, the export's
file name, and its tables (a :class:`~tmdb_collector.media.table_sets.TableSet`: columns, the
tables each part feeds and how a body becomes rows, primary keys, the duckdb views). The
engine, the store and the exporters ask the media type; they never branch on the media
themselves.

Most parts are appended to the details request under their own name. An :class:`ExpandingPart`
(TV's ``seasons``) is not: its sub-paths (``season/1``, ``season/2``...) are known only from the
details, so they are appended to further requests of the same endpoint, up to
:data:`APPEND_LIMIT` at a time (see :meth:`MediaType.follow_ups`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from tmdb_collector.errors import BadResponseError, ConfigError
from tmdb_collector.media.images import ImageSource
from tmdb_collector.media.links import DETAILS, Link
from tmdb_collector.media.table_sets import TableSet
from tmdb_collector.media.translated import TranslatedTexts

ALL: Literal["all"] = "all"  # every choice: parts, pages, languages, linked entity types
ALL_PARTS = ALL
NO_PARTS = "none"  # --parts none: the details alone
APPEND_LIMIT = 20  # TMDB serves at most 20 appended sub-resources per request
PAGE_SIZE = 20  # results on every full page of a TMDB list (popular, discover, similar...)
MAX_PAGE = 500  # TMDB refuses page > 500 with HTTP 422
CONFIGURATION_PATH = "/configuration"  # TMDB's image base and sizes; answers any valid key


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


@dataclass(frozen=True, slots=True)
class ExpandingPart(Part):
    """A part fetched as several sub-paths that the details name, e.g. TV ``seasons``:
    ``season/0``, ``season/1``... for every entry of the details' ``seasons`` list.

    Its stored body is one object keyed by sub-path, in the details' order, each value the body
    TMDB appended under that key. ``subpaths`` reads the sub-paths from a details body;
    ``check`` here is what every sub-path's body carries.
    """

    subpaths: Callable[[Mapping[str, Any]], list[str]] = lambda details: []

    def problem(self, item_id: int, body: Any) -> str | None:
        if not isinstance(body, dict):
            return f"{self.name} body is not a JSON object"
        for subpath, value in body.items():
            if not isinstance(value, dict):
                return f"{subpath} body is not a JSON object"
            if self.check is not None:
                name, kind = self.check
                if not isinstance(value.get(name), kind):
                    return f"{subpath} body lacks {name!r}"
        return None


@dataclass(frozen=True)
class MediaType:
    """Every fact about one media type; see :mod:`tmdb_collector.media.movie`."""

    name: str  # the --media value, the database's meta "media", and TMDB's path segment
    word: str  # one item, in messages: "movie"
    plural: str  # "movies"
    label: str  # the kind, in a heading: "Movie" (TMDB Movie Collector), "TV"
    daily_export_prefix: str  # "movie_ids" as in movie_ids_MM_DD_YYYY.json.gz
    daily_export_title: str  # the title key of that export's lines: "original_title"
    details_check: tuple[str, type]  # a field every details body carries
    parts: tuple[Part, ...]  # every valid part, in canonical (export) order
    default_parts: tuple[str, ...]
    export_filename: str  # the json export's default file name: "movies.json"
    tables: TableSet  # its normalized tables (parquet, csv and duckdb exports)
    # Whether TMDB lists this type (popular, discover, genres): the harvest's stages 1-2. A
    # type it does not list (people, collections...) takes its ids from its daily export.
    listed: bool = True
    # Whether TMDB has a changes feed (/{name}/changes) that `update` reads; a type without
    # one (collections, companies, networks) is refreshed by --max-age and --ids-from alone.
    changes: bool = True
    date_field: str = ""  # discover's date filter, split in halves past 500 pages
    genres: Mapping[int, str] = field(default_factory=dict)
    sort_orders: tuple[str, ...] = ()  # discover's sort_by values
    # The entities its details and parts name, fetched by `collect --linked` (media/links.py).
    links: tuple[Link, ...] = ()
    # Linked to by titles: its tables a title collection's table export carries when it holds
    # such entities (named ``linked_<table>`` if a title table has the name).
    linked_tables: tuple[str, ...] = ()
    # The image files its records name, by kind (media/images.py): `tmdb-collector images`.
    images: tuple[ImageSource, ...] = ()
    # The texts its translations localise (export --language); None: it has none.
    translated: TranslatedTexts | None = None
    _by_name: dict[str, Part] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "_by_name", {part.name: part for part in self.parts})
        if len(self.appended(self.part_names)) > APPEND_LIMIT:
            raise ValueError(f"{self.name}: more parts than one request can append")

    # TMDB names every path of a media type after it: /movie/{id}, /discover/movie, ...
    @property
    def details_path(self) -> str:
        return f"/{self.name}/{{id}}"

    @property
    def popular_path(self) -> str:
        return f"/{self.name}/popular"

    @property
    def discover_path(self) -> str:
        return f"/discover/{self.name}"

    @property
    def genre_list_path(self) -> str:
        return f"/genre/{self.name}/list"

    @property
    def probe_path(self) -> str:
        """The request a run sends first, alone (a bad key costs one 401): the genre list,
        or TMDB's configuration for a type without one."""
        return self.genre_list_path if self.listed else CONFIGURATION_PATH

    @property
    def changes_path(self) -> str:
        return f"/{self.name}/changes"

    @property
    def id_column(self) -> str:
        """The item id's column in the part tables: "movie_id"."""
        return self.tables.id_column

    @property
    def title(self) -> str:
        """The plural for a heading or a label: "Movies", "Series"."""
        return self.plural[:1].upper() + self.plural[1:]

    def noun(self, count: int) -> str:
        """The word for ``count`` of this type: "company" for one, else "companies"."""
        return self.word if count == 1 else self.plural

    def counted(self, count: int) -> str:
        """``count`` of this type in words: "1 company", "2,000 companies", "1 series"."""
        return f"{count:,} {self.noun(count)}"

    def words(self) -> dict[str, str]:
        """The words a page or a message uses for this media type."""
        return {
            "name": self.name,
            "word": self.word,
            "plural": self.plural,
            "title": self.title,
            "label": self.label,
            "export": self.export_filename,
        }

    @property
    def part_names(self) -> tuple[str, ...]:
        return tuple(part.name for part in self.parts)

    def part(self, name: str) -> Part:
        return self._by_name[name]

    def path_of(self, item_id: int) -> str:
        return self.details_path.format(id=item_id)

    def parse_parts(self, value: object) -> tuple[str, ...]:
        """``"credits,videos"``, a list of names, ``"all"`` or ``"none"`` -> names in canonical
        order (``"none"`` and an empty list: the details alone).

        An unknown or empty name is a :class:`ConfigError` that lists the valid ones.
        """
        if value == ALL_PARTS:
            return self.part_names
        if value == NO_PARTS:
            return ()
        if isinstance(value, str):
            names: Iterable[object] = [name.strip() for name in value.split(",")]
            if "" in names:  # "", "," or "credits,,keywords": a slip, not "no parts"
                raise ConfigError(
                    f"parts {value!r} has an empty name; list part names separated by"
                    f" commas, or '{ALL_PARTS}', or '{NO_PARTS}' for the details alone"
                )
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
                    f"{', '.join(self.part_names)} (or '{ALL_PARTS}', or '{NO_PARTS}')"
                )
            chosen.add(name)
        return tuple(name for name in self.part_names if name in chosen)

    def appended(self, parts: Sequence[str]) -> tuple[str, ...]:
        """The chosen parts the details request appends under their own names."""
        return tuple(name for name in parts if not isinstance(self.part(name), ExpandingPart))

    def follow_ups(self, details: Mapping[str, Any], parts: Sequence[str]) -> list[list[str]]:
        """The sub-paths the expanding parts among ``parts`` need, in further requests of
        :data:`APPEND_LIMIT` each: ``[]`` (the common case) when none is chosen."""
        subpaths = [
            subpath
            for name in parts
            if isinstance(part := self.part(name), ExpandingPart)
            for subpath in part.subpaths(details)
        ]
        return [subpaths[i : i + APPEND_LIMIT] for i in range(0, len(subpaths), APPEND_LIMIT)]

    def assemble(
        self, details: Mapping[str, Any], parts: Sequence[str], found: Mapping[str, Any]
    ) -> dict[str, Any]:
        """The expanding parts' bodies from the sub-path bodies ``found`` in follow-ups."""
        bodies: dict[str, Any] = {}
        for name in parts:
            part = self.part(name)
            if isinstance(part, ExpandingPart):
                bodies[name] = {subpath: found[subpath] for subpath in part.subpaths(details)}
        return bodies

    def take(self, item_id: int, body: Mapping[str, Any], names: Sequence[str]) -> dict[str, Any]:
        """The bodies appended under ``names``; a :class:`BadResponseError` if one is missing."""
        missing = [name for name in names if not isinstance(body.get(name), dict)]
        if missing:
            raise BadResponseError(
                f"appended {', '.join(missing)} missing from the body", path=self.path_of(item_id)
            )
        return {name: body[name] for name in names}

    def split(self, item_id: int, body: Mapping[str, Any], parts: Sequence[str]) -> dict[str, Any]:
        """An ``append_to_response`` body -> ``{"details": ..., <part>: standalone body}``.
        ``parts`` are the appended ones (see :meth:`appended`)."""
        self.take(item_id, body, parts)
        appended = set(parts)
        bodies: dict[str, Any] = {
            DETAILS: {key: value for key, value in body.items() if key not in appended}
        }
        for name in parts:
            bodies[name] = self.part(name).standalone(item_id, body[name])
        return bodies

    def check(self, item_id: int, bodies: Mapping[str, Any]) -> None:
        """Reject bodies that are valid JSON but not what the endpoints return."""
        path = self.path_of(item_id)
        details = bodies.get(DETAILS)
        field_name, kind = self.details_check
        if not isinstance(details, dict) or not isinstance(details.get(field_name), kind):
            raise BadResponseError(f"details body lacks {field_name!r}", path=path)
        if details.get("id") != item_id:
            raise BadResponseError("details body is for another id", path=path)
        for name, body in bodies.items():
            if name != DETAILS:
                problem = self.part(name).problem(item_id, body)
                if problem is not None:
                    raise BadResponseError(problem, path=path)
