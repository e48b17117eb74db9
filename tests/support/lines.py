"""A child process's output read line by line in a thread, so a test can wait for a line."""

from __future__ import annotations

from tmdb_collector.simulator.output import OutputLines

HANG_GUARD = 120.0  # generous: a bound that fails the test instead of hanging it


class Lines(OutputLines):
    """Everything a process writes to ``stream``, as it comes; ``wait_for`` blocks on a
    condition the reader notifies (no polling)."""

    def wait_for(self, text: str, timeout: float = HANG_GUARD) -> str:
        """The first line holding ``text``, once it has been written."""
        seen = self.seen(text, timeout)
        assert seen is not None, f"never saw {text!r} in: {''.join(self.lines)}"
        return seen

    def all(self, timeout: float = HANG_GUARD) -> str:
        """Everything, once the stream has ended."""
        self.join(timeout)
        return "".join(self.lines)

    def close(self, timeout: float = HANG_GUARD) -> None:
        super().close(timeout)
