"""Bulk-write customers' past (Instacart) orders as order items, for the demo and for tests.

Each past order becomes ONE item (``ORDER#<id>``) carrying its lines in compact form; no separate line items.
Why: seeding all 500 demo customers is 9,549 orders with 92k lines. As separate items that is ~101k writes (4,000
``BatchWriteItem`` calls); as compact orders it is 9,549 writes (382 calls), about ten times fewer, and every
history question (last order, usual, when did I last buy) reads only order items anyway. Orders placed through
voicecart also get line items, because the API and the export show an order with its lines as charged. Each
customer also gets one ``ORDERSTATS`` item (per-product counts and last dates of these orders): the resolver's
personal bias reads it in the turn's one batch read instead of querying every order (``purchases``).

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
from backend.errors import StoreUnavailable
from backend.settings import Settings
from backend.shopping.checkout import Totals
from backend.shopping.items import order_to_item
from backend.shopping.model import IMPORTED_SOURCE, Order, OrderLine
from backend.shopping.purchases import order_stats_item
from backend.store.codec import to_attribute_values
from backend.store.dynamo import Table, translate_errors

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
    orders = [past_order(history.customer_id, past, catalog, settings) for past in history.orders]
    for order in orders:
        yield order_to_item(order)
    yield order_stats_item(history.customer_id, orders, source=IMPORTED_SOURCE)


def import_histories(table: Table, histories: Iterable[CustomerHistory], catalog: Catalog, settings: Settings) -> int:
    """Write every past order of every history (and each customer's order statistics); returns the number of
    orders written. Idempotent (same ids, same statistics)."""
    started = time.perf_counter()
    batch: list[dict[str, Any]] = []
    orders = 0
    for history in histories:
        orders += len(history.orders)
        for item in history_items(history, catalog, settings):
            batch.append(item)
            if len(batch) == BATCH_SIZE:
                _write_batch(table, batch)
                batch = []
    if batch:
        _write_batch(table, batch)
    log.debug("imported %d past orders in %.2f s", orders, time.perf_counter() - started)
    return orders


def import_history(table: Table, history: CustomerHistory, catalog: Catalog, settings: Settings) -> int:
    return import_histories(table, [history], catalog, settings)


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
