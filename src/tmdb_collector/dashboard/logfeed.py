"""The page's log pane: a ring buffer of redacted log lines fed by a logging handler."""

from __future__ import annotations

import logging
import threading
from collections import deque
from dataclasses import dataclass
from typing import Any

from tmdb_collector.credentials import RedactingFilter, redact
from tmdb_collector.logs import LOGGER


@dataclass(frozen=True, slots=True)
class LogLine:
    seq: int
    time: float  # seconds since the epoch
    level: str
    text: str

    def to_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "time": self.time, "level": self.level, "text": self.text}


class LogFeed(logging.Handler):
    """Keeps the last ``capacity`` INFO+ lines; readers ask for the lines after a sequence."""

    def __init__(self, capacity: int = 500, level: int = logging.INFO) -> None:
        super().__init__(level)
        self.addFilter(RedactingFilter())
        self._lines: deque[LogLine] = deque(maxlen=capacity)
        self._seq = 0
        self._guard = threading.Lock()
        self._restore_level = logging.NOTSET

    def emit(self, record: logging.LogRecord) -> None:
        text = redact(record.getMessage())
        with self._guard:
            self._seq += 1
            self._lines.append(LogLine(self._seq, record.created, record.levelname, text))

    def since(self, seq: int) -> list[LogLine]:
        with self._guard:
            return [line for line in self._lines if line.seq > seq]

    def attach(self, name: str = LOGGER) -> None:
        """Listen to ``name``, lowering its level to ours if needed (until :meth:`detach`)."""
        logger = logging.getLogger(name)
        self._restore_level = logger.level
        if logger.getEffectiveLevel() > self.level:
            logger.setLevel(self.level)
        logger.addHandler(self)

    def detach(self, name: str = LOGGER) -> None:
        logger = logging.getLogger(name)
        logger.removeHandler(self)
        logger.setLevel(self._restore_level)
