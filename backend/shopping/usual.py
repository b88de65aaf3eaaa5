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
The rule reads only what the order summary keeps of them (``order_summary.UsualInputs``), so a voice turn takes the
usual from that one item (``usual_from``), and ``usual_basket(orders)`` is the same rule on a list of orders.
Cancelled orders are not purchases and count nowhere; orders placed at the same moment are ordered by their id.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date

from backend.resolver.purchases import PurchaseStats
from backend.shopping.model import Order
from backend.shopping.order_summary import WINDOW, UsualInputs, summarize

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
    window: int = WINDOW,
    min_share: float = 0.4,
    min_items: int = 3,
    max_items: int = 15,
) -> tuple[UsualItem, ...]:
    """The usual basket of ``orders`` (rules above). ``elsewhere``: purchases outside ``orders``; it needs
    ``today``."""
    if window != WINDOW:
        raise ValueError(f"the usual's window is the order summary's, {WINDOW} orders")
    return usual_from(
        summarize(orders).household.usual_inputs(),
        elsewhere=elsewhere,
        today=today,
        min_share=min_share,
        min_items=min_items,
        max_items=max_items,
    )


def usual_from(
    inputs: UsualInputs,
    *,
    elsewhere: Mapping[str, PurchaseStats] | None = None,
    today: date | None = None,
    min_share: float = 0.4,
    min_items: int = 3,
    max_items: int = 15,
) -> tuple[UsualItem, ...]:
    """The rule on what the order summary keeps of the orders (``OrderSummary.digest_of(...).usual_inputs()``)."""
    regular_elsewhere = _regular_elsewhere(elsewhere or {}, inputs.oldest_window_day, today)
    if not inputs.window_orders and not regular_elsewhere:
        return ()
    in_recent = dict(inputs.in_window)
    in_all = dict(inputs.in_all)
    for pid, count in regular_elsewhere.items():
        in_recent[pid] = in_recent.get(pid, 0) + count
    for pid, stats in (elsewhere or {}).items():
        in_all[pid] = in_all.get(pid, 0) + stats.count
    positions = inputs.positions

    def place(pid: str) -> float:
        return positions.get(pid, _NEVER_IN_AN_ORDER)

    needed = max(2, min_share * inputs.window_orders)
    core = [pid for pid, count in in_recent.items() if count >= needed]
    core.sort(key=lambda pid: (-in_recent[pid], place(pid), pid))
    if len(core) < min_items:
        extra = [pid for pid, count in in_all.items() if count >= 2 and pid not in core]
        extra.sort(key=lambda pid: (-in_all[pid], place(pid), pid))
        core.extend(extra[: min_items - len(core)])
    return tuple(
        UsualItem(pid, inputs.typical_quantity(pid), min(1.0, in_recent.get(pid, 0) / max(inputs.window_orders, 1)))
        for pid in core[:max_items]
    )


def _regular_elsewhere(
    elsewhere: Mapping[str, PurchaseStats], oldest_window_day: date | None, today: date | None
) -> dict[str, int]:
    """Products bought elsewhere at least twice and last within the window's period (rule 6)."""
    if not elsewhere:
        return {}
    if today is None:
        raise ValueError("purchases elsewhere need today's date")
    period = max((today - oldest_window_day).days, ELSEWHERE_MIN_DAYS) if oldest_window_day else ELSEWHERE_MIN_DAYS
    return {
        pid: stats.count for pid, stats in elsewhere.items() if stats.count >= 2 and stats.days_since_last <= period
    }
