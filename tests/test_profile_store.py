"""The profile on the real store (moto): idempotent events, the summary kept by update expressions, heard words
that expire, events by channel and time with cursors, no lost increments under concurrency."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from backend.errors import AlreadyApplied, ValidationError
from backend.profile import Channel, Event, Outcome, ProfileStore, combine_stats, purchase_stats
from backend.profile.events import format_timestamp
from backend.resolver.purchases import PurchaseStats
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.retention import Retention
from backend.store.transaction import Transaction
from tests.support.clock import FakeClock as Clock

NOW = datetime(2026, 11, 22, 10, 5, tzinfo=UTC)


@pytest.fixture
def clock() -> Clock:
    return Clock(NOW)


@pytest.fixture
def profiles(table: Table, clock: Clock) -> ProfileStore:
    return ProfileStore(table, retention=Retention(heard_words=timedelta(days=30)), clock=clock)


def event(number: int, **changes: Any) -> Event:
    base = Event(
        event_id=f"ev-{number:04d}",
        customer_id="1285",
        channel=Channel.VOICE,
        type="voice_turn",
        occurred_at=NOW - timedelta(seconds=number),
        outcome=Outcome.ADDED,
        intent="AddToCartIntent",
        heard="organic hell milk",
        product_id="27845",
        product_name="Organic Whole Milk",
        confidence=Decimal("0.91"),
        locale="en-US",
        quantity=1,
        aisle="milk",
        department="dairy eggs",
    )
    return replace(base, **changes)


def partition(table: Table, customer_id: str = "1285") -> list[dict[str, Any]]:
    return table.query_all("pk = :pk", values={":pk": keys.customer_pk(customer_id)}, consistent=True)


def test_first_event_creates_the_profile_without_any_initialised_map(profiles: ProfileStore) -> None:
    assert profiles.record_event(event(1)).written
    summary = profiles.summary("1285")
    assert summary is not None
    assert summary.events == 1
    assert summary.last_channel == "voice"
    assert summary.aisles == {"milk": 2}
    assert summary.departments == {"dairy eggs": 2}
    favourite = summary.products[0]
    assert (favourite.product_id, favourite.name, favourite.count, favourite.preferred_quantity) == (
        "27845", "Organic Whole Milk", 1, 1,
    )  # fmt: skip


def test_a_repeated_event_id_is_written_once(profiles: ProfileStore, table: Table) -> None:
    first = profiles.record_event(event(1))
    before = partition(table)
    again = profiles.record_event(event(1, occurred_at=NOW, quantity=3))  # same id, other content
    assert first.status == "written" and again.status == "already_written"
    assert partition(table) == before


def test_stage_event_joins_the_callers_transaction(profiles: ProfileStore, table: Table) -> None:
    tx = Transaction(table)
    tx.put({"pk": keys.customer_pk("1285"), "sk": keys.CART, "lines": []})
    staged = profiles.stage_event(tx, event(1))
    assert staged.writes == 4  # marker, event, heard words, profile update
    assert len(tx) == 6  # and the check that the customer is not erased
    tx.commit()
    kinds = sorted(str(item.get("kind", item["sk"])) for item in partition(table))
    assert kinds == ["CART", "event", "event_id", "heard", "profile"]


def test_a_repeat_in_a_shared_transaction_cancels_all_of_it(profiles: ProfileStore, table: Table) -> None:
    profiles.record_event(event(1))
    tx = Transaction(table)
    tx.put({"pk": keys.customer_pk("1285"), "sk": keys.CART, "lines": ["x"]})
    profiles.stage_event(tx, event(1))
    with pytest.raises(AlreadyApplied):
        tx.commit()
    assert table.get({"pk": keys.customer_pk("1285"), "sk": keys.CART}) is None


def test_summary_counts_every_channel(profiles: ProfileStore) -> None:
    profiles.record_event(event(1, quantity=2))
    profiles.record_event(event(2, quantity=2))
    profiles.record_event(event(3, quantity=1))
    profiles.record_event(event(4, outcome=Outcome.DECLINED, product_id="1", product_name="Other"))
    profiles.record_event(
        event(5, channel=Channel.STORE, type="purchase", outcome=Outcome.PURCHASED, heard=None, product_id="24852",
              product_name="Banana", aisle="fresh fruits", department="produce", quantity=6)
    )  # fmt: skip
    profiles.record_event(
        event(6, channel=Channel.WEB, type="page_view", outcome=Outcome.VIEWED, heard=None, product_id="13176",
              aisle="fresh fruits", department="produce", quantity=None)
    )  # fmt: skip
    summary = profiles.summary("1285")
    assert summary is not None
    assert summary.events == 6
    assert {name: activity.events for name, activity in summary.channels.items()} == {"store": 1, "voice": 4, "web": 1}
    assert summary.aisles == {"milk": 6, "fresh fruits": 4}
    milk = summary.product("27845")
    assert milk is not None and milk.count == 3 and milk.preferred_quantity == 2 and milk.purchases == 0
    assert summary.product("1") is None  # a declined product is no favourite
    assert summary.product("13176") is None  # a view is an affinity, not a favourite
    banana = summary.product("24852")
    assert banana is not None and banana.purchases == 1
    assert summary.products[0].product_id == "24852"  # purchases rank first
    # Live events (all within LIVE_WINDOW of the clock) set the latest fields outright: the last written wins.
    assert summary.last_channel == "web"


def test_purchase_stats_come_from_every_channel(profiles: ProfileStore) -> None:
    bought = NOW - timedelta(days=3)
    profiles.record_event(event(1, channel=Channel.STORE, outcome=Outcome.PURCHASED, occurred_at=bought, heard=None))
    profiles.record_event(event(2, outcome=Outcome.ORDERED))
    summary = profiles.summary("1285")
    assert summary is not None
    stats = purchase_stats(summary, NOW)
    assert stats == {"27845": PurchaseStats(count=2, days_since_last=0.0)}
    merged = combine_stats(stats, {"27845": PurchaseStats(5, 10.0), "9": PurchaseStats(1, 40.0)})
    assert merged == {"27845": PurchaseStats(7, 0.0), "9": PurchaseStats(1, 40.0)}


def test_latest_fields_never_move_backwards(profiles: ProfileStore, clock: Clock) -> None:
    profiles.record_event(event(1, occurred_at=NOW))  # live voice turn
    old = NOW - timedelta(days=2)
    profiles.record_event(event(2, channel=Channel.STORE, occurred_at=old, heard=None, outcome=Outcome.PURCHASED))
    summary = profiles.summary("1285")
    assert summary is not None
    assert summary.last_channel == "voice" and summary.last_seen == format_timestamp(NOW)
    assert summary.channels["store"].last_seen == format_timestamp(old)  # filled: it was missing
    milk = summary.product("27845")
    assert milk is not None and milk.last_at == format_timestamp(NOW)
    # A backdated store purchase newer than the last store visit moves the store's fields forward.
    newer = NOW - timedelta(days=1)
    profiles.record_event(event(3, channel=Channel.STORE, occurred_at=newer, heard=None, outcome=Outcome.PURCHASED))
    summary = profiles.summary("1285")
    assert summary is not None
    assert summary.channels["store"].last_seen == format_timestamp(newer)
    assert summary.last_channel == "voice"
    milk = summary.product("27845")
    assert milk is not None and milk.last_purchased_at == format_timestamp(newer) and milk.purchases == 2


def test_heard_words_expire_but_the_event_stays(profiles: ProfileStore, table: Table, clock: Clock) -> None:
    profiles.record_event(event(1))
    heard = next(item for item in partition(table) if item.get("kind") == "heard")
    assert int(heard["expires_at"]) == int((event(1).occurred_at + timedelta(days=30)).timestamp())
    assert profiles.events("1285").events[0].heard == "organic hell milk"
    clock.now = NOW + timedelta(days=31)  # TTL deletion lags: the reader hides what has expired
    page = profiles.events("1285")
    assert page.events[0].heard is None
    assert page.events[0].product_id == "27845"
    assert profiles.summary("1285").products[0].count == 1  # type: ignore[union-attr]


def test_words_already_past_retention_are_not_stored(profiles: ProfileStore, table: Table) -> None:
    profiles.record_event(event(1, occurred_at=NOW - timedelta(days=45)))
    assert not [item for item in partition(table) if item.get("kind") == "heard"]


def test_events_by_channel_and_time_in_pages(profiles: ProfileStore) -> None:
    for number in range(1, 13):
        channel = Channel.WEB if number % 3 == 0 else Channel.VOICE
        heard = "words" if channel is Channel.VOICE and number % 2 else None
        profiles.record_event(event(number, channel=channel, heard=heard, occurred_at=NOW - timedelta(minutes=number)))

    def all_pages(**filters: Any) -> list[list[str]]:
        pages, cursor = [], None
        while True:
            page = profiles.events("1285", limit=3, cursor=cursor, **filters)
            pages.append([e.event_id for e in page.events])
            cursor = page.next_cursor
            if cursor is None:
                return pages

    voice = all_pages(channel=Channel.VOICE)
    assert voice == [["ev-0001", "ev-0002", "ev-0004"], ["ev-0005", "ev-0007", "ev-0008"], ["ev-0010", "ev-0011"]]
    every = [eid for page in all_pages() for eid in page]
    assert every == [f"ev-{n:04d}" for n in range(1, 13)]
    oldest_first = [eid for page in all_pages(newest_first=False, channel=Channel.WEB) for eid in page]
    assert oldest_first == ["ev-0012", "ev-0009", "ev-0006", "ev-0003"]
    window = all_pages(since=NOW - timedelta(minutes=6), until=NOW - timedelta(minutes=2))
    assert [eid for page in window for eid in page] == ["ev-0003", "ev-0004", "ev-0005", "ev-0006"]
    heard = [e.heard for e in profiles.events("1285", channel=Channel.VOICE, limit=100).events]
    assert heard == ["words", None, None, "words", "words", None, None, "words"]


def test_forged_or_reused_cursors_are_refused(profiles: ProfileStore) -> None:
    for number in range(1, 5):
        profiles.record_event(event(number))
    cursor = profiles.events("1285", limit=2).next_cursor
    assert cursor is not None
    with pytest.raises(ValidationError):
        profiles.events("1285", limit=2, cursor=cursor, channel=Channel.WEB)  # other filters
    with pytest.raises(ValidationError):
        profiles.events("9999", limit=2, cursor=cursor)  # other customer
    for forged in ("not-base64!", "eyJ2IjoxfQ", "A" * 2000):
        with pytest.raises(ValidationError):
            profiles.events("1285", limit=2, cursor=forged)
    with pytest.raises(ValidationError):
        profiles.events("1285", limit=0)


class SerializedClient:
    """moto's in-process backend is not thread-safe (measured: concurrent transact_write_items crash inside moto's
    deepcopy of the table), while DynamoDB applies each request atomically. One lock per *call* gives moto that
    per-request isolation and nothing more: a read-modify-write spread over two calls would still lose updates."""

    def __init__(self, client: Any) -> None:
        self._client = client
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            with self._lock:
                return attribute(*args, **kwargs)

        return call


def test_two_writers_lose_no_increment(table: Table, clock: Clock) -> None:
    profiles = ProfileStore(Table(SerializedClient(table.client), table.name), clock=clock)  # type: ignore[arg-type]
    per_thread = 12

    def write(prefix: str) -> None:
        for number in range(per_thread):
            profiles.record_event(event(number, event_id=f"{prefix}-{number}", heard=None))

    threads = [threading.Thread(target=write, args=(name,)) for name in ("a", "b")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    summary = profiles.summary("1285")
    assert summary is not None
    assert summary.events == 2 * per_thread
    assert summary.products[0].count == 2 * per_thread
    assert summary.aisles["milk"] == 2 * 2 * per_thread


def test_ensure_customer_is_idempotent(profiles: ProfileStore) -> None:
    assert not profiles.customer_exists("1285")
    assert profiles.ensure_customer("1285") is True
    assert profiles.ensure_customer("1285") is False
    assert profiles.customer_exists("1285")
    profiles.record_event(event(1))
    assert profiles.summary("1285").events == 1  # type: ignore[union-attr]


def test_a_basket_is_one_event_counting_every_product(profiles: ProfileStore, catalog: Any) -> None:
    from backend.profile.events import MAX_LINES, EventLine, normalise_label
    from backend.profile.summary import MAX_CLAUSES, MAX_EXPRESSION, build_profile_update

    one_per_aisle = {product.aisle: product for product in catalog if len(product.aisle) <= 64}
    products = list(one_per_aisle.values())[:MAX_LINES]  # the worst case: every line in another aisle
    lines = tuple(
        EventLine(p.id, 2, p.name[:200], normalise_label(p.aisle), normalise_label(p.department, field="department"))
        for p in products
    )
    basket = event(1, outcome=Outcome.ORDERED, product_id=None, product_name=None, quantity=None, aisle=None,
                   department=None, heard=None, lines=lines, order_id="20261122100500-abc")  # fmt: skip
    update, _ = build_profile_update(basket, now=NOW)
    assert len(update.expression()) <= MAX_EXPRESSION and update.clauses <= MAX_CLAUSES  # the largest cart fits
    assert profiles.record_event(basket).written
    summary = profiles.summary("1285")
    assert summary is not None
    assert len(summary.products) == MAX_LINES
    assert all(p.purchases == 1 and p.count == 1 for p in summary.products)
    assert sum(summary.aisles.values()) == 3 * MAX_LINES
    assert profiles.events("1285").events[0].lines == lines


def test_one_transaction_records_one_event_per_customer(profiles: ProfileStore, table: Table) -> None:
    tx = Transaction(table)
    profiles.stage_event(tx, event(1))
    with pytest.raises(ValueError, match="lines"):
        profiles.stage_event(tx, event(2))
    profiles.stage_event(tx, event(3, customer_id="2000"))  # another customer's profile is another item
    tx.commit()
    assert profiles.summary("2000").events == 1  # type: ignore[union-attr]
