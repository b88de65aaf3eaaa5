"""A write in flight when the erase runs: it read the customer's state before the erase and commits after it (the
erase's stream redaction included). It must be refused whole and leave nothing, in the table or on its stream.

The embedded store (moto in this process) is where this could go wrong: moto applies a transaction's writes one by
one before it sees the failed condition, and the store's item-level rollback puts the touched items back, each step
a stream record with the customer's data. DynamoDB writes no stream record for a cancelled transaction."""

from __future__ import annotations

import functools
from datetime import UTC, datetime
from typing import Any

import pytest

from backend.errors import ConcurrentUpdate, CustomerErased
from backend.profile.erasure import customer_of_record
from backend.profile.events import Channel, Event
from backend.profile.privacy import CustomerData
from backend.profile.store import ProfileStore
from backend.shopping.carts import load_cart, stage_cart
from backend.store.dynamo import Table
from backend.store.embedded import EmbeddedDynamoDB
from backend.store.stream_redaction import redact_customer_records
from backend.store.transaction import Transaction
from tests.support.embedded import embedded_table

CUSTOMER = "4242"
AT = "2026-12-02T10:00:00+00:00"


@pytest.fixture
def table(embedded: EmbeddedDynamoDB, request: pytest.FixtureRequest) -> Table:
    return embedded_table(embedded, "erase", request)


def stream_records(embedded: EmbeddedDynamoDB, table: Table) -> list[dict[str, Any]]:
    stream = embedded.streams_client()
    arn = table.client.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    records: list[dict[str, Any]] = []
    for shard in stream.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
        iterator = stream.get_shard_iterator(StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON")
        position = iterator["ShardIterator"]
        while position:
            page = stream.get_records(ShardIterator=position, Limit=1000)
            records.extend(page["Records"])
            position = page.get("NextShardIterator") if page["Records"] else None
    return records


def held_data(records: list[dict[str, Any]]) -> list[str]:
    """Records that still carry the customer's data (anything about them but their tombstone's pointers)."""
    return [
        f"{record['eventName']} {record['dynamodb']['Keys']['sk']['S']}"
        for record in records
        if customer_of_record(record) == CUSTOMER and not record["dynamodb"]["Keys"]["pk"]["S"].startswith("ERASED#")
    ]


def voice_event(number: int) -> Event:
    return Event(
        event_id=f"turn-{number}",
        customer_id=CUSTOMER,
        channel=Channel.VOICE,
        type="cart_add",
        occurred_at=datetime(2026, 12, 2, 10, number, tzinfo=UTC),
        heard="add oat milk please",
        product_id="1",
        quantity=1,
    )


def turn_write(table: Table, number: int) -> Transaction:
    """What an add by voice stages after reading the customer's state: the next cart version and the turn's event."""
    profiles = ProfileStore(table)
    tx = Transaction(table)
    cart = load_cart(table, CUSTOMER)
    stage_cart(tx, cart.with_added("1", 1, channel="voice", at=AT), at=AT, channel="voice")
    profiles.stage_event(tx, voice_event(number))
    return tx


def test_a_turn_in_flight_during_the_erase_is_refused_and_leaves_no_stream_record(
    embedded: EmbeddedDynamoDB, table: Table
) -> None:
    turn_write(table, 1).commit()  # the customer exists: a cart and an event, with heard words
    assert held_data(stream_records(embedded, table))
    in_flight = turn_write(table, 2)  # read before the erase ...
    data = CustomerData(table, redact_stream=functools.partial(redact_customer_records, table.name))
    receipt = data.delete(CUSTOMER, requested_by="test")
    assert receipt.total > 0 and receipt.stream_records_redacted > 0
    with pytest.raises(CustomerErased):
        in_flight.commit()  # ... committed after it, redaction and all
    assert held_data(stream_records(embedded, table)) == []
    assert data.partition(CUSTOMER) == []


def test_a_refused_transaction_leaves_the_stream_as_it_was(embedded: EmbeddedDynamoDB, table: Table) -> None:
    table.put({"pk": "CUST#1", "sk": "PROFILE", "kind": "profile"})
    before = len(stream_records(embedded, table))
    tx = Transaction(table)
    tx.put({"pk": "CUST#1", "sk": "CART", "lines": ["secret"]})  # would apply ...
    tx.update({"pk": "CUST#1", "sk": "PROFILE"}, "SET seen = :s", values={":s": "secret"})
    tx.check({"pk": "CUST#1", "sk": "MISSING"}, "attribute_exists(pk)")  # ... but this condition fails
    with pytest.raises(ConcurrentUpdate):
        tx.commit()
    assert len(stream_records(embedded, table)) == before
    assert table.get({"pk": "CUST#1", "sk": "CART"}) is None
