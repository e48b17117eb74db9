"""What the simulator serves of the linked entities: for each of person, collection, company
and network, how an id resolves (None: TMDB's 404), its details, its parts and its daily ID
file's lines (:class:`Served`). The routes are :mod:`.entities`'.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tmdb_collector.simulator import people, studios
from tmdb_collector.simulator.graph import NETWORK_BY_ID, Graph, company_count, company_slot
from tmdb_collector.simulator.responses import NOT_FOUND, ApiError, dumps
from tmdb_collector.simulator.text import company

JSONDict = dict[str, Any]
Key = int  # what an id resolves to: a pool index, or the id itself
PartBody = Callable[[Graph, Key, int], JSONDict]  # (graph, key, page) -> standalone body


@dataclass(frozen=True)
class Served:
    name: str  # the path segment: /person/{id}
    export: str  # the daily export's kind: person_ids_MM_DD_YYYY.json.gz
    resolve: Callable[[Graph, int], Key | None]
    details: Callable[[Graph, Key], JSONDict]
    parts: Mapping[str, PartBody]
    lines: Callable[[Graph], Iterator[JSONDict]]

    def body(self, graph: Graph, item_id: int, appends: list[str], page: int) -> bytes:
        key = self.resolve(graph, item_id)
        if key is None:
            raise ApiError(404, NOT_FOUND)
        body = self.details(graph, key)
        for name in dict.fromkeys(appends):
            build = self.parts.get(name)
            if build is not None:  # unknown names are left out, as for titles
                part = build(graph, key, page)
                body[name] = {k: v for k, v in part.items() if k != "id"}
        return dumps(body)

    def part(self, graph: Graph, item_id: int, name: str, page: int) -> bytes:
        build = self.parts.get(name)
        key = self.resolve(graph, item_id)
        if build is None or key is None:
            raise ApiError(404, NOT_FOUND)
        return dumps(build(graph, key, page))


def _collection(graph: Graph, item_id: int) -> Key | None:
    return item_id if item_id in graph.collections() else None


def _collection_details(graph: Graph, key: Key) -> JSONDict:
    found = studios.collection(graph, key)
    assert found is not None  # resolved
    return found


def _company(graph: Graph, key: Key) -> JSONDict:
    return studios.company_details(key, graph.movies.seed)


def _company_names(graph: Graph, key: Key, page: int) -> JSONDict:
    found = company(graph.movies.seed, key)
    return studios.alternative_names(graph.movies.seed, found.id, found.name)


def _company_logos(graph: Graph, key: Key, page: int) -> JSONDict:
    found = company(graph.movies.seed, key)
    return studios.logos(graph.movies.seed, found.id, found.logo_path)


def _network_names(graph: Graph, key: Key, page: int) -> JSONDict:
    return studios.alternative_names(graph.movies.seed, key, NETWORK_BY_ID[key].name)


def _network_logos(graph: Graph, key: Key, page: int) -> JSONDict:
    return studios.logos(graph.movies.seed, key, NETWORK_BY_ID[key].logo_path)


def _named(item_id: int, name: str) -> JSONDict:
    return {"id": item_id, "name": name}


SERVED = (
    Served(
        "person",
        "person",
        lambda graph, item_id: graph.person_index(item_id),
        people.details,
        people.PARTS,
        lambda graph: (people.export_line(graph, index) for index in range(graph.people)),
    ),
    Served(
        "collection",
        "collection",
        _collection,
        _collection_details,
        {
            "images": lambda graph, key, page: studios.collection_images(graph, key),
            "translations": lambda graph, key, page: studios.collection_translations(graph, key),
        },
        lambda graph: (
            _named(cid, _collection_details(graph, cid)["name"]) for cid in graph.collections()
        ),
    ),
    Served(
        "company",
        "production_company",
        lambda graph, item_id: company_slot(item_id),
        _company,
        {"alternative_names": _company_names, "images": _company_logos},
        lambda graph: (
            _named(found.id, found.name)
            for found in (company(graph.movies.seed, i) for i in range(company_count()))
        ),
    ),
    Served(
        "network",
        "tv_network",
        lambda graph, item_id: item_id if item_id in NETWORK_BY_ID else None,
        lambda graph, key: studios.network_details(NETWORK_BY_ID[key]),
        {"alternative_names": _network_names, "images": _network_logos},
        lambda graph: (_named(n.id, n.name) for n in NETWORK_BY_ID.values()),
    ),
)


def served_templates() -> tuple[str, ...]:
    """The TMDB endpoints (OpenAPI path templates) served: details and each part."""
    found: list[str] = []
    for served in SERVED:
        details = f"/3/{served.name}/{{{served.name}_id}}"
        found += [details, *(f"{details}/{part}" for part in served.parts)]
    return tuple(found)
