"""Live progress of a run: per-stage counts, request rate and ETA, shared by every view.

The collector updates one :class:`RunProgress`; the terminal bars and the dashboard read
:meth:`RunProgress.snapshot` whenever they redraw, so no view can slow the collection down.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

from tmdb_collector.fetch.breaker import OutageView
from tmdb_collector.media import MediaType
from tmdb_collector.plan.stages import DETAILS_STAGE, DISCOVER, LINKED_STAGE, POPULAR

STAGES = {POPULAR: "Popular pages", DISCOVER: "Genre pages", DETAILS_STAGE: "{word} details"}
LINKED_LABEL = "Linked entities"
RunState = Literal["idle", "running", "pausing", "paused", "complete", "failed"]
RATE_WINDOW = 10.0  # seconds of history behind the live request rate


def outage_after(view: OutageView) -> OutageView | None:
    """The outage after the breaker's news ``view``: None once it ended (or gave up)."""
    return None if view.kind in ("end", "gave-up") else view


def outage_as_of(view: OutageView | None, seen_at: float) -> dict[str, Any] | None:
    """An outage seen at ``seen_at`` (monotonic) as of now: since when, for how long, and
    when the next probe goes."""
    if view is None:
        return None
    aged = time.monotonic() - seen_at
    next_in = None if view.next_probe_in is None else max(0.0, view.next_probe_in - aged)
    return {
        "since": view.since.strftime("%H:%M:%S"),
        "reason": view.reason,
        "elapsed": round(view.elapsed + aged, 1),
        "next_probe_in": None if next_in is None else round(next_in, 1),
    }


@dataclass
class OutageWatch:
    """What a breaker listener last heard (for a run that keeps no :class:`RunProgress`)."""

    view: OutageView | None = None
    seen_at: float = 0.0

    def hear(self, view: OutageView) -> None:
        self.view = outage_after(view)
        self.seen_at = time.monotonic()

    def snapshot(self) -> dict[str, Any] | None:
        return outage_as_of(self.view, self.seen_at)


@dataclass
class StageProgress:
    label: str
    done: int = 0
    total: int = 0

    @property
    def finished(self) -> bool:
        return self.total > 0 and self.done >= self.total


@dataclass
class RunProgress:
    """One run's progress. ``media`` (required: a run always knows what it collects) names
    stage 3 ("Movie details", "Series details") and the words a view uses for the counts."""

    media: MediaType
    state: RunState = "idle"
    stages: dict[str, StageProgress] = field(default_factory=dict)
    # The linked stage by entity type ("person": People 12 / 40), within stages[LINKED_STAGE].
    linked: dict[str, StageProgress] = field(default_factory=dict)
    collected: int = 0  # items; "movies" in the snapshot, for either media (docs/progress.md)
    requests: int = 0
    throttled: int = 0
    errors: int = 0
    failed: int = 0  # items that failed for good; "failed_movies" in the snapshot
    not_found: int = 0
    message: str = ""
    outage: OutageView | None = None  # while TMDB is unreachable
    _outage_seen_at: float = field(default=0.0, repr=False)
    started_at: float | None = None
    finished_at: float | None = None
    _request_times: deque[float] = field(default_factory=deque, repr=False)

    def __post_init__(self) -> None:
        word = self.media.word[:1].upper() + self.media.word[1:]
        for name, label in STAGES.items():
            self.stages.setdefault(name, StageProgress(label.format(word=word)))

    def start(self) -> None:
        self.state = "running"
        self.started_at = time.monotonic()
        self.finished_at = None

    def finish(self, state: RunState, message: str = "") -> None:
        self.state = state
        self.message = message
        self.finished_at = time.monotonic()

    def set_item_counts(self, *, ids: int, done: int, not_found: int, failed: int) -> None:
        """Stage 3 from the store's counts: every id ends collected, not found or failed."""
        details = self.stages[DETAILS_STAGE]
        details.total = ids
        details.done = done + not_found + failed
        self.collected = done
        self.failed = failed
        self.not_found = not_found

    def add_linked(self, entities: Iterable[MediaType]) -> None:
        """The linked stage and a count per entity type (``collect --linked``), kept if there."""
        self.stages.setdefault(LINKED_STAGE, StageProgress(LINKED_LABEL))
        for media in entities:
            self.linked.setdefault(media.name, StageProgress(media.title))

    def set_linked_counts(self, by_status: Mapping[str, Mapping[str, int]]) -> None:
        """The linked stage from the store's counts (entity -> status -> ids): an entity is
        done once it is no longer pending."""
        stage = self.stages[LINKED_STAGE]
        stage.done = stage.total = 0
        for name, entity in self.linked.items():
            statuses = by_status.get(name, {})
            entity.total = sum(statuses.values())
            entity.done = entity.total - statuses.get("pending", 0)
            stage.done += entity.done
            stage.total += entity.total

    def linked_done(self, name: str) -> None:
        """One entity of type ``name`` fetched, failed or not found."""
        self.stages[LINKED_STAGE].done += 1
        self.linked[name].done += 1

    def set_outage(self, view: OutageView) -> None:
        """The breaker's news: an outage started, a probe is scheduled, or it ended."""
        self.outage = outage_after(view)
        self._outage_seen_at = time.monotonic()

    def outage_snapshot(self) -> dict[str, Any] | None:
        """Since when, for how long, and when the next probe goes, as of now."""
        return outage_as_of(self.outage, self._outage_seen_at)

    def record_requests(self, total: int) -> None:
        """Called with the client's running request count; keeps the rate window fresh."""
        now = time.monotonic()
        for _ in range(total - self.requests):
            self._request_times.append(now)
        self.requests = total
        while self._request_times and now - self._request_times[0] > RATE_WINDOW:
            self._request_times.popleft()

    def request_rate(self) -> float:
        if not self._request_times or self.started_at is None:
            return 0.0
        now = time.monotonic()
        window = min(RATE_WINDOW, max(now - self.started_at, 1e-6))
        recent = sum(1 for t in self._request_times if now - t <= window)
        return recent / window

    def elapsed(self) -> float:
        if self.started_at is None:
            return 0.0
        return (self.finished_at or time.monotonic()) - self.started_at

    def eta_seconds(self) -> float | None:
        """Time left, from the request rate: each remaining page or item costs one request."""
        remaining = sum(max(0, s.total - s.done) for s in self.stages.values())
        rate = self.request_rate()
        if self.state != "running" or rate <= 0:
            return None if remaining else 0.0
        return remaining / rate

    def snapshot(self) -> dict[str, Any]:
        overall_done = sum(s.done for s in self.stages.values())
        overall_total = sum(s.total for s in self.stages.values())
        current = next((n for n, s in self.stages.items() if not s.finished and s.total), None)
        return {
            "state": self.state,
            "stage": current or ("done" if overall_total else None),
            "stages": {
                name: {"label": s.label, "done": s.done, "total": s.total}
                for name, s in self.stages.items()
            },
            "linked": {
                name: {"label": s.label, "done": s.done, "total": s.total}
                for name, s in self.linked.items()
            },
            "overall": {"done": overall_done, "total": overall_total},
            "movies": self.collected,
            "requests": self.requests,
            "throttled": self.throttled,
            "errors": self.errors,
            "failed_movies": self.failed,
            "not_found": self.not_found,
            "request_rate": round(self.request_rate(), 1),
            "elapsed": round(self.elapsed(), 1),
            "eta": None if (eta := self.eta_seconds()) is None else round(eta, 1),
            "message": self.message,
            "outage": self.outage_snapshot(),
            "media": self.media.words(),
        }
