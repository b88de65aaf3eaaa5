"""Events <-> DynamoDB items, in one place (the event item, its expiring heard-words item, its idempotency marker)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.profile.events import Channel, Event, EventLine, Outcome, format_timestamp, parse_timestamp
from backend.store import keys
from backend.store.retention import expires_at

EVENT_KIND = "event"
HEARD_KIND = "heard"
MARKER_KIND = "event_id"

_OPTIONAL = ("device", "intent", "product_id", "product_name", "locale", "aisle", "department", "order_id")


def profile_key(customer_id: str) -> dict[str, str]:
    return {"pk": keys.customer_pk(customer_id), "sk": keys.PROFILE}


def marker_item(event: Event, *, now: datetime, keep: timedelta) -> dict[str, Any]:
    """The event id's idempotency marker: it lasts as long as the event (``keep`` from when it happened), so a
    channel re-sending an event it has already sent is told so for as long as the event can be read."""
    return {
        "pk": keys.customer_pk(event.customer_id),
        "sk": keys.event_id_sk(event.event_id),
        "kind": MARKER_KIND,
        "event_id": event.event_id,
        "event_sk": keys.event_sk(event.timestamp, event.event_id),
        "written_at": format_timestamp(now),
        "expires_at": expires_at(event.occurred_at, keep),
    }


def event_item(event: Event, *, keep: timedelta) -> dict[str, Any]:
    """The event without its raw heard words, kept ``keep`` from when it happened (TTL): what it counted is folded
    into the profile summary when it is written, so the summary stays whole when old events go."""
    stamp = event.timestamp
    item: dict[str, Any] = {
        "pk": keys.customer_pk(event.customer_id),
        "sk": keys.event_sk(stamp, event.event_id),
        "gsi1pk": keys.channel_gsi1pk(event.customer_id, event.channel),
        "gsi1sk": keys.event_gsi1sk(stamp, event.event_id),
        "kind": EVENT_KIND,
        "event_id": event.event_id,
        "customer_id": event.customer_id,
        "channel": event.channel.value,
        "type": event.type,
        "occurred_at": stamp,
        "expires_at": expires_at(event.occurred_at, keep),
    }
    if event.outcome is not None:
        item["outcome"] = event.outcome.value
    if event.confidence is not None:
        item["confidence"] = event.confidence
    if event.quantity is not None:
        item["quantity"] = event.quantity
    for name in _OPTIONAL:
        value = getattr(event, name)
        if value is not None:
            item[name] = value
    if event.lines:
        item["lines"] = [line.to_json() for line in event.lines]
    return item


def heard_item(event: Event, *, retention: timedelta, now: datetime) -> dict[str, Any] | None:
    """The raw heard words on their own item, deleted by TTL ``retention`` after the event; None if there are none
    or they are already past retention (a late import of an old event)."""
    if not event.heard:
        return None
    expires = event.occurred_at + retention
    if expires <= now:
        return None
    stamp = event.timestamp
    return {
        "pk": keys.customer_pk(event.customer_id),
        "sk": keys.heard_sk(stamp, event.event_id),
        "gsi1pk": keys.channel_gsi1pk(event.customer_id, event.channel),
        "gsi1sk": keys.heard_gsi1sk(stamp, event.event_id),
        "kind": HEARD_KIND,
        "event_id": event.event_id,
        "heard": event.heard,
        "expires_at": int(expires.timestamp()),
    }


def event_from_items(item: Mapping[str, Any], heard: Mapping[str, Any] | None, *, now: datetime) -> Event:
    """Rebuild an event; heard words are included only while they have not expired (TTL deletion lags)."""
    heard_words = None
    if heard is not None and int(heard.get("expires_at", 0)) > int(now.timestamp()):
        heard_words = str(heard["heard"])
    confidence = item.get("confidence")
    quantity = item.get("quantity")
    outcome = item.get("outcome")
    return Event(
        event_id=str(item["event_id"]),
        customer_id=str(item["customer_id"]),
        channel=Channel(item["channel"]),
        type=str(item["type"]),
        occurred_at=parse_timestamp(item["occurred_at"]),
        outcome=Outcome(outcome) if outcome else None,
        heard=heard_words,
        confidence=Decimal(confidence) if confidence is not None else None,
        quantity=int(quantity) if quantity is not None else None,
        lines=tuple(
            EventLine(
                product_id=str(line["product_id"]),
                quantity=int(line.get("quantity", 1)),
                product_name=line.get("product_name"),
                aisle=line.get("aisle"),
                department=line.get("department"),
            )
            for line in item.get("lines") or ()
        ),
        **{name: item.get(name) for name in _OPTIONAL},
    )
