"""Which files a test's code flushed to disk (``os.fsync``) and renamed (``os.replace``), in
order: a check that a file is on disk before it takes its name, and its directory after."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest


class Durability:
    """Records, while installed, ``("fsync", path)`` and ``("replace", source, target)``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.events: list[tuple[str, ...]] = []
        self._lock = threading.Lock()  # fsyncs may run on threads
        fsync, replace = os.fsync, os.replace

        def recorded_fsync(fd: int) -> None:
            self._add("fsync", os.readlink(f"/proc/self/fd/{fd}"))
            fsync(fd)

        def recorded_replace(source: Any, target: Any, **options: Any) -> None:
            self._add("replace", os.fspath(source), os.fspath(target))
            replace(source, target, **options)

        monkeypatch.setattr(os, "fsync", recorded_fsync)
        monkeypatch.setattr(os, "replace", recorded_replace)

    def _add(self, *event: str) -> None:
        with self._lock:
            self.events.append(event)

    def replaced(self) -> list[tuple[str, str]]:
        return [(event[1], event[2]) for event in self.events if event[0] == "replace"]

    def synced_before(self, source: str) -> bool:
        """Whether ``source`` was fsynced before it was renamed."""
        index = next(i for i, e in enumerate(self.events) if e[:2] == ("replace", source))
        return ("fsync", source) in self.events[:index]

    def directory_synced_after(self, target: Path) -> bool:
        """Whether ``target``'s directory was fsynced after ``target`` got its name."""
        index = max(
            i for i, e in enumerate(self.events) if e[0] == "replace" and e[2] == str(target)
        )
        return ("fsync", str(target.parent.resolve())) in self.events[index:]
