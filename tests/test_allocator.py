"""Arrow's allocator in our processes: jemalloc on Linux unless the environment chooses."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tmdb_collector.export.allocator import VARIABLE

PROBE = (
    "from tmdb_collector.export.allocator import choose_arrow_allocator\n"
    "chosen = choose_arrow_allocator()\n"
    "import pyarrow as pa\n"
    "pa.array([1, 2, 3])\n"
    "print(chosen, pa.default_memory_pool().backend_name)\n"
)


def _probe(**env: str) -> str:
    base = {k: v for k, v in os.environ.items() if k != VARIABLE}
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert done.stderr == ""  # no warning from Arrow about an unsupported backend
    return done.stdout.strip()


@pytest.mark.skipif(sys.platform != "linux", reason="jemalloc is chosen on Linux only")
def test_arrow_uses_jemalloc_by_default_on_linux() -> None:
    assert _probe() == "jemalloc jemalloc"


def test_a_choice_in_the_environment_wins() -> None:
    assert _probe(**{VARIABLE: "system"}) == "system system"


def test_the_cli_chooses_before_pyarrow_is_loaded() -> None:
    probe = "import sys\nimport tmdb_collector.cli.app\nprint('pyarrow' in sys.modules)\n"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert done.stdout.strip() == "False"


def test_the_cli_leaves_its_objects_to_the_end_of_the_process() -> None:
    """At the CLI's exit every object still tracked is frozen before the interpreter's
    shutdown, which therefore does not walk them all again in its garbage collections
    (what a probe registered before the command, and so run after its exit hooks, sees)."""
    probe = (
        "import atexit, gc, sys\n"
        "atexit.register(lambda: print('frozen', gc.get_freeze_count() > 1000))\n"
        "sys.argv = ['tmdb-collector', '--version']\n"
        "from tmdb_collector.cli import main\n"
        "main()\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=False
    )
    assert done.stdout.strip().splitlines()[-1] == "frozen True"
