"""Which table changes become outbound work, decided in one place.

| change (``kind`` of the item)                  | work                                                     |
|------------------------------------------------|----------------------------------------------------------|
| INSERT ``outbox`` with ``state = pending``     | an e-mail to send (order confirmation, cart reminder)    |
| INSERT ``event`` (any channel's profile event) | webhook event ``event.<type>`` (``event.add_to_cart``)   |
| INSERT ``order`` placed through voicecart      | webhook event ``order.placed`` (imported history: none)  |
| INSERT/MODIFY ``cart`` with a new version      | webhook event ``cart.updated``; if it holds lines, a     |
|                                                | reminder check once it may have been idle long enough    |
| any change of a ``webhook_subscription``       | the consumer re-reads the subscriptions                  |

Everything else (markers, profile summaries, this package's own bookkeeping) is no work. Webhook event ids are
derived from the item, not from the stream record, so a record seen twice yields the same id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from backend.outbound.mail import OutboundEmail
from backend.outbound.records import INSERT, MODIFY, Change
from backend.store import keys

IMPORTED_SOURCES = frozenset({"instacart"})
SUBSCRIPTION_KIND = "webhook_subscription"
_INTERNAL = frozenset({"pk", "sk", "gsi1pk", "gsi1sk", "kind", "expires_at", "request_id", "person_id"})


@dataclass(frozen=True)
class OutboundEvent:
    """A webhook event: ``id`` is stable for one change, ``type`` is what subscribers filter on."""

    event_id: str
    type: str
    customer_id: str
    occurred_at: str
    data: Mapping[str, Any] = field(default_factory=dict)

    def payload(self) -> dict[str, Any]:
        return {
            "id": self.event_id,
            "type": self.type,
            "customer_id": self.customer_id,
            "occurred_at": self.occurred_at,
            "data": dict(self.data),
        }


@dataclass(frozen=True)
class CartActivity:
    """A cart that changed and holds lines: it may be left idle."""

    customer_id: str
    version: int
    updated_at: str


@dataclass(frozen=True)
class Work:
    emails: tuple[OutboundEmail, ...] = ()
    events: tuple[OutboundEvent, ...] = ()
    carts: tuple[CartActivity, ...] = ()
    subscriptions_changed: bool = False

    def __bool__(self) -> bool:
        return bool(self.emails or self.events or self.carts or self.subscriptions_changed)


def plain(value: Any) -> Any:
    """Item values as JSON: whole Decimals as int, others as exact strings, sets as sorted lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, Mapping):
        return {str(name): plain(item) for name, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(plain(item) for item in value)
    if isinstance(value, list | tuple):
        return [plain(item) for item in value]
    return value


def _customer_id(change: Change) -> str | None:
    try:
        return keys.customer_id_from_pk(change.pk)
    except ValueError:
        return None


def _stamp(change: Change, item: Mapping[str, Any], name: str) -> str:
    raw = item.get(name)
    if raw:
        return str(raw)
    moment = change.approximate_time or datetime.now(UTC)
    return moment.isoformat()


def _public(item: Mapping[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = plain({name: value for name, value in item.items() if name not in _INTERNAL})
    return data


def work_for(change: Change) -> Work:
    if change.kind == SUBSCRIPTION_KIND:
        return Work(subscriptions_changed=True)
    customer_id = _customer_id(change)
    if customer_id is None or change.event_name not in (INSERT, MODIFY):
        return Work()
    new = change.new
    kind = change.kind
    if kind == "outbox" and change.event_name == INSERT:
        return Work(emails=_email(customer_id, new))
    if kind == "event" and change.event_name == INSERT:
        event = OutboundEvent(
            event_id=f"event:{new.get('event_id')}",
            type=f"event.{new.get('type')}",
            customer_id=customer_id,
            occurred_at=_stamp(change, new, "occurred_at"),
            data=_public(new),
        )
        return Work(events=(event,))
    if kind == "order" and change.event_name == INSERT and str(new.get("source")) not in IMPORTED_SOURCES:
        event = OutboundEvent(
            event_id=f"order:{new.get('order_id')}",
            type="order.placed",
            customer_id=customer_id,
            occurred_at=_stamp(change, new, "placed_at"),
            data=_public(new),
        )
        return Work(events=(event,))
    if kind == "cart" and new.get("version") != change.old.get("version"):
        version = int(new.get("version") or 0)
        event = OutboundEvent(
            event_id=f"cart:{customer_id}:{version}",
            type="cart.updated",
            customer_id=customer_id,
            occurred_at=_stamp(change, new, "updated_at"),
            data=_public(new),
        )
        carts = (CartActivity(customer_id, version, str(new.get("updated_at") or "")),) if new.get("lines") else ()
        return Work(events=(event,), carts=carts)
    return Work()


def _email(customer_id: str, item: Mapping[str, Any]) -> tuple[OutboundEmail, ...]:
    if item.get("channel") != "email" or item.get("state") != "pending":
        return ()
    created = str(item.get("created_at") or "")
    try:
        created_at = datetime.fromisoformat(created)
    except ValueError:
        created_at = datetime.now(UTC)
    email = OutboundEmail(
        message_id=str(item["message_id"]),
        customer_id=customer_id,
        template=str(item.get("template") or "message"),
        subject=str(item.get("subject") or ""),
        body=str(item.get("body") or ""),
        created_at=created_at if created_at.tzinfo else created_at.replace(tzinfo=UTC),
        order_id=str(item["order_id"]) if item.get("order_id") else None,
        outbox_sk=str(item["sk"]),
    )
    return (email,)
