"""Bulk-write customers' past (Instacart) orders as order items, for the demo and for tests.

Each past order becomes ONE item (``ORDER#<id>``) carrying its lines in compact form; no separate line items.
Why: seeding all 500 demo customers is 9,549 orders with 92k lines. As separate items that is ~101k writes (4,000
``BatchWriteItem`` calls); as compact orders it is 9,549 writes (382 calls), about ten times fewer, and every
history question (last order, usual, when did I last buy) reads only order items anyway. Orders placed through
voicecart also get line items, because the API and the export show an order with its lines as charged. Each
customer also gets one ``ORDERSTATS`` item (per-product counts and last dates of these orders): the resolver's
personal bias reads it in the turn's one batch read instead of querying every order (``purchases``). And one
``ORDERSUMMARY`` item, which answers the history questions (``backend.shopping.order_summary``).

Past orders carry today's illustrative catalog prices and the settings' tax and delivery rules; their status is
``delivered``. Ids are ``<yyyymmdd>120000-ic<instacart order id>``: they sort by date like live order ids.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from datetime import time as clock_time
from typing import Any

from backend.catalog import Catalog
from backend.demo.histories import CustomerHistory, PastOrder
from backend.errors import ConcurrentUpdate, CustomerErased, StoreUnavailable
from backend.profile.erasure import stage_not_erased
from backend.settings import Settings
from backend.shopping.checkout import Totals
from backend.shopping.items import order_to_item
from backend.shopping.model import IMPORTED_SOURCE, Order, OrderLine
from backend.shopping.order_summary import OrderSummary, stage_summary, summarize
from backend.shopping.orders import has_orders, rebuild_summary
from backend.shopping.purchases import order_stats_item
from backend.store.dynamo import Table
from backend.store.transaction import MAX_ITEMS, Transaction

log = logging.getLogger(__name__)

PUTS_PER_WRITE = MAX_ITEMS - 1  # a transaction's 100 writes, one of them the not-erased check
_MAX_ROUNDS = 8


def past_order(customer_id: str, past: PastOrder, catalog: Catalog, settings: Settings) -> Order:
    lines = tuple(
        OrderLine(product.id, 1, product.price, product.name)
        for product_id in past.product_ids
        if (product := catalog.find(product_id)) is not None
    )
    totals = Totals.of(lines, settings)
    placed_at = datetime.combine(past.placed_on, clock_time(12, 0), tzinfo=UTC)
    return Order(
        customer_id=customer_id,
        order_id=f"{past.placed_on:%Y%m%d}120000-ic{past.order_id}",
        placed_at=placed_at,
        lines=lines,
        subtotal=totals.subtotal,
        tax=totals.tax,
        delivery=totals.delivery,
        total=totals.total,
        status="delivered",
        channel="web",
        source=IMPORTED_SOURCE,
    )


def history_items(history: CustomerHistory, catalog: Catalog, settings: Settings) -> Iterator[dict[str, Any]]:
    """Every past order's item, then the customer's ``ORDERSTATS`` item (what the resolver's bias reads of them
    on every turn without querying orders; see ``purchases``)."""
    yield from _history_items(history, [past_order(history.customer_id, p, catalog, settings) for p in history.orders])


def _history_items(history: CustomerHistory, orders: list[Order]) -> Iterator[dict[str, Any]]:
    for order in orders:
        yield order_to_item(order)
    yield order_stats_item(history.customer_id, orders, source=IMPORTED_SOURCE)


def import_histories(
    table: Table, histories: Iterable[CustomerHistory], catalog: Catalog, settings: Settings, *, at: str | None = None
) -> int:
    """Write every past order of every history, each customer's order statistics and order summary; returns the
    number of orders written. Idempotent (same ids, same statistics, same summary).

    Never for an erased customer, even one erased while the import runs (another process's ``DELETE``): every
    write carries the not-erased check, so a customer whose tombstone appears mid-import gets nothing more, and
    what was written before it the erase's sweep deletes. The import goes on with the other customers.

    The order summary (``backend.shopping.order_summary``) is written after the customer's orders, so it never
    names an order the table lacks. For a customer with no orders before the import it is the summary of the
    imported orders (no read); one who had orders already gets it rebuilt from the table once their orders are in."""
    started = time.perf_counter()
    at = at or datetime.now(UTC).isoformat()
    orders = 0
    for history in histories:
        past = [past_order(history.customer_id, p, catalog, settings) for p in history.orders]
        had_orders = has_orders(table, history.customer_id)
        try:
            _write_customer(table, history.customer_id, list(_history_items(history, past)))
            if had_orders:
                rebuild_summary(table, history.customer_id, at=at)
            else:
                _write_summary(table, history.customer_id, summarize(past), at)
        except CustomerErased:
            log.info("history import skipped an erased customer")
            continue
        orders += len(history.orders)
    log.debug("imported %d past orders in %.2f s", orders, time.perf_counter() - started)
    return orders


def import_history(table: Table, history: CustomerHistory, catalog: Catalog, settings: Settings) -> int:
    return import_histories(table, [history], catalog, settings)


def _write_summary(table: Table, customer_id: str, summary: OrderSummary, at: str) -> None:
    """A new customer's summary, on condition that none was written meanwhile (a first voice turn's rebuild is the
    same summary: then nothing is lost by keeping it)."""
    tx = Transaction(table)
    stage_summary(tx, customer_id, summary, over=None, updated_at=at)  # carries the not-erased check
    try:
        tx.commit()
    except ConcurrentUpdate:
        rebuild_summary(table, customer_id, at=at)


def _write_customer(table: Table, customer_id: str, items: list[dict[str, Any]]) -> None:
    """One customer's items in transactions of at most 99 puts and the not-erased check (``CustomerErased`` once
    the customer has a tombstone: nothing of that transaction or any later one is written). A ``BatchWriteItem``
    cannot carry a condition, so an import that had passed its erased check before the erase began would write
    the customer's orders back after the erase's last sweep."""
    for start in range(0, len(items), PUTS_PER_WRITE):
        for round_number in range(_MAX_ROUNDS):
            tx = Transaction(table)
            for item in items[start : start + PUTS_PER_WRITE]:
                tx.put(item)
            stage_not_erased(tx, customer_id)
            try:
                tx.commit()
                break
            except (StoreUnavailable, ConcurrentUpdate):  # throttled or a write conflict: the same puts again
                if round_number == _MAX_ROUNDS - 1:
                    raise
                time.sleep(0.05 * 2**round_number)
