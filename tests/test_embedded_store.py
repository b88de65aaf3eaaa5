"""The embedded moto server behaves like DynamoDB where the demo needs it: atomic requests, real rollbacks."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from decimal import Decimal

import boto3
import pytest

from backend.errors import ConcurrentUpdate
from backend.settings import Settings
from backend.store.dynamo import Table, make_client
from backend.store.embedded import EmbeddedDynamoDB
from backend.store.tables import ensure_tables
from backend.store.transaction import Transaction


@pytest.fixture(scope="module")
def embedded() -> Iterator[EmbeddedDynamoDB]:
    with EmbeddedDynamoDB() as server:
        yield server


@pytest.fixture
def table(embedded: EmbeddedDynamoDB, aws_credentials: None, request: pytest.FixtureRequest) -> Table:
    settings = Settings.load(env={}, dynamodb_endpoint=embedded.endpoint, aws_region="us-east-1")
    client = make_client(settings, session=boto3.session.Session())
    name = f"embedded-{request.node.name[:40]}"
    ensure_tables(client, name)
    return Table(client, name)


def test_listens_on_loopback_only(embedded: EmbeddedDynamoDB) -> None:
    assert embedded.endpoint is not None
    assert embedded.endpoint.startswith("http://127.0.0.1:")


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
