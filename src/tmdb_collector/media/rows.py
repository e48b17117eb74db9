"""How a stored body becomes table rows: one set of builders for every media type.

A media type declares, for its details and each part, a :class:`Shape`: the tables that body
fills and how its JSON maps to their columns. The shapes here are TMDB's recurring ones (a list
of objects, a ranked page of results, credits, images...), parameterised by table and key; the
item's id column (``movie_id``, ``series_id``) is not theirs but the table set's, given when a
shape is bound to a :class:`Target`. A type with a body of its own kind declares a
:class:`Custom` shape beside its other facts (``media/``).

Every element of a TMDB array becomes exactly one row, so row counts equal the raw counts. The
columns of the tables that several media types share are here too (:data:`COMMON_COLUMNS`), with
their id column left to the type. Pure Python: :mod:`.columnar` holds the pyarrow fast paths of
the same shapes.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from tmdb_collector.media.table_schema import Column, Row, array, as_object, columns, make_row

Rows = dict[str, list[Row]]
Builder = Callable[[int, Mapping[str, Any]], Rows]  # (item id, body) -> rows of its tables

IMAGE_KINDS = {"backdrops": "backdrop", "logos": "logo", "posters": "poster", "profiles": "profile"}
WATCH_PROVIDERS = "watch/providers"  # the part of a title's offers (the availability timeline)
OFFER_TYPES = ("flatrate", "free", "ads", "rent", "buy")  # watch/providers, in table order
OFFER_RANK = {offer_type: rank for rank, offer_type in enumerate(OFFER_TYPES)}
PERSON_ID = "person_id"  # the column naming a person: in credit rows, and the person's own
CREDIT_TYPES = ("cast", "crew")  # a credits body's two lists, in row order
# A person's credit rows (media/person.py): the title credited and the list it is from.
CREDITED_TITLE = "title_id"
CREDIT_TYPE = "credit_type"

_PERSON = (
    f"{PERSON_ID}:int credit_id:str name:str original_name:str gender:int"
    " known_for_department:str popularity:float profile_path:str adult:bool"
)
# A cast row's number of the role within its title (TMDB's ``cast_id``): named like an id, it
# refers to no entity and no other table's column, so it is no join key (``sync/run.py``).
ROLE_NUMBER = "cast_id"
NOT_REFERENCES = frozenset({ROLE_NUMBER})  # ``*_id`` integer columns that refer to nothing
# The tables whose bodies have the same shape for every media type that has them, each without
# its leading id column (see :func:`with_id`).
COMMON_COLUMNS: dict[str, str] = {
    "cast": _PERSON + f" character:str order:int {ROLE_NUMBER}:int",
    "crew": _PERSON + " department:str job:str",
    "alternative_titles": "country:str title:str type:str",
    "external_ids": "imdb_id:str wikidata_id:str facebook_id:str instagram_id:str twitter_id:str",
    "images": (
        "kind:str file_path:str language:str width:int height:int aspect_ratio:float"
        " vote_average:float vote_count:int"
    ),
    "reviews": (
        "review_id:str author:str username:str rating:float content:str created_at:timestamp"
        " updated_at:timestamp url:str"
    ),
    "translations": (
        "language:str country:str name:str english_name:str title:str overview:str tagline:str"
        " homepage:str runtime:int"
    ),
    "videos": (
        "video_id:str language:str country:str name:str key:str site:str size:int type:str"
        " official:bool published_at:timestamp"
    ),
    "watch_providers": (
        "country:str offer_type:str provider_id:int provider_name:str display_priority:int"
        " logo_path:str link:str"
    ),
    "provenance": "stage:str genre_id:int query:str page:int position:int",
}
# Their identifying columns, after the id column.
COMMON_KEYS: dict[str, tuple[str, ...]] = {
    "cast": ("credit_id",),
    "crew": ("credit_id",),
    "external_ids": (),
    "watch_providers": ("country", "offer_type", "provider_id"),
    "provenance": ("query", "page"),
}


def with_id(id_column: str, spec: str) -> tuple[Column, ...]:
    """A table's columns: the item's id column first, then those of ``spec``."""
    return columns(f"{id_column}:int {spec}")


@dataclass(frozen=True, slots=True)
class Target:
    """The tables a bound shape writes: their columns by name, and the item id's column."""

    tables: Mapping[str, tuple[Column, ...]]
    id_column: str

    def rows(self, table: str, items: Iterable[Mapping[str, Any]]) -> list[Row]:
        columns = self.tables[table]
        return [make_row(columns, item) for item in items]

    def row(self, table: str, item_id: int, values: Mapping[str, Any]) -> Row:
        return make_row(self.tables[table], {**values, self.id_column: item_id})


