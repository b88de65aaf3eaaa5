"""Computed traits: what another channel wants to know about a customer, in one call, from what is already kept
(the profile summary, the orders, the cart). Nothing here is stored: each call computes from the current state, so
a trait is never stale and erasure has nothing extra to find.

| trait                   | from                                                                               |
|-------------------------|------------------------------------------------------------------------------------|
| ``days_since_last_order``| the newest order of any channel (imported history included), in whole days        |
| ``usual_basket``        | ``backend.shopping.usual`` (the products in most recent orders, their usual amount) |
| ``predicted_next_order``| last order date + the median gap between order dates (needs ``MIN_ORDERS`` orders)  |
| ``cart_idle_since``     | the cart's last change, while it holds anything                                     |
| ``top_aisles``          | the summary's aisle affinity scores (every channel's events, weighted by outcome)   |
| ``favourite_channel``   | the channel with the most events (ties: the one seen last)                          |
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise
from typing import Any

from backend.profile.events import format_timestamp
from backend.profile.summary import ProfileSummary

MIN_ORDERS = 3  # two gaps: fewer says nothing about a rhythm
TOP_AISLES = 5


@dataclass(frozen=True, slots=True)
class BasketItem:
    product_id: str
    name: str | None
    quantity: int


@dataclass(frozen=True, slots=True)
class Traits:
    customer_id: str
    computed_at: datetime
    last_order_at: datetime | None
    usual_basket: tuple[BasketItem, ...]
    predicted_next_order: date | None
    cart_idle_since: str | None
    cart_items: int
    top_aisles: tuple[tuple[str, int], ...]
    favourite_channel: str | None

    @property
    def days_since_last_order(self) -> int | None:
        if self.last_order_at is None:
            return None
        return max(0, (self.computed_at.date() - self.last_order_at.date()).days)

    def to_json(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "computed_at": format_timestamp(self.computed_at),
            "days_since_last_order": self.days_since_last_order,
            "last_order_at": format_timestamp(self.last_order_at) if self.last_order_at else None,
            "usual_basket": [
                {"product_id": item.product_id, "name": item.name, "quantity": item.quantity}
                for item in self.usual_basket
            ],
            "predicted_next_order": self.predicted_next_order.isoformat() if self.predicted_next_order else None,
            "cart_idle_since": self.cart_idle_since,
            "cart_items": self.cart_items,
            "top_aisles": [{"aisle": aisle, "score": score} for aisle, score in self.top_aisles],
            "favourite_channel": self.favourite_channel,
        }


def predicted_next_order(order_times: Sequence[datetime]) -> date | None:
    days = sorted({moment.date() for moment in order_times})
    if len(days) < MIN_ORDERS:
        return None
    gaps = [(later - earlier).days for earlier, later in pairwise(days)]
    return days[-1] + timedelta(days=round(statistics.median(gaps)))


def favourite_channel(summary: ProfileSummary) -> str | None:
    active = [activity for activity in summary.channels.values() if activity.events > 0]
    if not active:
        return None
    return max(active, key=lambda activity: (activity.events, activity.last_seen or "")).channel


def compute_traits(
    summary: ProfileSummary,
    *,
    now: datetime,
    order_times: Sequence[datetime],
    usual: Sequence[BasketItem],
    cart_items: int,
    cart_updated_at: str | None,
) -> Traits:
    aisles = sorted(summary.aisles.items(), key=lambda item: (-item[1], item[0]))
    return Traits(
        customer_id=summary.customer_id,
        computed_at=now,
        last_order_at=max(order_times, default=None),
        usual_basket=tuple(usual),
        predicted_next_order=predicted_next_order(order_times),
        cart_idle_since=(cart_updated_at or None) if cart_items else None,
        cart_items=cart_items,
        top_aisles=tuple((aisle, score) for aisle, score in aisles[:TOP_AISLES] if score > 0),
        favourite_channel=favourite_channel(summary),
    )
