"""Idle-cart reminders: "you left these in your cart", to the e-mail channel.

The rule. A customer gets ONE reminder e-mail for a cart when, at the time of the check:

1. the cart holds at least one line (voice, web or any channel put it there: there is one cart);
2. it has not changed for ``Settings.cart_reminder_after_minutes`` (its ``updated_at``);
3. the customer consented to marketing e-mail (``recipients.consents_to_marketing_email``: until the consent
   record of a later round exists, a profile without ``consent.marketing_email.status = "granted"`` has NOT
   consented, and gets nothing);
4. no reminder was sent for this cart *episode* yet. An episode runs from the first line put into an empty cart
   until the cart is bought or emptied; it is named by the earliest ``added_at`` of the cart's lines. More changes
   during an episode do not earn a second reminder; a cart bought or emptied is empty at the check, so it gets
   none; a new episode after that can earn a new one.

A reminder is an outbox message (template ``cart_reminder``) written in one transaction with the episode's marker
(``REMINDER#CART#<episode>``, conditional on not existing), and the stream consumer sends it like every e-mail.

Finding the carts without a scan: each cart change the stream consumer sees writes a small schedule item in the
5-minute bucket in which the cart would have been idle long enough (``REMIND#<bucket>#<shard>``, four shards by
customer, expiring after two days). The sweep, run every minute by the worker or a scheduled Lambda, reads every
bucket that has fully passed since its last run (at most a day's worth per run; six hours back on its first run)
and checks each customer's cart as it is then. A cart changed again since is simply not idle yet: its newer
schedule item brings it back later.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from backend.catalog import Catalog
from backend.errors import AlreadyApplied, CustomerErased
from backend.outbound.mail import safe_name
from backend.outbound.recipients import consents_to_marketing_email, load_profile
from backend.outbound.translate import CartActivity
from backend.profile.erasure import stage_not_erased
from backend.profile.events import format_timestamp
from backend.shopping.items import cart_from_item, cart_key, outbox_item
from backend.shopping.model import Cart
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

log = logging.getLogger(__name__)

BUCKET = timedelta(minutes=5)
FIRST_LOOKBACK = timedelta(hours=6)
MAX_CATCH_UP = timedelta(days=1)
SCHEDULE_RETENTION = timedelta(days=2)
SCHEDULE_KIND = "cart_reminder_due"
SCHEDULE_POINTER_KIND = "cart_reminder_due_pointer"
REMINDER_KIND = "cart_reminder"
TEMPLATE = "cart_reminder"
_BUCKET_FORMAT = "%Y-%m-%dT%H:%M"


def bucket_start(moment: datetime) -> datetime:
    moment = moment.astimezone(UTC).replace(second=0, microsecond=0)
    return moment - timedelta(minutes=moment.minute % int(BUCKET.total_seconds() // 60))


def _bucket_name(start: datetime) -> str:
    return start.strftime(_BUCKET_FORMAT)


def _parse(raw: str) -> datetime | None:
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


class ReminderScheduler:
    """Notes, for each cart change, the bucket in which the cart may have been idle long enough."""

    def __init__(self, table: Table, *, idle: timedelta, clock: Callable[[], datetime]) -> None:
        self.table = table
        self.idle = idle
        self.clock = clock

    def schedule(self, activity: CartActivity) -> None:
        changed = _parse(activity.updated_at) or self.clock()
        due = changed + self.idle
        shard = keys.shard_of(activity.customer_id, keys.SCHEDULE_SHARDS)
        schedule_pk = keys.schedule_pk(_bucket_name(bucket_start(due)), shard)
        expires = int((due + SCHEDULE_RETENTION).timestamp())
        tx = Transaction(self.table)
        tx.put(
            {
                "pk": schedule_pk,
                "sk": keys.customer_pk(activity.customer_id),
                "kind": SCHEDULE_KIND,
                "customer_id": activity.customer_id,
                "cart_version": activity.version,
                "due_at": format_timestamp(due),
                "expires_at": expires,
            }
        )
        # The entry names the customer outside their partition: a pointer in it lets their erase delete it too.
        tx.put(
            {"pk": keys.customer_pk(activity.customer_id), "sk": keys.schedule_pointer_sk(schedule_pk),
             "kind": SCHEDULE_POINTER_KIND, "schedule_pk": schedule_pk, "expires_at": expires}
        )  # fmt: skip
        stage_not_erased(tx, activity.customer_id)  # never an entry for a customer erased since the change
        try:
            tx.commit()
        except CustomerErased:
            return


@dataclass
class SweepResult:
    buckets: int = 0
    checked: int = 0
    reminded: list[str] = field(default_factory=list)  # customer ids
    skipped: dict[str, int] = field(default_factory=dict)  # reason -> count


class ReminderSweep:
    def __init__(
        self,
        table: Table,
        *,
        idle: timedelta,
        clock: Callable[[], datetime],
        catalog: Catalog | None = None,
        seller_name: str = "voicecart",
    ) -> None:
        self.table = table
        self.idle = idle
        self.clock = clock
        self.catalog = catalog
        self.seller_name = seller_name

    def run(self) -> SweepResult:
        now = self.clock()
        result = SweepResult()
        state_key = {"pk": keys.REMINDER_STATE_PK, "sk": keys.REMINDER_STATE_SK}
        state = self.table.get(state_key)
        swept = _parse(str(state["swept_through"])) if state and state.get("swept_through") else None
        start = swept + BUCKET if swept else bucket_start(now - FIRST_LOOKBACK)
        start = max(start, bucket_start(now - MAX_CATCH_UP))
        bucket = start
        last_done: datetime | None = None
        while bucket + BUCKET <= now:
            for shard in range(keys.SCHEDULE_SHARDS):
                due = self.table.query_all("pk = :pk", values={":pk": keys.schedule_pk(_bucket_name(bucket), shard)})
                for item in due:
                    if item.get("kind") == SCHEDULE_KIND:
                        result.checked += 1
                        self._check(str(item["customer_id"]), now, result)
            result.buckets += 1
            last_done = bucket
            bucket += BUCKET
        if last_done is not None:
            self.table.put({**state_key, "kind": "reminder_sweep", "swept_through": last_done.isoformat()})
        return result

    def check(self, customer_id: str) -> SweepResult:
        """Apply the rule to one customer now (what the sweep does for each scheduled customer)."""
        result = SweepResult(checked=1)
        self._check(customer_id, self.clock(), result)
        return result

    def _check(self, customer_id: str, now: datetime, result: SweepResult) -> None:
        reason = self._remind(customer_id, now)
        if reason is None:
            result.reminded.append(customer_id)
        else:
            result.skipped[reason] = result.skipped.get(reason, 0) + 1

    def _remind(self, customer_id: str, now: datetime) -> str | None:
        """None when a reminder was written, else why not."""
        cart = cart_from_item(customer_id, self.table.get(cart_key(customer_id)))
        if cart.is_empty:
            return "empty"
        changed = _parse(cart.updated_at)
        if changed is not None and now - changed < self.idle:
            return "active"
        if not consents_to_marketing_email(load_profile(self.table, customer_id)):
            return "no_consent"
        episode = min((line.added_at for line in cart.lines if line.added_at), default=cart.updated_at) or "unknown"
        at = format_timestamp(now)
        message_id = f"cart-reminder-{safe_name(episode)}"
        tx = Transaction(self.table)
        tx.put(
            {"pk": keys.customer_pk(customer_id), "sk": keys.reminder_sk(episode), "kind": REMINDER_KIND,
             "episode": episode, "cart_version": cart.version, "message_id": message_id, "reminded_at": at},
            condition="attribute_not_exists(pk)",
            conflict=AlreadyApplied,
        )  # fmt: skip
        tx.put(
            outbox_item(
                customer_id,
                message_id=message_id,
                created_at=at,
                template=TEMPLATE,
                subject=f"You left these in your cart at {self.seller_name}",
                body=self._body(cart),
                order_id="",
            )
        )
        stage_not_erased(tx, customer_id)  # the cart was read before an erase that has since swept it
        try:
            tx.commit()
        except AlreadyApplied:
            return "already_reminded"
        except CustomerErased:
            return "erased"
        log.info("cart reminder queued", extra={"cart_version": cart.version})
        return None

    def _body(self, cart: Cart) -> str:
        lines = []
        for line in cart.lines:
            product = self.catalog.find(line.product_id) if self.catalog else None
            name = product.name if product else f"product {line.product_id}"
            lines.append(f"{line.quantity} x {name}")
        return "\n".join(
            [
                "You left these in your cart:",
                "",
                *lines,
                "",
                'Say "Alexa, open my grocer" or visit the shop to check out. They\'re still in your cart.',
            ]
        )
