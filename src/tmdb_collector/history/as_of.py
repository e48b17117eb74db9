"""``export --as-of DATE``: any export of the collection as it was on a past day.

The database is copied (SQLite's ``VACUUM INTO``, beside it: a copy the size of the
collection) and the copy brought back to that day (:func:`.store.versions.rewind`): each
part's version current then, titles not yet collected left out. The export then runs on the
copy as on any collection, so every format gets the same rows; the copy is removed after.
"""

from __future__ import annotations

import datetime as dt
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tmdb_collector.errors import UsageError
from tmdb_collector.store.store import Store


def check_as_of(store: Store, day: dt.date, today: dt.date) -> None:
    """A usage error for a day before the collection began, or after both ``today`` and
    the collection's last fetch."""
    span = store.history_span()
    if span is None:
        raise UsageError(f"--as-of {day}: the collection holds nothing yet")
    began, latest = span[0], max(today, span[1])
    if day < began:
        raise UsageError(f"--as-of {day} is before the collection began ({began})")
    if day > latest:
        raise UsageError(f"--as-of {day} is in the future (the collection ends on {latest})")


@contextmanager
def as_of(store: Store, day: dt.date, today: dt.date) -> Iterator[Store]:
    """A copy of the collection as it was on ``day``, removed when the block ends."""
    check_as_of(store, day, today)
    with tempfile.TemporaryDirectory(prefix=".as-of-", dir=store.path.parent) as folder:
        copy = Path(folder) / store.path.name
        store.copy_to(copy)
        with Store.open_existing(copy) as past:
            past.rewind(day)
            yield past
