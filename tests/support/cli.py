"""Command lines and environments for running the real CLI in a subprocess."""

from __future__ import annotations

import os
from pathlib import Path

TEST_KEY = "test-key-5f3c9a1e"


def cli_env(api_key: str | None = TEST_KEY, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TMDB_")}
    if api_key is not None:
        env["TMDB_API_KEY"] = api_key
    env.update(extra)
    return env


def collect_args(db: Path, base_url: str, *extra: str, rate: str | None = "500") -> list[str]:
    """``collect`` into ``db`` from ``base_url``, plain output, fast unless ``rate`` says not
    (``None`` leaves ``--rate`` to ``extra``)."""
    limit = [] if rate is None else ["--rate", rate]
    return ["collect", "--db", str(db), "--base-url", base_url, "--no-progress", *limit, *extra]