def objects(body: Mapping[str, Any], key: str) -> Iterable[Mapping[str, Any]]:
    """The objects listed under ``body[key]`` (anything else there reads as an empty object)."""
    return map(as_object, array(body, key))


class Shape(Protocol):
    """How one body (the details or a part) becomes the rows of :attr:`tables`."""

    @property
    def tables(self) -> tuple[str, ...]: ...

    def bind(self, target: Target) -> Builder: ...


@dataclass(frozen=True)
class Each:
    """One row per element of ``body[key]``: its fields, with the columns ``renamed`` read
    from the element's fields of those names (``{"keyword_id": "id"}``)."""

    table: str
    key: str
    renamed: Mapping[str, str] = field(default_factory=dict)

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table,)

    def bind(self, target: Target) -> Builder:
        table, key, id_column, renamed = self.table, self.key, target.id_column, self.renamed

        def build(item_id: int, body: Mapping[str, Any]) -> Rows:
            def row(item: Mapping[str, Any]) -> dict[str, Any]:
                return {**item, id_column: item_id, **{c: item.get(f) for c, f in renamed.items()}}

            return {table: target.rows(table, map(row, objects(body, key)))}

        return build


def each(table: str, key: str, **renamed: str) -> Each:
    return Each(table, key, renamed)


def ranked(table: str, id_field: str) -> Each:
    """A paged list (page 1) of items or lists: one row per result with its ``rank``; its
    ``id`` is ``id_field`` and its ``iso_639_1`` is ``language`` (where the table has one)."""
    return Ranked(table, "results", {id_field: "id", "language": "iso_639_1"})


@dataclass(frozen=True)
class Ranked(Each):
    def bind(self, target: Target) -> Builder:
        table, key, id_column, renamed = self.table, self.key, target.id_column, self.renamed

        def build(item_id: int, body: Mapping[str, Any]) -> Rows:
            return {
                table: target.rows(
                    table,
                    ({**item, id_column: item_id, "rank": rank,
                      **{c: item.get(f) for c, f in renamed.items()}}
                     for rank, item in enumerate(objects(body, key))),
                )
            }  # fmt: skip

        return build


@dataclass(frozen=True)
class Whole:
    """One row from the whole body (``external_ids``)."""

    table: str

    @property
    def tables(self) -> tuple[str, ...]:
        return (self.table,)

    def bind(self, target: Target) -> Builder:
        table = self.table
        return lambda item_id, body: {table: [target.row(table, item_id, body)]}


@dataclass(frozen=True)
class Credits:
    """``credits``: one row per cast and per crew credit, the person's ``id`` as ``person_id``."""

    tables: tuple[str, ...] = ("cast", "crew")

    def bind(self, target: Target) -> Builder:
        id_column = target.id_column

        def build(item_id: int, body: Mapping[str, Any]) -> Rows:
            def person(credit: Mapping[str, Any]) -> dict[str, Any]:
                return {**credit, id_column: item_id, PERSON_ID: credit.get("id")}

            return {
                table: target.rows(table, map(person, objects(body, key)))
                for table, key in zip(self.tables, CREDIT_TYPES, strict=True)
            }

        return build


@dataclass(frozen=True)
class Images:
    """One row per backdrop, logo and poster (in that order), with its ``kind``."""

    tables: tuple[str, ...] = ("images",)

    def bind(self, target: Target) -> Builder:
        (table,) = self.tables

        def build(item_id: int, body: Mapping[str, Any]) -> Rows:
            rows = []
            for key, kind in IMAGE_KINDS.items():
                for image in objects(body, key):
                    values = {**image, "kind": kind, "language": image.get("iso_639_1")}
                    rows.append(target.row(table, item_id, values))
            return {table: rows}

        return build


