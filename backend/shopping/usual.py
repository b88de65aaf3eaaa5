"""The customer's "usual": the basket they buy most regularly, derived from their real order history.

The rule, in order:

1. **Window.** Look at the customer's most recent ``window`` orders (10; all of them if fewer). Recent orders say
   what the household buys *now*; a product they stopped buying a year ago is not "usual".
2. **Core.** A product is usual when it is in at least ``min_share`` (40 %) of the window's orders and in at
   least 2 of them. On the 500 Instacart demo customers this gives a median of 5 products (many have 3-12),
   which is what people mean by "my usual".
3. **Top-up.** Irregular shoppers may have fewer than ``min_items`` (3) core products; then the products bought
   most often over the whole history (at least twice) fill the basket up to ``min_items``. Someone who never
   bought anything twice has no usual (an empty basket; the skill says so).
4. **Quantity.** The median quantity over the orders that held the product (Instacart lines have none: 1).
5. **Order and size.** Most regular first; ties broken by how early in their orders they add it (what people think
   of first); at most ``max_items`` (15) products, so it can be read out and checked before ordering.

``orders`` may be every order of the account or one recognised speaker's (see ``orders.orders_of_person``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import mean, median

from backend.shopping.model import Order


@dataclass(frozen=True, slots=True)
class UsualItem:
    product_id: str
    quantity: int
    share: float  # share of the window's orders that held it (0..1)


def usual_basket(
    orders: Sequence[Order],
    *,
    window: int = 10,
    min_share: float = 0.4,
    min_items: int = 3,
    max_items: int = 15,
) -> tuple[UsualItem, ...]:
    newest_first = sorted(orders, key=lambda order: order.placed_at, reverse=True)
    recent = newest_first[:window]
    if not recent:
        return ()
    in_recent = _order_counts(recent)
    in_all = _order_counts(newest_first)
    positions = _mean_positions(newest_first)
    needed = max(2, min_share * len(recent))
    core = [pid for pid, count in in_recent.items() if count >= needed]
    core.sort(key=lambda pid: (-in_recent[pid], positions[pid], pid))
    if len(core) < min_items:
        extra = [pid for pid, count in in_all.items() if count >= 2 and pid not in core]
        extra.sort(key=lambda pid: (-in_all[pid], positions[pid], pid))
        core.extend(extra[: min_items - len(core)])
    return tuple(
        UsualItem(pid, _typical_quantity(newest_first, pid), in_recent.get(pid, 0) / len(recent))
        for pid in core[:max_items]
    )


def _order_counts(orders: Sequence[Order]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for order in orders:
        for pid in set(order.product_ids):
            counts[pid] = counts.get(pid, 0) + 1
    return counts


def _mean_positions(orders: Sequence[Order]) -> dict[str, float]:
    seen: dict[str, list[int]] = {}
    for order in orders:
        for position, pid in enumerate(order.product_ids):
            seen.setdefault(pid, []).append(position)
    return {pid: mean(places) for pid, places in seen.items()}


def _typical_quantity(orders: Sequence[Order], product_id: str) -> int:
    quantities = [line.quantity for order in orders for line in order.lines if line.product_id == product_id]
    return max(1, int(median(quantities))) if quantities else 1
