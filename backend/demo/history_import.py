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
from backend.errors import ConcurrentUpdate, StoreUnavailable
from backend.settings import Settings
from backend.shopping.checkout import Totals
from backend.shopping.items import order_to_item
from backend.shopping.model import IMPORTED_SOURCE, Order, OrderLine
from backend.shopping.order_summary import OrderSummary, stage_summary, summarize
from backend.shopping.orders import has_orders, rebuild_summary
from backend.shopping.purchases import order_stats_item
from backend.store.codec import to_attribute_values
from backend.store.dynamo import Table, translate_errors
from backend.store.transaction import Transaction

log = logging.getLogger(__name__)

BATCH_SIZE = 25  # DynamoDB's limit for one BatchWriteItem call
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

    The order summary (``backend.shopping.order_summary``) is written after every batch holding the customer's
    orders has been written, so it never names an order the table lacks. For a customer with no orders before the
    import it is the summary of the imported orders (no read); one who had orders already gets it rebuilt from the
    table once their orders are in."""
    started = time.perf_counter()
    at = at or datetime.now(UTC).isoformat()
    batch: list[dict[str, Any]] = []
    summaries: list[tuple[str, OrderSummary]] = []
    rebuild: list[str] = []
    orders = 0
    for history in histories:
        orders += len(history.orders)
        past = [past_order(history.customer_id, p, catalog, settings) for p in history.orders]
        if has_orders(table, history.customer_id):
            rebuild.append(history.customer_id)
        else:
            summaries.append((history.customer_id, summarize(past)))
        for item in _history_items(history, past):
            batch.append(item)
            if len(batch) == BATCH_SIZE:
                _write_batch(table, batch)
                batch = []
    if batch:
        _write_batch(table, batch)
    _write_summaries(table, summaries, at)
    for customer_id in rebuild:
        rebuild_summary(table, customer_id, at=at)
    log.debug("imported %d past orders in %.2f s", orders, time.perf_counter() - started)
    return orders


def import_history(table: Table, history: CustomerHistory, catalog: Catalog, settings: Settings) -> int:
    return import_histories(table, [history], catalog, settings)


def _write_summaries(table: Table, summaries: list[tuple[str, OrderSummary]], at: str) -> None:
    """Each new customer's summary, on condition that none was written meanwhile (a first voice turn's rebuild
    is the same summary: then nothing is lost by keeping it)."""
    for customer_id, summary in summaries:
        tx = Transaction(table)
        stage_summary(tx, customer_id, summary, over=None, updated_at=at)
        try:
            tx.commit()
        except ConcurrentUpdate:
            rebuild_summary(table, customer_id, at=at)


def _write_batch(table: Table, items: list[dict[str, Any]]) -> None:
    request: dict[str, Any] = {table.name: [{"PutRequest": {"Item": to_attribute_values(item)}} for item in items]}
    for round_number in range(_MAX_ROUNDS):
        with translate_errors("batch_write_item"):
            response = table.client.batch_write_item(RequestItems=request)
        request = dict(response.get("UnprocessedItems") or {})
        if not request:
            return
        time.sleep(0.05 * 2**round_number)  # throttled: back off before writing what was left
    raise StoreUnavailable("batch_write_item: items left unprocessed")
