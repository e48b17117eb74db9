"""The allocator Arrow uses in our own processes (the CLI, and the bench's children).

Arrow reads ``ARROW_DEFAULT_MEMORY_POOL`` once, when it is first loaded, so this runs before
anything imports pyarrow. Measured in docs/benchmarks.md: with the system allocator a
127,000-movie table export exported again and again in one process kept raising its peak
(fragmentation in glibc's heaps); with jemalloc it levelled off after the second export, at
the same speed. Arrow's own default, mimalloc, peaked some 90 MB higher. PyPI's Linux wheels
of pyarrow have jemalloc; elsewhere the system allocator is used, since naming a backend the
build lacks makes Arrow log a warning. A choice made in the environment wins.
"""

from __future__ import annotations

import os
import sys

VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def choose_arrow_allocator() -> str:
    """Set Arrow's allocator unless the environment chose one; returns the one in effect."""
    return os.environ.setdefault(VARIABLE, "jemalloc" if sys.platform == "linux" else "system")
