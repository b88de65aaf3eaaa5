"""Purchases on every channel, counted once each, for the resolver's personal bias and for "my usual".

Where a purchase is recorded depends on how it happened:

| purchase                                          | ORDER# items | profile summary (``p#<id>#buys``) |
|---------------------------------------------------|--------------|-----------------------------------|
| an order placed through voicecart (voice)         | yes          | yes: one "ordered" event, lines   |
| an order imported from the retailer's order system| yes          | no (it predates the profile)      |
| a store till receipt, a web purchase (API events) | no           | yes: a "purchased" event          |

So "every channel, each purchase once" is:

* for the bias (every turn, no extra read): the imported orders' statistics + the profile's purchases. The imported
  orders' statistics are kept on ONE item (``ORDERSTATS``), written with the import, which the turn's single
  ``BatchGetItem`` reads beside the cart and the profile (``state.py``). It changes only when orders are imported
  again: live orders reach the profile instead.
* for "my usual": the orders (as the order summary keeps them, ``order_summary``) + what the profile bought
  *elsewhere*, i.e. its purchases minus the lines of voicecart orders (already among the orders).

The ``ORDERSTATS`` item holds the statistics as ONE string attribute, ``products``: entries
``<product id>:<orders holding it>:<yyyy-mm-dd of the newest>`` joined by ``;``. About 20 bytes a product (4 KB for
the longest demo history, 348 products: 1 read unit in a consistent batch read), parsed in microseconds; a map of
maps would cost names and type tags per entry, on every turn.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from backend.profile.summary import ProfileSummary, combine_stats, purchase_stats
from backend.resolver.purchases import PurchaseStats
from backend.shopping.model import IMPORTED_SOURCE, Order
from backend.store import keys

ORDER_STATS = keys.ORDER_STATS
ORDER_STATS_KIND = "order_stats"


def order_stats_key(customer_id: str) -> dict[str, str]:
    return {"pk": keys.customer_pk(customer_id), "sk": ORDER_STATS}


def order_stats_item(customer_id: str, orders: Iterable[Order], *, source: str) -> dict[str, Any]:
    """The statistics item of ``orders`` (the orders imported from ``source``): per product, in how many orders it
    was and the day of the newest."""
    counts: dict[str, int] = {}
    newest: dict[str, str] = {}
    number = 0
    for order in orders:
        number += 1
        day = order.placed_on.isoformat()
        for product_id in set(order.product_ids):
            counts[product_id] = counts.get(product_id, 0) + 1
            newest[product_id] = max(newest.get(product_id, day), day)
    return {
        **order_stats_key(customer_id),
        "kind": ORDER_STATS_KIND,
        "source": source,
        "orders": number,
        "products": ";".join(f"{pid}:{counts[pid]}:{newest[pid]}" for pid in sorted(counts)),
    }


def order_stats_from_item(item: Mapping[str, Any] | None, today: date) -> dict[str, PurchaseStats]:
    if not item:
        return {}
    stats: dict[str, PurchaseStats] = {}
    ages: dict[str, float] = {}  # per day written: most products share a few hundred order days
    for entry in str(item.get("products") or "").split(";"):
        parts = entry.rsplit(":", 2)  # a product id may hold ":" itself; the count and the day never do
        if len(parts) != 3 or not parts[0] or not parts[1].isdigit():
            continue  # an empty history, or an entry this version cannot read
        product_id, count, day = parts
        days = ages.get(day)
        if days is None:
            days = ages[day] = float(max((today - date.fromisoformat(day)).days, 0))
        stats[product_id] = PurchaseStats(count=int(count), days_since_last=days)
    return stats


def profile_purchases(profile: ProfileSummary | None, now: datetime) -> dict[str, PurchaseStats]:
    """Purchases the profile summary holds: voicecart orders, store and web purchases (every channel's events)."""
    if profile is None:
        return {}
    return purchase_stats(profile, now)


def every_channel(
    imported: Mapping[str, PurchaseStats], profile: ProfileSummary | None, now: datetime
) -> dict[str, PurchaseStats]:
    """The resolver's personal bias: imported orders + the profile's purchases (each purchase once, see above)."""
    return combine_stats(dict(imported), profile_purchases(profile, now))


def bought_elsewhere(
    profile: ProfileSummary | None,
    orders: Iterable[Order],
    now: datetime,
    *,
    imported: str = IMPORTED_SOURCE,
) -> dict[str, PurchaseStats]:
    """What the profile says was bought outside the orders (store, web purchases): its purchase counts minus the
    lines of the orders whose "ordered" event reached it (every order not imported from ``imported``).

    The profile keeps one last-purchase date per product across channels, so a product's date here may be its
    latest voice order's; only the count is exactly "elsewhere"."""
    in_orders: dict[str, int] = {}
    for order in orders:
        if order.source != imported:
            for product_id in set(order.product_ids):
                in_orders[product_id] = in_orders.get(product_id, 0) + 1
    return elsewhere_than(profile, in_orders, now)


def elsewhere_than(
    profile: ProfileSummary | None, in_live_orders: Mapping[str, int], now: datetime
) -> dict[str, PurchaseStats]:
    """``bought_elsewhere`` given, per product, how many orders placed through voicecart held it (what the order
    summary keeps: ``Digest.live_counts``)."""
    stats = profile_purchases(profile, now)
    elsewhere: dict[str, PurchaseStats] = {}
    for product_id, seen in stats.items():
        count = seen.count - in_live_orders.get(product_id, 0)
        if count > 0:
            elsewhere[product_id] = PurchaseStats(count=count, days_since_last=seen.days_since_last)
    return elsewhere
