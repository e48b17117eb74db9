"""The ``tmdb-collector`` command line: a thin layer over the library.

Each command parses its options, builds library objects and calls them. Errors we raise become
one line on stderr and an exit code: 2 for bad input, 1 for runtime failures, 3 when a
collection finished with failed ids, 130 when it was paused.
"""

from tmdb_collector.cli.app import cli, main
from tmdb_collector.cli.collect import summary_line

__all__ = ["cli", "main", "summary_line"]
