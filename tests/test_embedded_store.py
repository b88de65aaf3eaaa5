"""The embedded store behaves like DynamoDB where the demo needs it (atomic requests, real rollbacks, TTL, bounded
streams) and is reachable only from this process, with bounded queueing."""

from __future__ import annotations

import threading
import time
from collections import Counter
from decimal import Decimal

import boto3
import pytest
from botocore.exceptions import ClientError

from backend.errors import ConcurrentUpdate
from backend.settings import Settings
from backend.store.dynamo import Table, make_client
from backend.store.embedded import EmbeddedDynamoDB, FairGate, Refused, condition_parses
from backend.store.embedded_upkeep import expire_ttl_items, trim_stream
from backend.store.transaction import Transaction
from tests.support.embedded import embedded_table


@pytest.fixture
def table(embedded: EmbeddedDynamoDB, request: pytest.FixtureRequest) -> Table:
    return embedded_table(embedded, "embedded", request)


def test_there_is_no_socket_and_other_credentials_are_refused(embedded: EmbeddedDynamoDB, table: Table) -> None:
    assert embedded.endpoint is not None
    assert embedded.endpoint.endswith(".invalid")  # a name that resolves nowhere: nothing listens
    table.put({"pk": "CUST#1", "sk": "SECRET"})
    session = boto3.session.Session(aws_access_key_id="guess", aws_secret_access_key="guess", region_name="us-east-1")
    stranger = session.client("dynamodb", endpoint_url=embedded.endpoint)
    stranger.meta.events.register_first("before-send.dynamodb", embedded._send)  # even wired in, it is refused
    with pytest.raises(ClientError, match="UnrecognizedClientException"):
        stranger.get_item(TableName=table.name, Key={"pk": {"S": "CUST#1"}, "sk": {"S": "SECRET"}})


def test_a_stopped_store_gives_no_client() -> None:
    store = EmbeddedDynamoDB()
    endpoint = store.start()
    store.stop()
    with pytest.raises(RuntimeError):
        make_client(Settings.load(env={}, dynamodb_endpoint=endpoint, aws_region="us-east-1"))


def test_the_gate_refuses_at_once_when_the_queue_is_full_and_serves_in_order() -> None:
    gate = FairGate(max_waiting=2, max_wait=5)
    gate.enter()
    order: list[int] = []

    def wait(n: int) -> None:
        gate.enter()
        order.append(n)
        gate.leave()

    first = threading.Thread(target=wait, args=(1,))
    first.start()
    while gate.waiting < 1:
        time.sleep(0.001)
    second = threading.Thread(target=wait, args=(2,))
    second.start()
    while gate.waiting < 2:
        time.sleep(0.001)
    started = time.monotonic()
    with pytest.raises(Refused):
        gate.enter()
    assert time.monotonic() - started < 0.5
    gate.leave()
    first.join(5)
    second.join(5)
    assert order == [1, 2]
    assert gate.refused == 1


def test_a_waiter_gives_up_after_the_longest_wait() -> None:
    gate = FairGate(max_waiting=4, max_wait=0.05)
    gate.enter()
    with pytest.raises(Refused, match="too long"):
        gate.enter()
    gate.leave()
    gate.enter()  # free again: nothing was left holding it
    gate.leave()


def test_a_saturated_store_answers_with_dynamodbs_throttling_error(table: Table) -> None:
    with EmbeddedDynamoDB(max_waiting=0, max_wait=0.05) as saturated:
        client = saturated.client()
        saturated._gate.enter()  # held, as by a long call: nobody may queue behind it
        try:
            with pytest.raises(ClientError, match="ThrottlingException"):
                client.get_item(TableName=table.name, Key={"pk": {"S": "x"}, "sk": {"S": "y"}})
        finally:
            saturated._gate.leave()
        assert saturated.refused == 1


def test_stream_records_are_trimmed_and_expired_items_deleted(embedded: EmbeddedDynamoDB, table: Table) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    moto_table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[table.name]
    for n in range(30):
        table.put({"pk": "CUST#1", "sk": f"N#{n}", "expires_at": 1000 if n % 2 else 4_000_000_000})
    assert len(moto_table.stream_shard.items) >= 30
    start = moto_table.stream_shard.starting_sequence_number
    assert trim_stream(moto_table, keep=10) >= 20
    assert len(moto_table.stream_shard.items) == 10
    assert moto_table.stream_shard.starting_sequence_number > start
    assert expire_ttl_items(moto_table, now=2000) == 15
    left = table.query_all("pk = :pk", values={":pk": "CUST#1"})
    assert len(left) == 15 and all(item["expires_at"] == 4_000_000_000 for item in left)


