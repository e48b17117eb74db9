"""A child process's output read line by line on a thread: the pipe never fills, and a caller
can wait for a line (on a condition the reader notifies, not by polling)."""

from __future__ import annotations

import threading
from typing import IO


class OutputLines:
    """Everything written to ``stream``, as it comes."""

    def __init__(self, stream: IO[str]) -> None:
        self.lines: list[str] = []
        self._stream = stream
        self._added = threading.Condition()
        self._thread = threading.Thread(target=self._read, args=(stream,), daemon=True)
        self._thread.start()

    def _read(self, stream: IO[str]) -> None:
        try:
            for line in stream:
                with self._added:
                    self.lines.append(line)
                    self._added.notify_all()
        except ValueError:  # closed under the reader: the process is being stopped
            return

    def seen(self, text: str, timeout: float, count: int = 1) -> str | None:
        """The ``count``-th line holding ``text``, once written; None if ``timeout`` seconds
        pass first."""

        def holding() -> list[str]:
            return [line for line in self.lines if text in line]

        with self._added:
            if not self._added.wait_for(lambda: len(holding()) >= count, timeout):
                return None
            return holding()[count - 1]

    def join(self, timeout: float) -> None:
        """Wait for the stream to end (its writers gone)."""
        self._thread.join(timeout)

    def close(self, timeout: float) -> None:
        """Once the stream has ended, close it."""
        self.join(timeout)
        self._stream.close()
