"""Erasure that stays done: the tombstone of an erased customer, and the rule stream consumers follow.

A tombstone is one item ``pk = ERASED#<customer id>, sk = TOMBSTONE`` written when a privacy delete starts and
completed when it ends. It holds no personal data: the opaque customer id (needed to keep refusing it), when the
erase was asked for and finished, how many items of each kind went, and which API client (or support tool) asked.
No name, token, Alexa id, product, order or heard word.

Everything that could bring an erased customer back checks it: the demo's token provisioning refuses an erased
customer (``backend.demo``), and the erase itself revokes every access token and alias (their lookup items go first).
A turn already in flight when the erase begins (its token resolved, its state read) cannot write either: every
transaction that writes a customer's cart, events or links carries ``stage_not_erased``, a condition that the
tombstone does not exist, so its commit is refused whole with ``CustomerErased``. The tombstone is written before
the first delete, so a write either commits before it (and the sweep deletes it) or meets it (and is refused).

So does every other write that names a customer, since one that lands after the erase's last sweep would stay for
good: request markers (a wrong voice code's count has no cart write), the order summary, API idempotency
fingerprints, the voice code, API grants, a merge's writes into its target, the demo's history import (transactions
with the check, not ``BatchWriteItem``, which takes no condition) and its marker, and the outbound deliveries, dead
letters and reminders. A plain put goes through ``put_unless_erased``; an update that only changes an existing
item says ``attribute_exists(pk)`` instead (an update of a missing item creates it). ``tests/test_erase_write_points``
tries each one in the middle of an erase.

Stream consumers (the table streams NEW_AND_OLD_IMAGES): the tombstone's INSERT appears on the stream like any
item. The rule is **drop every record, held or arriving, of a customer who has a tombstone**:
``customer_of_record`` says whose a record is, ``drop_erased`` filters a batch against a set of erased ids, and
``Tombstones.erased_ids`` lists every tombstone (one gsi1 query) for a consumer that starts cold. On seeing a
tombstone record a consumer deletes what it has already stored about that customer.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from backend.errors import ConcurrentUpdate, CustomerErased
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

TOMBSTONE_KIND = "tombstone"
ERASING, ERASED = "erasing", "erased"


@dataclass(frozen=True, slots=True)
class Tombstone:
    customer_id: str
    requested_at: str
    requested_by: str
    status: str
    erased_at: str | None
    counts: Mapping[str, int]

    def to_json(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "requested_at": self.requested_at,
            "requested_by": self.requested_by,
            "status": self.status,
            "erased_at": self.erased_at,
            "counts": dict(sorted(self.counts.items())),
        }


def tombstone_key(customer_id: str) -> dict[str, str]:
    return {"pk": keys.tombstone_pk(customer_id), "sk": keys.TOMBSTONE}


def _from_item(item: Mapping[str, Any]) -> Tombstone:
    return Tombstone(
        customer_id=str(item["customer_id"]),
        requested_at=str(item["requested_at"]),
        requested_by=str(item.get("requested_by", "")),
        status=str(item.get("status", ERASING)),
        erased_at=str(item["erased_at"]) if item.get("erased_at") else None,
        counts={str(kind): int(count) for kind, count in dict(item.get("counts") or {}).items()},
    )


def stage_not_erased(tx: Transaction, customer_id: str) -> None:
    """Make ``tx`` apply only while ``customer_id`` has no tombstone (once per transaction; a repeat is a no-op)."""
    key = tombstone_key(customer_id)
    if tx.touches(key):
        return
    tx.check(key, "attribute_not_exists(pk)", conflict=CustomerErased)


def put_unless_erased(
    table: Table,
    customer_id: str,
    item: Mapping[str, Any],
    *,
    condition: str | None = None,
    names: Mapping[str, str] | None = None,
    values: Mapping[str, Any] | None = None,
) -> None:
    """Put ``item`` (about ``customer_id``) only while the customer has no tombstone: ``CustomerErased`` otherwise,
    with nothing written. A plain put after an erase's last sweep would bring the customer's data back for good;
    this is the same put in a transaction with the not-erased check (``condition`` failing is ``ConcurrentUpdate``,
    as for a plain conditional put)."""
    tx = Transaction(table)
    tx.put(item, condition=condition, names=names, values=values)
    stage_not_erased(tx, customer_id)
    tx.commit()


class Tombstones:
    def __init__(self, table: Table) -> None:
        self.table = table

    def begin(self, customer_id: str, *, at: str, requested_by: str) -> None:
        """Write the tombstone before anything is deleted (kept as it is when the erase is asked again)."""
        try:
            self.table.put(
                {**tombstone_key(customer_id), "kind": TOMBSTONE_KIND, "customer_id": customer_id,
                 "requested_at": at, "requested_by": requested_by, "status": ERASING,
                 "gsi1pk": keys.TOMBSTONES_GSI1PK, "gsi1sk": f"{at}#{customer_id}"},
                condition="attribute_not_exists(pk)",
            )  # fmt: skip
        except ConcurrentUpdate:
            return

    def complete(self, customer_id: str, *, at: str, counts: Mapping[str, int]) -> None:
        """Mark the erase done, adding this run's counts to any earlier run's."""
        before = self.get(customer_id)
        merged = dict(before.counts) if before else {}
        for kind, count in counts.items():
            merged[kind] = merged.get(kind, 0) + count
        self.table.update(
            tombstone_key(customer_id),
            "SET #s = :done, erased_at = :at, counts = :counts",
            condition="attribute_exists(pk)",
            names={"#s": "status"},
            values={":done": ERASED, ":at": at, ":counts": merged},
        )

    def get(self, customer_id: str) -> Tombstone | None:
        item = self.table.get(tombstone_key(customer_id))
        return None if item is None else _from_item(item)

    def is_erased(self, customer_id: str) -> bool:
        return self.table.get(tombstone_key(customer_id)) is not None

    def erased_ids(self) -> set[str]:
        items = self.table.query_all("gsi1pk = :p", values={":p": keys.TOMBSTONES_GSI1PK}, index="gsi1")
        return {str(item["customer_id"]) for item in items if item.get("kind") == TOMBSTONE_KIND}


def _record_pk(record: Mapping[str, Any]) -> str:
    data = record.get("dynamodb") or {}
    return str(((data.get("Keys") or {}).get("pk") or {}).get("S", ""))


def customer_of_record(record: Mapping[str, Any]) -> str | None:
    """The customer a DynamoDB stream record is about, or None (an API client, a catalog item ...).

    A customer's partition items say it in their key; identity lookup items (``IDENT#...``) in their image's
    ``customer_id``; a tombstone names the erased customer."""
    pk = _record_pk(record)
    if pk.startswith("CUST#"):
        return keys.customer_id_from_pk(pk)
    if pk.startswith("ERASED#"):
        return pk.removeprefix("ERASED#")
    if pk.startswith("IDENT#"):
        data = record.get("dynamodb") or {}
        for image in ("NewImage", "OldImage"):
            owner = ((data.get(image) or {}).get("customer_id") or {}).get("S")
            if owner:
                return str(owner)
    return None


def is_tombstone_record(record: Mapping[str, Any]) -> bool:
    """A record of a tombstone (how a consumer learns of an erasure): never dropped by the rule."""
    return _record_pk(record).startswith("ERASED#")


def drop_erased(records: Iterable[Mapping[str, Any]], erased: set[str]) -> Iterator[Mapping[str, Any]]:
    """The records a consumer may keep: every record not about an erased customer. Tombstone records pass, so the
    consumer learns of new erasures from the stream itself."""
    for record in records:
        owner = customer_of_record(record)
        if owner is None or owner not in erased or is_tombstone_record(record):
            yield record
