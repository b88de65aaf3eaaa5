"""Convert between plain Python items and DynamoDB's typed attribute values, in one place.

Numbers come back as ``Decimal`` (boto3 refuses floats on the way in, so callers must use Decimal or int).

boto3's ``TypeSerializer`` and ``TypeDeserializer`` decide each value's type by a chain of checks and a method looked
up by name, per value: most of a turn's item conversion. The values items hold most (strings, booleans, ``None``,
ints of at most 38 digits, dicts and lists of them, and on the way back ``S``, ``BOOL``, ``NULL``, ``M`` and ``L``) are
converted at once, to exactly what boto3 gives (a test checks); everything else (``Decimal``, sets, binary, a
subclass of any of these, a malformed value) goes to boto3 itself, errors included.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boto3.dynamodb.types import TypeDeserializer, TypeSerializer

_serializer = TypeSerializer()
_deserializer = TypeDeserializer()
_EXACT_INT = 10**38  # DynamoDB's 38 digits: an int under this writes as str() writes it


def to_attribute_values(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: to_attribute_value(value) for name, value in item.items() if value is not None}


def to_attribute_value(value: Any) -> Any:
    kind = type(value)
    if kind is str:
        return {"S": value}
    if value is None:
        return {"NULL": True}
    if kind is bool:
        return {"BOOL": value}
    if kind is int and -_EXACT_INT < value < _EXACT_INT:
        return {"N": str(value)}
    if kind is dict:
        return {"M": {key: to_attribute_value(member) for key, member in value.items()}}
    if kind is list:
        return {"L": [to_attribute_value(member) for member in value]}
    return _serializer.serialize(value)


def from_attribute_values(item: Mapping[str, Any]) -> dict[str, Any]:
    return {name: from_attribute_value(value) for name, value in item.items()}


def from_attribute_value(value: Any) -> Any:
    if type(value) is dict and len(value) == 1:
        ((tag, raw),) = value.items()
        if tag in {"S", "BOOL"}:
            return raw
        if tag == "NULL":
            return None
        if tag == "M" and type(raw) is dict:
            return {key: from_attribute_value(member) for key, member in raw.items()}
        if tag == "L" and type(raw) is list:
            return [from_attribute_value(member) for member in raw]
    return _deserializer.deserialize(value)
