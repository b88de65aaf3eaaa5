"""Convert between plain Python items and DynamoDB's typed attribute values, in one place.

Numbers come back as ``Decimal`` (boto3 refuses floats on the way in, so callers must use Decimal or int).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


def to_attribute_values(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _serializer.serialize(value) for name, value in item.items() if value is not None}


def to_attribute_value(value: Any) -> Any:
    return _serializer.serialize(value)


def from_attribute_values(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: _deserializer.deserialize(value) for name, value in item.items()}
