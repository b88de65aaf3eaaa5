"""Sending one outbox e-mail exactly once: re-read the outbox item, claim the delivery, send, record the outcome.

The outbox item is read again (consistently) before sending: a message whose item is gone (the customer was
erased) or no longer pending is not sent. After a send the item's ``state`` becomes ``sent`` (or ``no_address``)
with the channel's reference; a failed send releases the claim and raises, so the stream record is retried.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from backend.errors import ConcurrentUpdate
from backend.outbound.errors import DeliveryFailed
from backend.outbound.ledger import DeliveryLedger
from backend.outbound.mail import OutboundEmail, compose
from backend.outbound.mailers import Mailer
from backend.outbound.recipients import email_address
from backend.profile.events import format_timestamp
from backend.store import keys
from backend.store.dynamo import Table

log = logging.getLogger(__name__)

TARGET = "email"
SENT = "sent"
NO_ADDRESS = "no_address"
SKIPPED = "skipped"
DUPLICATE = "duplicate"


@dataclass(frozen=True)
class EmailOutcome:
    message_id: str
    outcome: str  # sent | no_address | skipped (outbox item gone or not pending) | duplicate (sent before)
    reference: str | None = None


class EmailDelivery:
    def __init__(
        self, table: Table, mailer: Mailer, *, sender: str, ledger: DeliveryLedger, clock: Callable[[], datetime]
    ) -> None:
        self.table = table
        self.mailer = mailer
        self.sender = sender
        self.ledger = ledger
        self.clock = clock

    def deliver(self, message: OutboundEmail) -> EmailOutcome:
        customer = message.customer_id
        if message.outbox_sk is not None:
            current = self.table.get({"pk": keys.customer_pk(customer), "sk": message.outbox_sk})
            if current is None or current.get("state") != "pending":
                return EmailOutcome(message.message_id, SKIPPED)
        if not self.ledger.claim(customer, TARGET, message.message_id):
            return EmailOutcome(message.message_id, DUPLICATE)
        try:
            recipient = email_address(self.table, customer)
            if recipient is None and self.mailer.needs_recipient:
                outcome = EmailOutcome(message.message_id, NO_ADDRESS)
                log.warning("outbound e-mail not sent: no address", extra={"message_id": message.message_id})
            else:
                mime = compose(message, sender=self.sender, recipient=recipient)
                reference = self.mailer.send(mime, message_id=message.message_id)
                outcome = EmailOutcome(message.message_id, SENT, reference)
        except BaseException:
            self.ledger.release(customer, TARGET, message.message_id)
            raise
        self.ledger.complete(customer, TARGET, message.message_id, outcome.outcome, reference=outcome.reference)
        self._mark_outbox(message, outcome)
        log.info("outbound e-mail %s", outcome.outcome, extra={"message_id": message.message_id})
        return outcome

    def _mark_outbox(self, message: OutboundEmail, outcome: EmailOutcome) -> None:
        if message.outbox_sk is None:
            return
        values = {":state": outcome.outcome, ":at": format_timestamp(self.clock())}
        expression = "SET #state = :state, sent_at = :at"
        if outcome.reference:
            expression += ", sent_ref = :ref"
            values[":ref"] = outcome.reference
        try:
            # The pending-state index keys go too: outbox messages are found through the stream, not an index.
            self.table.update(
                {"pk": keys.customer_pk(message.customer_id), "sk": message.outbox_sk},
                expression + " REMOVE gsi1pk, gsi1sk",
                condition="attribute_exists(pk)",
                names={"#state": "state"},
                values=values,
            )
        except ConcurrentUpdate:
            log.info("outbox item gone before it was marked sent", extra={"message_id": message.message_id})


__all__ = ["DeliveryFailed", "EmailDelivery", "EmailOutcome"]
