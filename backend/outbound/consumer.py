"""The stream consumer: DynamoDB Streams records in, outbound messages out. The Lambda on the table's stream and
the background worker beside the embedded store both call ``StreamConsumer.handle``.

Records are handled in order. The first record whose work fails (a store or channel error, or anything unforeseen,
logged with its trace) stops the batch: it and everything after it are reported as failed, so the caller retries
from there (Lambda: ``batchItemFailures`` with ``ReportBatchItemFailures``; the worker: it does not move its
checkpoint past it). Records already handled are safe to see again: every delivery is claimed once (``ledger``).

The consumer follows the tombstone rule every stream consumer must (``backend.profile.erasure``): a record of a
customer who has a tombstone is dropped unhandled, whenever it was written. A batch read before an erase and
handled after it (a Lambda's batching window, a retried batch, a worker catching up) sends nothing of the erased
customer: no webhook, no event, no e-mail, no reminder. ``erased`` answers "is this customer erased?" (a tombstone
read, asked once per customer per batch).
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from backend.errors import StoreError
from backend.outbound.emailing import EmailDelivery
from backend.outbound.errors import DeliveryFailed
from backend.outbound.records import Change, parse_record
from backend.outbound.translate import CartActivity, OutboundEvent, work_for
from backend.profile.erasure import customer_of_record, is_tombstone_record

log = logging.getLogger(__name__)


class EventDispatcher(Protocol):
    def dispatch(self, event: OutboundEvent) -> int: ...


class CartScheduler(Protocol):
    def schedule(self, activity: CartActivity) -> None: ...


@dataclass
class BatchResult:
    records: int = 0
    emails: dict[str, int] = field(default_factory=dict)  # outcome -> count
    webhook_deliveries: int = 0
    carts_scheduled: int = 0
    dropped_erased: int = 0  # records of erased customers, dropped unhandled
    failed: list[str] = field(default_factory=list)  # sequence numbers, from the first failure on
    last_handled: str | None = None  # sequence number of the last record handled in full

    def lambda_response(self) -> dict[str, Any]:
        """The partial-batch answer Lambda reads when the mapping reports item failures."""
        return {"batchItemFailures": [{"itemIdentifier": number} for number in self.failed[:1]]}


class StreamConsumer:
    def __init__(
        self,
        *,
        email: EmailDelivery | None,
        events: EventDispatcher | None = None,
        carts: CartScheduler | None = None,
        on_subscriptions_changed: Callable[[], None] | None = None,
        erased: Callable[[str], bool] | None = None,
    ) -> None:
        self.email = email
        self.events = events
        self.carts = carts
        self.on_subscriptions_changed = on_subscriptions_changed
        self.erased = erased

    def handle(self, records: Iterable[Mapping[str, Any]]) -> BatchResult:
        result = BatchResult()
        pending = list(records)
        result.records = len(pending)
        erased_in_batch: dict[str, bool] = {}
        for index, record in enumerate(pending):
            change = parse_record(record)
            try:
                if self._of_erased(record, erased_in_batch):
                    result.dropped_erased += 1
                else:
                    self._handle(change, result)
            except (StoreError, DeliveryFailed) as exc:
                log.warning(
                    "outbound: record failed, retrying from it",
                    extra={"sequence_number": change.sequence_number, "error": type(exc).__name__, "reason": str(exc)},
                )
            except Exception:  # an unforeseen failure is this record's, not the whole batch's
                log.exception("outbound: record failed unexpectedly", extra={"sequence_number": change.sequence_number})
            else:
                result.last_handled = change.sequence_number
                continue
            result.failed = [parse_record(r).sequence_number for r in pending[index:]]
            return result
        return result

    def _of_erased(self, record: Mapping[str, Any], erased_in_batch: dict[str, bool]) -> bool:
        owner = customer_of_record(record)
        if self.erased is None or owner is None or is_tombstone_record(record):
            return False
        if owner not in erased_in_batch:
            erased_in_batch[owner] = self.erased(owner)
        return erased_in_batch[owner]

    def _handle(self, change: Change, result: BatchResult) -> None:
        work = work_for(change)
        if not work:
            return
        if work.subscriptions_changed and self.on_subscriptions_changed is not None:
            self.on_subscriptions_changed()
        if self.email is not None:
            for message in work.emails:
                outcome = self.email.deliver(message)
                result.emails[outcome.outcome] = result.emails.get(outcome.outcome, 0) + 1
        if self.events is not None:
            for event in work.events:
                result.webhook_deliveries += self.events.dispatch(event)
        if self.carts is not None:
            for activity in work.carts:
                self.carts.schedule(activity)
                result.carts_scheduled += 1
