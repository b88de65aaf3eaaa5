"""The one clock type. Every store and service takes a ``Clock``; ``build_backend`` injects the same one into all
of them, so a test that pins the time pins it everywhere at once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)
