"""Merge two profiles of one person (an anonymous web profile found to be a known customer, two accounts): everything
of ``source`` moves to ``target``, then ``source`` is erased, and ``target`` keeps a merge record saying what moved.

What moves, in this order (each step is safe to repeat, so a merge that failed half-way is finished by running it
again):

1. **events**, oldest first, each re-recorded for ``target`` through ``ProfileStore.record_event``: the target's
   summary counts them exactly as if they had happened there, and the event ids keep them written once;
2. **orders** and their lines (items copied under the target's key, never over an order the target has), and the
   imported-history statistics added to the target's;
3. **the cart**: the source's lines added to the target's cart (one cart change; a line that does not fit the
   target's limits is named in the record as dropped);
4. **identities**: every lookup item re-pointed at ``target`` and its reverse item moved, so every id of the source
   (Alexa, web, app, e-mail, loyalty card) now finds the target;
5. the source is **erased** (``CustomerData.delete``): nothing of it remains but the record's mention of its id.

The record is the item ``pk = CUST#<target>, sk = MERGE#<time>#<source>`` (exported and erased with the target).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from backend.clock import Clock, utc_now
from backend.errors import ConcurrentUpdate, CustomerNotFound, ValidationError
from backend.profile.erasure import put_unless_erased, stage_not_erased
from backend.profile.events import check_customer_id, format_timestamp
from backend.profile.privacy import CustomerData
from backend.profile.store import MAX_PAGE, ProfileStore
from backend.shopping.model import Cart
from backend.shopping.purchases import order_stats_key
from backend.shopping.service import Shopping
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

MERGE_PREFIX = "MERGE#"
MERGE_KIND = "merge"


@dataclass(frozen=True, slots=True)
class MergeRecord:
    source: str
    target: str
    merged_at: str
    events: int
    orders: int
    cart_lines: int
    cart_lines_dropped: tuple[str, ...]
    identities: tuple[str, ...]  # "<kind>:<stored value>" of every id moved
    erased: int  # items of the source deleted at the end

    def to_json(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "target": self.target,
            "merged_at": self.merged_at,
            "moved": {
                "events": self.events,
                "orders": self.orders,
                "cart_lines": self.cart_lines,
                "identities": list(self.identities),
            },
            "cart_lines_dropped": list(self.cart_lines_dropped),
            "source_items_erased": self.erased,
        }


def _merged_stats(mine: Mapping[str, Any] | None, theirs: Mapping[str, Any]) -> str:
    """Two imported-history product strings (``id:count:day;...``) as one: counts add, the later day stays."""
    merged: dict[str, tuple[int, str]] = {}
    for item in (mine or {}, theirs):
        for entry in str(item.get("products") or "").split(";"):
            parts = entry.rsplit(":", 2)
            if len(parts) != 3 or not parts[1].isdigit():
                continue
            product_id, count, day = parts
            known = merged.get(product_id, (0, day))
            merged[product_id] = (known[0] + int(count), max(known[1], day))
    return ";".join(f"{pid}:{count}:{day}" for pid, (count, day) in sorted(merged.items()))


class ProfileMerger:
    def __init__(self, table: Table, *, profiles: ProfileStore, shopping: Shopping, clock: Clock = utc_now) -> None:
        self.table = table
        self.profiles = profiles
        self.shopping = shopping
        self.clock = clock

    def merge(self, source: str, target: str) -> MergeRecord:
        check_customer_id(source)
        check_customer_id(target)
        if source == target:
            raise ValidationError("a profile cannot be merged into itself", field="source")
        for customer_id in (source, target):
            if not self.profiles.customer_exists(customer_id):
                raise CustomerNotFound("no such customer")
        events = self._move_events(source, target)
        orders = self._move_orders(source, target)
        cart_lines, dropped = self._move_cart(source, target)
        identities = self._move_identities(source, target)
        erased = CustomerData(self.table, clock=self.clock).delete(source).total
        record = MergeRecord(
            source, target, format_timestamp(self.clock()), events, orders, cart_lines, dropped, identities, erased
        )
        put_unless_erased(
            self.table, target,
            {"pk": keys.customer_pk(target), "sk": f"{MERGE_PREFIX}{record.merged_at}#{source}",
             "kind": MERGE_KIND, **record.to_json()},
        )  # fmt: skip
        return record

    def _move_events(self, source: str, target: str) -> int:
        moved = 0
        cursor: str | None = None
        while True:
            page = self.profiles.events(source, limit=MAX_PAGE, cursor=cursor, newest_first=False)
            for event in page.events:
                if self.profiles.record_event(replace(event, customer_id=target)).written:
                    moved += 1
            if page.next_cursor is None:
                return moved
            cursor = page.next_cursor

    def _move_orders(self, source: str, target: str) -> int:
        items = self.table.query_all(
            "pk = :pk AND begins_with(sk, :o)", values={":pk": keys.customer_pk(source), ":o": "ORDER#"}
        )
        moved = 0
        for item in items:
            copy = {**item, "pk": keys.customer_pk(target)}
            if "customer_id" in copy:
                copy["customer_id"] = target
            try:
                put_unless_erased(self.table, target, copy, condition="attribute_not_exists(pk)")
            except ConcurrentUpdate:
                continue  # the target has this order (or this line) already
            moved += "#LINE#" not in str(item["sk"])
        stats = self.table.get(order_stats_key(source))
        if stats is not None:
            mine = self.table.get(order_stats_key(target))
            put_unless_erased(
                self.table, target,
                {**(mine or stats), **order_stats_key(target),
                 "orders": int((mine or {}).get("orders", 0)) + int(stats.get("orders", 0)),
                 "products": _merged_stats(mine, stats)}
            )  # fmt: skip
        self.shopping.rebuild_order_summary(target)  # the target's history questions now count the moved orders
        return moved

    def _move_cart(self, source: str, target: str) -> tuple[int, tuple[str, ...]]:
        lines = self.shopping.cart(source).lines
        if not lines:
            return 0, ()
        dropped: list[str] = []

        def add(current: Cart) -> Cart:
            dropped.clear()
            for line in lines:
                try:
                    current = current.with_added(line.product_id, line.quantity, channel=line.channel, at=line.added_at)
                except ValidationError:
                    dropped.append(line.product_id)
            return current

        self.shopping.change_cart(target, add, request_id=f"merge-{source}-cart", channel=lines[0].channel)
        return len(lines) - len(dropped), tuple(dropped)

    def _move_identities(self, source: str, target: str) -> tuple[str, ...]:
        reverse = self.table.query_all(
            "pk = :pk AND begins_with(sk, :i)", values={":pk": keys.customer_pk(source), ":i": "IDENT#"}
        )
        moved = []
        for item in reverse:
            lookup_pk = item.get("lookup_pk")
            if not lookup_pk:
                continue
            lookup = self.table.get({"pk": lookup_pk, "sk": keys.IDENT})
            # One transaction with the not-erased check: an id never moves to a target erased meanwhile.
            tx = Transaction(self.table)
            if lookup is not None and lookup.get("customer_id") in (source, target):
                tx.put({**lookup, "customer_id": target})
            tx.put({**item, "pk": keys.customer_pk(target)})
            tx.delete({"pk": item["pk"], "sk": item["sk"]})
            stage_not_erased(tx, target)
            tx.commit()
            moved.append(f"{item.get('id_kind')}:{item.get('value')}")
        return tuple(moved)
