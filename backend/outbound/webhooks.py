"""Delivering one event to one subscriber: signed POSTs, retried with exponential backoff and full jitter, and a
dead-letter record after the last try.

A delivery succeeds on any 2xx answer. Anything else (an error status, a timeout, a refused connection) is tried
again, up to ``attempts`` tries in all, waiting ``uniform(0, min(max_delay, base_delay * 2**n))`` seconds before
try ``n + 1`` ("full jitter": retries from many senders spread out instead of arriving together). Redirects are not
followed (a subscription names its final URL). Each try is signed afresh, so its timestamp is current.

Dead letters are kept in the customer's partition (``WHDEAD#<subscription>#<event id>``, with the payload, the
tries and the last answer), so erasing a customer erases them; gsi1 lists them per subscription.
"""

from __future__ import annotations

import json
import logging
import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import requests

from backend.errors import CustomerErased
from backend.outbound.ledger import DeliveryLedger
from backend.outbound.signing import SIGNATURE_HEADER, signature_header
from backend.outbound.subscriptions import Subscription, SubscriptionDirectory
from backend.outbound.translate import OutboundEvent
from backend.profile.erasure import put_unless_erased
from backend.profile.events import format_timestamp
from backend.store import keys
from backend.store.dynamo import Table

log = logging.getLogger(__name__)

DEAD_LETTER_KIND = "webhook_dead_letter"
EVENT_ID_HEADER = "Voicecart-Event-Id"
EVENT_TYPE_HEADER = "Voicecart-Event-Type"
DELIVERED = "delivered"
DEAD_LETTERED = "dead_lettered"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 5
    base_delay: float = 0.5
    max_delay: float = 8.0
    timeout: float = 5.0

    def delay(self, retry: int, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry`` (1-based): full jitter over the capped exponential."""
        return rng.uniform(0.0, min(self.max_delay, self.base_delay * 2 ** (retry - 1)))


@dataclass(frozen=True)
class Attempts:
    delivered: bool
    tries: int
    last_status: int | None
    last_error: str | None


def body_of(event: OutboundEvent) -> bytes:
    return json.dumps(event.payload(), separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


class WebhookSender:
    def __init__(
        self,
        *,
        session: requests.Session | None = None,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        rng: random.Random | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.session = session or requests.Session()
        self.policy = policy or RetryPolicy()
        self.sleep = sleep
        self.rng = rng or random.Random()  # noqa: S311 - jitter, not secrecy
        self.wall_clock = wall_clock

    def send(self, subscription: Subscription, event: OutboundEvent) -> Attempts:
        body = body_of(event)
        status: int | None = None
        error: str | None = None
        for attempt in range(1, self.policy.attempts + 1):
            if attempt > 1:
                self.sleep(self.policy.delay(attempt - 1, self.rng))
            headers = {
                "Content-Type": "application/json",
                "User-Agent": "voicecart-webhooks/1",
                EVENT_ID_HEADER: event.event_id,
                EVENT_TYPE_HEADER: event.type,
                SIGNATURE_HEADER: signature_header(subscription.secret, body, timestamp=int(self.wall_clock())),
            }
            try:
                response = self.session.post(
                    subscription.url, data=body, headers=headers, timeout=self.policy.timeout, allow_redirects=False
                )
            except requests.RequestException as exc:
                status, error = None, type(exc).__name__
                continue
            status, error = response.status_code, None
            response.close()
            if 200 <= status < 300:
                return Attempts(True, attempt, status, None)
        return Attempts(False, self.policy.attempts, status, error)


class WebhookDispatcher:
    """Every matching subscription gets the event once: claimed in the ledger, sent, then completed (delivered or
    dead-lettered). Returns how many deliveries were made."""

    def __init__(
        self,
        table: Table,
        directory: SubscriptionDirectory,
        sender: WebhookSender,
        *,
        ledger: DeliveryLedger,
        clock: Callable[[], datetime],
    ) -> None:
        self.table = table
        self.directory = directory
        self.sender = sender
        self.ledger = ledger
        self.clock = clock

    def dispatch(self, event: OutboundEvent) -> int:
        done = 0
        for subscription in self.directory.for_event(event.type, event.customer_id):
            target = f"webhook#{subscription.subscription_id}"
            if not self.ledger.claim(event.customer_id, target, event.event_id):
                continue
            try:
                attempts = self.sender.send(subscription, event)
                if not attempts.delivered:
                    self._dead_letter(subscription, event, attempts)
            except BaseException:
                self.ledger.release(event.customer_id, target, event.event_id)
                raise
            outcome = DELIVERED if attempts.delivered else DEAD_LETTERED
            self.ledger.complete(
                event.customer_id, target, event.event_id, outcome, tries=attempts.tries, status=attempts.last_status
            )
            log.info(
                "webhook %s",
                outcome,
                extra={
                    "subscription": subscription.subscription_id,
                    "event_id": event.event_id,
                    "tries": attempts.tries,
                },
            )
            done += 1
        return done

    def _dead_letter(self, subscription: Subscription, event: OutboundEvent, attempts: Attempts) -> None:
        at = format_timestamp(self.clock())
        item = {
            "pk": keys.customer_pk(event.customer_id),
            "sk": keys.dead_letter_sk(subscription.subscription_id, event.event_id),
            "gsi1pk": keys.dead_letter_gsi1pk(subscription.subscription_id),
            "gsi1sk": f"{at}#{event.event_id}",
            "kind": DEAD_LETTER_KIND,
            "subscription_id": subscription.subscription_id,
            "url": subscription.url,
            "event_id": event.event_id,
            "event_type": event.type,
            "payload": body_of(event).decode(),
            "tries": attempts.tries,
            "last_status": attempts.last_status,
            "last_error": attempts.last_error,
            "failed_at": at,
        }
        try:
            put_unless_erased(self.table, event.customer_id, item)  # a dead letter is the customer's data too
        except CustomerErased:
            return


def dead_letters(table: Table, subscription_id: str, *, limit: int = 50) -> list[dict[str, object]]:
    """A subscription's dead letters, newest first."""
    items, _ = table.query(
        "gsi1pk = :dead",
        values={":dead": keys.dead_letter_gsi1pk(subscription_id)},
        index="gsi1",
        forward=False,
        limit=limit,
    )
    return [item for item in items if item.get("kind") == DEAD_LETTER_KIND]
