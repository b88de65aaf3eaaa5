"""How a customer buys one product: what the resolver's personal bias reads, whichever channel it came from."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class PurchaseStats:
    """How a customer buys one product, whatever the channel: the resolver's personal bias consumes this."""

    count: int
    days_since_last: float
