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
6. **Other channels.** Purchases made outside the orders (store till receipts, web purchases: ``elsewhere``, from
   the profile, see ``purchases.bought_elsewhere``) count too. The profile knows only how often and when last
   each product was bought there, not in which baskets, so: a product bought elsewhere at least twice, last within
   the window's period (from its oldest order to today; at least ``ELSEWHERE_MIN_DAYS``, and that many days when
   there are no orders), adds those purchases to the orders holding it, as if each were one more order. A product
   bought in store every week is part of the usual even if it was never ordered; one bought once is not. In the
   whole-history top-up every purchase elsewhere counts. Quantity 1 unless orders say otherwise.

``orders`` may be every order of the account or one recognised speaker's (see ``orders.orders_of_person``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from statistics import mean, median

from backend.resolver.purchases import PurchaseStats
from backend.shopping.model import Order

ELSEWHERE_MIN_DAYS = 60
_NEVER_IN_AN_ORDER = float("inf")  # products bought only elsewhere sort after those added early in orders


@dataclass(frozen=True, slots=True)
class UsualItem:
    product_id: str
    quantity: int
    share: float  # share of the window's orders that held it (0..1)


def usual_basket(
    orders: Sequence[Order],
    *,
    elsewhere: Mapping[str, PurchaseStats] | None = None,
    today: date | None = None,
    window: int = 10,
    min_share: float = 0.4,
    min_items: int = 3,
    max_items: int = 15,
) -> tuple[UsualItem, ...]:
    """The usual basket (rules above). ``elsewhere``: purchases outside ``orders``; it needs ``today``."""
    newest_first = sorted(orders, key=lambda order: order.placed_at, reverse=True)
    recent = newest_first[:window]
    regular_elsewhere = _regular_elsewhere(elsewhere or {}, recent, today)
    if not recent and not regular_elsewhere:
        return ()
    in_recent = _order_counts(recent)
    in_all = _order_counts(newest_first)
    for pid, count in regular_elsewhere.items():
        in_recent[pid] = in_recent.get(pid, 0) + count
    for pid, stats in (elsewhere or {}).items():
        in_all[pid] = in_all.get(pid, 0) + stats.count
    positions = _mean_positions(newest_first)

    def place(pid: str) -> float:
        return positions.get(pid, _NEVER_IN_AN_ORDER)

    needed = max(2, min_share * len(recent))
    core = [pid for pid, count in in_recent.items() if count >= needed]
    core.sort(key=lambda pid: (-in_recent[pid], place(pid), pid))
    if len(core) < min_items:
        extra = [pid for pid, count in in_all.items() if count >= 2 and pid not in core]
        extra.sort(key=lambda pid: (-in_all[pid], place(pid), pid))
        core.extend(extra[: min_items - len(core)])
    return tuple(
        UsualItem(pid, _typical_quantity(newest_first, pid), min(1.0, in_recent.get(pid, 0) / max(len(recent), 1)))
        for pid in core[:max_items]
    )


def _regular_elsewhere(
    elsewhere: Mapping[str, PurchaseStats], recent: Sequence[Order], today: date | None
) -> dict[str, int]:
    """Products bought elsewhere at least twice and last within the window's period (rule 6)."""
    if not elsewhere:
        return {}
    if today is None:
        raise ValueError("purchases elsewhere need today's date")
    period = max((today - recent[-1].placed_on).days, ELSEWHERE_MIN_DAYS) if recent else ELSEWHERE_MIN_DAYS
    return {
        pid: stats.count for pid, stats in elsewhere.items() if stats.count >= 2 and stats.days_since_last <= period
    }


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