def test_cancelled_transaction_restores_exactly_the_touched_items(table: Table) -> None:
    table.put({"pk": "CUST#1", "sk": "CART", "version": 1, "lines": ["a"]})
    table.put({"pk": "CUST#1", "sk": "OTHER", "n": 1})
    tx = Transaction(table)
    tx.update(
        {"pk": "CUST#1", "sk": "CART"},
        "SET version = :two, #lines = :none",
        names={"#lines": "lines"},
        values={":two": 2, ":none": []},
    )
    tx.put({"pk": "CUST#1", "sk": "NEW"})
    tx.put({"pk": "CUST#1", "sk": "OTHER", "n": 2}, condition="n = :wrong", values={":wrong": 9})
    with pytest.raises(ConcurrentUpdate):
        tx.commit()
    assert table.get({"pk": "CUST#1", "sk": "CART"}) == {
        "pk": "CUST#1",
        "sk": "CART",
        "version": Decimal(1),
        "lines": ["a"],
    }
    assert table.get({"pk": "CUST#1", "sk": "NEW"}) is None
    assert table.get({"pk": "CUST#1", "sk": "OTHER"}) == {"pk": "CUST#1", "sk": "OTHER", "n": Decimal(1)}


def test_concurrent_transactions_and_failures_lose_no_update(table: Table) -> None:
    table.put({"pk": "CUST#1", "sk": "COUNTER", "n": 0})
    workers, rounds = 4, 25

    def work(worker: int) -> None:
        for n in range(rounds):
            tx = Transaction(table)
            tx.update({"pk": "CUST#1", "sk": "COUNTER"}, "ADD n :one", values={":one": 1})
            tx.put({"pk": "CUST#1", "sk": f"LOG#{worker}#{n}"})
            tx.commit()
            doomed = Transaction(table)
            doomed.put({"pk": "CUST#1", "sk": f"DOOMED#{worker}#{n}"})
            doomed.check({"pk": "CUST#1", "sk": "COUNTER"}, "attribute_not_exists(pk)")
            with pytest.raises(ConcurrentUpdate):
                doomed.commit()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(workers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert table.get({"pk": "CUST#1", "sk": "COUNTER"}) == {"pk": "CUST#1", "sk": "COUNTER", "n": workers * rounds}
    items = table.query_all("pk = :pk", values={":pk": "CUST#1"})
    assert sum(item["sk"].startswith("LOG#") for item in items) == workers * rounds
    assert not any(item["sk"].startswith("DOOMED#") for item in items)


def test_queries_read_one_partition_and_range_as_dynamodb_does(table: Table) -> None:
    for n in range(12):
        table.put({"pk": "CUST#7", "sk": f"ORDER#{n:02d}", "n": n, "lines": [{"p": str(n)}]})
        table.put({"pk": "CUST#7", "sk": f"EVENT#{n:02d}"})
        table.put({"pk": "CUST#8", "sk": f"ORDER#{n:02d}"})
    newest, start = table.query(
        "pk = :pk AND begins_with(sk, :prefix)",
        values={":pk": "CUST#7", ":prefix": "ORDER#"},
        forward=False,
        limit=5,
    )
    assert [item["sk"] for item in newest] == [f"ORDER#{n:02d}" for n in (11, 10, 9, 8, 7)]
    assert newest[0]["lines"] == [{"p": "11"}] and newest[0]["n"] == 11
    assert start is not None
    following, _ = table.query(
        "pk = :pk AND begins_with(sk, :prefix)",
        values={":pk": "CUST#7", ":prefix": "ORDER#"},
        forward=False,
        limit=5,
        start_key=start,
    )
    assert [item["sk"] for item in following] == [f"ORDER#{n:02d}" for n in (6, 5, 4, 3, 2)]
    everything = table.query_all("pk = :pk", values={":pk": "CUST#7"})
    assert len(everything) == 24
    between = table.query_all(
        "pk = :pk AND sk BETWEEN :a AND :b", values={":pk": "CUST#7", ":a": "ORDER#03", ":b": "ORDER#05"}
    )
    assert [item["sk"] for item in between] == ["ORDER#03", "ORDER#04", "ORDER#05"]
    # a time range read newest first, a page at a time (the timeline's query), never outside the range
    range_values = {":pk": "CUST#7", ":a": "EVENT#02", ":b": "EVENT#09"}
    first, start = table.query("pk = :pk AND sk BETWEEN :a AND :b", values=range_values, forward=False, limit=3)
    rest, end = table.query(
        "pk = :pk AND sk BETWEEN :a AND :b", values=range_values, forward=False, limit=10, start_key=start
    )
    assert end is None
    assert [item["sk"] for item in [*first, *rest]] == [f"EVENT#{n:02d}" for n in range(9, 1, -1)]


def test_an_iterator_into_trimmed_records_gets_dynamodbs_trimmed_data_error(
    embedded: EmbeddedDynamoDB, table: Table
) -> None:
    """A stream reader behind the trim hears what DynamoDB says (and starts again), not an internal error."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    moto_table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[table.name]
    streams = embedded.streams_client()
    arn = table.client.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    for n in range(30):
        table.put({"pk": "CUST#1", "sk": f"N#{n}"})
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON")[
        "ShardIterator"
    ]
    assert trim_stream(moto_table, keep=10) >= 20
    with pytest.raises(ClientError, match="TrimmedDataAccessException"):
        streams.get_records(ShardIterator=iterator)


def test_conditions_are_parsed_once_per_expression_names_and_values(table: Table) -> None:
    """A kept condition tree answers only the same expression with the same names and values: other values or
    names are parsed (and judged) afresh, and moto's own checks of the names still run on a kept tree."""
    table.put({"pk": "CUST#7", "sk": "ITEM", "owner": "1285", "other": "2000"})
    before = Counter(condition_parses)

    def owned_by(owner: str, *, attribute: str = "owner") -> bool:
        try:
            table.put(
                {"pk": "CUST#7", "sk": "ITEM", "owner": "1285", "other": "2000"},
                condition="#a = :o",
                names={"#a": attribute},
                values={":o": owner},
            )
        except ConcurrentUpdate:
            return False
        return True

    assert [owned_by("1285") for _ in range(3)] == [True, True, True]
    assert not owned_by("2000")  # other values: another tree
    assert owned_by("2000", attribute="other") and not owned_by("1285", attribute="other")  # other names too
    assert owned_by("1285")
    reused = condition_parses["reused"] - before["reused"]
    parsed = condition_parses["parsed"] - before["parsed"]
    assert parsed == 4 and reused >= 8  # each call parses (to validate, then to apply) twice or more

    for _ in range(2):  # moto's unused-name check, on a parsed and on a kept tree
        with pytest.raises(ClientError, match="unused"):
            table.client.put_item(
                TableName=table.name,
                Item={"pk": {"S": "CUST#7"}, "sk": {"S": "ITEM"}},
                ConditionExpression="attribute_exists(pk)",
                ExpressionAttributeNames={"#unused": "x"},
            )


def test_a_malformed_call_is_refused_by_the_store_not_by_the_client(table: Table) -> None:
    """The embedded clients skip botocore's parameter validation (a number as a string is a ParamValidationError
    there, before any call); moto's own parser refuses it, as DynamoDB does."""
    for item in ({"pk": {"S": 5}, "sk": {"S": "x"}}, {"pk": {"S": "CUST#8"}}):
        with pytest.raises(ClientError) as refused:
            table.client.put_item(TableName=table.name, Item=item)  # type: ignore[typeddict-item]
        assert refused.value.response["Error"]["Code"] in {"SerializationException", "ValidationException"}


def test_stream_records_are_measured_as_moto_measures_them_when_read(embedded: EmbeddedDynamoDB, table: Table) -> None:
    """A stream record's ``SizeBytes`` is moto's measure (the JSON of the record's data with ``SizeBytes`` 1), taken
    when the record is first read, not as it is written; a record the erasure rewrote keeps the size it was given."""
    import json

    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends
    from moto.dynamodb.models.utilities import DynamoJsonEncoder

    moto_table = dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[table.name]
    before = len(moto_table.stream_shard.items)
    table.put({"pk": "CUST#1", "sk": "SIZED", "name": "Oat Milk", "n": Decimal(2)})
    table.update({"pk": "CUST#1", "sk": "SIZED"}, "SET #name = :name", names={"#name": "name"}, values={":name": "Rye"})
    table.put({"pk": "CUST#1", "sk": "REWRITTEN"})
    made = moto_table.stream_shard.items[before:]
    assert [record.record["dynamodb"]["SizeBytes"] for record in made] == [1, 1, 1]  # not measured yet
    made[2].record["dynamodb"] = {**made[2].record["dynamodb"], "NewImage": {}, "SizeBytes": 1}  # as the erasure does

    streams = embedded.streams_client()
    arn = table.client.describe_table(TableName=table.name)["Table"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="AT_SEQUENCE_NUMBER",
        SequenceNumber=made[0].record["dynamodb"]["SequenceNumber"],
    )["ShardIterator"]  # fmt: skip
    read = streams.get_records(ShardIterator=iterator, Limit=3)["Records"]
    sizes = [record["dynamodb"]["SizeBytes"] for record in read]
    expected = [
        len(json.dumps({**record.record["dynamodb"], "SizeBytes": 1}, cls=DynamoJsonEncoder)) for record in made[:2]
    ]
    assert sizes == [*expected, 1]
    assert all(size > 100 for size in expected)  # both images and the keys are in it
    assert read[1]["dynamodb"]["OldImage"]["name"] == {"S": "Oat Milk"}  # the update's old image is the item before
    assert read[1]["dynamodb"]["NewImage"]["name"] == {"S": "Rye"}
