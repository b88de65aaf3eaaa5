"""What expires, and when: every item kind that should go carries ``expires_at`` measured on the injected clock, from
the settings' retention; events past retention are not shown (TTL lags) and, once swept, leave the summary whole."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

from conftest import NOW

from backend.catalog import Catalog
from backend.profile import Channel, Event, Outcome
from backend.profile.store import ProfileStore
from backend.settings import Settings
from backend.shopping import Shopping
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.embedded_upkeep import expire_ttl_items
from tests.support.clock import FakeClock

MILK = "27845"


def moto_table(table: Table) -> object:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[table.name]


def short_retention(settings: Settings) -> Settings:
    return replace(
        settings,
        request_marker_ttl_seconds=600,
        event_retention_days=7,
        outbox_retention_days=3,
        heard_words_retention_days=2,
    )


def voice_event(number: int, at: datetime) -> Event:
    return Event(
        event_id=f"ev-{number}",
        customer_id="2706",
        channel=Channel.VOICE,
        type="voice_turn",
        occurred_at=at,
        outcome=Outcome.ADDED,
        intent="AddToCartIntent",
        heard="organic milk",
        product_id=MILK,
        product_name="Organic Whole Milk",
        confidence=Decimal("0.9"),
        quantity=1,
        aisle="milk",
        department="dairy eggs",
    )


def test_every_item_that_should_expire_carries_its_ttl(table: Table, catalog: Catalog, settings: Settings) -> None:
    settings = short_retention(settings)
    profiles = ProfileStore(table, retention=settings.retention, clock=lambda: NOW)
    shopping = Shopping(table, catalog, settings, profiles=profiles, clock=lambda: NOW)
    shopping.add_items("2706", [(MILK, 2)], request_id="add")
    placed = shopping.place_order("2706", request_id="buy", expected_version=1)
    profiles.record_event(voice_event(1, NOW))

    items = {
        str(item["sk"]): item
        for item in table.query_all("pk = :pk", values={":pk": keys.customer_pk("2706")}, consistent=True)
    }

    def ttl(sk: str) -> datetime | None:
        value = items[sk].get("expires_at")
        return datetime.fromtimestamp(int(value), tz=UTC) if value is not None else None

    # Measured from the request's own clock (NOW is in the past here), not from the machine's time.
    assert ttl(keys.request_sk("add")) == ttl(keys.request_sk("buy")) == NOW + timedelta(seconds=600)
    (outbox,) = [sk for sk in items if sk.startswith("OUTBOX#")]
    assert ttl(outbox) == NOW + timedelta(days=3)
    event_sk = keys.event_sk(voice_event(1, NOW).timestamp, "ev-1")
    assert ttl(event_sk) == ttl(keys.event_id_sk("ev-1")) == NOW + timedelta(days=7)
    assert ttl(keys.heard_sk(voice_event(1, NOW).timestamp, "ev-1")) == NOW + timedelta(days=2)
    # What lasts until the customer is erased: the order and its lines, the cart, the profile summary.
    lasting = [keys.order_sk(placed.order.order_id), keys.order_line_sk(placed.order.order_id, 1), keys.CART]
    assert all(ttl(sk) is None for sk in [*lasting, keys.PROFILE])


def test_events_past_retention_go_and_the_summary_keeps_what_they_counted(table: Table, settings: Settings) -> None:
    clock = FakeClock(NOW)
    profiles = ProfileStore(table, retention=short_retention(settings).retention, clock=clock)
    for number in range(3):
        profiles.record_event(voice_event(number, NOW + timedelta(minutes=number)))
    before = profiles.summary("2706")
    assert before is not None and before.events == 3
    assert len(profiles.events("2706").events) == 3

    clock.advance(days=7, seconds=90)  # two of the three are past retention; TTL has not run yet
    assert [event.event_id for event in profiles.events("2706").events] == ["ev-2"]

    # all three heard-words items (2 days), two events and their id markers
    assert expire_ttl_items(moto_table(table), now=clock().timestamp()) == 3 + 2 * 2
    left = table.query_all("pk = :pk", values={":pk": keys.customer_pk("2706")}, consistent=True)
    assert sorted(str(item["sk"]) for item in left if "EVENT" in str(item["sk"])) == [
        keys.event_sk(voice_event(2, NOW + timedelta(minutes=2)).timestamp, "ev-2"),
        keys.event_id_sk("ev-2"),
    ]
    after = profiles.summary("2706")
    assert after is not None and after.to_json() == before.to_json()  # what other channels read is unchanged