@dataclass(frozen=True)
class ReleaseDates:
    """One row per country and release."""

    tables: tuple[str, ...] = ("release_dates",)

    def bind(self, target: Target) -> Builder:
        (table,) = self.tables

        def build(item_id: int, body: Mapping[str, Any]) -> Rows:
            rows = []
            for country in objects(body, "results"):
                code = country.get("iso_3166_1")
                for release in objects(country, "release_dates"):
                    values = {**release, "country": code, "language": release.get("iso_639_1")}
                    rows.append(target.row(table, item_id, values))
            return {table: rows}

        return build


@dataclass(frozen=True)
class Reviews:
    """One row per review; ``username`` and ``rating`` come from its ``author_details``."""

    tables: tuple[str, ...] = ("reviews",)

    def bind(self, target: Target) -> Builder:
        (table,) = self.tables

        def build(item_id: int, body: Mapping[str, Any]) -> Rows:
            rows = []
            for review in objects(body, "results"):
                author = as_object(review.get("author_details"))
                values = {**review, "review_id": review.get("id")}
                values.update(username=author.get("username"), rating=author.get("rating"))
                rows.append(target.row(table, item_id, values))
            return {table: rows}

        return build


@dataclass(frozen=True)
class Translations:
    """One row per translation; its title, overview... come from its ``data``, the ``title``
    column from the field ``title_from`` there (a TV translation names it ``name``)."""

    title_from: str = "title"
    tables: tuple[str, ...] = ("translations",)

    def bind(self, target: Target) -> Builder:
        (table,) = self.tables
        title_from = self.title_from

        def build(item_id: int, body: Mapping[str, Any]) -> Rows:
            rows = []
            for translation in objects(body, "translations"):
                data = as_object(translation.get("data"))
                values = {**data, "title": data.get(title_from), "name": translation.get("name")}
                values.update(
                    language=translation.get("iso_639_1"),
                    country=translation.get("iso_3166_1"),
                    english_name=translation.get("english_name"),
                )
                rows.append(target.row(table, item_id, values))
            return {table: rows}

        return build


def offer_order(offer_type: str) -> tuple[int, str]:
    """:data:`OFFER_TYPES` in their order, then any other list TMDB may add, by name."""
    return OFFER_RANK.get(offer_type, len(OFFER_RANK)), offer_type


@dataclass(frozen=True)
class WatchProviders:
    """One row per country, offer type and provider; every list in a country is an offer type
    (``flatrate``, ``rent``, ``buy``, ``free``, ``ads``), ``link`` is the country's page. TMDB
    lists a country's offer types in no set order, so rows are by country code, then
    :func:`offer_order`, then provider as TMDB lists them."""

    tables: tuple[str, ...] = ("watch_providers",)

    def bind(self, target: Target) -> Builder:
        (table,) = self.tables

        def build(item_id: int, body: Mapping[str, Any]) -> Rows:
            rows = []
            results = as_object(body.get("results"))
            for country in sorted(results):
                offers = as_object(results[country])
                for offer_type in sorted(offers, key=offer_order):
                    providers = offers[offer_type]
                    if not isinstance(providers, list):
                        continue
                    for provider in map(as_object, providers):
                        values = {**provider, "country": country, "offer_type": offer_type}
                        values["link"] = offers.get("link")
                        rows.append(target.row(table, item_id, values))
            return {table: rows}

        return build


@dataclass(frozen=True)
class Custom:
    """A body of a media type's own kind: ``build(target, item_id, body)`` makes its rows.
    ``fast`` names its fast path in :data:`.columnar.CUSTOM`, if it has one (after a colon,
    what that path takes: ``credits:movie``)."""

    tables: tuple[str, ...]
    build: Callable[[Target, int, Mapping[str, Any]], Rows]
    fast: str | None = None

    def bind(self, target: Target) -> Builder:
        build = self.build
        return lambda item_id, body: build(target, item_id, body)
