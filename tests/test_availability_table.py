"""The ``availability`` table built with Arrow compute (export/availability_table.py) equals
the rule, :func:`tmdb_collector.history.availability.intervals`, on timelines of several
versions: offers that arrive, leave, come back, move between titles, lack a name, or are
listed twice in one version."""

from __future__ import annotations

import json
import random
from collections.abc import Sequence
from typing import Any

import pyarrow as pa
import pytest

from tmdb_collector.export import columnar
from tmdb_collector.export.availability_table import Current, batch_table
from tmdb_collector.history.availability import intervals
from tmdb_collector.history.tables import AVAILABILITY, HISTORY_TABLES
from tmdb_collector.media import MOVIE
from tmdb_collector.media.rows import WATCH_PROVIDERS
from tmdb_collector.store.codec import Codec
from tmdb_collector.store.versions import Timeline

COLUMNS = HISTORY_TABLES[AVAILABILITY]
CODEC = Codec()
BUILD = columnar.fast_paths(MOVIE.tables)[WATCH_PROVIDERS]
ID_COLUMN = MOVIE.tables.target.id_column


def body(title_id: int, offers: dict[str, dict[str, list[dict[str, Any]]]]) -> bytes:
    results = {
        country: {"link": f"https://x/{country}", **lists} for country, lists in offers.items()
    }
    return json.dumps({"id": title_id, "results": results}, separators=(",", ":")).encode()


def provider(provider_id: int, name: str | None = "P") -> dict[str, Any]:
    found: dict[str, Any] = {"provider_id": provider_id, "display_priority": 1}
    if name is not None:
        found["provider_name"] = f"{name}{provider_id}"
    return found


def random_timeline(rng: random.Random, title_id: int) -> Timeline:
    versions = []
    for day in sorted(rng.sample(range(1, 28), rng.randint(1, 5))):
        offers: dict[str, dict[str, list[dict[str, Any]]]] = {}
        for country in rng.sample(["US", "DE", "FR", "BR"], rng.randint(0, 3)):
            lists = {}
            for offer_type in rng.sample(["flatrate", "rent", "buy", "ads", "free"], 2):
                ids = rng.sample(range(1, 6), rng.randint(0, 3))
                lists[offer_type] = [provider(i, rng.choice(["P", None])) for i in ids]
            offers[country] = lists
        versions.append((f"2026-11-{day:02d}", body(title_id, offers)))
    return versions


def by_rule(titles: list[tuple[int, Timeline]]) -> Any:
    """The same batch without the columnar path: by :func:`intervals`, the rule."""
    built = batch_table(titles, CODEC, COLUMNS, None, ID_COLUMN)
    assert built.num_rows == sum(len(intervals(n, t, CODEC)) for n, t in titles)
    return built


@pytest.mark.parametrize("seed", range(20))
def test_the_columnar_intervals_equal_the_rule(seed: int) -> None:
    rng = random.Random(seed)
    titles = [(title_id, random_timeline(rng, title_id)) for title_id in range(1, 40)]
    built = batch_table(titles, CODEC, COLUMNS, BUILD, ID_COLUMN)
    assert built.equals(by_rule(titles))
    assert built.num_rows > 0


def test_an_offer_on_the_next_title_does_not_continue_a_run() -> None:
    """The last version of one title and the first of the next hold the same offer: two
    intervals, the first one closed on the day its title's next version was seen."""
    same = {"US": {"flatrate": [provider(8)]}}
    titles = [
        (1, [("2026-11-01", body(1, {})), ("2026-11-02", body(1, same))]),
        (2, [("2026-11-03", body(2, same)), ("2026-11-04", body(2, {}))]),
    ]
    built = batch_table(titles, CODEC, COLUMNS, BUILD, ID_COLUMN)
    assert built.equals(by_rule(titles))
    assert built.column("available_to").to_pylist()[1].isoformat() == "2026-11-04"


def test_an_offer_listed_twice_in_a_version_keeps_the_last_name() -> None:
    twice = {"US": {"rent": [provider(3, "A"), provider(3, "B")]}}
    titles = [(5, [("2026-11-01", body(5, twice))])]
    built = batch_table(titles, CODEC, COLUMNS, BUILD, ID_COLUMN)
    assert built.equals(by_rule(titles))
    assert built.column("provider_name").to_pylist() == ["B3"]


@pytest.mark.parametrize("seed", range(10))
def test_current_versions_taken_from_the_batch_equal_those_parsed(seed: int) -> None:
    """The titles' last versions whose rows the batch's ``watch_providers`` table holds are
    not parsed again; the older versions, and the titles the batch leaves out, are."""
    rng = random.Random(seed)
    titles = [(title_id, random_timeline(rng, title_id)) for title_id in range(1, 40)]
    in_batch = [title_id for title_id, _ in titles if title_id % 3]
    current = {title_id: timeline[-1][1] for title_id, timeline in titles if title_id % 3}
    current[in_batch[0]] = body(in_batch[0], {"US": {"buy": [provider(9)]}})  # moved on since
    ids = pa.array(in_batch, pa.int64())
    (table,) = BUILD(ids, [CODEC.decode(current[title_id]) for title_id in in_batch]).values()
    parsed: list[bytes] = []

    def build(ids: Any, texts: Sequence[bytes]) -> Any:
        parsed.extend(texts)
        return BUILD(ids, texts)

    built = batch_table(titles, CODEC, COLUMNS, build, ID_COLUMN, Current(table, current))
    assert built.equals(by_rule(titles))
    assert len(parsed) == sum(len(timeline) for _, timeline in titles) - len(in_batch) + 1
