"""Atomic output: write beside the target, fsync, then rename over it.

A failed or interrupted write (disk full, Ctrl-C) removes the temporary file and leaves any
existing output untouched; what an export killed outright (SIGKILL) staged is removed by the
next export to the same place. No export may write over the collection's own database
(:func:`spare_database`).
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import IO

from tmdb_collector.errors import ExportError, UsageError
from tmdb_collector.store.database import database_files

STAGING_PREFIX = ".tmdb-export-"  # the hidden folders that table and duckdb exports are built in
# Each staging name holds its process's pid, then tempfile's eight random characters: a later
# export removes those whose process is gone (:func:`_sweep`).
_RANDOM = "[a-z0-9_]{8}"
_STAGING_FOLDER = re.compile(rf"{re.escape(STAGING_PREFIX)}(\d+)-{_RANDOM}\.tmp")


def check_output_file(path: Path, example: str) -> None:
    """``path`` can be written as a file; ``example`` names one inside it, for the message.

    An export is renamed over its target, so the target must be a regular file or nothing:
    renamed over ``/dev/null``, a pipe or ``/dev/stdout``, it would replace the device or
    the link itself (as root, for every program on the machine)."""
    refuse_standard_output(path, example)
    if path.is_dir():
        raise UsageError(f"--out {path} is a directory; give a file name such as {path / example}")
    if path.exists() and not path.is_file():
        raise UsageError(
            f"--out {path} is not a regular file; an export is written beside its file and"
            f" renamed over it: give a file name such as {example}"
        )
    check_output_dir(path.parent)


def refuse_standard_output(path: Path, example: str) -> None:
    """``--out -``: no export streams to stdout; it would have made a file or folder named
    ``-``."""
    if str(path) == "-":
        raise UsageError(
            f"--out - (standard output) is not supported: an export is written beside its"
            f" file or folder and renamed into place; give a path such as {example}"
        )


def check_output_dir(directory: Path) -> None:
    if not directory.exists():
        raise UsageError(f"output directory {directory} does not exist")
    if not directory.is_dir():
        raise UsageError(f"{directory} is not a directory")
    if not os.access(directory, os.W_OK):
        raise UsageError(f"output directory {directory} is not writable")


def spare_database(database: Path, out: Path, targets: Sequence[Path]) -> None:
    """Refuse an export to ``out`` whose ``targets`` (every file it writes) would replace the
    collection's own ``database`` (or its journal)."""
    guarded = database_files(database)
    for target in targets:
        if any(_same_file(target, path) for path in guarded):
            raise UsageError(
                f"--out {out} would overwrite the collection's database {database};"
                " choose another path"
            )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b or (a.exists() and b.exists() and os.path.samefile(a, b))
    except (OSError, RuntimeError):  # RuntimeError: a loop of symbolic links
        return False


@contextlib.contextmanager
def atomic_text_files(paths: Sequence[Path]) -> Iterator[tuple[IO[str], ...]]:
    """Text files that become ``paths`` only if the block completes, all of them together.

    Each is written beside its target and fsynced; only then are they renamed, in order, so
    a failure anywhere before leaves every target as it was (an export and its manifest).
    The directories are fsynced after the renames, so that the new names survive a crash.
    """
    staged: list[tuple[Path, IO[str]]] = []
    try:
        for path in paths:
            try:
                fd, name = _staging_file(path)
            except OSError as exc:
                raise ExportError(f"cannot write to {path.parent}: {exc.strerror}") from None
            staged.append((Path(name), open(fd, "w", encoding="utf-8")))  # noqa: SIM115
        yield tuple(handle for _, handle in staged)
        for _, handle in staged:
            handle.flush()
            os.fsync(handle.fileno())
            handle.close()
        for (temp, _), path in zip(staged, paths, strict=True):
            os.replace(temp, path)
    except OSError as exc:
        _discard(staged)
        path = paths[0]
        raise ExportError(
            f"could not write {path} ({exc.strerror or exc}); any previous {path.name} is unchanged"
        ) from None
    except BaseException:
        _discard(staged)
        raise
    for directory in dict.fromkeys(path.parent for path in paths):
        fsync_directory(directory)


def _staging_file(path: Path) -> tuple[int, str]:
    """A hidden temporary file beside ``path``, with the mode a plain ``open`` would give it.

    ``mkstemp`` creates files readable by their owner alone; an export is an ordinary file
    the user shares, so it gets 0o666 less the umask, like any file the user writes.
    """
    _sweep(path.parent, re.compile(rf"\.{re.escape(path.name)}\.(\d+)\.{_RANDOM}\.tmp"))
    prefix = f".{path.name}.{os.getpid()}."
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=".tmp", dir=path.parent)
    os.fchmod(fd, 0o666 & ~_current_umask())
    return fd, name


def _current_umask() -> int:
    """The process's umask. Reading it means setting it; this is done at once, and exports
    that run in threads (the dashboard's) are short-lived beside it."""
    umask = os.umask(0o077)
    os.umask(umask)
    return umask


def _discard(staged: list[tuple[Path, IO[str]]]) -> None:
    for temp, handle in staged:
        with contextlib.suppress(OSError):
            handle.close()
        temp.unlink(missing_ok=True)


def staging_directory(parent: Path) -> Path:
    """A new hidden folder in ``parent`` to build an export in, before it is renamed in place."""
    _sweep(parent, _STAGING_FOLDER)
    prefix = f"{STAGING_PREFIX}{os.getpid()}-"
    try:
        return Path(tempfile.mkdtemp(prefix=prefix, suffix=".tmp", dir=parent))
    except OSError as exc:
        raise ExportError(f"cannot write to {parent}: {error_reason(exc)}") from None


def _sweep(directory: Path, staged: re.Pattern[str]) -> None:
    """Remove the staging files or folders (named by ``staged``, whose group 1 is the pid of
    the export that made them) that an export killed outright (SIGKILL, a power cut) left in
    ``directory``: those whose process is gone. A running export's are left alone."""
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        match = staged.fullmatch(entry.name)
        if match is None or _running(int(match.group(1))):
            continue
        if entry.is_dir(follow_symlinks=False):
            shutil.rmtree(entry.path, ignore_errors=True)
        else:
            with contextlib.suppress(OSError):
                os.unlink(entry.path)


def _running(pid: int) -> bool:
    if pid <= 0:
        return True  # not a name we gave: keep it
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (OSError, OverflowError):
        return True  # another user's process, or not a pid: keep it
    return True


def fsync_path(path: Path) -> None:
    """Flush a file's (or a directory's entries') data to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_directory(directory: Path) -> None:
    """Make the renames into ``directory`` durable, where its file system can (some refuse
    to fsync a directory: the files are in place all the same)."""
    with contextlib.suppress(OSError):
        fsync_path(directory)


def error_reason(exc: BaseException) -> str:
    """A one-line reason for an OS, Arrow or DuckDB error."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if isinstance(exc, OSError) and exc.errno:
        return os.strerror(exc.errno)
    text = str(exc).strip().splitlines()
    return text[0] if text else type(exc).__name__
