"""One ``images`` run: every file the collection names, downloaded once, into ``--out``.

The records are walked one at a time (:mod:`.wanted`) and at most ``concurrency`` downloads
are in flight, so memory stays flat however many files there are. A file already in place
costs no request (its manifest row is written if missing, the bytes hashed from disk when no
other row knows them); a file the CDN answered 404 for is recorded and not asked again (unless
``retry_missing``: ``images --retry-missing``); a file named by several records is fetched
once. Manifest rows are committed in batches, and
whatever has been downloaded when a run stops is recorded on the way out.

A failure that every request would meet ends the run at once, the downloads in flight
dropped (their temporary files removed): the disk is full or unwritable, the proxy refuses,
the CDN stayed unreachable past ``--give-up-after``. Anything else fails that file alone,
after its retries: counted, reported, and tried again by the next run.
"""

from __future__ import annotations

import asyncio
from collections.abc import Coroutine, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from tmdb_collector.errors import AuthError, NotFoundError, TMDBError
from tmdb_collector.fetch.images import Fetched, ImageFetcher
from tmdb_collector.images.choices import ImageChoices
from tmdb_collector.images.files import ImageFiles, check_file_path
from tmdb_collector.images.progress import ImageProgress, megabytes
from tmdb_collector.images.wanted import Wanted
from tmdb_collector.store.images import DONE, NOT_FOUND, ImageRow
from tmdb_collector.store.store import Store

BATCH = 500  # manifest rows per commit
SHOWN_FAILURES = 20  # failures a result keeps, for the report
Outcome = Fetched | Literal["not_found", "failed"]


@dataclass(frozen=True)
class ImagesResult:
    """What a run did. ``total`` is every (record, kind, file) the collection names; each is
    one of ``files`` (downloaded now), ``skipped`` (in place already, or fetched for another
    record), ``not_found`` or ``failed``."""

    out: Path
    total: int
    files: int
    bytes: int
    skipped: int
    failed: int
    not_found: int
    failures: tuple[tuple[str, str], ...] = ()  # (size/file_path, reason), the first few

    def summary(self) -> str:
        return (
            f"Images: {self.files:,} files downloaded ({megabytes(self.bytes)}) to {self.out},"
            f" {self.skipped:,} skipped (already there), {self.failed:,} failed,"
            f" {self.not_found:,} not found on TMDB (recorded, not asked again)."
        )


