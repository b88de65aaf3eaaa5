"""The demo's customer purchase histories, read from the Instacart layout (with their per-product statistics).

Instacart gives each order only its sequence number and the days since the customer's previous order, never a date.
We anchor the newest order at ``last_order_on`` and walk backwards through the gaps, so every order gets a real
calendar date while the spacing stays exactly the customer's own.
"""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from backend.errors import CatalogLoadError
from backend.resolver.purchases import PurchaseStats


@dataclass(frozen=True, slots=True)
class PastOrder:
    order_id: str
    number: int
    placed_on: date
    product_ids: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class CustomerHistory:
    customer_id: str
    orders: tuple[PastOrder, ...]  # oldest first

    def stats(self, today: date) -> dict[str, PurchaseStats]:
        counts: dict[str, int] = defaultdict(int)
        last: dict[str, date] = {}
        for order in self.orders:
            for product_id in set(order.product_ids):
                counts[product_id] += 1
                last[product_id] = max(last.get(product_id, order.placed_on), order.placed_on)
        return {
            product_id: PurchaseStats(count=count, days_since_last=float(max((today - last[product_id]).days, 0)))
            for product_id, count in counts.items()
        }

    @property
    def last_order(self) -> PastOrder | None:
        return self.orders[-1] if self.orders else None


@dataclass
class _OrderRows:
    number: int
    gap_days: int | None
    lines: list[tuple[int, str]]


def load_histories(csv_path: Path, *, last_order_on: date) -> dict[str, CustomerHistory]:
    """Read ``customers_sample.csv`` into one history per customer, newest order dated ``last_order_on``."""
    orders_by_customer: dict[str, dict[str, _OrderRows]] = defaultdict(dict)
    try:
        with csv_path.open(newline="", encoding="utf-8") as handle:
            for row in csv.DictReader(handle):
                customer_orders = orders_by_customer[row["user_id"]]
                rows = customer_orders.get(row["order_id"])
                if rows is None:
                    gap = row["days_since_prior_order"].strip()
                    rows = _OrderRows(int(row["order_number"]), int(float(gap)) if gap else None, [])
                    customer_orders[row["order_id"]] = rows
                rows.lines.append((int(row["add_to_cart_order"]), row["product_id"]))
    except (OSError, KeyError, ValueError) as exc:
        raise CatalogLoadError(f"cannot read order histories from {csv_path}: {exc}") from exc

    histories: dict[str, CustomerHistory] = {}
    for customer_id, orders in orders_by_customer.items():
        ordered = sorted(orders.items(), key=lambda item: item[1].number)
        dates: list[date] = []
        placed = last_order_on
        # Walk newest to oldest: an order's gap says how long before it the previous order was placed.
        for _, rows in reversed(ordered):
            dates.append(placed)
            placed = placed - timedelta(days=rows.gap_days or 0)
        dates.reverse()
        histories[customer_id] = CustomerHistory(
            customer_id=customer_id,
            orders=tuple(
                PastOrder(
                    order_id=order_id,
                    number=rows.number,
                    placed_on=placed_on,
                    product_ids=tuple(product_id for _, product_id in sorted(rows.lines)),
                )
                for (order_id, rows), placed_on in zip(ordered, dates, strict=True)
            ),
        )
    return histories
