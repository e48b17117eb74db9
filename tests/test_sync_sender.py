"""The sync's sender thread (sync/sender.py) and the count of new units' rows (sync/source.py),
without a server: work runs in order, a failure reaches the caller and stops what follows,
and the units' rows are counted right whether all, none or some of them are new."""

from __future__ import annotations

import subprocess
import sys
import threading

import pyarrow as pa
import pytest

from tmdb_collector.sync.sender import sending
from tmdb_collector.sync.source import _counter


def test_work_runs_in_order_on_another_thread_and_reports_back() -> None:
    ran: list[int] = []
    reported: list[int] = []
    threads: set[str] = set()

    def work(n: int) -> int:
        threads.add(threading.current_thread().name)
        ran.append(n)
        return n * 10

    with sending(ahead=2) as sender:
        for n in range(7):
            sender.submit(lambda n=n: work(n), reported.append)
    assert ran == list(range(7))
    assert reported == [n * 10 for n in range(7)]  # each on the caller's thread, in order
    assert threads
    assert threading.current_thread().name not in threads


def test_a_failure_reaches_the_caller_and_what_follows_is_dropped() -> None:
    ran: list[int] = []
    gate = threading.Event()

    def fail() -> None:
        gate.wait(5)
        raise RuntimeError("server gone")

    def run() -> None:
        with sending(ahead=8) as sender:
            sender.submit(fail)
            for n in range(5):
                sender.submit(lambda n=n: ran.append(n))
            gate.set()

    with pytest.raises(RuntimeError, match="server gone"):
        run()
    assert ran == []  # queued behind the failure: abandoned, not run


def test_new_units_rows_are_counted_whether_all_none_or_some_are_new() -> None:
    column = pa.chunked_array([pa.array([1, 1, 2, 3, 3, 3], pa.int64())])
    chosen = frozenset({1, 2, 3})
    assert _counter(chosen, chosen)(column) == 6
    assert _counter(chosen, frozenset())(column) == 0
    assert _counter(chosen, frozenset({3}))(column) == 3
    assert _counter(chosen, frozenset({1, 2}))(column) == 3


def _loaded_by_sync(*modules: str) -> list[str]:
    """Which of ``modules`` a fresh process has loaded once it has the CLI, its ``sync``
    command and :mod:`tmdb_collector.sync.run`."""
    probe = (
        "import sys\n"
        "from tmdb_collector.cli import cli\n"
        "cli.commands['sync']\n"
        "import tmdb_collector.sync.run\n"
        f"print(' '.join(m for m in {modules!r} if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    return out.split()


def test_the_sync_command_does_not_load_the_collectors_http_client() -> None:
    """`sync` (and the CLI it runs in) imports what a sync needs: not aiohttp, tenacity or
    rich, which only the fetching commands use (a second and more of CPU at every start)."""
    assert _loaded_by_sync("aiohttp", "tenacity", "rich") == []


def test_a_sync_reaches_the_server_before_it_loads_pyarrow() -> None:
    """Everything a sync runs before its first statement (the CLI, the comparing, the scopes
    and their tables) loads without pyarrow or the table export's builders: those load where
    the rows are built, while a changes-only sync's deletes run on the server."""
    assert _loaded_by_sync("pyarrow", "tmdb_collector.export.tables") == []
