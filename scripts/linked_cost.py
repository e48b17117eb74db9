"""What the seed plan with ``--linked people`` costs: requests, measured against the simulator
(its default catalogue), and the hours they take at TMDB's ~40 requests/s.

    .venv/bin/python scripts/linked_cost.py [--linked people] [--rate 2000]

Runs ``collect`` (the seed's plan, the default parts) in a subprocess with the given
``--linked``, reads the requests the simulator served (``/__sim/stats``), and prints the title
and linked entity counts, requests, requests per entity beyond the list pages, and
``requests / 40 / 3600`` hours. Counts only: the wall time here is the simulator's, not TMDB's.
"""

from __future__ import annotations

import argparse
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx

from tmdb_collector.simulator.process import simulator_process

CEILING = 40.0  # requests/s: TMDB's rate ceiling the README quotes


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--linked", default="people")
    parser.add_argument("--rate", default="2000")
    args = parser.parse_args()
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMDB_")}
    env["TMDB_API_KEY"] = "linked-cost-key"
    with tempfile.TemporaryDirectory() as folder, simulator_process([]) as sim:
        db = Path(folder) / "seed.db"
        command = [sys.executable, "-m", "tmdb_collector", "collect", "--db", str(db)]
        command += ["--base-url", sim.base_url, "--rate", args.rate, "--no-progress"]
        command += ["--linked", args.linked]
        before = httpx.get(f"{sim.root_url}/__sim/stats", timeout=10).json()["requests"]
        subprocess.run(command, env=env, check=True)
        after = httpx.get(f"{sim.root_url}/__sim/stats", timeout=10).json()["requests"]
        with sqlite3.connect(db) as con:
            titles = con.execute("SELECT COUNT(*) FROM items").fetchone()[0]
            pages = con.execute("SELECT COUNT(*) FROM pages").fetchone()[0]
            linked = dict(con.execute("SELECT entity, COUNT(*) FROM linked_ids GROUP BY 1"))
    requests = after - before
    entities = titles + sum(linked.values())
    print(f"titles {titles:,}, list pages {pages:,}, linked {linked}")
    print(f"requests {requests:,} ({(requests - pages) / entities:.3f} per entity beyond pages)")
    print(f"hours at {CEILING:.0f} req/s: {requests / CEILING / 3600:.2f}")


if __name__ == "__main__":
    main()
