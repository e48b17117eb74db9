"""``tmdb-collector images``: the image files a collection names, downloaded into a directory.

:func:`download_images` checks the request (kinds, ``--out``, ``--per-title``) before anything
is written, reads the sizes and the image base from TMDB's ``/configuration``, then runs an
:class:`~tmdb_collector.images.run.ImageRun` over the images the records name, read once
(:mod:`.spool`): files go to ``<out>/<size><file_path>`` (:mod:`.files`), the manifest to the
database (:mod:`tmdb_collector.store.images`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.events import ProgressEvents
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.images import ImageFetcher
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.images.choices import choose, parse_kinds, read_configuration
from tmdb_collector.images.files import ImageFiles, check_out_dir
from tmdb_collector.images.progress import ImageProgress, shown
from tmdb_collector.images.run import ImageRun, ImagesResult
from tmdb_collector.images.spool import Spool
from tmdb_collector.images.wanted import check_per_title, wanted
from tmdb_collector.store.store import Store

DEFAULT_IMAGE_RATE = 20.0  # files per second: polite to the CDN
DEFAULT_IMAGE_CONCURRENCY = 10  # connections; the CDN allows about 20 per IP


async def download_images(
    db: Path,
    out: Path,
    *,
    settings: ClientSettings,
    credentials: Credentials,
    kinds: str | Sequence[str] | None = None,
    size: str | None = None,
    per_title: int | None = None,
    image_base_url: str | None = None,
    rate: float = DEFAULT_IMAGE_RATE,
    concurrency: int = DEFAULT_IMAGE_CONCURRENCY,
    retry_missing: bool = False,
    progress: ImageProgress | None = None,
    bars: bool = False,
    events: ProgressEvents | None = None,
) -> ImagesResult:
    """Download what the collection at ``db`` names into ``out``; see :mod:`.run`."""
    chosen_kinds = parse_kinds(kinds)
    image_settings = replace(settings, rate=rate, concurrency=concurrency)
    check_out_dir(out)
    progress = progress or ImageProgress()
    with Store.open_existing(db) as store:
        check_per_title(store, per_title)
        async with TMDBClient(settings, credentials) as client:
            configuration = await read_configuration(client)
        choices = choose(configuration, chosen_kinds, size, image_base_url)
        files = ImageFiles(out)
        files.prepare()
        store.prepare_image_manifest()
        spool = Spool(files.temporary_path("wanted"))
        try:
            progress.total = spool.fill(wanted(store, chosen_kinds, per_title))
            async with ImageFetcher(image_settings, choices.base_url) as fetcher:
                fetcher.breaker.listen(progress.outage.hear)
                progress.requests = lambda: fetcher.requests
                progress.throttled = lambda: fetcher.throttled
                run = ImageRun(store, files, fetcher, choices, progress, concurrency, retry_missing)
                async with shown(progress, bars=bars, events=events):
                    return await run.run(spool.read())
        finally:
            spool.close()
            files.tidy()


__all__ = [
    "DEFAULT_IMAGE_CONCURRENCY",
    "DEFAULT_IMAGE_RATE",
    "ImageProgress",
    "ImagesResult",
    "download_images",
]
