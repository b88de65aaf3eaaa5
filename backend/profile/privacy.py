"""Privacy: export everything held about a customer as JSON, and delete all of it, with a receipt.

What a customer owns in the store:

* every item of the partition ``pk = CUST#<id>`` (profile, cart, events, heard words, EVENTID markers, orders and
  lines, identity reverse items, outbox messages, request markers, API grants, anything added later);
* the identity lookup items ``pk = IDENT#<kind>#<value>`` (found through the reverse items);
* its id in the ``customer_ids`` set of API clients scoped to it (found through the ``GRANT#`` items);
* its entries in the idle-cart reminder schedule ``pk = REMIND#...`` (found through the ``REMINDDUE#`` items).

Index entries (gsi1) are projections of these items, so they go with them. Deleting writes the customer's tombstone
first (``backend.profile.erasure``: nothing provisions the customer again from then on), removes the lookup items
(every access token and Alexa alias: nothing resolves to the customer any more), then the grants, then the
partition, and repeats the partition sweep until a consistent query finds nothing (an event written during the
deletion goes too). Then the tombstone records what went, and the customer's stream records are redacted where the
store allows it (moto in this process; elsewhere consumers follow the tombstone rule).
"""

from __future__ import annotations

import base64
import logging
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from backend.clock import Clock, utc_now
from backend.errors import ConcurrentUpdate, StoreUnavailable
from backend.profile.erasure import Tombstone, Tombstones, customer_of_record
from backend.profile.events import format_timestamp
from backend.profile.summary import summary_from_item
from backend.store import keys
from backend.store.codec import to_attribute_values
from backend.store.dynamo import Table, translate_errors

log = logging.getLogger(__name__)

BATCH = 25  # DynamoDB's BatchWriteItem limit
MAX_SWEEPS = 5
# (customer id, "does this stream record belong to them?") -> how many stream records were redacted
StreamRedactor = Callable[[Callable[[dict[str, Any]], bool], str], int]


def item_kind(sk: str) -> str:
    """The kind of an item of a customer partition, from its sort key (the receipt's and export's categories)."""
    if sk == keys.PROFILE:
        return "profile"
    if sk == keys.VOICE_CODE:
        return "voice_code"
    if sk == keys.ORDER_STATS:
        return "order_stats"
    if sk == keys.DEMO_MARKER:
        return "demo_marker"
    if sk == keys.CART or sk.startswith(keys.CART + "#"):
        return "cart"
    if sk.startswith(keys.EVENT_PREFIX):
        return "heard_words" if sk.endswith(keys.HEARD_SUFFIX) else "events"
    if sk.startswith("EVENTID#"):
        return "event_ids"
    if sk.startswith("ORDER#"):
        return "order_lines" if "#LINE#" in sk else "orders"
    if sk.startswith("IDENT#"):
        return "identities"
    if sk.startswith("OUTBOX#"):
        return "outbox"
    if sk.startswith("REQ#"):
        return "requests"
    if sk.startswith(keys.GRANT_PREFIX):
        return "api_grants"
    return "other"


def json_safe(value: Any) -> Any:
    """DynamoDB values as plain JSON: integral Decimals as int, others as strings (exact), sets as sorted lists."""
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() else str(value)
    if isinstance(value, Mapping):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, set | frozenset):
        return sorted(json_safe(item) for item in value)
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode()
    if hasattr(value, "value") and isinstance(value.value, bytes):  # boto3 Binary
        return base64.b64encode(value.value).decode()
    return value


@dataclass(frozen=True)
class DeletionReceipt:
    customer_id: str
    deleted_at: str
    counts: Mapping[str, int]  # by kind, plus "lookups" and "api_client_scopes"
    requested_by: str = ""
    stream_records_redacted: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    def to_json(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "deleted_at": self.deleted_at,
            "counts": dict(sorted(self.counts.items())),
            "total": self.total,
            "requested_by": self.requested_by,
            "stream_records_redacted": self.stream_records_redacted,
        }


