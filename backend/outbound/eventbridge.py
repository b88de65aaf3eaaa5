"""Outbound events on an Amazon EventBridge bus, for AWS users who route events with rules instead of webhooks.

Each event is one ``PutEvents`` entry: ``Source = "voicecart"``, ``DetailType`` = the event type
(``order.placed``, ``cart.updated``, ``event.add_to_cart``), ``Detail`` = the same JSON body a webhook receives.
Like every delivery it is claimed once in the ledger; a refused entry releases the claim and fails the record, so
it is retried. EventBridge adds no ordering or exactly-once promise of its own: rules should treat the body's
``id`` as the idempotency key.
"""

from __future__ import annotations

from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from backend.outbound.errors import DeliveryFailed
from backend.outbound.ledger import DeliveryLedger
from backend.outbound.translate import OutboundEvent
from backend.outbound.webhooks import body_of

SOURCE = "voicecart"
TARGET = "eventbridge"


class EventBridgePublisher:
    def __init__(self, client: Any, *, bus_name: str, ledger: DeliveryLedger) -> None:
        self.client = client
        self.bus_name = bus_name
        self.ledger = ledger

    def dispatch(self, event: OutboundEvent) -> int:
        if not self.ledger.claim(event.customer_id, TARGET, event.event_id):
            return 0
        try:
            response = self.client.put_events(
                Entries=[
                    {
                        "Source": SOURCE,
                        "DetailType": event.type,
                        "Detail": body_of(event).decode(),
                        "EventBusName": self.bus_name,
                    }
                ]
            )
        except (ClientError, BotoCoreError) as exc:
            self.ledger.release(event.customer_id, TARGET, event.event_id)
            raise DeliveryFailed(f"eventbridge put_events: {type(exc).__name__}") from exc
        if response.get("FailedEntryCount"):
            self.ledger.release(event.customer_id, TARGET, event.event_id)
            code = (response.get("Entries") or [{}])[0].get("ErrorCode", "failed")
            raise DeliveryFailed(f"eventbridge refused the event: {code}")
        entry_id = (response.get("Entries") or [{}])[0].get("EventId")
        self.ledger.complete(event.customer_id, TARGET, event.event_id, "published", reference=entry_id)
        return 1


class FanOut:
    """Several event dispatchers as one (webhooks and EventBridge)."""

    def __init__(self, *dispatchers: Any) -> None:
        self.dispatchers = dispatchers

    def dispatch(self, event: OutboundEvent) -> int:
        return sum(dispatcher.dispatch(event) for dispatcher in self.dispatchers)
