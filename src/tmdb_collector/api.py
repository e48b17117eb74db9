"""The Python API, for notebooks and pipelines; the command line is a thin layer over it.

    from tmdb_collector import Collection, collect, update

    collect("tmdb_collection.db", plan={"popular_pages": 5, "genre_pages": 1})
    update("tmdb_collection.db")                # later: refetch what TMDB changed since
    with Collection.open("tmdb_collection.db") as collection:
        print(len(collection), collection.status()["stage"])
        for record in collection.movies():      # the movies.json value shape, streamed
            ...
        crew = collection.table("crew")          # a pyarrow.Table
        collection.export("movies.duckdb", format="duckdb")

Documented in docs/python-api.md. This module runs what fills a collection (``collect``,
``update``, ``compact``, ``images``); :class:`Collection`, the reads of one, is
:mod:`tmdb_collector.collection`'s, given here too.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import threading
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack

from tmdb_collector.collection import Collection as Collection
from tmdb_collector.collection import PathLike, since_day
from tmdb_collector.credentials import Credentials
from tmdb_collector.engine.events import ProgressEvents, Snapshots
from tmdb_collector.fetch.settings import ClientSettings, build_client_settings
from tmdb_collector.media.images import DEFAULT_IMAGE_CONCURRENCY, DEFAULT_IMAGE_RATE
from tmdb_collector.plan.config import on_collection
from tmdb_collector.plan.plan import Plan
from tmdb_collector.status import collection_status
from tmdb_collector.store.catalogue import CatalogueSync
from tmdb_collector.store.compaction import BATCH_ROWS, CompactResult, Progress
from tmdb_collector.store.database import stored_plan
from tmdb_collector.store.store import Store

# The collector's engine and the image downloads load where they run (the HTTP client and
# asyncio's machinery are not needed by the commands that do not fetch).
if TYPE_CHECKING:
    from tmdb_collector.engine.collector import RunOutcome
    from tmdb_collector.images import ImagesResult

ProgressCallback = Callable[[dict[str, Any]], None]
PROGRESS_INTERVAL = 1.0  # seconds between two progress callbacks
T = TypeVar("T")


@dataclass(frozen=True)
class CollectResult:
    """What a run did (``outcome``), how many failed ids it retried, the status after it, and
    how many list pages it was asked to fetch again (``reharvest``)."""

    outcome: RunOutcome
    retried: int = 0
    status: dict[str, Any] = field(default_factory=dict)
    reharvested: int = 0


@dataclass(frozen=True)
class UpdateResult:
    """What an update did: the changes read from ``since`` to ``until`` (TMDB's today), how
    many ids TMDB reported ``changed`` and how many collected items it ``refreshed`` (of those,
    ``stale`` for their age), the run that refetched them (``outcome``), the status after it,
    and with ``ids_from`` what following the daily id export did (``catalogue``: ids
    ``added``, ``removed`` and ``restored``)."""

    outcome: RunOutcome
    since: dt.date
    until: dt.date
    changed: int
    refreshed: int
    stale: int
    catalogue: CatalogueSync | None = None
    status: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class RunView:
    """How a run shows itself in a terminal: the command line's options (the API's default is
    silent, with no signal handlers, which only the main thread may install)."""

    show_bars: bool = False
    events: ProgressEvents | None = None
    handle_signals: bool = False


class RunOptions(TypedDict, total=False):
    """The keywords of every run (:func:`collect`, :func:`update`): how to reach TMDB (client
    ``settings``, or ``base_url``, ``rate`` and ``concurrency``), the key (``credentials``, or
    ``api_key`` / ``bearer_token``), and how the run reports (``on_progress`` every
    ``progress_interval`` seconds; the command line's ``view``)."""

    settings: ClientSettings | None
    base_url: str | None
    rate: float | None
    concurrency: int | None
    api_key: str | None
    bearer_token: str | None
    credentials: Credentials | None
    on_progress: ProgressCallback | None
    progress_interval: float
    view: RunView | None


@dataclass(frozen=True)
class _Run:
    """A run's options, resolved: defaults filled in from the config file and environment."""

    client: ClientSettings
    credentials: Credentials
    view: RunView
    on_progress: ProgressCallback | None
    interval: float

    @classmethod
    def of(cls, options: RunOptions) -> _Run:
        unknown = sorted(set(options) - set(RunOptions.__annotations__))
        if unknown:
            raise TypeError(f"unexpected keyword argument {unknown[0]!r}")
        given = {key: options.get(key) for key in ("base_url", "rate", "concurrency")}
        key, token = options.get("api_key"), options.get("bearer_token")
        return cls(
            client=options.get("settings") or build_client_settings({}, given),
            credentials=options.get("credentials") or _credentials(key, token),
            view=options.get("view") or RunView(),
            on_progress=options.get("on_progress"),
            interval=options.get("progress_interval", PROGRESS_INTERVAL),
        )

    async def reporting(self, run: Awaitable[T], progress: Snapshots) -> T:
        """Await ``run``, calling ``on_progress`` meanwhile and once more when it ends."""
        on_progress = self.on_progress

        async def report() -> None:
            while True:
                await asyncio.sleep(self.interval)
                on_progress(progress.snapshot())  # type: ignore[misc]

        reporter = asyncio.create_task(report()) if on_progress is not None else None
        try:
            result = await run
        finally:
            if reporter is not None:
                reporter.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await reporter
        if on_progress is not None:
            on_progress(progress.snapshot())
        return result


async def collect_async(
    db: PathLike,
    plan: Plan | Mapping[str, Any] | None = None,
    *,
    force_plan: bool = False,
    retry_failed: bool = False,
    harvest_only: bool = False,
    reharvest: Sequence[str] = (),
    **options: Unpack[RunOptions],
) -> CollectResult:
    """Run (or resume) a collection into the database ``db``; see :func:`collect`."""
    from tmdb_collector.engine.id_loading import check_new_source
    from tmdb_collector.engine.run_progress import RunProgress
    from tmdb_collector.engine.runner import run_collection

    chosen = _plan(plan, Path(db), force_plan=force_plan)
    run = _Run.of(options)
    progress = RunProgress(chosen.media_type)
    unchecked = check_new_source(Path(db), chosen)
    with Store.create_or_open(Path(db), chosen, force_plan=force_plan) as store:
        retried = store.requeue(store.ids_with_status("failed")) if retry_failed else 0
        # The stages ("popular", "discover") whose list pages are fetched again.
        reharvested = store.reharvest(reharvest) if reharvest else 0
        collecting = run_collection(
            store,
            chosen,
            run.client,
            run.credentials,
            show_bars=run.view.show_bars,
            progress=progress,
            handle_signals=run.view.handle_signals,
            harvest_only=harvest_only,
            events=run.view.events,
        )
        outcome = await run.reporting(collecting, progress)
        refused = None if unchecked is None else unchecked.refusal(outcome.error, store)
        if refused is None:
            _raise_fatal(outcome)
            return CollectResult(outcome, retried, collection_status(store), reharvested)
    assert unchecked is not None
    unchecked.remove()  # a refused --ids-from URL leaves no collection behind
    raise refused


def collect(
    db: PathLike, plan: Plan | Mapping[str, Any] | None = None, **options: Any
) -> CollectResult:
    """Run (or resume) a collection into ``db`` and wait for it; re-running resumes.

    ``plan`` is a :class:`~tmdb_collector.plan.plan.Plan`, a mapping of its fields (as in the
    ``[plan]`` table of a config file), or None: what a mapping (or None) leaves out is the
    collection's own plan (the seed's for a new ``db``). The key comes from
    ``api_key`` / ``bearer_token`` or else the environment (``TMDB_API_KEY`` /
    ``TMDB_READ_ACCESS_TOKEN``); the API from ``base_url`` or ``TMDB_BASE_URL``.
    ``on_progress`` is called with the progress snapshot (the dashboard's) every
    ``progress_interval`` seconds and once at the end. A fatal error (a bad key, a full disk)
    is raised; failed ids are counted in the result. Inside a running event loop (a notebook),
    the run goes to a worker thread; ``await collect_async(...)`` avoids that.
    """
    return _run_blocking(lambda: collect_async(db, plan, **options))


async def update_async(
    db: PathLike,
    *,
    max_age: int | None = None,
    since: dt.date | str | None = None,
    ids_from: str | None = None,
    refresh_parts: Sequence[str] = (),
    **options: Unpack[RunOptions],
) -> UpdateResult:
    """Refetch what changed in the collection ``db``; see :func:`update`."""
    from tmdb_collector.engine.run_progress import RunProgress
    from tmdb_collector.engine.runner import run_update_with_progress

    start = since_day(since)
    run = _Run.of(options)
    with Store.open_existing(Path(db)) as store:
        store.lock()
        progress = RunProgress(store.media_type)
        updating = run_update_with_progress(
            store,
            run.client,
            run.credentials,
            max_age_days=max_age,
            show_bars=run.view.show_bars,
            events=run.view.events,
            since=start,
            ids_from=ids_from,
            progress=progress,
            handle_signals=run.view.handle_signals,
            refresh_parts=refresh_parts,
        )
        done = await run.reporting(updating, progress)
        _raise_fatal(done.run)
        return UpdateResult(
            outcome=done.run,
            since=done.since,
            until=done.until,
            changed=done.changed,
            refreshed=done.refreshed,
            stale=done.stale,
            catalogue=done.catalogue,
            status=collection_status(store),
        )


def update(db: PathLike, **options: Any) -> UpdateResult:
    """Refetch the items of the existing collection ``db`` that TMDB reports as changed since
    the last sync, and wait for it: ``tmdb-collector update``.

    ``since`` (a date or ``"YYYY-MM-DD"``) reads the changes from that day instead;
    ``max_age`` (days) also refetches items fetched longer ago than that; ``ids_from`` (a
    file or URL of TMDB's daily id export) first queues its new ids and marks those it no
    longer lists ``removed``. ``refresh_parts`` (part names) refetches those parts of every
    held item instead of reading the changes feed (see :mod:`.engine.update`). The key, the
    API and ``on_progress`` are as for :func:`collect`. A fatal error is raised; ids that
    failed are counted in the result.
    """
    return _run_blocking(lambda: update_async(db, **options))


def compact(
    db: PathLike, on_progress: Progress | None = None, *, batch: int = BATCH_ROWS
) -> CompactResult:
    """Rewrite the database at ``db`` into the compact form in place (``tmdb-collector
    compact``): bodies an earlier release stored as plain text, or compressed with a
    dictionary older than the collection, are compressed with its newest dictionaries, ``batch``
    a transaction, then the file is VACUUMed. Safe to kill at any moment and to run again.
    ``on_progress(done, total)`` is called after each batch. Takes the collector's lock."""
    with Store.open_existing(Path(db)) as store:
        store.lock()
        return store.compact(on_progress, batch)


def images(
    db: PathLike,
    out: PathLike,
    *,
    kinds: str | Sequence[str] | None = None,
    size: str | None = None,
    per_title: int | None = None,
    image_base_url: str | None = None,
    rate: float = DEFAULT_IMAGE_RATE,
    concurrency: int = DEFAULT_IMAGE_CONCURRENCY,
    retry_missing: bool = False,
    settings: ClientSettings | None = None,
    credentials: Credentials | None = None,
    api_key: str | None = None,
    bearer_token: str | None = None,
    on_progress: ProgressCallback | None = None,
    view: RunView | None = None,
) -> ImagesResult:
    """Download the image files the collection ``db`` names into ``out``, as
    ``<out>/<size><file_path>``: ``tmdb-collector images``.

    ``kinds``: any of poster, backdrop, logo, still, profile (default poster); ``size`` one
    of the sizes TMDB's /configuration lists for each (default: one per kind for a library
    view); ``per_title`` N: the first N of each kind from the ``images`` part instead of each
    record's own picture. ``rate`` (files/s) and ``concurrency`` are the downloads' own;
    ``settings`` (the API's: base URL, proxy, CAs) reach /configuration, whose
    ``secure_base_url`` is the image base unless ``image_base_url`` is given. Files already
    in ``out`` cost no request; a manifest of every file is kept in the database (table
    ``image_files``). A file TMDB answered 404 for is recorded and not asked again, unless
    ``retry_missing``. ``on_progress`` gets the counters (see
    :class:`~tmdb_collector.images.progress.ImageProgress`) about once a second; the key and
    ``view`` are as for :func:`collect`. Bad input raises a :class:`UsageError` before
    anything is written; a full disk an :class:`~tmdb_collector.errors.ImageWriteError`.
    """
    from tmdb_collector.images import ImageProgress, download_images

    progress = ImageProgress()
    chosen = _Run.of(
        {
            "settings": settings,
            "credentials": credentials,
            "api_key": api_key,
            "bearer_token": bearer_token,
            "on_progress": on_progress,
            "view": view,
        }
    )

    async def run() -> ImagesResult:
        download = download_images(
            Path(db),
            Path(out),
            settings=chosen.client,
            credentials=chosen.credentials,
            kinds=kinds,
            size=size,
            per_title=per_title,
            image_base_url=image_base_url,
            rate=rate,
            concurrency=concurrency,
            retry_missing=retry_missing,
            progress=progress,
            bars=chosen.view.show_bars,
            events=chosen.view.events,
        )
        return await chosen.reporting(download, progress)

    return _run_blocking(run)


def _raise_fatal(outcome: RunOutcome) -> None:
    """A run that failed (a bad key, a full disk) raises its error."""
    if outcome.error is not None:
        raise outcome.error


def _run_blocking(make: Callable[[], Awaitable[T]]) -> T:
    """``asyncio.run`` here, or in a worker thread when this thread already runs a loop."""

    async def main() -> T:
        return await make()

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(main())
    result: list[T] = []
    failure: list[BaseException] = []

    def work() -> None:
        try:
            result.append(asyncio.run(main()))
        except BaseException as exc:  # handed to the caller's thread below
            failure.append(exc)

    worker = threading.Thread(target=work, name="tmdb-collector-run")
    worker.start()
    worker.join()
    if failure:
        raise failure[0]
    return result[0]


def _plan(plan: Plan | Mapping[str, Any] | None, db: Path, *, force_plan: bool = False) -> Plan:
    """A Plan as given; settings a mapping (or None) leaves out are an existing collection's
    own (of the same media), else the defaults, as on the command line (with ``force_plan``
    the defaults, but for the collection's media: the plan adopted is the one given)."""
    if isinstance(plan, Plan):
        return plan
    return Plan.from_dict(on_collection(plan or {}, stored_plan(db), force_plan=force_plan))


def _credentials(api_key: str | None, bearer_token: str | None) -> Credentials:
    if api_key or bearer_token:
        return Credentials(api_key=api_key, bearer_token=bearer_token)
    return Credentials.from_env()