class CustomerData:
    def __init__(self, table: Table, *, clock: Clock = utc_now, redact_stream: StreamRedactor | None = None) -> None:
        self.table = table
        self.clock = clock
        self.tombstones = Tombstones(table)
        self._redact_stream = redact_stream

    def tombstone(self, customer_id: str) -> Tombstone | None:
        return self.tombstones.get(customer_id)

    def partition(self, customer_id: str) -> list[dict[str, Any]]:
        return self.table.query_all("pk = :pk", values={":pk": keys.customer_pk(customer_id)}, consistent=True)

    def export(self, customer_id: str) -> dict[str, Any]:
        """Everything held about the customer, as JSON values: every item, grouped by kind, plus the summary."""
        items = self.partition(customer_id)
        grouped: dict[str, list[dict[str, Any]]] = {}
        profile = None
        for item in items:
            kind = item_kind(str(item["sk"]))
            if kind == "profile":
                profile = item
            grouped.setdefault(kind, []).append(json_safe(item))
        lookups = [
            json_safe(lookup)
            for lookup in (self.table.get({"pk": pk, "sk": keys.IDENT}) for pk in _lookup_pks(items))
            if lookup is not None
        ]
        return {
            "customer_id": customer_id,
            "exported_at": format_timestamp(self.clock()),
            "summary": summary_from_item(profile, customer_id).to_json() if profile else None,
            "items": grouped,
            "identity_lookups": lookups,
            "counts": {kind: len(entries) for kind, entries in sorted(grouped.items())},
        }

    def delete(self, customer_id: str, *, requested_by: str = "unknown") -> DeletionReceipt:
        """Delete every item about the customer (see the module docstring). Safe to repeat. ``requested_by`` names
        who asked (an API client id, or the support tool): it goes on the tombstone."""
        counts: Counter[str] = Counter()
        self.tombstones.begin(customer_id, at=format_timestamp(self.clock()), requested_by=requested_by)
        items = self.partition(customer_id)
        for pk in _lookup_pks(items):
            self._delete_lookup(pk, customer_id, counts)
        self._delete_elsewhere(items, customer_id, counts)
        for item in items:
            if item_kind(str(item["sk"])) == "api_grants" and item.get("client_pk"):
                self._remove_from_client(str(item["client_pk"]), customer_id, counts)
        for _ in range(MAX_SWEEPS):
            if not items:
                break
            self._batch_delete([{"pk": item["pk"], "sk": item["sk"]} for item in items])
            counts.update(item_kind(str(item["sk"])) for item in items)
            items = self.partition(customer_id)  # anything written meanwhile goes too
            for pk in _lookup_pks(items):
                self._delete_lookup(pk, customer_id, counts)
            self._delete_elsewhere(items, customer_id, counts)
        if items:
            raise StoreUnavailable("the customer's partition kept receiving writes during deletion")
        deleted_at = format_timestamp(self.clock())
        self.tombstones.complete(customer_id, at=deleted_at, counts=counts)
        redacted = 0
        if self._redact_stream is not None:
            redacted = self._redact_stream(lambda record: customer_of_record(record) == customer_id, customer_id)
        receipt = DeletionReceipt(customer_id, deleted_at, dict(counts), requested_by, redacted)
        log.info("deleted customer data: %s items, %s stream records redacted", receipt.total, redacted)
        return receipt

    def _delete_lookup(self, pk: str, customer_id: str, counts: Counter[str]) -> None:
        try:
            with translate_errors("delete_item"):
                self.table.client.delete_item(
                    TableName=self.table.name,
                    Key=to_attribute_values({"pk": pk, "sk": keys.IDENT}),
                    ConditionExpression="customer_id = :c",  # never another customer's link
                    ExpressionAttributeValues=to_attribute_values({":c": customer_id}),
                )
        except ConcurrentUpdate:
            return
        counts["lookups"] += 1

    def _delete_elsewhere(self, items: Iterable[Mapping[str, Any]], customer_id: str, counts: Counter[str]) -> None:
        """Items outside the partition that name the customer and have a pointer in it: their idle-cart reminder
        schedule entries (``pk = REMIND#...``, ``sk = CUST#<id>``)."""
        for item in items:
            if item.get("schedule_pk"):
                self._batch_delete([{"pk": str(item["schedule_pk"]), "sk": keys.customer_pk(customer_id)}])
                counts["reminder_schedule"] += 1

    def _remove_from_client(self, client_pk: str, customer_id: str, counts: Counter[str]) -> None:
        try:
            self.table.update(
                {"pk": client_pk, "sk": keys.APIKEY},
                "DELETE customer_ids :c",
                condition="attribute_exists(pk)",
                values={":c": {customer_id}},
            )
        except ConcurrentUpdate:
            return
        counts["api_client_scopes"] += 1

    def _batch_delete(self, item_keys: Iterable[Mapping[str, Any]]) -> None:
        requests = [{"DeleteRequest": {"Key": to_attribute_values(key)}} for key in item_keys]
        for start in range(0, len(requests), BATCH):
            pending: dict[str, Any] = {self.table.name: requests[start : start + BATCH]}
            for _ in range(8):
                with translate_errors("batch_write_item"):
                    response = self.table.client.batch_write_item(RequestItems=pending)
                pending = dict(response.get("UnprocessedItems") or {})
                if not pending:
                    break
            else:
                raise StoreUnavailable("batch delete left unprocessed items")


def _lookup_pks(items: Iterable[Mapping[str, Any]]) -> list[str]:
    return [str(item["lookup_pk"]) for item in items if item.get("lookup_pk")]
