"""Arrow's allocator in our processes: jemalloc on Linux unless the environment chooses; and
glibc's threshold for large blocks kept where it starts."""

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


MMAP_PROBE = """
import ctypes
from tmdb_collector.export.allocator import keep_large_blocks_mapped
print(keep_large_blocks_mapped())
libc = ctypes.CDLL(None)
libc.malloc.restype = ctypes.c_void_p
libc.free.argtypes = [ctypes.c_void_p]
NAMES = "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost"
class Info(ctypes.Structure):
    _fields_ = [(name, ctypes.c_size_t) for name in NAMES.split()]
libc.mallinfo2.restype = Info
libc.free(libc.malloc(1 << 20))  # glibc's own rule raises its threshold to 1 MiB here
before = libc.mallinfo2().hblks
block = libc.malloc(1 << 20)
print(libc.mallinfo2().hblks - before)  # 1: the block has a mapping of its own
"""


def _mmap_probe(**env: str) -> list[str]:
    base = {k: v for k, v in os.environ.items() if k != "MALLOC_MMAP_THRESHOLD_"}
    done = subprocess.run(
        [sys.executable, "-c", MMAP_PROBE],
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    return done.stdout.split()


@pytest.mark.skipif(
    sys.platform != "linux" or os.confstr("CS_GNU_LIBC_VERSION") is None, reason="glibc only"
)
def test_large_blocks_keep_a_mapping_of_their_own_after_one_is_freed() -> None:
    """A table export's large blocks (each batch's joined JSON) are given back to the system
    when freed, instead of fragmenting glibc's heaps as its moving threshold would have them."""
    assert _mmap_probe() == ["True", "1"]
    assert _mmap_probe(MALLOC_MMAP_THRESHOLD_="4194304") == ["False", "0"]  # the user's choice
