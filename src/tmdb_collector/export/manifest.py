"""Provenance of an export: ``manifest.json`` beside the data it describes.

Table exports (parquet, csv) hold it as ``DIR/manifest.json``; single-file exports (json,
jsonl, duckdb) get ``<out>.manifest.json`` beside ``<out>``; a duckdb file's entry also counts
the rows of each table in it. It says which tool and version
wrote the files, which TMDB-compatible API the collection came from (its base URL; never a
key), the plan, when the collection was created, last fetched and last synced, when the export
was made, how many rows each file holds, and TMDB's attribution. Exporters write it in the same
atomic step as the data.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

from tmdb_collector.about import ATTRIBUTION, __version__
from tmdb_collector.export.localize import Localization
from tmdb_collector.store import meta_keys
from tmdb_collector.store.store import Store

MANIFEST_NAME = "manifest.json"
MANIFEST_VERSION = 1
TMDB_TERMS = "https://www.themoviedb.org/api-terms-of-use"


def manifest_path(out: Path, *, directory: bool) -> Path:
    """Where the manifest of an export to ``out`` goes."""
    return out / MANIFEST_NAME if directory else out.with_name(f"{out.name}.{MANIFEST_NAME}")


def shareable_base_url(url: str) -> str:
    """``url`` without user info (a proxy or gateway password) or query: safe to publish."""
    parts = urlsplit(url)
    host = parts.hostname or ""
    netloc = f"[{host}]" if ":" in host else host
    if parts.port is not None:
        netloc += f":{parts.port}"
    return urlunsplit((parts.scheme, netloc, parts.path, "", ""))


def collected_from(store: Store, base_url: str) -> bool:
    """Whether this collection was made from ``base_url`` (TMDB answered it there before)."""
    return store.meta(meta_keys.BASE_URL) == shareable_base_url(base_url)


def build_manifest(
    store: Store,
    fmt: str,
    rows: Mapping[str, int],
    tables: Mapping[str, int] | None = None,
    parts: Sequence[str] | None = None,
    locale: Localization | None = None,
) -> dict[str, Any]:
    """The manifest of exporting ``parts`` (default: the collection's) of ``store`` as ``fmt``
    into files named by ``rows`` (-> count).

    A database file (duckdb) also lists the rows of each of its ``tables``; an export with
    ``--language`` says which language and fallbacks (``export.localized``).
    """
    files: list[dict[str, Any]] = [{"name": name, "rows": count} for name, count in rows.items()]
    if tables is not None:
        for entry in files:
            entry["tables"] = dict(tables)
    base_url = store.meta(meta_keys.BASE_URL)
    return {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "tmdb-collector", "version": __version__},
        "source": {
            "api": "TMDB",
            "base_url": None if base_url is None else shareable_base_url(base_url),
        },
        "plan": store.plan().to_dict(),
        "collection": {
            "created_at": store.meta(meta_keys.CREATED_AT),
            "last_fetched_at": store.last_fetched_at(),
            "last_sync": store.meta(meta_keys.LAST_SYNC),
        },
        "export": {
            "format": fmt,
            "parts": list(store.plan().parts if parts is None else parts),
            "exported_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "files": files,
            **({} if locale is None else {"localized": locale.manifest()}),
        },
        "attribution": ATTRIBUTION,
        "terms": TMDB_TERMS,
    }


def manifest_text(manifest: Mapping[str, Any]) -> str:
    return json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"


@dataclass(frozen=True)
class Listed:
    """What an export's manifest lists: each file's rows and, in a database file (duckdb),
    each table's rows (empty for a table export: one file per table)."""

    files: dict[str, int]
    tables: dict[str, int]

    def table_rows(self, *, directory: bool) -> dict[str, int]:
        """The rows of each table the export wrote: its files' (named by table) in a
        ``directory``, else the database file's tables'."""
        if directory:
            return {Path(name).stem: rows for name, rows in self.files.items()}
        return self.tables


def read_listed(out: Path, *, directory: bool) -> Listed:
    """What the manifest of an export to ``out`` lists (the one reader of what
    :func:`build_manifest` writes). Raises OSError if it cannot be read, ValueError if it is
    not such a manifest."""
    text = manifest_path(out, directory=directory).read_text(encoding="utf-8")
    try:
        entries = json.loads(text)["export"]["files"]
        files = {str(entry["name"]): int(entry["rows"]) for entry in entries}
        first = entries[0] if entries else {}
        tables = {str(name): int(rows) for name, rows in first.get("tables", {}).items()}
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{MANIFEST_NAME} of {out} lists no export's files") from exc
    return Listed(files, tables)
