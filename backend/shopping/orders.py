"""Order reads and the history questions answered from them (last order, when did I last buy, how often).

Orders sort by id and ids start with the placing time, so newest-first is a descending query on ``ORDER#``.
Line items (``ORDER#<id>#LINE#nnn``) share that prefix; they are skipped here (the order carries a compact copy).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import median

from backend.resolver.purchases import PurchaseStats
from backend.shopping.items import is_order_item, order_from_item
from backend.shopping.model import Order
from backend.store import keys
from backend.store.dynamo import Table

_PAGE = 100
_ITEMS_PER_ORDER = 8


def all_orders(table: Table, customer_id: str) -> list[Order]:
    """Every order of a customer, newest first (one query, paginated only for very long histories)."""
    items = table.query_all(
        "pk = :pk AND begins_with(sk, :prefix)",
        values={":pk": keys.customer_pk(customer_id), ":prefix": "ORDER#"},
        forward=False,
    )
    return [order_from_item(item) for item in items if is_order_item(item)]


def recent_orders(table: Table, customer_id: str, *, limit: int = 3) -> list[Order]:
    """The newest ``limit`` orders, reading pages until enough orders (not lines) are found."""
    found: list[Order] = []
    start = None
    while len(found) < limit:
        items, start = table.query(
            "pk = :pk AND begins_with(sk, :prefix)",
            values={":pk": keys.customer_pk(customer_id), ":prefix": "ORDER#"},
            forward=False,
            # A page sized to what is asked (an order and its line items), not a hundred whole orders.
            limit=min(_PAGE, (limit - len(found)) * _ITEMS_PER_ORDER),
            start_key=start,
        )
        found.extend(order_from_item(item) for item in items if is_order_item(item))
        if start is None:
            break
    return found[:limit]


def get_order(table: Table, customer_id: str, order_id: str) -> Order | None:
    item = table.get({"pk": keys.customer_pk(customer_id), "sk": keys.order_sk(order_id)})
    return order_from_item(item) if item else None


def orders_of_person(orders: Sequence[Order], person_id: str | None, *, minimum: int = 3) -> list[Order]:
    """A recognised speaker's own orders when they have placed enough of them; otherwise the household's."""
    if person_id:
        own = [order for order in orders if order.person_id == person_id]
        if len(own) >= minimum:
            return own
    return list(orders)


def purchase_stats(orders: Iterable[Order], today: date) -> dict[str, PurchaseStats]:
    """Per product: in how many orders it was, and days since the newest (the resolver's personal bias)."""
    counts: dict[str, int] = {}
    last: dict[str, date] = {}
    for order in orders:
        for product_id in set(order.product_ids):
            counts[product_id] = counts.get(product_id, 0) + 1
            if product_id not in last or order.placed_on > last[product_id]:
                last[product_id] = order.placed_on
    return {
        product_id: PurchaseStats(count=count, days_since_last=float(max((today - last[product_id]).days, 0)))
        for product_id, count in counts.items()
    }


@dataclass(frozen=True, slots=True)
class ProductHistory:
    product_id: str
    times: int  # orders that held it
    orders: int  # orders considered
    last_on: date | None
    first_on: date | None
    typical_days_between: float | None  # median gap between two orders holding it (None under 2 purchases)
    typical_quantity: int


def product_history(orders: Sequence[Order], product_id: str) -> ProductHistory:
    dates = sorted(order.placed_on for order in orders if product_id in order.product_ids)
    quantities = [line.quantity for order in orders for line in order.lines if line.product_id == product_id]
    gaps = [(later - earlier).days for earlier, later in itertools.pairwise(dates)]
    return ProductHistory(
        product_id=product_id,
        times=len(dates),
        orders=len(orders),
        last_on=dates[-1] if dates else None,
        first_on=dates[0] if dates else None,
        typical_days_between=float(median(gaps)) if gaps else None,
        typical_quantity=int(median(quantities)) if quantities else 1,
    )
