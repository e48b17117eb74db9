"""Daily ID export files (``/p/exports/movie_ids_MM_DD_YYYY.json.gz``, ``tv_series_ids_…``
and the adult ones), each built once."""

from __future__ import annotations

import asyncio
import datetime
import gzip
import io
import json
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from tmdb_collector.simulator._hash import SALT_CATALOGUE, hash_ints
from tmdb_collector.simulator.catalog import Catalog
from tmdb_collector.simulator.generate import FLAG_ADULT, FLAG_DELETED, FLAG_VIDEO

# File kind -> (media, adult).
KINDS = {
    "movie": ("movie", False),
    "adult_movie": ("movie", True),
    "tv_series": ("tv", False),
    "adult_tv_series": ("tv", True),
}


def catalogue_file_name(kind: str, day: datetime.date) -> str:
    return f"{kind}_ids_{day:%m_%d_%Y}.json.gz"


def catalogue_records(cat: Catalog, adult: bool) -> Iterator[dict[str, Any]]:
    """Export lines: a few ids hoisted to the front, the rest ascending (like TMDB)."""
    c = cat.cols
    wanted = FLAG_ADULT if adult else 0
    keep = [i for i in range(cat.size) if c.flags[i] & (FLAG_ADULT | FLAG_DELETED) == wanted]
    hoisted = [i for i in keep if hash_ints(cat.seed, SALT_CATALOGUE, c.ids[i]) % 200 == 0]
    hoisted_set = set(hoisted)
    for i in hoisted + [i for i in keep if i not in hoisted_set]:
        if cat.media == "tv":  # tv_series lines have no adult or video field
            yield {
                "id": c.ids[i],
                "original_name": cat.titles_at(i)[1],
                "popularity": float(c.popularity[i]),
            }
            continue
        yield {
            "adult": adult,
            "id": c.ids[i],
            "original_title": cat.titles_at(i)[1],
            "popularity": float(c.popularity[i]),
            "video": bool(c.flags[i] & FLAG_VIDEO),
        }


def build_catalogue_file(catalog: Catalog, adult: bool, batch: int = 10_000) -> bytes:
    """Gzip of one compact JSON object per line (not sorted by id; deleted ids excluded)."""
    return gzip_lines(catalogue_records(catalog, adult), batch)


def gzip_lines(records: Iterable[dict[str, Any]], batch: int = 10_000) -> bytes:
    """Gzip of one compact JSON object per record, a line each."""
    buffer = io.BytesIO()
    with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6, mtime=0) as gz:
        lines: list[str] = []
        for record in records:
            lines.append(json.dumps(record, separators=(",", ":"), ensure_ascii=False))
            if len(lines) >= batch:
                gz.write(("\n".join(lines) + "\n").encode("utf-8"))
                lines.clear()
        if lines:
            gz.write(("\n".join(lines) + "\n").encode("utf-8"))
    return buffer.getvalue()


class CatalogueCache:
    """Builds each daily ID file for the simulated ``today`` at most once, off the loop."""

    def __init__(
        self,
        catalog: Catalog,
        tv_catalog: Callable[[], Catalog],
        more: Mapping[str, Callable[[], Iterable[dict[str, Any]]]] | None = None,
    ) -> None:
        """``more``: further kinds (the linked entities'), each with the lines of its file."""
        self.catalog = catalog
        self._tv_catalog = tv_catalog
        self._more = dict(more or {})
        kinds = [*KINDS, *self._more]
        self.names = {catalogue_file_name(kind, catalog.today): kind for kind in kinds}
        self._built: dict[str, bytes] = {}
        self._lock = asyncio.Lock()

    def _build(self, media: str, adult: bool) -> bytes:
        catalog = self._tv_catalog() if media == "tv" else self.catalog
        return build_catalogue_file(catalog, adult)

    async def get(self, name: str) -> bytes | None:
        """The gzip bytes for ``name``, or ``None`` for any other file or date."""
        kind = self.names.get(name)
        if kind is None:
            return None
        async with self._lock:
            if kind not in self._built:
                loop = asyncio.get_running_loop()
                if kind in self._more:
                    lines = self._more[kind]
                    build = await loop.run_in_executor(None, lambda: gzip_lines(lines()))
                else:
                    media, adult = KINDS[kind]
                    build = await loop.run_in_executor(None, self._build, media, adult)
                self._built[kind] = build
        return self._built[kind]
