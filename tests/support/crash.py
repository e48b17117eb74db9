"""Kill `collect` with SIGKILL at chosen moments of each stage, resume, compare the exports.

Shared by ``tests/test_crash.py`` (a few kill points in CI) and ``scripts/stress.py`` (many
random ones). Everything goes through the real CLI in subprocesses, against a simulator child
process; a ``details`` kill comes when the simulator's hold has stopped the run after exactly
the ids wanted (tests/support/hold.py), the other kill moments by reading the checkpoint
database read-only again after each write to its folder (tests/support/changes.py):

* ``popular``  - stage 1: some /movie/popular pages are committed, not all;
* ``discover`` - stage 2: popular is complete, some /discover/movie pages are committed;
* ``details``  - stage 3: the harvest is complete, some movie details are committed;
* ``startup``  - the moment the database file appears (creating the schema).

The harvest is fetched before movie details (it has priority) but the two overlap, so a kill
aimed at a stage is classified again by what the store holds at the moment of the kill.
"""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from tests.support.changes import Changes
from tests.support.checks import (
    STAGES,
    STARTUP,
    Progress,
    Totals,
    check_store,
    compare_exports,
    export_movies,
    read_progress,
    remove_db,
    run_collect,
)
from tests.support.cli import collect_args
from tests.support.hold import held_after, stop_args

# ---- kill points ----------------------------------------------------------------------------


@dataclass(frozen=True)
class KillPoint:
    """Kill once ``stage`` has ``target`` units committed (pages, or resolved ids).

    For ``startup``, ``target`` is a delay in microseconds after the database file appears.
    """

    stage: str
    target: int

    def reached(self, progress: Progress | None, totals: Totals) -> bool:
        if progress is None:
            return False
        harvested = progress.popular >= totals.popular
        if self.stage == "popular":
            return progress.popular >= self.target
        if self.stage == "discover":
            return harvested and progress.discover >= self.target
        if self.stage == "details":
            return (
                harvested
                and progress.discover >= totals.discover
                and progress.resolved >= self.target
            )
        raise ValueError(f"unknown stage {self.stage!r}")

    def describe(self, totals: Totals) -> str:
        if self.stage == STARTUP:
            return f"startup +{self.target / 1000:.1f} ms"
        size = {"popular": totals.popular, "discover": totals.discover, "details": totals.ids}
        return f"{self.stage} {self.target}/{size[self.stage]}"


