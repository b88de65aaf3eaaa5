"""Domain objects as the API's JSON (money as exact decimal strings, never floats)."""

from __future__ import annotations

from datetime import date
from typing import Any

from backend.catalog import Catalog
from backend.shopping.model import Cart, Order, OrderLine
from backend.shopping.service import Shopping, order_status


def cart_json(cart: Cart, *, catalog: Catalog, shopping: Shopping) -> dict[str, Any]:
    lines = []
    for line in cart.lines:
        product = catalog.find(line.product_id)
        lines.append(
            {
                "product_id": line.product_id,
                "name": product.name if product else None,
                "quantity": line.quantity,
                "unit_price": str(product.price) if product else None,
                "channel": line.channel,
                "added_at": line.added_at or None,
            }
        )
    body: dict[str, Any] = {
        "customer_id": cart.customer_id,
        "version": cart.version,
        "updated_at": cart.updated_at or None,
        "updated_channel": cart.updated_channel or None,
        "item_count": cart.item_count,
        "lines": lines,
        "totals": None,
    }
    if any(line["unit_price"] is not None for line in lines):
        quote = shopping.quote(cart)
        body["totals"] = {
            "subtotal": str(quote.subtotal),
            "tax": str(quote.tax),
            "delivery": str(quote.delivery),
            "total": str(quote.total),
            "currency": "USD",
        }
    return body


def order_json(order: Order, *, today: date, catalog: Catalog | None = None) -> dict[str, Any]:
    """An order; a line without a stored name (imported history) is named from the catalog when it has it."""

    def name(line: OrderLine) -> str | None:
        if line.name:
            return line.name
        found = catalog.find(line.product_id) if catalog is not None else None
        return found.name if found else None

    return {
        "order_id": order.order_id,
        "placed_at": order.placed_at.isoformat(),
        "status": order_status(order, today),
        "channel": order.channel,
        "source": order.source,
        "lines": [
            {
                "product_id": line.product_id,
                "name": name(line),
                "quantity": line.quantity,
                "unit_price": str(line.unit_price),
                "line_total": str(line.line_total),
            }
            for line in order.lines
        ],
        "subtotal": str(order.subtotal),
        "tax": str(order.tax),
        "delivery": str(order.delivery),
        "total": str(order.total),
        "currency": "USD",
    }
