"""Cart storage: one item per customer, written only on condition that its ``version`` is the one that was read.

Two devices (or the web shop and a speaker) changing one cart at once: one write wins, the other fails its
condition (``ConcurrentUpdate``), reloads the cart and applies its change again on the fresh state, a few times
with jittered backoff. No update is lost and no lock is held.
"""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Callable
from dataclasses import replace
from typing import TypeVar

from backend.errors import ConcurrentUpdate
from backend.profile.erasure import stage_not_erased
from backend.shopping.items import cart_from_item, cart_key, cart_to_item
from backend.shopping.model import Cart
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
_BACKOFF_SECONDS = 0.025  # first retry waits up to this; it doubles, capped
_BACKOFF_CAP_SECONDS = 0.5

T = TypeVar("T")


def load_cart(table: Table, customer_id: str) -> Cart:
    return cart_from_item(customer_id, table.get(cart_key(customer_id)))


def stage_cart(tx: Transaction, cart: Cart, *, at: str, channel: str) -> Cart:
    """Stage ``cart`` as the next version of the one it was derived from; return the cart as it will be saved."""
    saved = replace(cart, version=cart.version + 1, updated_at=at, updated_channel=channel)
    stage_not_erased(tx, cart.customer_id)  # a write in flight during an erase recreates no cart
    if cart.version == 0:
        tx.put(cart_to_item(saved), condition="attribute_not_exists(pk)", conflict=ConcurrentUpdate)
    else:
        tx.put(
            cart_to_item(saved),
            condition="#version = :version",
            names={"#version": "version"},
            values={":version": cart.version},
            conflict=ConcurrentUpdate,
        )
    return saved


def retry_on_conflict(attempt: Callable[[int], T], *, attempts: int = MAX_ATTEMPTS) -> T:
    """Run ``attempt(n)`` (n = 0, 1, ...) until it does not lose a race; each attempt must read fresh state."""
    for number in range(attempts):
        try:
            return attempt(number)
        except ConcurrentUpdate:
            if number == attempts - 1:
                raise
            log.info("cart write lost a race; retrying (%d)", number + 1)
            # Full jitter, doubling: two writers served in strict turn by one store would otherwise lose to each
            # other in lockstep (read, read, write, stale write) on every retry.
            ceiling = min(_BACKOFF_CAP_SECONDS, _BACKOFF_SECONDS * 2**number)
            time.sleep(random.uniform(0, ceiling))  # noqa: S311 - jitter, not a secret
    raise AssertionError("unreachable")
