"""Delivery markers: each message goes out once per target, however often its stream record is seen.

Before sending, a worker *claims* the message with a conditional put of ``DELIVERY#<target>#<message id>`` in the
customer's partition: it succeeds only if there is no marker, or an earlier claim's lease ran out without the send
being recorded (that worker died mid-send). After sending, the marker is completed with the outcome; after a failed
send it is released so the retried record can claim it again at once.

A worker that dies after its channel accepted the message but before completing the marker leaves a lease that
expires, and the message is sent again: no external channel (SES, SMTP, an HTTP receiver) can take part in our
condition. That window is one request long; webhooks carry a stable ``Voicecart-Event-Id`` so receivers can drop
such a repeat.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any

from backend.errors import ConcurrentUpdate, CustomerErased
from backend.profile.erasure import put_unless_erased
from backend.profile.events import format_timestamp
from backend.store import keys
from backend.store.dynamo import Table

DELIVERY_KIND = "delivery"
SENDING = "sending"
DEFAULT_LEASE = timedelta(minutes=5)
# Markers outlive any replay of the stream (24 hours) by a wide margin, then expire.
MARKER_RETENTION = timedelta(days=30)


class DeliveryLedger:
    def __init__(self, table: Table, *, clock: Callable[[], datetime], lease: timedelta = DEFAULT_LEASE) -> None:
        self.table = table
        self.clock = clock
        self.lease = lease

    def _key(self, customer_id: str, target: str, message_id: str) -> dict[str, str]:
        return {"pk": keys.customer_pk(customer_id), "sk": keys.delivery_sk(target, message_id)}

    def claim(self, customer_id: str, target: str, message_id: str) -> bool:
        """True when this caller should send now; False when the message was sent, or is being sent, already."""
        now = self.clock()
        item = {
            **self._key(customer_id, target, message_id),
            "kind": DELIVERY_KIND,
            "target": target,
            "message_id": message_id,
            "state": SENDING,
            "claimed_at": format_timestamp(now),
            "lease_until": int((now + self.lease).timestamp()),
            "expires_at": int((now + MARKER_RETENTION).timestamp()),
        }
        try:
            put_unless_erased(  # never a claim (nor so a send) for a customer erased since the record was read
                self.table,
                customer_id,
                item,
                condition="attribute_not_exists(pk) OR (#state = :sending AND lease_until < :now)",
                names={"#state": "state"},
                values={":sending": SENDING, ":now": int(now.timestamp())},
            )
        except (ConcurrentUpdate, CustomerErased):
            return False
        return True

    def complete(self, customer_id: str, target: str, message_id: str, outcome: str, **details: Any) -> None:
        names = {"#state": "state", **{f"#{name}": name for name in details}}
        values: dict[str, Any] = {":outcome": outcome, ":at": format_timestamp(self.clock())}
        assignments = ["#state = :outcome", "completed_at = :at"]
        for name, value in details.items():
            if value is not None:
                assignments.append(f"#{name} = :{name}")
                values[f":{name}"] = value
                continue
            names.pop(f"#{name}")
        try:
            self.table.update(
                self._key(customer_id, target, message_id),
                "SET " + ", ".join(assignments) + " REMOVE lease_until",
                # the claim is gone only when the customer was erased meanwhile: an update would recreate it
                condition="attribute_exists(pk)",
                names=names,
                values=values,
            )
        except ConcurrentUpdate:
            return

    def release(self, customer_id: str, target: str, message_id: str) -> None:
        """Give up a claim whose send failed, so the retried record sends it."""
        # An expired lease is what lets a claim take over, so ending the lease now releases the claim.
        try:
            self.table.update(
                self._key(customer_id, target, message_id), "SET lease_until = :zero",
                condition="#state = :sending", names={"#state": "state"}, values={":sending": SENDING, ":zero": 0},
            )  # fmt: skip
        except ConcurrentUpdate:
            return

    def state(self, customer_id: str, target: str, message_id: str) -> Mapping[str, Any] | None:
        return self.table.get(self._key(customer_id, target, message_id))
