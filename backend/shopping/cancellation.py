"""Cancelling the latest order while it can still be cancelled: the rule, and the cancellation as ONE transaction.

The rule (illustrative, like the delivery rule it follows): an order is delivered ``DELIVERY_DAYS`` after it is
placed and packed the evening before, so it can be cancelled until ``CUTOFF`` (store time; the demo store keeps
UTC) on the day before its delivery day. After that it is being packed, then delivered: too late. A cancelled order
stays cancelled.

A cancellation writes, in one transaction: the request marker (an Alexa retry changes nothing twice), the order's
status ``cancelled`` (on condition that it is still ``placed``: two channels cancelling at once cancel once), the
profile's ``cancelled`` event naming every line, and the cancellation e-mail in the outbox. All of it or none.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta
from enum import StrEnum

from backend.catalog import Catalog
from backend.clock import Clock, utc_now
from backend.errors import AlreadyApplied, ConcurrentUpdate
from backend.profile.events import MAX_QUANTITY as MAX_EVENT_QUANTITY
from backend.profile.events import Event, EventOrigin, Outcome, new_event
from backend.profile.store import ProfileStore
from backend.settings import Settings
from backend.shopping.items import outbox_item
from backend.shopping.model import Order
from backend.shopping.order_summary import StoredSummary, load_summary, stage_summary, summarize
from backend.shopping.orders import all_orders, get_order, recent_orders
from backend.shopping.requests import stage_marker
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

log = logging.getLogger(__name__)

DELIVERY_DAYS = 2  # illustrative: every order is delivered two days after it is placed
CUTOFF = time(20, 0)  # on the day before delivery: orders are packed overnight
PLACED, CANCELLED, DELIVERED = "placed", "cancelled", "delivered"
SUMMARY_ATTEMPTS = 3  # a summary another write moved is rebuilt over the newer one, this many times


class CancelState(StrEnum):
    CANCELLABLE = "cancellable"  # placed, before the cut-off
    TOO_LATE = "too_late"  # placed, past the cut-off, not delivered yet: being packed or on its way
    DELIVERED = "delivered"
    CANCELLED = "cancelled"  # cancelled already (by this request or an earlier one)


@dataclass(frozen=True, slots=True)
class CancelCheck:
    """An order and whether it can be cancelled now; ``deadline`` is the last moment it could be."""

    order: Order
    state: CancelState
    deadline: datetime


def cancel_deadline(order: Order) -> datetime:
    delivery = order.placed_on + timedelta(days=DELIVERY_DAYS)
    return datetime.combine(delivery - timedelta(days=1), CUTOFF, tzinfo=UTC)


def cancel_state(order: Order, now: datetime) -> CancelState:
    if order.status == CANCELLED:
        return CancelState.CANCELLED
    delivered = now.astimezone(UTC).date() >= order.placed_on + timedelta(days=DELIVERY_DAYS)
    if order.status == DELIVERED or delivered:
        return CancelState.DELIVERED
    if order.status != PLACED:
        return CancelState.TOO_LATE  # another status a store system set (packed, shipped ...)
    return CancelState.CANCELLABLE if now < cancel_deadline(order) else CancelState.TOO_LATE


class OrderCancellations:
    def __init__(
        self,
        table: Table,
        catalog: Catalog,
        settings: Settings,
        *,
        profiles: ProfileStore,
        clock: Clock = utc_now,
    ) -> None:
        self.table = table
        self.catalog = catalog
        self.settings = settings
        self.profiles = profiles
        self._clock = clock

    def check(self, order: Order) -> CancelCheck:
        return CancelCheck(order, cancel_state(order, self._clock()), cancel_deadline(order))

    def latest(self, customer_id: str) -> CancelCheck | None:
        """The latest order (older ones are delivered) and whether it can still be cancelled; None: no orders."""
        orders = recent_orders(self.table, customer_id, limit=1)
        return self.check(orders[0]) if orders else None

    def cancel(
        self,
        customer_id: str,
        order_id: str,
        *,
        request_id: str | None,
        origin: EventOrigin | None = None,
        summary: StoredSummary | None = None,
    ) -> CancelCheck | None:
        """Cancel the order if it can still be cancelled now; returns its state afterwards (``CANCELLED`` when this
        request or an earlier one cancelled it), or None for an order that does not exist. ``summary``: this
        customer's order summary as the turn's batch read found it (``load_state(summary=True)``): the revision the
        rebuilt summary is written over, with no read of its own (a summary moved since fails the write's condition,
        and the retry reads it afresh)."""
        order = get_order(self.table, customer_id, order_id)
        if order is None:
            return None
        now = self._clock()
        checked = self.check(order)
        if checked.state is not CancelState.CANCELLABLE:
            return checked
        at = now.isoformat()
        cancelled_order = replace(order, status=CANCELLED)
        staged = None
        for attempt in range(1, SUMMARY_ATTEMPTS + 1):
            tx = Transaction(self.table)
            if request_id:
                stage_marker(
                    tx,
                    customer_id,
                    request_id,
                    outcome={"cancelled": order_id},
                    applied_at=at,
                    keep=self.settings.retention.request_markers,
                )
            tx.update(
                {"pk": keys.customer_pk(customer_id), "sk": keys.order_sk(order_id)},
                "SET #status = :cancelled, cancelled_at = :at",
                condition="#status = :placed",
                names={"#status": "status"},
                values={":cancelled": CANCELLED, ":placed": PLACED, ":at": at},
            )
            tx.put(self._cancellation_message(order, at))
            # The order summary answers the history questions: rebuilt without this order in the same write, so
            # it can never disagree with the orders.
            others = [o for o in all_orders(self.table, customer_id) if o.order_id != order_id]
            read = summary if attempt == 1 and summary is not None else load_summary(self.table, customer_id, parts=())
            over = read.rev
            stage_summary(tx, customer_id, summarize([*others, cancelled_order]), over=over, updated_at=at)
            staged = self.profiles.stage_event(tx, self._cancelled_event(origin, order)) if origin is not None else None
            try:
                tx.commit()
            except AlreadyApplied:
                break  # a retry of this request: it was cancelled
            except ConcurrentUpdate:
                fresh = get_order(self.table, customer_id, order_id)
                if fresh is not None and fresh.status == PLACED and attempt < SUMMARY_ATTEMPTS:
                    continue  # only the summary moved (another order, a merge): rebuild over the newer one
                # Another channel changed the order first: say what is true now.
                return self.check(fresh) if fresh is not None else None
            if staged is not None:
                self.profiles.apply_catch_ups(staged)
            break
        log.info("order cancelled", extra={"order_id": order_id})
        cancelled = get_order(self.table, customer_id, order_id)
        return self.check(cancelled) if cancelled is not None else None

    def _cancelled_event(self, origin: EventOrigin, order: Order) -> Event:
        lines = [(product, line.quantity) for line in order.lines if (product := self.catalog.find(line.product_id))]
        return new_event(
            origin,
            Outcome.CANCELLED,
            quantity=min(max(order.item_count, 1), MAX_EVENT_QUANTITY),
            order_id=order.order_id,
            lines=lines,
        )

    def _name(self, product_id: str, stored: str) -> str:
        product = self.catalog.find(product_id)
        return stored or (product.name if product is not None else product_id)

    def _cancellation_message(self, order: Order, at: str) -> dict[str, object]:
        seller = self.settings.seller_name
        body = "\n".join(
            [
                f"Your order {order.order_id} from {seller} is cancelled. You won't be charged the ${order.total}.",
                "",
                *(f"{line.quantity} x {self._name(line.product_id, line.name)}" for line in order.lines),
            ]
        )
        return outbox_item(
            order.customer_id,
            message_id=f"{order.order_id}-cancelled",
            created_at=at,
            template="order_cancelled",
            subject=f"Your {seller} order {order.order_id} is cancelled",
            body=body,
            order_id=order.order_id,
            keep=self.settings.retention.outbox,
        )
