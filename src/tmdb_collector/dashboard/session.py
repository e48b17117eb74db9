"""One collection behind the dashboard: Start runs a Collector on the store, Pause stops it.

A session keeps one :class:`RunProgress` and one :class:`TMDBClient` for its whole life, so the
page's counters (API calls, errors, elapsed time) keep adding up across pause and resume, while
each Start is a new :class:`Collector` run that resumes from the store's checkpoint.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from tmdb_collector.credentials import Credentials, redact
from tmdb_collector.dashboard.checkpoint import progress_from_store
from tmdb_collector.engine.collector import STOP_GRACE_SECONDS, Collector, RunOutcome
from tmdb_collector.fetch.client import TMDBClient
from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.media import MediaType
from tmdb_collector.plan.plan import Plan
from tmdb_collector.plan.stages import DETAILS_STAGE
from tmdb_collector.store.store import Store

log = logging.getLogger(__name__)
ClientFactory = Callable[[ClientSettings, Credentials], TMDBClient]
CLOSE_TIMEOUT = STOP_GRACE_SECONDS + 5.0  # seconds to let a paused run land on shutdown


class CollectionSession:
    def __init__(
        self,
        store: Store,
        plan: Plan,
        settings: ClientSettings,
        credentials: Credentials,
        *,
        client_factory: ClientFactory = TMDBClient,
    ) -> None:
        self.store = store
        self._plan = plan
        self._settings = settings
        self._credentials = credentials
        self._client_factory = client_factory
        self._client: TMDBClient | None = None
        self._collector: Collector | None = None
        self._task: asyncio.Task[None] | None = None
        self._runs = 0
        self.outcome: RunOutcome | None = None  # the last run's, once one has ended
        self._elapsed_before = 0.0  # seconds spent in earlier runs of this session
        self.progress = progress_from_store(
            store, (entity.media for entity in plan.linked_entities)
        )

    @property
    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def snapshot(self) -> dict[str, Any]:
        """The progress snapshot plus what the page's buttons may do now."""
        view = self.progress.snapshot()
        view["elapsed"] = round(self._elapsed_before + self.progress.elapsed(), 1)
        view["can_start"] = not self.running
        view["can_pause"] = self.running and self.progress.state == "running"
        view["can_download"] = self.progress.collected > 0
        view["parts"] = {
            "chosen": list(self._plan.parts),
            "available": list(self._plan.media_type.part_names),
            "default": list(self._plan.media_type.default_parts),
        }
        return view

    def announce_checkpoint(self) -> None:
        """Log what the store already holds; the page shows it before any Start."""
        details = self.progress.stages[DETAILS_STAGE]
        if details.total == 0:
            message = "No checkpoint yet: press Start Collection to begin."
        else:
            message = (
                f"Checkpoint loaded: {self.progress.collected:,} {self.progress.media.plural}"
                " collected, "
                f"{details.done:,} of {details.total:,} ids processed."
            )
        self.progress.message = message
        log.info(message)

    def start(self, parts: object = None) -> bool:
        """Start (or resume) a run in the background, with ``parts`` when given (names, as for
        ``--parts``: more than collected fetches them for the movies that lack one); False
        when a run is already going. Unknown parts raise :class:`ConfigError`."""
        if self.running:
            return False
        if parts is not None:
            plan = replace(self._plan, parts=self._plan.media_type.parse_parts(parts))
            if plan != self._plan:
                self.store.adopt(plan)
                self._plan = plan
                log.info("Parts: %s", ", ".join(plan.parts) or "details only")
        if self._client is None:
            self._client = self._client_factory(self._settings, self._credentials)
        self._elapsed_before += self.progress.elapsed()
        self._collector = Collector(
            self.store,
            self._client,
            self._plan,
            concurrency=self._settings.concurrency,
            progress=self.progress,
        )
        resuming = self._runs > 0 or self.progress.stages[DETAILS_STAGE].total > 0
        self._runs += 1
        log.info("Collection resumed" if resuming else "Collection started")
        self.progress.start()  # the page sees "running" at once; run() restarts the clock
        self.progress.message = "Collecting…"
        self._task = asyncio.create_task(self._run(self._collector))
        return True

    def pause(self) -> bool:
        """Ask the running collector to stop; False when nothing is running."""
        if not self.running or self._collector is None:
            return False
        if self.progress.state == "running":
            log.info("Pausing: letting requests in flight finish…")
        self._collector.request_stop()
        return True

    async def close(self) -> None:
        """Pause a running collection, let it land, and close the HTTP client."""
        task = self._task
        if task is not None and not task.done():
            self.pause()
            await asyncio.wait({task}, timeout=CLOSE_TIMEOUT)
            if not task.done():
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    async def _run(self, collector: Collector) -> None:
        try:
            outcome = await collector.run()
        except Exception as exc:  # a bug rather than a TMDB error: keep serving, show it
            log.exception("Collection failed: %s", exc)
            self.progress.finish("failed", f"Collection failed: {redact(str(exc))}")
            return
        self.outcome = outcome
        message = outcome_message(outcome, self.progress.media)
        self.progress.message = message
        log.log(logging.ERROR if outcome.status == "failed" else logging.INFO, "%s", message)


def outcome_message(outcome: RunOutcome, media: MediaType) -> str:
    if outcome.status == "failed":
        return f"Collection failed: {redact(str(outcome.error))}"
    collected = f"{media.counted(outcome.collected)} collected"
    if outcome.status == "paused":
        return f"Paused with {collected}. Press Start Collection to resume."
    if outcome.status == "nothing-to-do":
        return "Nothing to do: the collection is complete."
    return f"Collection complete! {collected}."
