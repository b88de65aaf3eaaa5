"""The one place where shopping objects become DynamoDB items and back (plain dicts; the store's codec does types).

Item kinds (all in the customer's partition, ``pk = CUST#<id>``):

- ``CART``: ``version``, ``lines`` (list of maps: product_id, quantity, channel, added_at, and unit when one was
  said), ``updated_at``,
  ``updated_channel``. One item, so any channel's change is one conditional write on ``version``.
- ``ORDER#<order id>``: the order with its totals and a compact copy of its lines (product_id, quantity,
  unit_price): history questions ("what did I order last time", "my usual") read orders only, never line items.
- ``ORDER#<order id>#LINE#<nnn>``: one line of an order placed through voicecart (name and price as charged), for
  the API and for export. Imported history orders keep their lines only in the compact copy (see history_import).
- ``OUTBOX#<ts>#<id>``: a message to send (order confirmation email); the table's stream delivers it.
- ``VOICECODE``: the account's optional purchase code (salted digest), failed attempts, lock.
- ``ORDERSTATS``: per-product statistics of the orders imported from the retailer's order system, read by every
  turn for the resolver's bias (built and read in ``purchases``, where its compact format is explained).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from backend.shopping.model import Cart, CartLine, Order, OrderLine, VoiceCodeState
from backend.store import keys
from backend.store.retention import expires_at

ORDER_KIND = "order"
ORDER_LINE_KIND = "order_line"
OUTBOX_KIND = "outbox"
OUTBOX_RETENTION = timedelta(days=30)


def _int(value: Any, default: int = 0) -> int:
    return int(value) if value is not None else default


def _bytes(value: Any) -> bytes:
    if value is None:
        return b""
    return bytes(getattr(value, "value", value))


def cart_key(customer_id: str) -> dict[str, str]:
    return {"pk": keys.customer_pk(customer_id), "sk": keys.CART}


def cart_to_item(cart: Cart) -> dict[str, Any]:
    return {
        **cart_key(cart.customer_id),
        "kind": "cart",
        "version": cart.version,
        "lines": [_cart_line_to_map(ln) for ln in cart.lines],
        "updated_at": cart.updated_at,
        "updated_channel": cart.updated_channel,
    }


def _cart_line_to_map(line: CartLine) -> dict[str, Any]:
    mapped: dict[str, Any] = {
        "product_id": line.product_id,
        "quantity": line.quantity,
        "channel": line.channel,
        "added_at": line.added_at,
    }
    if line.unit:  # written only when said: a cart of plain lines keeps its old shape
        mapped["unit"] = line.unit
    return mapped


def _unit(line: Mapping[str, Any]) -> str | None:
    return str(line["unit"]) if line.get("unit") else None


def cart_from_item(customer_id: str, item: Mapping[str, Any] | None) -> Cart:
    if not item:
        return Cart(customer_id=customer_id)
    return Cart(
        customer_id=customer_id,
        lines=tuple(
            CartLine(
                product_id=str(line["product_id"]),
                quantity=_int(line.get("quantity"), 1),
                channel=str(line.get("channel") or "unknown"),
                added_at=str(line.get("added_at") or ""),
                unit=_unit(line),
            )
            for line in item.get("lines") or ()
        ),
        version=_int(item.get("version")),
        updated_at=str(item.get("updated_at") or ""),
        updated_channel=str(item.get("updated_channel") or ""),
    )


def compact_lines(lines: tuple[OrderLine, ...]) -> list[dict[str, Any]]:
    compact = []
    for ln in lines:
        mapped: dict[str, Any] = {"product_id": ln.product_id, "quantity": ln.quantity, "unit_price": ln.unit_price}
        if ln.unit:
            mapped["unit"] = ln.unit
        compact.append(mapped)
    return compact


def order_to_item(order: Order, *, request_id: str | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {
        "pk": keys.customer_pk(order.customer_id),
        "sk": keys.order_sk(order.order_id),
        "kind": ORDER_KIND,
        "order_id": order.order_id,
        "placed_at": order.placed_at.isoformat(),
        "status": order.status,
        "channel": order.channel,
        "source": order.source,
        "subtotal": order.subtotal,
        "tax": order.tax,
        "delivery": order.delivery,
        "total": order.total,
        "lines": compact_lines(order.lines),
    }
    if order.person_id:
        item["person_id"] = order.person_id
    if request_id:
        item["request_id"] = request_id
    return item


def order_line_items(order: Order) -> list[dict[str, Any]]:
    return [
        {
            "pk": keys.customer_pk(order.customer_id),
            "sk": keys.order_line_sk(order.order_id, number),
            "kind": ORDER_LINE_KIND,
            "order_id": order.order_id,
            "line": number,
            "product_id": line.product_id,
            "name": line.name,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "line_total": line.line_total,
            **({"unit": line.unit} if line.unit else {}),
        }
        for number, line in enumerate(order.lines, start=1)
    ]


def order_from_item(item: Mapping[str, Any]) -> Order:
    return Order(
        customer_id=keys.customer_id_from_pk(str(item["pk"])),
        order_id=str(item["order_id"]),
        placed_at=datetime.fromisoformat(str(item["placed_at"])),
        lines=tuple(
            OrderLine(
                product_id=str(line["product_id"]),
                quantity=_int(line.get("quantity"), 1),
                unit_price=Decimal(line.get("unit_price", 0)),
                unit=_unit(line),
            )
            for line in item.get("lines") or ()
        ),
        subtotal=Decimal(item.get("subtotal", 0)),
        tax=Decimal(item.get("tax", 0)),
        delivery=Decimal(item.get("delivery", 0)),
        total=Decimal(item.get("total", 0)),
        status=str(item.get("status") or "placed"),
        channel=str(item.get("channel") or "unknown"),
        source=str(item.get("source") or "unknown"),
        person_id=str(item["person_id"]) if item.get("person_id") else None,
    )


def is_order_item(item: Mapping[str, Any]) -> bool:
    return item.get("kind") == ORDER_KIND


def outbox_item(
    customer_id: str,
    *,
    message_id: str,
    created_at: str,
    template: str,
    subject: str,
    body: str,
    order_id: str,
    keep: timedelta = OUTBOX_RETENTION,
) -> dict[str, Any]:
    """A message to send. It expires (TTL) ``keep`` after it was made: the stream delivers it within its 24 hours,
    and what was sent is kept on the delivery ledger (``backend.outbound``)."""
    return {
        "pk": keys.customer_pk(customer_id),
        "sk": keys.outbox_sk(created_at, message_id),
        "kind": OUTBOX_KIND,
        "message_id": message_id,
        "channel": "email",
        "template": template,
        "subject": subject,
        "body": body,
        "order_id": order_id,
        "state": "pending",
        "created_at": created_at,
        "expires_at": expires_at(created_at, keep),
    }


def voice_code_key(customer_id: str) -> dict[str, str]:
    return {"pk": keys.customer_pk(customer_id), "sk": keys.VOICE_CODE}


def voice_code_from_item(item: Mapping[str, Any] | None) -> VoiceCodeState:
    if not item:
        return VoiceCodeState()
    return VoiceCodeState(
        enabled=bool(item.get("enabled")),
        salt=_bytes(item.get("salt")),
        digest=_bytes(item.get("digest")),
        failed_attempts=_int(item.get("failed_attempts")),
        locked=bool(item.get("locked")),
    )


def voice_code_to_item(customer_id: str, state: VoiceCodeState, *, updated_at: str) -> dict[str, Any]:
    return {
        **voice_code_key(customer_id),
        "kind": "voice_code",
        "enabled": state.enabled,
        "salt": state.salt,
        "digest": state.digest,
        "failed_attempts": state.failed_attempts,
        "locked": state.locked,
        "updated_at": updated_at,
    }
