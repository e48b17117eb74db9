"""Stopping a run at a known point with the simulator's hold (``simulator.hold``), not a sleep.

``with held_after(base_url, 20) as gate:`` lets the next 20 details requests through and holds
the later ones, unanswered; ``gate.wait_held(k)`` returns once k requests are held: the
simulator answers it then (a server-side wait, no polling), or fails the test after
``HANG_GUARD`` seconds. Leaving the block releases the hold.

A collect with ``--concurrency K`` whose K requests are all held has saved exactly the items
the allowance let through: each worker commits its item before it asks for the next one.
"""

from __future__ import annotations

import signal
import subprocess
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass

import httpx

from tests.support.lines import HANG_GUARD, Lines
from tmdb_collector.simulator.hold import DETAILS, HOLD_ROUTE

CONCURRENCY = 4  # the --concurrency of runs stopped at a known point (see stop_args)


def stop_args(concurrency: int = CONCURRENCY) -> list[str]:
    """The flags of a run ``Gate.wait_stopped`` can stop."""
    return ["--concurrency", str(concurrency)]


@dataclass(frozen=True)
class Gate:
    route: str

    def wait_held(self, count: int) -> None:
        """Return once ``count`` details requests are held."""
        params = {"waiting": str(count), "timeout": str(HANG_GUARD)}
        answer = httpx.get(self.route, params=params, timeout=HANG_GUARD + 30)
        assert answer.status_code == 200, answer.text

    def wait_stopped(self, concurrency: int = CONCURRENCY) -> None:
        """Return once a run with ``stop_args(concurrency)`` is blocked on the hold: every
        worker waits there, so every item let through is committed."""
        self.wait_held(concurrency)

    def release(self) -> None:
        httpx.delete(self.route, timeout=30).raise_for_status()


@contextmanager
def held_after(base_url: str, allow: int, what: str = DETAILS) -> Iterator[Gate]:
    """Hold the details requests (``what=PARTS``: the sub-resources) after the next ``allow``
    until the block ends (``base_url``: the simulator's, ending in ``/3``)."""
    gate = Gate(base_url.removesuffix("/3") + HOLD_ROUTE)
    params = {"after": str(allow), "what": what}
    httpx.post(gate.route, params=params, timeout=30).raise_for_status()
    try:
        yield gate
    finally:
        with suppress(httpx.TransportError):  # a simulator the run owned ends with it
            gate.release()


def pause_stopped(
    process: subprocess.Popen[str],
    gate: Gate,
    sig: int = signal.SIGINT,
    stderr: Lines | None = None,
) -> str:
    """Pause a run ``gate`` has stopped with ``sig``, let its held requests land once it says
    it is pausing (so each worker saves one more item, then stops), and return its stderr
    (read by ``stderr`` when a reader is already attached)."""
    if stderr is None:
        assert process.stderr is not None
        stderr = Lines(process.stderr)
    process.send_signal(sig)
    stderr.wait_for("Pausing")
    gate.release()
    process.wait(timeout=HANG_GUARD)
    text = stderr.all()
    for pipe in (process.stdout, process.stderr):
        if pipe is not None:
            pipe.close()
    return text
