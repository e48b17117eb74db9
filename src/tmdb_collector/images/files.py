"""The image files on disk: ``<out>/<size><file_path>``, each written whole or not at all.

A download goes to a temporary file in ``<out>/.partial/`` (named after the process, so two
runs never share one), which is flushed to disk (fsync) and renamed into place once every byte
is there: a kill, or a power cut, at any moment leaves only complete files under the sizes'
directories. The next run removes the temporary files a killed process left. A file already
in place is never asked for again.
"""

from __future__ import annotations

import contextlib
import errno
import hashlib
import itertools
import os
import re
import tempfile
from pathlib import Path
from typing import IO

from tmdb_collector.errors import ImageWriteError, UsageError
from tmdb_collector.fetch.images import Fetched

PARTIAL_DIR = ".partial"
_PATH = re.compile(r"/[A-Za-z0-9_.-]+")  # TMDB's file paths: "/abc123.jpg"
_PARTIAL = re.compile(r"\.(\d+)\.\d+\.part$")
_HASH_CHUNK = 1 << 20


def check_out_dir(out: Path) -> None:
    """``--out`` must be a directory this process can write, or one it can create there: a
    :class:`UsageError` otherwise. Checked by making (and removing) a probe in the nearest
    directory that exists, so nothing is left behind."""
    probe = out
    while not probe.exists() and probe.parent != probe:
        probe = probe.parent
    if not probe.is_dir():
        where = "is a file" if probe == out else f"is under {probe}, a file"
        raise UsageError(f"--out {out} {where}, not a directory")
    try:
        Path(tempfile.mkdtemp(prefix=".tmdb-collector-probe-", dir=probe)).rmdir()
    except OSError as exc:
        raise UsageError(f"--out {out} is not writable: {exc.strerror or exc}") from None


def check_file_path(file_path: str) -> bool:
    """Whether ``file_path`` is one of TMDB's (``/name.jpg``): never a way out of ``--out``."""
    return _PATH.fullmatch(file_path) is not None and ".." not in file_path


def _disk_error(target: Path, exc: OSError) -> ImageWriteError:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return ImageWriteError(
            f"the disk is full writing {target}; no partial file was left, free some space"
            " and run the same command again to finish"
        )
    return ImageWriteError(f"cannot write {target}: {exc.strerror or exc}")


class TempFile:
    """One download in progress: written to a temporary name, renamed into place on commit."""

    def __init__(self, temp: Path, target: Path) -> None:
        self.temp = temp
        self.target = target
        try:
            # Unbuffered: what arrived is on disk (a test sees a half-written download).
            self._handle: IO[bytes] | None = temp.open("xb", buffering=0)
        except OSError as exc:
            raise _disk_error(target, exc) from None

    def write(self, chunk: bytes) -> None:
        assert self._handle is not None
        try:
            self._handle.write(chunk)
        except OSError as exc:
            self.discard()
            raise _disk_error(self.target, exc) from None

    def flush(self) -> None:
        """Every byte written on disk (fsync), before :meth:`commit` renames the file into
        place: a file in place is never fetched again, so it must not be one a power cut
        left empty. Run on a thread: it may take a while."""
        handle = self._handle
        assert handle is not None
        try:
            os.fsync(handle.fileno())
        except OSError as exc:
            raise _disk_error(self.target, exc) from None

    def commit(self) -> None:
        assert self._handle is not None
        try:
            self._handle.close()
            self._handle = None
            self.target.parent.mkdir(parents=True, exist_ok=True)
            os.replace(self.temp, self.target)
        except OSError as exc:
            self.discard()
            raise _disk_error(self.target, exc) from None

    def discard(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
        with contextlib.suppress(OSError):
            self.temp.unlink()


class ImageFiles:
    """The ``--out`` directory."""

    def __init__(self, out: Path) -> None:
        self.out = out
        self._partial = out / PARTIAL_DIR
        self._names = itertools.count()

    def prepare(self) -> None:
        """Make the directories, and remove what a killed run left half-written."""
        try:
            self._partial.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _disk_error(self._partial, exc) from None
        for leftover in self._partial.iterdir():
            match = _PARTIAL.search(leftover.name)
            if match is None or not _alive(int(match.group(1))):
                with contextlib.suppress(OSError):
                    leftover.unlink()

    def tidy(self) -> None:
        """Remove the temporary directory when nothing is left in it."""
        with contextlib.suppress(OSError):
            self._partial.rmdir()

    def target(self, size: str, file_path: str) -> Path:
        return self.out / size / file_path.lstrip("/")

    def present(self, size: str, file_path: str) -> bool:
        return self.target(size, file_path).is_file()

    def temporary_path(self, name: str) -> Path:
        """A path for this process's own temporary file ``name`` in the temporary directory,
        which a later run removes once this process is gone."""
        return self._partial / f"{name}.{os.getpid()}.{next(self._names)}.part"

    def open_temp(self, size: str, file_path: str) -> TempFile:
        name = f"{size}-{file_path.lstrip('/')}"
        return TempFile(self.temporary_path(name), self.target(size, file_path))

    def describe(self, size: str, file_path: str) -> Fetched:
        """Bytes and SHA-256 of a file in place (one the manifest does not know yet)."""
        digest = hashlib.sha256()
        with self.target(size, file_path).open("rb") as handle:
            while chunk := handle.read(_HASH_CHUNK):
                digest.update(chunk)
            return Fetched(handle.tell(), digest.hexdigest())


def _alive(pid: int) -> bool:
    """Whether another running process may still be writing its temporary files."""
    if pid == os.getpid():
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
