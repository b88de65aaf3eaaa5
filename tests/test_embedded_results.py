"""The embedded store's conversion of moto's results to plain values gives what moto's own ``dynamo_to_dict`` gives,
for any attribute values (blobs and sets included), items, and the dicts, lists and timestamps around them."""

from __future__ import annotations

import base64
from datetime import UTC, datetime
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.utilities import dynamo_to_dict

from backend.store.embedded import make_fast_dynamo_to_dict
from tests.support.properties import examples

FAST = make_fast_dynamo_to_dict(dynamo_to_dict)
_TEXT = st.text(max_size=6)
_LEAVES = st.one_of(
    _TEXT.map(lambda s: {"S": s}),
    st.integers(-(10**9), 10**9).map(lambda n: {"N": str(n)}),
    st.binary(max_size=6).map(lambda b: {"B": base64.b64encode(b).decode()}),
    st.binary(max_size=6).map(lambda b: {"B": b}),
    st.lists(st.binary(min_size=1, max_size=4), min_size=1, max_size=3, unique=True).map(
        lambda bs: {"BS": [base64.b64encode(b).decode() for b in bs]}
    ),
    st.lists(_TEXT, min_size=1, max_size=3, unique=True).map(lambda ss: {"SS": ss}),
    st.lists(st.integers(0, 99).map(str), min_size=1, max_size=3, unique=True).map(lambda ns: {"NS": ns}),
    st.booleans().map(lambda b: {"BOOL": b}),
    st.just({"NULL": True}),
)
_VALUES = st.recursive(
    _LEAVES,
    lambda inner: (
        st.lists(inner, max_size=3).map(lambda items: {"L": items})
        | st.dictionaries(_TEXT, inner, max_size=3).map(lambda members: {"M": members})
    ),
    max_leaves=8,
)


@settings(max_examples=examples(300), deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, max_size=4), st.lists(_VALUES, max_size=3))
def test_results_convert_as_motos_own(attributes: dict[str, Any], loose: list[Any]) -> None:
    item = Item(DynamoType({"S": "pk"}), DynamoType({"S": "sk"}), {"pk": {"S": "pk"}, "sk": {"S": "sk"}, **attributes})
    result: dict[str, Any] = {
        "Responses": {"table": [item, item.to_json()["Attributes"]]},
        "Attributes": {name: DynamoType(value) for name, value in attributes.items()},
        "Values": [DynamoType(value) for value in loose],
        "UnprocessedKeys": {},
        "Count": 2,
        "Scanned": 2.5,
        "Flag": True,
        "Nothing": None,
        "At": datetime(2026, 11, 20, tzinfo=UTC),
    }
    assert FAST(result) == dynamo_to_dict(result)
    assert FAST(item) == dynamo_to_dict(item)
    read = item.describe_attrs(None)["Item"]  # what a read (GetItem, BatchGetItem) puts in its result
    assert type(read) is LimitedSizeDict
    assert FAST({"Responses": {"table": [read]}}) == dynamo_to_dict({"Responses": {"table": [read]}})


def test_an_item_read_is_converted_without_motos_walk() -> None:
    """moto's ``LimitedSizeDict`` (every item a read returns) is converted here, not handed whole to moto's
    function (which walks every value of it, asking each whether it has a ``to_json``)."""
    handed: list[Any] = []

    def moto_s(obj: Any) -> Any:
        handed.append(obj)
        return dynamo_to_dict(obj)

    attributes = {"pk": {"S": "pk"}, "sk": {"S": "sk"}, "m": {"M": {"n": {"N": "1"}, "l": {"L": [{"S": "x"}]}}}}
    read = Item(DynamoType({"S": "pk"}), DynamoType({"S": "sk"}), attributes).describe_attrs(None)["Item"]
    converted = make_fast_dynamo_to_dict(moto_s)({"Responses": {"table": [read]}})
    assert converted == {"Responses": {"table": [attributes]}}
    assert handed == []


def test_the_embedded_store_answers_through_it() -> None:
    from moto.dynamodb import responses

    from backend.store.embedded import EmbeddedDynamoDB

    with EmbeddedDynamoDB():
        assert getattr(responses.dynamo_to_dict, "_voicecart_item_level_rollback", False)
