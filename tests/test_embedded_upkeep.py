"""The embedded store runs what DynamoDB runs in the background: TTL deletion on its injected clock, a batch at a
time, and stream records kept at most a day (and at most a count)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError

from backend.settings import Settings
from backend.store.dynamo import Table, make_client
from backend.store.embedded import EmbeddedDynamoDB
from backend.store.tables import ensure_tables
from tests.support.clock import FakeClock


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(datetime.now(UTC))  # moto stamps stream records with the machine's time


@pytest.fixture
def store(clock: FakeClock) -> Iterator[EmbeddedDynamoDB]:
    # upkeep after every call, 10 items a sweep step: small enough to see the batches
    with EmbeddedDynamoDB(clock=clock, maintenance_every=1, sweep_batch=10) as embedded:
        yield embedded


@pytest.fixture
def table(store: EmbeddedDynamoDB, request: pytest.FixtureRequest) -> Table:
    client = make_client(Settings.load(env={}, dynamodb_endpoint=store.endpoint, aws_region="us-east-1"))
    name = f"upkeep-{request.node.name[:40]}"
    ensure_tables(client, name)
    return Table(client, name)


def moto_table(table: Table) -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[table.name]


def held(table: Table) -> set[str]:
    return {str(pk.value) for pk, partition in moto_table(table).items.items() if partition}


def test_items_expire_on_the_store_clock_a_batch_at_a_time(
    store: EmbeddedDynamoDB, table: Table, clock: FakeClock
) -> None:
    in_an_hour = int(clock().timestamp()) + 3600
    for n in range(30):
        table.put({"pk": f"CUST#{n}", "sk": "REQ#r", "expires_at": in_an_hour})
    for n in range(5):
        table.put({"pk": f"KEEP#{n}", "sk": "ORDER#o"})  # no TTL: kept for ever
    table.put({"pk": "KEEP#text", "sk": "X", "expires_at": "1"})  # not a number: DynamoDB never expires it
    for _ in range(10):
        table.get({"pk": "KEEP#0", "sk": "ORDER#o"})
    assert len(held(table)) == 36  # nothing has expired on the store's clock

    clock.advance(hours=2)
    table.get({"pk": "KEEP#0", "sk": "ORDER#o"})  # one call, one sweep step: at most a batch looked at
    assert 30 - 10 <= sum(pk.startswith("CUST#") for pk in held(table)) < 30
    for _ in range(10):
        table.get({"pk": "KEEP#0", "sk": "ORDER#o"})
    assert held(table) == {f"KEEP#{n}" for n in range(5)} | {"KEEP#text"}
    # emptied partitions are dropped, not kept as empty dicts
    assert not any(str(pk.value).startswith("CUST#") for pk in moto_table(table).items)
    assert store.upkeep.expired >= 30


def test_stream_records_older_than_a_day_are_dropped(store: EmbeddedDynamoDB, table: Table, clock: FakeClock) -> None:
    streams = store.streams_client()
    arn = table.client.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    for n in range(20):
        table.put({"pk": "CUST#1", "sk": f"N#{n}"})
    assert len(moto_table(table).stream_shard.items) == 20  # under a day old and under the count: all kept

    clock.advance(hours=24, minutes=1)
    table.get({"pk": "CUST#1", "sk": "N#0"})
    assert moto_table(table).stream_shard.items == []
    with pytest.raises(ClientError, match="TrimmedDataAccessException"):
        streams.get_records(ShardIterator=iterator)


def test_moto_keeps_no_register_of_every_item_version(store: EmbeddedDynamoDB, table: Table) -> None:
    """moto appends every model object it makes to a list for its dashboard, for ever: the store empties it."""
    from moto.dynamodb.models.dynamo_type import Item
    from moto.dynamodb.models.table import StreamRecord

    for n in range(50):
        table.update({"pk": "CUST#1", "sk": "PROFILE"}, "ADD n :one", values={":one": 1})
        table.put({"pk": "CUST#1", "sk": f"N#{n}"})
    # upkeep runs after every call here: at most one call's objects are registered
    assert len(Item.instances_tracked) < 10
    assert len(StreamRecord.instances_tracked) < 10


def test_shard_iterators_are_not_kept_for_ever(store: EmbeddedDynamoDB, table: Table) -> None:
    """moto keeps every shard iterator it hands out (a new one per GetRecords): a reader polling an idle stream
    grew the store for ever. The store keeps the newest few and answers an older one as DynamoDB answers an expired
    iterator, so the reader starts again from its checkpoint."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodbstreams.models import dynamodbstreams_backends

    streams = store.streams_client()
    arn = table.client.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    first = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    iterator = first
    for _ in range(1500):  # an idle reader's polls
        iterator = streams.get_records(ShardIterator=iterator)["NextShardIterator"]
    held = dynamodbstreams_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].shard_iterators
    assert len(held) <= 1001
    table.put({"pk": "CUST#1", "sk": "N#1"})
    assert [r["dynamodb"]["Keys"]["sk"]["S"] for r in streams.get_records(ShardIterator=iterator)["Records"]] == [
        "N#1"
    ]  # the newest iterator still reads
    with pytest.raises(ClientError, match="ExpiredIteratorException"):
        streams.get_records(ShardIterator=first)


def test_item_bytes_tell_kept_items_from_expiring_ones(store: EmbeddedDynamoDB, table: Table, clock: FakeClock) -> None:
    """What a memory benchmark subtracts: the bytes of items without a TTL (orders) grow with every order, those
    with one stop growing once they expire as fast as they come."""
    from backend.store.embedded import store_item_bytes

    before = store_item_bytes(store)
    in_an_hour = int(clock().timestamp()) + 3600
    for n in range(20):
        table.put({"pk": "CUST#1", "sk": f"ORDER#{n}", "lines": [{"product_id": "p1", "name": "x" * 200}]})
        table.put({"pk": "CUST#1", "sk": f"EVENT#{n}", "type": "added", "expires_at": in_an_hour})
    held = store_item_bytes(store)
    # each order holds a 200-character name and its line map: well over 200 bytes apiece
    assert held["kept"] - before["kept"] > 20 * 200
    assert held["expiring"] - before["expiring"] > 20 * 50

    clock.advance(hours=2)
    for _ in range(5):
        table.get({"pk": "CUST#1", "sk": "ORDER#0"})
    after = store_item_bytes(store)
    assert after["expiring"] == before["expiring"]  # the events went; the orders stay
    assert after["kept"] == held["kept"]
