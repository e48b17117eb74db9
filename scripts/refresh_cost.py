"""What a daily ``update --refresh-parts watch/providers`` costs on the seed plan's collection.

Collects the seed plan (its default parts plus ``watch/providers``) from the simulator on its
default day, uncapped, then runs ``update --refresh-parts watch/providers`` against the
simulator a day later and reads the simulator's own request count. The minutes a day are that
count at the default ``--rate`` (40 requests/s, the plan's ceiling), and the store's growth the
bytes the refresh added to the database. Every figure printed is measured by this run.

    .venv/bin/python scripts/refresh_cost.py
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from tmdb_collector.fetch.settings import ClientSettings
from tmdb_collector.simulator.catalog import DEFAULT_TODAY
from tmdb_collector.simulator.process import simulator_process

PARTS = "credits,keywords,recommendations,watch/providers"


def cli(*args: str) -> None:
    env = {**os.environ, "TMDB_API_KEY": "refresh-cost"}
    command = [sys.executable, "-m", "tmdb_collector", *args, "--no-progress"]
    subprocess.run(command, check=True, env=env, stdout=subprocess.DEVNULL)


def requests_served(root_url: str) -> int:
    return int(httpx.get(f"{root_url}/__sim/stats", timeout=5).json()["requests"])


def size(db: Path) -> int:
    return sum(p.stat().st_size for p in db.parent.iterdir() if p.name.startswith(db.name))


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        db = Path(folder) / "seed.db"
        with simulator_process(["--today", DEFAULT_TODAY.isoformat()]) as sim:
            cli(
                "collect",
                "--db",
                str(db),
                "--base-url",
                sim.base_url,
                "--rate",
                "2000",
                "--parts",
                PARTS,
            )
        before = size(db)
        later = DEFAULT_TODAY + dt.timedelta(days=1)
        with simulator_process(["--today", later.isoformat()]) as sim:
            cli(
                "update",
                "--db",
                str(db),
                "--base-url",
                sim.base_url,
                "--rate",
                "2000",
                "--refresh-parts",
                "watch/providers",
            )
            requests = requests_served(sim.root_url)
        rate = ClientSettings.rate
        print(f"requests per daily refresh: {requests:,}")
        print(f"minutes at --rate {rate:g}: {requests / rate / 60:.1f}")
        print(f"store growth of one day's refresh: {size(db) - before:,} bytes")


if __name__ == "__main__":
    main()
