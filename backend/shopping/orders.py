"""Order reads and the history questions answered from them (last order, when did I last buy, how often).

Orders sort by id and ids start with the placing time, so newest-first is a descending query on ``ORDER#``.
Line items (``ORDER#<id>#LINE#nnn``) share that prefix; they are skipped here (the order carries a compact copy).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date

from backend.errors import ConcurrentUpdate
from backend.resolver.purchases import PurchaseStats
from backend.shopping.items import is_order_item, order_from_item
from backend.shopping.model import Order
from backend.shopping.order_summary import (
    OrderSummary,
    ProductHistory,
    StoredSummary,
    load_summary,
    stage_summary,
    summarize,
)
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

log = logging.getLogger(__name__)

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


def has_orders(table: Table, customer_id: str) -> bool:
    """Whether the customer has any order (one item read at most)."""
    items, _ = table.query(
        "pk = :pk AND begins_with(sk, :prefix)",
        values={":pk": keys.customer_pk(customer_id), ":prefix": "ORDER#"},
        limit=1,
        consistent=True,
    )
    return bool(items)


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


def product_history(orders: Sequence[Order], product_id: str) -> ProductHistory:
    """How often and when ``orders`` held the product: what the order summary of these orders answers."""
    return summarize(orders).product_history(product_id)


def rebuild_summary(table: Table, customer_id: str, *, at: str, stored: StoredSummary | None = None) -> OrderSummary:
    """The order summary built from every order, stored over what the table holds (``stored``, else read now).
    No item is written for a customer without orders (nor, so, for one who was erased)."""
    stored = stored if stored is not None else load_summary(table, customer_id, parts=())
    orders = all_orders(table, customer_id)
    summary = summarize(orders, rev=(stored.rev or 0) + 1)
    if not orders and stored.rev is None:
        return summary
    tx = Transaction(table)
    stage_summary(tx, customer_id, summary, over=stored.rev, updated_at=at)
    try:
        tx.commit()
    except ConcurrentUpdate:
        log.info("order summary written by another request meanwhile", extra={"customer_id": customer_id})
    return summary
