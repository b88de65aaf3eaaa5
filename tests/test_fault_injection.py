"""Every write point of a voice turn and of the API under injected store faults (``voicecart bench faults``).

The faults are botocore hooks on the backend's real client over moto: a refused write never reaches the store; a
lost answer is raised after the store applied the call. Each row compares what the customer heard (the API's
status and body) and what the store holds with the same request run without a fault.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING

import pytest
from botocore.exceptions import ClientError, ReadTimeoutError

from backend.catalog import Catalog
from backend.services import build_backend
from backend.store.dynamo import Table
from backend.store.embedded import EmbeddedDynamoDB
from skill.bench.faults import FAULTS, POINTS, FaultInjector, Point, Row, measure
from tests.conftest import fresh_settings

if TYPE_CHECKING:
    from backend.resolver import Resolver

ITEM = {"pk": "CUST#1285", "sk": "CART", "version": 1}


def test_the_matrix_holds_every_write_point() -> None:
    assert {point.name for point in POINTS} == {
        "voice cart add", "voice cart remove", "voice quantity", "voice checkout", "voice cancel",
        "voice profile event", "api cart write", "api event ingest",
    }  # fmt: skip


def test_a_refused_write_never_reaches_the_store(table: Table) -> None:
    injector = FaultInjector(table.client)
    try:
        injector.arm("refused", "CART")
        with pytest.raises(ClientError) as raised:
            table.client.put_item(TableName=table.name, Item={"pk": {"S": ITEM["pk"]}, "sk": {"S": "CART"}})
        assert raised.value.response["Error"]["Code"] == "ThrottlingException"
        assert injector.hit == ["PutItem"]
        assert table.get({"pk": ITEM["pk"], "sk": "CART"}) is None
    finally:
        injector.close()


def test_a_lost_answer_comes_after_the_write_applied(table: Table) -> None:
    injector = FaultInjector(table.client)
    try:
        injector.arm("lost", "CART")
        with pytest.raises(ReadTimeoutError):
            table.client.put_item(TableName=table.name, Item={"pk": {"S": ITEM["pk"]}, "sk": {"S": "CART"}})
        assert injector.hit == ["PutItem"]
        assert table.get({"pk": ITEM["pk"], "sk": "CART"}) == {"pk": ITEM["pk"], "sk": "CART"}
    finally:
        injector.close()


def test_only_a_write_that_names_the_target_is_faulted(table: Table) -> None:
    injector = FaultInjector(table.client)
    try:
        injector.arm("refused", "ORDER#")
        table.client.put_item(TableName=table.name, Item={"pk": {"S": ITEM["pk"]}, "sk": {"S": "CART"}})
        assert injector.hit == [] and injector.armed == "refused"
    finally:
        injector.close()


@pytest.fixture(scope="module")
def matrix(catalog: Catalog, shared_resolver: Callable[[], Resolver]) -> Iterator[dict[str, list[Row]]]:
    """The whole matrix, run once on one demo backend on the embedded store (moto in this process, as ``serve``
    runs it; each row starts from its own state)."""
    with EmbeddedDynamoDB() as store:
        backend = build_backend(
            fresh_settings(), client=store.client(), catalog=catalog, resolver=shared_resolver, demo=True
        )
        rows = measure(backend)
    by_point: dict[str, list[Row]] = {}
    for row in rows:
        by_point.setdefault(row.point, []).append(row)
    yield by_point


@pytest.mark.slow  # a demo customer's history and 32 turns and requests
@pytest.mark.parametrize("point", POINTS, ids=[point.name.replace(" ", "_") for point in POINTS])
def test_every_fault_at_every_write_point_is_told_truthfully(matrix: dict[str, list[Row]], point: Point) -> None:
    rows = matrix[point.name]
    assert [row.fault for row in rows] == list(FAULTS)
    for row in rows:
        # The fault must have hit the write it names (a hook that never fires proves nothing).
        assert bool(row.operation) == (row.fault != "reference"), row
        assert row.ok, f"{row.point} / {row.fault}: heard {row.heard!r}; {row.detail}"
