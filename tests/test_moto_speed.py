"""The harness's encoding of moto's DynamoDB answers (tests/support/moto_speed.py) is moto's own, value for value:
the same reads answered through both paths are equal, for every kind of attribute value, nested or not."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.store.codec import to_attribute_values
from tests.conftest import new_dynamodb_client
from tests.support import moto_speed
from tests.support.properties import examples

scalars = st.one_of(
    st.text(max_size=8),
    st.integers(-(10**12), 10**12).map(Decimal),
    st.binary(max_size=8),
    st.booleans(),
    st.none(),
    st.frozensets(st.text(min_size=1, max_size=4), min_size=1, max_size=3),
    st.frozensets(st.integers(-99, 99).map(Decimal), min_size=1, max_size=3),
    st.frozensets(st.binary(min_size=1, max_size=4), min_size=1, max_size=3),
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(min_size=1, max_size=4), inner, max_size=3),
    max_leaves=12,
)
items = st.dictionaries(st.sampled_from(["a", "b", "c", "dé", "e"]), values, min_size=1, max_size=5)


@pytest.fixture
def client(mocked_aws: None) -> Any:
    dynamodb = new_dynamodb_client()
    dynamodb.create_table(
        TableName="speed",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    return dynamodb


def _reads(client: Any, item: dict[str, Any]) -> list[Any]:
    client.put_item(TableName="speed", Item=to_attribute_values({"pk": "p", "sk": "0", **item}))
    key = {"pk": {"S": "p"}, "sk": {"S": "0"}}
    answers = [
        client.get_item(TableName="speed", Key=key, ConsistentRead=True),
        client.query(TableName="speed", KeyConditionExpression="pk = :p", ExpressionAttributeValues={":p": {"S": "p"}}),
        client.scan(TableName="speed"),
        client.batch_get_item(RequestItems={"speed": {"Keys": [key]}}),
        client.transact_get_items(TransactItems=[{"Get": {"TableName": "speed", "Key": key}}]),
        client.update_item(
            TableName="speed",
            Key=key,
            UpdateExpression="SET touched = :t",
            ExpressionAttributeValues={":t": {"BOOL": True}},
            ReturnValues="ALL_NEW",
        ),
    ]
    for answer in answers:
        answer.pop("ResponseMetadata", None)
    return answers


@settings(max_examples=examples(60), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(item=items)
def test_both_encodings_answer_the_same(client: Any, item: dict[str, Any]) -> None:
    fast = _reads(client, item)
    with moto_speed.generic():
        generic = _reads(client, item)
    assert fast == generic


def test_the_fast_encoding_is_the_one_installed() -> None:
    assert moto_speed.BaseJSONSerializer._serialize_type_structure is moto_speed._serialize_type_structure