def draw_kill_points(rng: random.Random, totals: Totals, stages: Sequence[str]) -> list[KillPoint]:
    """One random kill point per entry of ``stages``, in the order a collection reaches them."""
    size = {"popular": totals.popular, "discover": totals.discover, "details": totals.ids}
    points = []
    for stage in stages:
        if stage == STARTUP:
            points.append(KillPoint(STARTUP, rng.randrange(0, 20_000)))
            continue
        # Leave room at the end: commits go on between the read that sees the target and
        # the kill, and a kill after the last commit would not land inside the stage.
        room = max(1, size[stage] // (20 if stage == "details" else 25))
        if size[stage] - room < 2:
            raise ValueError(f"the plan's {stage} stage is too small to kill inside")
        points.append(KillPoint(stage, rng.randrange(1, size[stage] - room + 1)))
    order = {STARTUP: -1, **{stage: i for i, stage in enumerate(STAGES)}}
    return sorted(points, key=lambda p: (order[p.stage], p.target))


# ---- running collect ------------------------------------------------------------------------


def collect_command(db: Path, base_url: str, plan: Sequence[str], *extra: str) -> list[str]:
    return [
        sys.executable,
        "-m",
        "tmdb_collector",
        *collect_args(db, base_url, *plan, *extra, rate=None),
    ]


@dataclass(frozen=True)
class KillResult:
    point: KillPoint
    killed: bool  # False: the run ended before the kill point was reached
    stage: str  # the stage the store was in at the kill (see Totals.stage_of)
    before: Progress | None
    after: Progress | None
    seconds: float
    returncode: int | None
    stderr: str
    problems: tuple[str, ...]  # check_store() right after the kill

    def describe(self, totals: Totals) -> str:
        where = self.point.describe(totals)
        if not self.killed:
            return f"{where}: NOT KILLED, the run ended with exit {self.returncode}"
        after = self.after
        state = (
            "no schema yet"
            if after is None
            else f"{after.popular}+{after.discover} pages, {after.resolved}/{totals.ids} ids"
        )
        return f"{where}: killed after {self.seconds:.2f} s in stage {self.stage} ({state})"


def kill_at(
    point: KillPoint,
    command: Sequence[str],
    db: Path,
    totals: Totals,
    env: dict[str, str],
    *,
    timeout: float = 300,
    base_url: str | None = None,
) -> KillResult:
    """Start ``command`` (a ``collect`` into ``db``) and SIGKILL it at ``point``.

    The kill waits for at least one unit committed by this very run, so each kill lands in
    the middle of work, not before the resumed process has started. A ``details`` point with
    the simulator's ``base_url`` (and ``command`` run with ``stop_args()``) is reached on the
    simulator's hold: the kill comes once exactly the ids needed are resolved, and the harvest
    is over (workers take list pages first); the other points read the database again
    after each write to its folder.
    """
    before = read_progress(db)
    start_units = before.units if before is not None else 0
    with tempfile.TemporaryFile("w+", encoding="utf-8") as errors:
        started = time.monotonic()
        process = subprocess.Popen(
            list(command), stdout=subprocess.DEVNULL, stderr=errors, text=True, env=env
        )
        killed = False
        try:
            if point.stage == STARTUP:
                killed = _kill_at_startup(process, db, point.target / 1e6, timeout)
            elif point.stage == "details" and base_url is not None:
                resolved = before.resolved if before is not None else 0
                with held_after(base_url, max(1, point.target - resolved)) as gate:
                    gate.wait_stopped()
                    process.send_signal(signal.SIGKILL)
                killed = True
            else:
                killed = _kill_when(process, db, point, totals, start_units, timeout)
        finally:
            if process.poll() is None:
                process.kill()
            process.wait(timeout=60)
        elapsed = time.monotonic() - started
        errors.seek(0)
        stderr = errors.read()
    after = read_progress(db)
    problems = tuple(check_store(db)) if killed else ()
    return KillResult(
        point=point,
        killed=killed,
        stage=totals.stage_of(after),
        before=before,
        after=after,
        seconds=elapsed,
        returncode=process.returncode,
        stderr=stderr,
        problems=problems,
    )


def _kill_when(
    process: subprocess.Popen[str],
    db: Path,
    point: KillPoint,
    totals: Totals,
    start_units: int,
    timeout: float,
) -> bool:
    def reached() -> bool:
        progress = read_progress(db)
        return (
            progress is not None
            and progress.units > start_units
            and point.reached(progress, totals)
        )

    with Changes(db.parent) as changes:
        if not changes.wait(reached, process, timeout):
            return False
    process.send_signal(signal.SIGKILL)
    return True


def _kill_at_startup(
    process: subprocess.Popen[str], db: Path, delay: float, timeout: float
) -> bool:
    """SIGKILL ``delay`` seconds after ``db`` appears: while the schema is being created. The
    delay is the kill's chosen moment (drawn at random), not a wait for anything."""
    with Changes(db.parent) as changes:
        if not changes.wait(db.exists, process, timeout):
            return False
    time.sleep(delay)
    if process.poll() is not None:
        return False
    process.send_signal(signal.SIGKILL)
    return True


# ---- a whole episode: kills, then a final resume ---------------------------------------------


@dataclass(frozen=True)
class Rates:
    """``--rate`` of runs aimed at the harvest (slow, so stages 1-2 last a while) and of runs
    aimed at the details and of the final resume (fast)."""

    harvest: str = "40"
    details: str = "400"

    def for_point(self, point: KillPoint | None) -> str:
        return self.harvest if point is not None and point.stage != "details" else self.details


@dataclass(frozen=True)
class Episode:
    kills: tuple[KillResult, ...]
    final: subprocess.CompletedProcess[str]
    problems: tuple[str, ...]  # everything that went wrong; () when the episode passed


def run_episode(
    points: Sequence[KillPoint],
    *,
    db: Path,
    base_url: str,
    plan: Sequence[str],
    totals: Totals,
    reference: dict[str, Any],
    env: dict[str, str],
    rates: Rates = Rates(),
    extra: Sequence[str] = (),
) -> Episode:
    """Collect ``plan`` into a fresh ``db``, SIGKILLed at each point in turn, then let the
    same command finish and compare its export with ``reference``."""
    remove_db(db)
    kills: list[KillResult] = []
    problems: list[str] = []
    for point in points:
        held = point.stage == "details"  # stopped on the simulator's hold (see kill_at)
        command = collect_command(
            db,
            base_url,
            plan,
            "--rate",
            rates.for_point(point),
            *extra,
            *(stop_args() if held else []),
        )
        result = kill_at(point, command, db, totals, env, base_url=base_url if held else None)
        kills.append(result)
        problems += result.problems
        if not result.killed:
            problems.append(f"{result.describe(totals)}: {result.stderr.strip()[-300:]}")
    final = run_collect(
        collect_command(db, base_url, plan, "--rate", rates.for_point(None), *extra), env
    )
    if final.returncode != 0:
        problems.append(f"the final resume exited {final.returncode}: {final.stderr.strip()}")
    else:
        problems += check_store(db)
        out = export_movies(db, db.with_suffix(".json"), env)
        problems += compare_exports(reference, out)
        out.unlink()
    return Episode(tuple(kills), final, tuple(problems))
