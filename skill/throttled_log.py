"""A warning that a flood would repeat on every request, logged at most once a window with how often it happened.

A forger controls how often a refusal happens; one log line per refusal lets a flood fill the disk and spend the
CPU on formatting what the first line already said.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable


class ThrottledWarning:
    def __init__(
        self,
        logger: logging.Logger,
        message: str,
        *,
        window_seconds: float = 60.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self._logger = logger
        self._message = message
        self._window = window_seconds
        self._monotonic = monotonic
        self._lock = threading.Lock()
        self._last: float | None = None
        self._since_last = 0

    def __call__(self) -> None:
        clock = self._monotonic()
        with self._lock:
            self._since_last += 1
            if self._last is not None and clock - self._last < self._window:
                return
            count, self._since_last, self._last = self._since_last, 0, clock
        self._logger.warning("%s (%d time(s) since the last such line)", self._message, count)
