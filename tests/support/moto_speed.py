"""moto's DynamoDB answers, encoded without walking botocore's shape for every attribute value.

moto 5.2 encodes every response generically: for each member of each structure it asks an attribute picker for
the member under its name and its snake_case alias. An ``AttributeValue`` has ten members, so a query returning a
customer's orders (hundreds of items, dozens of attributes each) makes hundreds of thousands of those look-ups; in
the suite that was the largest single cost of the tests that import a purchase history. The values moto hands the
encoder are already ``{type: value}`` dicts (``moto.dynamodb.models.utilities.dynamo_to_dict``), so the encoding
the shape asks for is direct: strings as ``str``, binaries base64, sets and lists item by item, maps recursively.

Anything else (not a dict, a key the shape does not name) goes through moto's own path unchanged.
``tests/test_moto_speed.py`` checks that both paths give the same answer for every kind of attribute value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.serialize import BaseJSONSerializer

_GENERIC: Callable[..., None] = BaseJSONSerializer._serialize_type_structure
_MISSING = object()
_STRINGS = ("S", "N")
_STRING_SETS = ("SS", "NS")
_MEMBERS = frozenset(("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL"))


def _string(value: Any) -> Any:
    """What moto's string encoder does (``_serialize_type_string``)."""
    return str(value) if value not in [None, {}, []] else value


def _attribute(serializer: BaseJSONSerializer, value: Any) -> dict[str, Any] | object:
    if type(value) is not dict or not value.keys() <= _MEMBERS:
        return _MISSING
    encoded: dict[str, Any] = {}
    for member, inner in value.items():
        if inner is None:
            continue
        if member in _STRINGS:
            encoded[member] = _string(inner)
        elif member in _STRING_SETS:
            encoded[member] = [_string(item) for item in inner]
        elif member == "B":
            encoded[member] = serializer._base64(inner)
        elif member == "BS":
            encoded[member] = [serializer._base64(item) for item in inner]
        elif member == "M":
            encoded[member] = {}
            for name, item in inner.items():
                one = _attribute(serializer, item)
                if one is _MISSING:
                    return _MISSING
                encoded[member][name] = one
        elif member == "L":
            items = [_attribute(serializer, item) for item in inner]
            if any(one is _MISSING for one in items):
                return _MISSING
            encoded[member] = items
        else:  # NULL, BOOL: booleans are written as they are
            encoded[member] = inner
    # the shape's member order, as moto writes them
    return {member: encoded[member] for member in _ORDER if member in encoded}


_ORDER = ("S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL")


def _serialize_type_structure(self: BaseJSONSerializer, serialized: Any, value: Any, shape: Any, key: str) -> None:
    if key and shape.name == "AttributeValue" and not shape.is_document_type:
        encoded = _attribute(self, value)
        if encoded is not _MISSING:
            serialized[self.get_serialized_name(shape, key)] = encoded
            return
    _GENERIC(self, serialized, value, shape, key)


def install() -> None:
    BaseJSONSerializer._serialize_type_structure = _serialize_type_structure  # type: ignore[method-assign]


@contextmanager
def generic() -> Iterator[None]:
    """moto's own encoder for a while (what the equivalence test compares against)."""
    current = BaseJSONSerializer._serialize_type_structure
    BaseJSONSerializer._serialize_type_structure = _GENERIC  # type: ignore[method-assign]
    try:
        yield
    finally:
        BaseJSONSerializer._serialize_type_structure = current  # type: ignore[method-assign]
