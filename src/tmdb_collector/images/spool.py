"""The images a run wants, walked once: written to a file as the records are read, counted,
then read back one at a time.

The run needs the total before it starts (its bars and events show it), and the records are
the expensive part to read (each body decompressed and parsed), so they are read once: each
:class:`~.wanted.Wanted` goes to a JSON-lines file in the run's temporary directory, named as
the run's temporary files are (:mod:`.files`: a later run removes it once this process is
gone), and the downloads read it back. Memory stays flat; the file is removed after.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO

import orjson

from tmdb_collector.errors import ImageWriteError
from tmdb_collector.images.wanted import Wanted


class Spool:
    """The wanted images in ``path``: :meth:`fill` once, then :meth:`read`; :meth:`close`."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.count = 0
        self._file: IO[bytes] | None = None

    def fill(self, wanted: Iterable[Wanted]) -> int:
        """Write every one of ``wanted``; returns how many."""
        try:
            with self.path.open("xb") as out:
                for item in wanted:
                    out.write(orjson.dumps([item.entity, item.item_id, item.kind, item.file_path]))
                    out.write(b"\n")
                    self.count += 1
        except OSError as exc:
            self.close()
            raise ImageWriteError(
                f"cannot write the list of images to {self.path}: {exc.strerror or exc}"
            ) from None
        return self.count

    def read(self) -> Iterator[Wanted]:
        """The images written, in their order."""
        self._file = self.path.open("rb")
        for line in self._file:
            entity, item_id, kind, file_path = orjson.loads(line)
            yield Wanted(entity, item_id, kind, file_path)

    def close(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None
        with contextlib.suppress(OSError):
            self.path.unlink()
