"""`make stress`: SIGKILL `collect` at many random moments, resume, and compare exports.

1. An uninterrupted, fault-free run of the plan is the reference export.
2. Crash rounds: each episode collects into a fresh database and is SIGKILLed at a few random
   moments in turn (once while the database is being created, then at random points of stages
   1-3, drawn from a printed seed), resuming with the same command each time; the final resume
   must exit 0, the store must be consistent after every kill, and the export must equal the
   reference: same ids, same bodies, no duplicate keys, nothing missing.
3. A faults round: the simulator injects faults into 20% of the requests (5xx, stalls longer
   than the client's timeout, connection resets, truncated bodies) and allows fewer requests/s
   than the client sends; one `collect` must exit 0 with the reference export.
4. Outage rounds (``--outages 5,15``, minutes): with the default client settings, the
   simulator (behind a proxy on a fixed port) stops accepting connections in the middle of
   stage 3 for that long, then comes back on the same port; `collect` must exit 0 with no
   failed id, a handful of stderr lines, and the reference export.

Prints a PASS/FAIL summary; exits 1 on FAIL. ``--seed`` reproduces the kill moments;
``--media tv`` runs every round on the TV plan (the same stages, /tv paths, ``tv.json``).
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

# The crash, check and outage helpers are the tests' own (tests/support), not the wheel's.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.support.changes import Changes
from tests.support.checks import (
    STAGES,
    STARTUP,
    Totals,
    check_store,
    compare_exports,
    export_movies,
    load_export,
    read_progress,
    remove_db,
    run_collect,
)
from tests.support.cli import cli_env
from tests.support.crash import (
    Rates,
    collect_command,
    draw_kill_points,
    run_episode,
)
from tests.support.outage import OutageProxy

from tmdb_collector.media import DEFAULT_MEDIA, MEDIA_TYPES, MediaType
from tmdb_collector.simulator.process import simulator_process

PLANS = {
    # 50 popular pages + 19 genres x 5 pages: ~1,500 movies, ~10 s a pass on two cores.
    "mid": ["--popular-pages", "50", "--genre-pages", "5"],
    # The seed's plan: 250 + 19 x 25 pages, ~6,000 movies, ~45 s a pass.
    "default": [],
}
SIM_LATENCY_MS = "10"
RATES = Rates(harvest="40", details="400")
# Faults round: 20% faults; slow faults stall 2 s, past the client's 1 s timeout; the client
# asks for more requests/s than the server's limit.
FAULT_SIM = ["--fault-rate", "0.2", "--slow-ms", "2000", "--rate-limit", "40"]
FAULT_CLIENT = ["--rate", "100", "--timeout", "1"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, help="seed of the kill moments (default: random)")
    parser.add_argument("--kills", type=int, default=24, help="stage kills in all (default 24)")
    parser.add_argument("--per-episode", type=int, default=4, help="stage kills per episode")
    parser.add_argument("--plan", choices=sorted(PLANS), default="mid")
    parser.add_argument("--media", choices=sorted(MEDIA_TYPES), default=DEFAULT_MEDIA)
    parser.add_argument("--sim-seed", type=int, default=42, help="the simulator's catalogue")
    parser.add_argument("--no-faults", action="store_true", help="skip the faults round")
    parser.add_argument("--no-kills", action="store_true", help="skip the crash rounds")
    parser.add_argument("--work-dir", type=Path, help="keep databases here (default: temp)")
    parser.add_argument(
        "--outages", default="5,15", help="outage rounds, minutes each (default 5,15; '' skips)"
    )
    options = parser.parse_args()
    seed = options.seed if options.seed is not None else random.SystemRandom().randrange(10**6)
    work = options.work_dir or Path(tempfile.mkdtemp(prefix="tmdb-stress-"))
    work.mkdir(parents=True, exist_ok=True)
    command = (
        f"{sys.executable} scripts/stress.py --seed {seed} --plan {options.plan}"
        f" --media {options.media}"
    )
    print(f"stress: seed {seed}, {options.media} plan {options.plan}, {options.kills} stage kills")
    print(f"reproduce with: {command}", flush=True)
    started = time.monotonic()
    failures: list[str] = []
    plan = [*PLANS[options.plan], "--media", options.media]
    media = MEDIA_TYPES[options.media]
    env = cli_env()
    sim_args = ["--latency-ms", SIM_LATENCY_MS, "--seed", str(options.sim_seed)]
    with simulator_process(sim_args) as sim:
        totals, reference = reference_run(sim.base_url, plan, work, env)
        print(
            f"reference: {totals.popular} popular + {totals.discover} discover pages, "
            f"{totals.ids} ids, {len(reference)} {media.plural}"
            f" ({time.monotonic() - started:.0f} s)",
            flush=True,
        )
        stage_counts: Counter[str] = Counter()
        if not options.no_kills:
            stage_counts = crash_rounds(
                seed, options, totals, reference, sim.base_url, plan, work, env, failures
            )
        for minutes in [float(m) for m in options.outages.split(",") if m.strip()]:
            outage_round(minutes, sim.root_url, reference, plan, media, work, env, failures)
    if not options.no_faults:
        faults_round(options.sim_seed, reference, plan, work, env, failures)
    spread = ", ".join(f"{stage} {stage_counts[stage]}" for stage in (STARTUP, *STAGES))
    missed = [stage for stage in STAGES if stage_counts[stage] == 0]
    stage_kills = sum(stage_counts[stage] for stage in STAGES)
    if missed and not options.no_kills:
        failures.append(f"no kill landed in stage(s) {', '.join(missed)}")
    if stage_kills < options.kills and not options.no_kills:
        failures.append(f"only {stage_kills} of {options.kills} stage kills landed")
    print()
    print(f"kill points by the stage the store was in: {spread}")
    print(f"seed {seed}, plan {options.plan}, {time.monotonic() - started:.0f} s")
    if failures:
        print(f"FAIL ({len(failures)} problems); databases kept in {work}")
        for failure in failures:
            print(f"  - {failure}")
        return 1
    faults = "" if options.no_faults else "; so did the faults round"
    print(
        f"PASS: {stage_kills} stage kills + {stage_counts[STARTUP]} at startup; every episode"
        f" exported the reference {media.export_filename}{faults}"
    )
    if options.work_dir is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


def reference_run(
    base_url: str, plan: list[str], work: Path, env: dict[str, str]
) -> tuple[Totals, dict[str, Any]]:
    db = work / "reference.db"
    remove_db(db)
    result = run_collect(collect_command(db, base_url, plan, "--rate", RATES.details), env)
    if result.returncode != 0:
        raise SystemExit(f"FAIL: the reference run exited {result.returncode}: {result.stderr}")
    problems = check_store(db)
    if problems:
        raise SystemExit(f"FAIL: the reference store is inconsistent: {problems}")
    return Totals.of(db), load_export(export_movies(db, work / "reference.json", env))


def crash_rounds(
    seed: int,
    options: argparse.Namespace,
    totals: Totals,
    reference: dict[str, Any],
    base_url: str,
    plan: list[str],
    work: Path,
    env: dict[str, str],
    failures: list[str],
) -> Counter[str]:
    rng = random.Random(seed)
    stages = [STAGES[i % len(STAGES)] for i in range(options.kills)]
    rng.shuffle(stages)
    counts: Counter[str] = Counter()
    episodes = [
        stages[i : i + options.per_episode] for i in range(0, len(stages), options.per_episode)
    ]
    for number, chosen in enumerate(episodes, 1):
        points = draw_kill_points(rng, totals, [STARTUP, *chosen])
        began = time.monotonic()
        episode = run_episode(
            points,
            db=work / f"episode{number}.db",
            base_url=base_url,
            plan=plan,
            totals=totals,
            reference=reference,
            env=env,
            rates=RATES,
        )
        verdict = "ok" if not episode.problems else "FAILED"
        print(f"episode {number}/{len(episodes)}: {verdict} ({time.monotonic() - began:.0f} s)")
        for kill in episode.kills:
            print(f"  {kill.describe(totals)}")
            if kill.killed:
                counts[kill.stage if kill.point.stage != STARTUP else STARTUP] += 1
        for problem in episode.problems:
            print(f"  problem: {problem}")
            failures.append(f"episode {number}: {problem}")
        sys.stdout.flush()
    return counts


def faults_round(
    sim_seed: int,
    reference: dict[str, Any],
    plan: list[str],
    work: Path,
    env: dict[str, str],
    failures: list[str],
) -> None:
    db = work / "faults.db"
    remove_db(db)
    began = time.monotonic()
    sim_args = [*FAULT_SIM, "--latency-ms", SIM_LATENCY_MS, "--seed", str(sim_seed)]
    with simulator_process(sim_args) as sim:
        result = run_collect(collect_command(db, sim.base_url, plan, *FAULT_CLIENT), env)
        stats = _sim_stats(sim.root_url)
    print(
        f"faults round: simulate {' '.join(FAULT_SIM)}; collect {' '.join(FAULT_CLIENT)}: "
        f"exit {result.returncode} ({time.monotonic() - began:.0f} s)"
    )
    print(f"  {result.stdout.strip()}")
    print(f"  server: {stats.get('by_status')}, faults {stats.get('faults')}")
    problems: list[str] = []
    if result.returncode != 0:
        problems.append(f"collect exited {result.returncode}: {result.stderr.strip()[-500:]}")
    faults = stats.get("faults", {})
    for kind in ("error", "slow", "reset", "truncated"):
        if not faults.get(kind):
            problems.append(f"no {kind!r} fault was injected")
    if not stats.get("by_status", {}).get("429"):
        problems.append("the server never answered 429")
    problems += check_store(db)
    if result.returncode in (0, 3):
        out = export_movies(db, work / "faults.json", env)
        problems += compare_exports(reference, out)
    for problem in problems:
        print(f"  problem: {problem}")
        failures.append(f"faults round: {problem}")


def outage_round(
    minutes: float,
    root_url: str,
    reference: dict[str, Any],
    plan: list[str],
    media: MediaType,
    work: Path,
    env: dict[str, str],
    failures: list[str],
) -> None:
    db = work / f"outage-{minutes:g}m.db"
    remove_db(db)
    proxy = OutageProxy(root_url)
    began = time.monotonic()
    try:
        # Default client settings: no --rate, --concurrency or [client] overrides.
        command = collect_command(db, proxy.base_url, plan)
        process = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

        def a_quarter_saved() -> bool:
            progress = read_progress(db)
            return progress is not None and progress.movies >= len(reference) // 4

        with Changes(db.parent) as changes:  # looked at again after each commit
            changes.wait(a_quarter_saved, process, timeout=3600)
        movies_at_start = read_progress(db)
        proxy.refuse()
        time.sleep(minutes * 60)  # the outage
        proxy.restore()
        _, stderr = process.communicate(timeout=3600)
    finally:
        proxy.close()
    lines = [line for line in stderr.decode().splitlines() if line.strip()]
    failed = _failed_ids(db)
    started_with = movies_at_start.movies if movies_at_start else 0
    print(
        f"outage round: {minutes:g} min refused at {started_with} {media.plural}: exit "
        f"{process.returncode}, {failed} failed ids, {len(lines)} stderr lines "
        f"({time.monotonic() - began:.0f} s)"
    )
    for line in lines:
        print(f"  stderr: {line}")
    problems: list[str] = []
    if process.returncode != 0:
        problems.append(f"collect exited {process.returncode}")
    if failed:
        problems.append(f"{failed} ids failed")
    if len(lines) > 5:
        problems.append(f"{len(lines)} lines on stderr, not a handful")
    problems += check_store(db)
    if process.returncode in (0, 3):
        problems += compare_exports(reference, export_movies(db, work / "outage.json", env))
    for problem in problems:
        print(f"  problem: {problem}")
        failures.append(f"outage round {minutes:g} min: {problem}")


def _failed_ids(db: Path) -> int:
    connection = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        row = connection.execute("SELECT COUNT(*) FROM ids WHERE status = 'failed'").fetchone()
        return int(row[0])
    finally:
        connection.close()


def _sim_stats(root_url: str) -> dict[str, Any]:
    import httpx

    response = httpx.get(f"{root_url}/__sim/stats", timeout=10)
    response.raise_for_status()
    data: dict[str, Any] = json.loads(response.content)
    return data


if __name__ == "__main__":
    sys.exit(main())
