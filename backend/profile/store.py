"""The profile store: stage or record events (idempotent, summary updated atomically), read the summary and events."""

from __future__ import annotations

import logging
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from backend.clock import Clock, utc_now
from backend.errors import AlreadyApplied, ConcurrentUpdate, ValidationError
from backend.profile.erasure import stage_not_erased
from backend.profile.events import Channel, Event, check_customer_id, format_timestamp
from backend.profile.pages import Position, decode_cursor, encode_cursor, query_fingerprint
from backend.profile.records import event_from_items, event_item, heard_item, marker_item, profile_key
from backend.profile.summary import CatchUp, ProfileSummary, build_profile_update, summary_from_item
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.retention import Retention, is_expired
from backend.store.schema import GSI1
from backend.store.transaction import Transaction

log = logging.getLogger(__name__)

MAX_PAGE = 100
DEFAULT_PAGE = 25
WRITE_ATTEMPTS = 5


@dataclass(frozen=True)
class StagedEvent:
    """What ``stage_event`` put on a transaction: the writes it staged and the catch-ups to run after commit."""

    event: Event
    writes: int
    catch_ups: tuple[CatchUp, ...]


@dataclass(frozen=True)
class EventWrite:
    event_id: str
    written: bool  # False: this event id was already written, nothing changed

    @property
    def status(self) -> str:
        return "written" if self.written else "already_written"


@dataclass(frozen=True)
class EventPage:
    events: tuple[Event, ...]
    next_cursor: str | None


def stage_event(tx: Transaction, event: Event, *, retention: Retention, now: datetime) -> StagedEvent:
    """Stage one event on the caller's transaction: 3 writes (4 with heard words) and the not-erased check, no reads.

    1. the ``EVENTID#`` marker, conditional on not existing: a repeat cancels the transaction as ``AlreadyApplied``;
    2. the event item (kept ``retention.events``); 3. the heard-words item (kept ``retention.heard_words``, never
    longer than its event); 4. one ``UpdateItem`` on ``PROFILE``, whose counters outlive the events.
    The caller's transaction must not touch ``PROFILE`` or these keys itself (DynamoDB: one item once per
    transaction).
    """
    # DynamoDB refuses a transaction that touches one item twice; saying so at staging time names the mistake (a
    # basket is ONE event with ``lines``, not one event per product).
    if tx.touches(profile_key(event.customer_id)):
        raise ValueError("one transaction can record one event per customer; put several products in Event.lines")
    update, catch_ups = build_profile_update(event, now=now)  # first: may refuse the event, nothing staged yet
    tx.put(
        marker_item(event, now=now, keep=retention.events),
        condition="attribute_not_exists(pk)",
        conflict=AlreadyApplied,
    )
    tx.put(event_item(event, keep=retention.events))
    writes = 3
    heard = heard_item(event, retention=min(retention.heard_words, retention.events), now=now)
    if heard is not None:
        tx.put(heard)
        writes += 1
    tx.update(profile_key(event.customer_id), update.expression(), names=update.names, values=update.values)
    stage_not_erased(tx, event.customer_id)  # a turn in flight during an erase writes nothing
    return StagedEvent(event=event, writes=writes, catch_ups=catch_ups)


