"""Request counters readable from other threads (benchmarks read the 429 count)."""

from __future__ import annotations

import threading
from collections import Counter


class SimulatorStats:
    """Counts served requests by HTTP status and injected faults by kind."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._requests = 0
        self._by_status: Counter[int] = Counter()
        self._faults: Counter[str] = Counter()

    def record_status(self, status: int) -> None:
        with self._lock:
            self._requests += 1
            self._by_status[status] += 1

    def record_fault(self, kind: str, *, served: bool = False) -> None:
        """Count a fault; ``served`` faults are also counted as requests by status."""
        with self._lock:
            self._faults[kind] += 1
            if not served:
                self._requests += 1

    @property
    def requests(self) -> int:
        with self._lock:
            return self._requests

    def status(self, code: int) -> int:
        with self._lock:
            return self._by_status[code]

    def fault(self, kind: str) -> int:
        with self._lock:
            return self._faults[kind]

    def snapshot(self) -> dict[str, object]:
        """JSON-ready copy: ``{"requests", "by_status": {"200": n}, "faults": {...}}``."""
        with self._lock:
            return {
                "requests": self._requests,
                "by_status": {str(k): v for k, v in sorted(self._by_status.items())},
                "faults": dict(sorted(self._faults.items())),
            }
