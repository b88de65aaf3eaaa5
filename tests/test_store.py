"""The store layer on moto: tables from the schema, the typed wrapper, and the one-transaction unit of work."""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, Any

import pytest
from botocore.exceptions import ClientError

from backend.errors import AlreadyApplied, ConcurrentUpdate, StoreUnavailable, ValidationError
from backend.store.dynamo import Table
from backend.store.schema import MAIN_TABLE
from backend.store.tables import ensure_tables
from backend.store.transaction import MAX_ITEMS, Transaction

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient


def test_tables_follow_the_schema(dynamodb_client: DynamoDBClient, table: Table) -> None:
    description = dynamodb_client.describe_table(TableName=table.name)["Table"]
    assert {k["AttributeName"]: k["KeyType"] for k in description["KeySchema"]} == {"pk": "HASH", "sk": "RANGE"}
    assert [i["IndexName"] for i in description["GlobalSecondaryIndexes"]] == [i.name for i in MAIN_TABLE.indexes]
    assert description["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    ttl = dynamodb_client.describe_time_to_live(TableName=table.name)["TimeToLiveDescription"]
    assert ttl["AttributeName"] == "expires_at"


def test_ensure_tables_is_idempotent(dynamodb_client: DynamoDBClient, table: Table) -> None:
    assert ensure_tables(dynamodb_client, table.name) == []


def test_round_trip_keeps_decimals_and_drops_none(table: Table) -> None:
    table.put({"pk": "CUST#1", "sk": "PROFILE", "price": Decimal("2.49"), "note": None, "tags": ["a"]})
    assert table.get({"pk": "CUST#1", "sk": "PROFILE"}) == {
        "pk": "CUST#1",
        "sk": "PROFILE",
        "price": Decimal("2.49"),
        "tags": ["a"],
    }


def test_conditional_put_failure_is_a_domain_error(table: Table) -> None:
    table.put({"pk": "CUST#1", "sk": "CART"})
    with pytest.raises(ConcurrentUpdate) as caught:
        table.put({"pk": "CUST#1", "sk": "CART"}, condition="attribute_not_exists(pk)")
    assert isinstance(caught.value.__cause__, ClientError)


def test_query_pages_follow_the_cursor(table: Table) -> None:
    for n in range(7):
        table.put({"pk": "CUST#2", "sk": f"EVENT#{n:02d}"})
    items, cursor = table.query("pk = :pk", values={":pk": "CUST#2"}, limit=3)
    assert [i["sk"] for i in items] == ["EVENT#00", "EVENT#01", "EVENT#02"]
    assert cursor is not None
    assert len(table.query_all("pk = :pk", values={":pk": "CUST#2"})) == 7


def test_transaction_applies_all_writes(table: Table) -> None:
    tx = Transaction(table)
    tx.put({"pk": "CUST#1", "sk": "REQ#r1"}, condition="attribute_not_exists(pk)", conflict=AlreadyApplied)
    tx.update(
        {"pk": "CUST#1", "sk": "CART"},
        "SET version = if_not_exists(version, :zero) + :one",
        values={":zero": 0, ":one": 1},
    )
    tx.commit()
    assert table.get({"pk": "CUST#1", "sk": "CART"}) == {"pk": "CUST#1", "sk": "CART", "version": Decimal(1)}
    assert len(tx) == 0


def test_failed_condition_names_its_own_error_and_writes_nothing(table: Table) -> None:
    table.put({"pk": "CUST#1", "sk": "REQ#r1"})
    tx = Transaction(table)
    tx.put({"pk": "CUST#1", "sk": "CART", "version": 5})
    tx.put({"pk": "CUST#1", "sk": "REQ#r1"}, condition="attribute_not_exists(pk)", conflict=AlreadyApplied)
    with pytest.raises(AlreadyApplied):
        tx.commit()
    assert table.get({"pk": "CUST#1", "sk": "CART"}) is None


def test_single_write_uses_the_plain_call_and_the_same_error(table: Table) -> None:
    table.put({"pk": "CUST#1", "sk": "CART", "version": 1})
    tx = Transaction(table)
    tx.put({"pk": "CUST#1", "sk": "CART", "version": 2}, condition="version = :v", values={":v": 7})
    with pytest.raises(ConcurrentUpdate):
        tx.commit()


def test_transaction_refuses_more_than_dynamodb_allows(table: Table) -> None:
    tx = Transaction(table)
    for n in range(MAX_ITEMS):
        tx.put({"pk": "CUST#1", "sk": f"X#{n}"})
    with pytest.raises(ValidationError):
        tx.put({"pk": "CUST#1", "sk": "X#overflow"})


class _FailingClient:
    """The real client with one operation made to fail, as a throttled or unreachable DynamoDB would."""

    def __init__(self, client: Any, operation: str) -> None:
        self._client = client
        self._operation = operation

    def __getattr__(self, name: str) -> Any:
        if name == self._operation:

            def fail(**kwargs: Any) -> None:
                raise ClientError(
                    {"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}}, name
                )

            return fail
        return getattr(self._client, name)


def test_service_failure_is_store_unavailable(dynamodb_client: DynamoDBClient, table: Table) -> None:
    failing = Table(_FailingClient(dynamodb_client, "transact_write_items"), table.name)  # type: ignore[arg-type]
    tx = Transaction(failing)
    tx.put({"pk": "CUST#1", "sk": "A"})
    tx.put({"pk": "CUST#1", "sk": "B"})
    with pytest.raises(StoreUnavailable):
        tx.commit()
    assert table.get({"pk": "CUST#1", "sk": "A"}) is None