class ProfileStore:
    def __init__(self, table: Table, *, retention: Retention | None = None, clock: Clock = utc_now) -> None:
        self.table = table
        self.retention = retention or Retention()
        self.clock = clock

    # --- writing ---------------------------------------------------------------------------------------------------

    def stage_event(self, tx: Transaction, event: Event) -> StagedEvent:
        return stage_event(tx, event, retention=self.retention, now=self.clock())

    def record_event(self, event: Event) -> EventWrite:
        """Write one event in its own transaction; a repeated event id changes nothing and reports so.

        A ``TransactionConflict`` (another writer on the same PROFILE item at that instant) is retried: the marker
        makes the retry safe.
        """
        for attempt in range(1, WRITE_ATTEMPTS + 1):
            tx = Transaction(self.table)
            staged = self.stage_event(tx, event)
            try:
                tx.commit()
            except AlreadyApplied:
                return EventWrite(event.event_id, written=False)
            except ConcurrentUpdate:
                if attempt == WRITE_ATTEMPTS:
                    raise
                time.sleep(random.uniform(0, 0.02 * attempt))  # noqa: S311 - jitter, not security
                continue
            self.apply_catch_ups(staged)
            return EventWrite(event.event_id, written=True)
        raise AssertionError("unreachable")  # pragma: no cover

    def apply_catch_ups(self, staged: StagedEvent) -> None:
        """Move "latest" fields forward for a backdated event (one conditional update each; none for live events)."""
        stamp = staged.event.timestamp
        for catch_up in staged.catch_ups:
            names = {"#f": catch_up.compare}
            values: dict[str, Any] = {":t": stamp}
            sets = ["#f = :t"]
            for index, (name, value) in enumerate(catch_up.extra.items()):
                names[f"#x{index}"] = name
                values[f":x{index}"] = value
                sets.append(f"#x{index} = :x{index}")
            try:
                self.table.update(
                    profile_key(staged.event.customer_id),
                    "SET " + ", ".join(sets),
                    # attribute_exists(pk): a catch-up moves fields of a profile, never recreates an erased one
                    condition="attribute_exists(pk) AND (attribute_not_exists(#f) OR #f < :t)",
                    names=names,
                    values=values,
                )
            except ConcurrentUpdate:
                continue  # already newer: nothing to do

    def ensure_customer(self, customer_id: str) -> bool:
        """Create the customer's PROFILE item if missing (True if created). Events create it too; this is for
        customers known before their first event (the demo customers)."""
        check_customer_id(customer_id)
        now = format_timestamp(self.clock())
        tx = Transaction(self.table)
        tx.put(
            {**profile_key(customer_id), "kind": "profile", "customer_id": customer_id, "created_at": now},
            condition="attribute_not_exists(pk)",
        )
        stage_not_erased(tx, customer_id)  # never an erased customer's profile again (CustomerErased)
        try:
            tx.commit()
        except ConcurrentUpdate:
            return False
        return True

    # --- reading ---------------------------------------------------------------------------------------------------

    def customer_exists(self, customer_id: str) -> bool:
        """Any item in the customer's partition (profile, cart, orders ...): one query of one item."""
        items, _ = self.table.query("pk = :pk", values={":pk": keys.customer_pk(customer_id)}, limit=1)
        return bool(items)

    def summary_item(self, customer_id: str) -> dict[str, Any] | None:
        return self.table.get(profile_key(customer_id))

    def summary(self, customer_id: str) -> ProfileSummary | None:
        item = self.summary_item(customer_id)
        return None if item is None else summary_from_item(item, customer_id)

    def events(
        self,
        customer_id: str,
        *,
        channel: Channel | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        limit: int = DEFAULT_PAGE,
        cursor: str | None = None,
        newest_first: bool = True,
    ) -> EventPage:
        """One page of events, by time, optionally on one channel (gsi1); ``since`` inclusive, ``until`` exclusive."""
        if isinstance(limit, bool) or not 1 <= limit <= MAX_PAGE:
            raise ValidationError(f"limit must be 1..{MAX_PAGE}", field="limit")
        low = format_timestamp(since) if since else "0000"
        high = format_timestamp(until) if until else "9999"
        if low > high:
            raise ValidationError("since is after until", field="since")
        pk = keys.customer_pk(customer_id)
        fingerprint = query_fingerprint(customer_id, channel, low, high, str(newest_first))
        start: dict[str, Any] | None = None
        if cursor:
            start = self._start_key(
                decode_cursor(cursor, fingerprint), pk=pk, customer_id=customer_id, channel=channel, low=low, high=high
            )
        if channel is None:
            query: dict[str, Any] = {
                "key_condition": "pk = :pk AND sk BETWEEN :lo AND :hi",
                "values": {":pk": pk, ":lo": keys.EVENT_PREFIX + low, ":hi": keys.EVENT_PREFIX + high},
            }
        else:
            query = {
                "key_condition": "gsi1pk = :pk AND gsi1sk BETWEEN :lo AND :hi",
                "values": {":pk": keys.channel_gsi1pk(customer_id, channel), ":lo": low, ":hi": high},
                "index": GSI1.name,
            }
        groups, position = self._collect(query, limit=limit, forward=not newest_first, start=start)
        now = self.clock()
        # An event past its retention is not shown even while TTL has yet to delete it (DynamoDB's TTL lags).
        events = tuple(
            event_from_items(parts["event"], parts.get("heard"), now=now)
            for parts in groups.values()
            if "event" in parts and not is_expired(parts["event"], now)
        )
        next_cursor = encode_cursor(position, fingerprint) if position else None
        return EventPage(events=events, next_cursor=next_cursor)

    def _collect(
        self, query: Mapping[str, Any], *, limit: int, forward: bool, start: dict[str, Any] | None
    ) -> tuple[dict[str, dict[str, dict[str, Any]]], Position | None]:
        """Gather ``limit`` whole events (an event and its heard-words item are adjacent in key order); the position
        is the last item of the last whole event, or None when the query is exhausted."""
        groups: dict[str, dict[str, dict[str, Any]]] = {}
        last: dict[str, Any] | None = None
        while True:
            items, more = self.table.query(
                query["key_condition"],
                values=query["values"],
                index=query.get("index"),
                forward=forward,
                limit=2 * limit + 2,
                start_key=start,
            )
            for item in items:
                event_id = str(item.get("event_id", ""))
                if event_id not in groups:
                    if len(groups) == limit:
                        assert last is not None
                        return groups, Position(sk=last["sk"], gsi1sk=last.get("gsi1sk") if "index" in query else None)
                    groups[event_id] = {}
                groups[event_id][str(item.get("kind"))] = item
                last = item
            if more is None:
                return groups, None
            start = more

    @staticmethod
    def _start_key(
        position: Position, *, pk: str, customer_id: str, channel: Channel | None, low: str, high: str
    ) -> dict[str, Any]:
        invalid = ValidationError("cursor is not valid for this query", field="cursor")
        # The key must lie inside the query's range, or DynamoDB refuses the query (a store error, not a 4xx).
        if not position.sk.startswith(keys.EVENT_PREFIX):
            raise invalid
        stamp = position.sk.removeprefix(keys.EVENT_PREFIX)
        if channel is None:
            if position.gsi1sk is not None or not low <= stamp <= high + "\uffff":
                raise invalid
            return {"pk": pk, "sk": position.sk}
        gsi1sk = position.gsi1sk
        if gsi1sk is None or not low <= gsi1sk <= high + "\uffff" or position.sk != keys.EVENT_PREFIX + gsi1sk:
            raise invalid
        return {"pk": pk, "sk": position.sk, "gsi1pk": keys.channel_gsi1pk(customer_id, channel), "gsi1sk": gsi1sk}