@dataclass
class ImageRun:
    store: Store
    files: ImageFiles
    fetcher: ImageFetcher
    choices: ImageChoices
    progress: ImageProgress
    concurrency: int
    retry_missing: bool = False  # ask again for the files recorded as 404
    _rows: list[ImageRow] = field(default_factory=list)
    _failures: list[tuple[str, str]] = field(default_factory=list)
    _fatal: BaseException | None = None

    async def run(self, wanted: Iterable[Wanted]) -> ImagesResult:
        slots = asyncio.Semaphore(self.concurrency)
        inflight: dict[tuple[str, str], asyncio.Future[Outcome]] = {}
        tasks: set[asyncio.Task[None]] = set()

        def start(work: Coroutine[Any, Any, None]) -> None:
            task = asyncio.create_task(work)
            tasks.add(task)
            task.add_done_callback(tasks.discard)

        try:
            for item in wanted:
                if self._fatal is not None:
                    break
                size = self.choices.sizes[item.kind]
                key = (size, item.file_path)
                if not check_file_path(item.file_path):
                    self._failed(item, size, "not a TMDB image path")
                elif key in inflight:
                    start(self._follow(item, size, inflight[key]))
                elif self.files.present(size, item.file_path):
                    self._present(item, size)
                elif self._known_missing(item, size):
                    pass
                else:
                    await slots.acquire()
                    if self._fatal is not None:
                        slots.release()
                        break
                    outcome = asyncio.get_running_loop().create_future()
                    inflight[key] = outcome
                    start(self._download(item, size, outcome, inflight, slots))
            while tasks and self._fatal is None:
                await asyncio.wait(set(tasks), return_when=asyncio.FIRST_COMPLETED)
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            self._flush()
        if self._fatal is not None:
            raise self._fatal
        self.progress.finished = True
        p = self.progress
        return ImagesResult(
            self.files.out,
            p.total,
            p.files,
            p.bytes,
            p.skipped,
            p.failed,
            p.not_found,
            tuple(self._failures),
        )

    async def _download(
        self,
        item: Wanted,
        size: str,
        outcome: asyncio.Future[Outcome],
        inflight: dict[tuple[str, str], asyncio.Future[Outcome]],
        slots: asyncio.Semaphore,
    ) -> None:
        path = item.file_path
        result: Outcome = "failed"
        try:
            fetched = await self.fetcher.fetch(size, path, lambda: self.files.open_temp(size, path))
        except NotFoundError:
            result = "not_found"
            self._not_found(item, size)
        except AuthError as exc:  # a proxy's refusal, an untrusted certificate: every file
            self._fatal = self._fatal or exc
        except TMDBError as exc:
            self._failed(item, size, str(exc))
        except asyncio.CancelledError:
            raise
        except BaseException as exc:  # a full disk, a give-up, a bug: the run ends
            self._fatal = self._fatal or exc
        else:
            result = fetched
            self.progress.files += 1
            self.progress.bytes += fetched.size_bytes
            self._record(item, size, DONE, fetched)
        finally:
            inflight.pop((size, path), None)
            if not outcome.done():
                outcome.set_result(result)
            slots.release()

    async def _follow(self, item: Wanted, size: str, outcome: asyncio.Future[Outcome]) -> None:
        """Another record names a file being downloaded: its row once that one lands."""
        result = await asyncio.shield(outcome)
        if isinstance(result, Fetched):
            self.progress.skipped += 1
            self._record(item, size, DONE, result)
        elif result == "not_found":
            self._not_found(item, size)
        else:
            self._failed(item, size, "failed for another record")

    def _present(self, item: Wanted, size: str) -> None:
        """In place already: no request; its row written if this record has none."""
        self.progress.skipped += 1
        row = self._row(item, size, DONE, None)
        if self.store.image_recorded(row):
            return
        known = self.store.known_file(size, item.file_path)
        if known is not None and known.status == DONE and known.sha256 and known.size_bytes:
            fetched = Fetched(known.size_bytes, known.sha256)
        else:  # written by a run killed before its row was committed
            fetched = self.files.describe(size, item.file_path)
        self._record(item, size, DONE, fetched)

    def _known_missing(self, item: Wanted, size: str) -> bool:
        if self.retry_missing:
            return False
        known = self.store.known_file(size, item.file_path)
        if known is None or known.status != NOT_FOUND:
            return False
        self.progress.not_found += 1
        row = self._row(item, size, NOT_FOUND, None)
        if not self.store.image_recorded(row):
            self._add(row)
        return True

    def _not_found(self, item: Wanted, size: str) -> None:
        self.progress.not_found += 1
        self._record(item, size, NOT_FOUND, None)

    def _failed(self, item: Wanted, size: str, reason: str) -> None:
        self.progress.failed += 1
        if len(self._failures) < SHOWN_FAILURES:
            self._failures.append((f"{size}{item.file_path}", reason))

    def _row(self, item: Wanted, size: str, status: str, fetched: Fetched | None) -> ImageRow:
        return ImageRow(
            item.entity,
            item.item_id,
            item.kind,
            size,
            item.file_path,
            status,
            fetched.size_bytes if fetched else None,
            fetched.sha256 if fetched else None,
        )

    def _record(self, item: Wanted, size: str, status: str, fetched: Fetched | None) -> None:
        self._add(self._row(item, size, status, fetched))

    def _add(self, row: ImageRow) -> None:
        self._rows.append(row)
        if len(self._rows) >= BATCH:
            self._flush()

    def _flush(self) -> None:
        rows, self._rows = self._rows, []
        self.store.record_images(rows)
