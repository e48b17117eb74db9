"""How memory is set up in our own processes (the CLI, and the bench's children): Arrow's
allocator, glibc's threshold for large blocks, pandas and numpy kept out, and no last garbage
collection at exit.

Arrow reads ``ARROW_DEFAULT_MEMORY_POOL`` once, when it is first loaded, so this runs before
anything imports pyarrow. Measured in docs/benchmarks.md: with the system allocator a
127,000-movie table export exported again and again in one process kept raising its peak
(fragmentation in glibc's heaps); with jemalloc it levelled off after the second export, at
the same speed. Arrow's own default, mimalloc, peaked some 90 MB higher. PyPI's Linux wheels
of pyarrow have jemalloc; elsewhere the system allocator is used, since naming a backend the
build lacks makes Arrow log a warning. A choice made in the environment wins.
"""

from __future__ import annotations

import atexit
import gc
import importlib.abc
import os
import sys

VARIABLE = "ARROW_DEFAULT_MEMORY_POOL"


def choose_arrow_allocator() -> str:
    """Set Arrow's allocator unless the environment chose one; returns the one in effect."""
    return os.environ.setdefault(VARIABLE, "jemalloc" if sys.platform == "linux" else "system")


# Imported by pyarrow when installed, and never needed by the CLI (it holds no pandas or numpy
# object): neither is a dependency of ours. docs/benchmarks.md measured what each costs.
KEPT_OUT = ("pandas", "numpy")


class _KeptOut(importlib.abc.MetaPathFinder):
    """An import finder that answers ``import pandas`` (or numpy) with ``ModuleNotFoundError``."""

    def find_spec(self, name: str, path: object = None, target: object = None) -> None:
        if name.partition(".")[0] in KEPT_OUT:
            raise ModuleNotFoundError(f"{name} is kept out of the tmdb-collector CLI", name=name)


def keep_pandas_and_numpy_out() -> None:
    """Keep pandas and numpy from being imported into this process (unless one already is).

    pyarrow imports pandas, when it is installed, at its first conversion of a Python list, only
    to ask whether the list is a pandas object: 0.33 CPU s of every table export's process on
    the 2-core VM (docs/benchmarks.md), as much as the json dump of a few thousand movies
    spends in all. It imports numpy, when installed, as it is itself imported: about 0.08 CPU
    s of the table export's start, before any work. The CLI never holds a pandas or numpy
    object, so for pyarrow they are absent there (a ``ModuleNotFoundError``, which it expects).
    Only the console entry point calls this: a Python program using the API keeps its own."""
    if any(name in sys.modules for name in KEPT_OUT):
        return
    if not any(isinstance(finder, _KeptOut) for finder in sys.meta_path):
        sys.meta_path.insert(0, _KeptOut())


def no_collection_at_exit() -> None:
    """Spare the process the garbage collections of the interpreter's shutdown: at exit (after
    the command has closed its files, connections and databases) every object still tracked
    is frozen (``gc.freeze``), so the shutdown frees them by their reference counts only, as it
    does anyway, and leaves any cycle among them to the process's end. Those collections walked
    every object that pyarrow, psycopg and our modules had made (mostly the modules' own
    functions and classes): 0.1 CPU s and 0.2-0.3 s of wall at the end of each ``sync`` on the
    loaded 2-core VM (docs/benchmarks.md)."""
    atexit.register(gc.freeze)
