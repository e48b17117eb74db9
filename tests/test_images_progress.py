"""The images run's views: the bar shows files and bytes; the snapshot carries the counters
the JSON events and ``on_progress`` read."""

from __future__ import annotations

import io

from rich.console import Console

from tmdb_collector.images.progress import ImageProgress, shown


async def test_the_bar_shows_files_and_bytes() -> None:
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=200)
    progress = ImageProgress(total=40, files=10, bytes=2_500_000, skipped=5, not_found=1)
    async with shown(progress, bars=True, events=None, console=console):
        progress.files += 1
    text = screen.getvalue()
    assert "17/40" in text  # files handled (downloaded, present, not found) of all
    assert "2.5 MB" in text
    assert "5 present" in text
    assert "1 not found" in text


def test_the_snapshot_has_the_counters() -> None:
    progress = ImageProgress(total=3, files=2, bytes=10, skipped=1)
    progress.finished = True
    snapshot = progress.snapshot()
    assert {key: snapshot[key] for key in ("stage", "total", "files", "bytes", "skipped")} == {
        "stage": "done",
        "total": 3,
        "files": 2,
        "bytes": 10,
        "skipped": 1,
    }
    assert snapshot["outage"] is None
