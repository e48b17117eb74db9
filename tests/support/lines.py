"""A child process's output read line by line in a thread, so a test can wait for a line."""

from __future__ import annotations

import threading
from typing import IO

HANG_GUARD = 120.0  # generous: a bound that fails the test instead of hanging it


class Lines:
    """Everything a process writes to ``stream``, as it comes; ``wait_for`` blocks on a
    condition the reader notifies (no polling)."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._stream = stream
        self._added = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        for line in stream:
            with self._added:
                self.lines.append(line)
                self._added.notify_all()

    def wait_for(self, text: str, timeout: float = HANG_GUARD) -> str:
        """The first line holding ``text``, once it has been written."""
        with self._added:
            seen = self._added.wait_for(lambda: any(text in line for line in self.lines), timeout)
        assert seen, f"never saw {text!r} in: {''.join(self.lines)}"
        return next(line for line in self.lines if text in line)

    def all(self, timeout: float = HANG_GUARD) -> str:
        """Everything, once the stream has ended."""
        self._thread.join(timeout)
        return "".join(self.lines)

    def close(self, timeout: float = HANG_GUARD) -> None:
        """Once the stream has ended (its writers gone), close it."""
        self._thread.join(timeout)
        self._stream.close()
