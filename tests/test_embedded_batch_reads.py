"""A batch read that cannot reach BatchGetItem's 16 MB response limit is answered without measuring its items; a
larger one is measured as moto measures it. Both return the same items."""

from __future__ import annotations

from typing import Any

import pytest
from moto.dynamodb.models import Item

from backend.store import embedded_items
from backend.store.dynamo import Table
from backend.store.embedded import EmbeddedDynamoDB
from tests.support.embedded import embedded_table


@pytest.fixture
def table(embedded: EmbeddedDynamoDB, request: pytest.FixtureRequest) -> Table:
    return embedded_table(embedded, "batchreads", request)


def _batch_read(table: Table, keys: list[dict[str, Any]], measured: list[int]) -> list[dict[str, Any]]:
    original = Item.size

    def counted(self: Any) -> int:
        measured.append(int(original(self)))
        return measured[-1]

    Item.size = counted  # type: ignore[method-assign]
    try:
        request = {table.name: {"Keys": keys, "ConsistentRead": True}}
        return list(table.client.batch_get_item(RequestItems=request)["Responses"][table.name])
    finally:
        Item.size = original  # type: ignore[method-assign]


def test_small_batches_are_not_measured_and_large_ones_are(table: Table) -> None:
    count = embedded_items.UNMEASURED_BATCH_KEYS + 1
    for n in range(count):
        table.put({"pk": f"CUST#{n}", "sk": "ITEM", "words": "x" * n, "n": n})
    keys = [{"pk": {"S": f"CUST#{n}"}, "sk": {"S": "ITEM"}} for n in range(count)]
    measured: list[int] = []
    small = _batch_read(table, keys[:-1], measured)
    assert measured == [0] * len(small) * 2  # no item walked
    assert len(small) == count - 1
    measured.clear()
    large = _batch_read(table, keys, measured)
    assert len(measured) == 2 * count and all(size > 0 for size in measured)
    by_key = {item["pk"]["S"]: item for item in large}
    assert all(by_key[item["pk"]["S"]] == item for item in small)
    assert by_key[f"CUST#{count - 1}"]["words"] == {"S": "x" * (count - 1)}


def test_the_limit_leaves_no_batch_unmeasured_that_could_reach_it() -> None:
    limit = embedded_items.BATCH_GET_RESPONSE_BYTES
    assert limit >= embedded_items.UNMEASURED_BATCH_KEYS * embedded_items.MAX_ITEM_BYTES
    assert limit < (embedded_items.UNMEASURED_BATCH_KEYS + 1) * embedded_items.MAX_ITEM_BYTES
