"""How long each expiring item kind is kept, and the TTL value (``expires_at``, epoch seconds) that says so.

DynamoDB's TTL deletes an item some time after its ``expires_at`` has passed (up to a few days late), so readers
that must not see an expired item filter on it too (``is_expired``). The embedded store runs the same deletion
itself (``backend.store.embedded_upkeep``).

| item kind                                  | kept for (default)                  | measured from     |
|--------------------------------------------|-------------------------------------|-------------------|
| ``REQ#`` request markers                   | ``request_marker_ttl_seconds`` (1 d) | the request       |
| ``EVENT#…#HEARD`` raw heard words          | ``heard_words_retention_days`` (30)  | the event         |
| ``EVENT#`` events, ``EVENTID#`` markers    | ``event_retention_days`` (400)       | the event         |
| ``OUTBOX#`` outgoing messages              | ``outbox_retention_days`` (30)       | the message       |

Orders, carts, the profile summary, identities and consents carry no TTL: they last until the customer is erased.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

TTL_ATTRIBUTE = "expires_at"


@dataclass(frozen=True)
class Retention:
    request_markers: timedelta = timedelta(days=1)
    heard_words: timedelta = timedelta(days=30)
    events: timedelta = timedelta(days=400)
    outbox: timedelta = timedelta(days=30)

    def __post_init__(self) -> None:
        for name in ("request_markers", "heard_words", "events", "outbox"):
            if getattr(self, name) <= timedelta(0):
                raise ValueError(f"retention of {name} must be positive")


def expires_at(start: datetime | str, keep: timedelta) -> int:
    """The TTL value for an item kept ``keep`` from ``start`` (a datetime or an ISO 8601 timestamp)."""
    moment = datetime.fromisoformat(start) if isinstance(start, str) else start
    return int((moment + keep).timestamp())


def is_expired(item: Mapping[str, Any], now: datetime) -> bool:
    """True when the item's TTL has passed (it may still be there: TTL deletion lags)."""
    value = item.get(TTL_ATTRIBUTE)
    return value is not None and int(value) <= int(now.timestamp())
