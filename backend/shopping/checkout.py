"""Checkout arithmetic in Decimal: a quote for one version of the cart, and the order it becomes.

Rules (illustrative demo values from settings): subtotal = sum of unit price x quantity; tax = subtotal x
``tax_rate``, rounded half-up to the cent; delivery = ``delivery_fee`` unless the subtotal reaches
``free_delivery_from``; total = subtotal + tax + delivery.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from backend.catalog import Catalog
from backend.errors import EmptyCart
from backend.settings import Settings
from backend.shopping.model import Cart, OrderLine, Quote

CENT = Decimal("0.01")


def money(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def quote_cart(cart: Cart, catalog: Catalog, settings: Settings) -> Quote:
    """Price the cart. Lines whose product left the catalog are dropped (nobody can be charged for them)."""
    lines = tuple(
        OrderLine(product.id, line.quantity, product.price, product.name, line.unit)
        for line in cart.lines
        if (product := catalog.find(line.product_id)) is not None
    )
    if not lines:
        raise EmptyCart("nothing in the cart to check out")
    totals = Totals.of(lines, settings)
    return Quote(
        lines=lines,
        subtotal=totals.subtotal,
        tax=totals.tax,
        delivery=totals.delivery,
        total=totals.total,
        cart_version=cart.version,
        seller=settings.seller_name,
    )


@dataclass(frozen=True, slots=True)
class Totals:
    subtotal: Decimal
    tax: Decimal
    delivery: Decimal
    total: Decimal

    @classmethod
    def of(cls, lines: Iterable[OrderLine], settings: Settings) -> Totals:
        subtotal = money(sum((line.line_total for line in lines), Decimal(0)))
        tax = money(subtotal * settings.tax_rate)
        delivery = money(Decimal(0) if subtotal >= settings.free_delivery_from else settings.delivery_fee)
        return cls(subtotal, tax, delivery, money(subtotal + tax + delivery))
