"""Building moto items in one pass, inside the embedded store.

moto keeps an item's attributes in a ``LimitedSizeDict`` that re-measures the whole item on every attribute set,
to refuse items over DynamoDB's size limit: building an item of n attributes costs n² (a cart, an order or an event
item of a few dozen attributes: most of a ``PutItem``'s time). Building an item only adds attributes, so the
running total is largest at the end: measuring the finished item once refuses exactly the same items, with the same
error.

moto's ``BatchGetItem`` also measures every item it returns, twice, walking every value, to stop at 16 MB. No item
is over ``MAX_ITEM_BYTES`` (refused when built), so a batch of at most ``UNMEASURED_BATCH_KEYS`` keys can never
reach it: such a batch is answered without measuring (``unmeasured``), which returns exactly what measuring would.

And moto writes an item as JSON (``Item.to_json``: every stream record's old and new images, the rollback's
snapshots, results) by deep-copying every map and list value, then walking the copy: a seventh of a turn's
transaction. ``to_json`` here builds the same document in one walk, copying nothing it need not (strings, numbers,
booleans and bytes are immutable, so a deep copy gives them back as they are); anything of another form (a value that
is not moto's own ``DynamoType``, a container of another type) is left to moto's own method. A property test checks
both give the same document.

Items are found by key: every lookup hashes and compares moto's ``DynamoType`` keys, and moto's ``__hash__`` and
``__eq__`` go through ``cast_value`` (a property asking the value's type six ways) for every one, a hundred times a
turn. A string's (``S``: every key of the main table) cast value is the string itself, so for two strings they hash
and compare the string directly: the same hash, the same answer; any other type goes through moto's own.
"""

from __future__ import annotations

import base64
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_PATCHED_FLAG = "_voicecart_one_pass"
MAX_ITEM_BYTES = 405_000  # LimitedSizeDict's limit (between DynamoDB's measured 409 and 410 KB)
BATCH_GET_RESPONSE_BYTES = 16 * 1024 * 1024  # moto's (and DynamoDB's) BatchGetItem response limit
UNMEASURED_BATCH_KEYS = BATCH_GET_RESPONSE_BYTES // MAX_ITEM_BYTES  # 41 items of the largest size fit
_unmeasured = threading.local()
_IMMUTABLE = (str, int, float, bool, bytes, type(None))
_UNUSUAL = object()
MOTOS_OWN = "_voicecart_motos_own"


@contextmanager
def unmeasured() -> Iterator[None]:
    """Within the block (this thread only), an item measures as 0 bytes: for a batch read that cannot reach the
    response limit (see the module's docstring)."""
    _unmeasured.on = True
    try:
        yield
    finally:
        _unmeasured.on = False


def install(item_class: Any) -> None:
    """Give ``item_class`` (moto's Item) a constructor that measures the item once."""
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    if getattr(item_class, _PATCHED_FLAG, False):
        return

    def __init__(self: Any, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:  # noqa: N807
        self.hash_key = hash_key
        self.range_key = range_key
        built = LimitedSizeDict()
        size = 0
        for key, value in attrs.items():
            typed = DynamoType(value)
            dict.__setitem__(built, key, typed)
            size += bytesize(key) + typed.size()
        if size > MAX_ITEM_BYTES:  # LimitedSizeDict's own test, on the finished item
            raise ItemSizeTooLarge
        self.attrs = built

    measure = item_class.size

    def size(self: Any) -> int:
        return 0 if getattr(_unmeasured, "on", False) else int(measure(self))

    setattr(item_class, "__init__", __init__)  # noqa: B010
    setattr(item_class, "size", size)  # noqa: B010
    setattr(item_class, "to_json", make_fast_to_json(getattr(item_class.to_json, MOTOS_OWN, item_class.to_json)))  # noqa: B010
    hash_of, equal = fast_key_comparisons(
        getattr(DynamoType.__hash__, MOTOS_OWN, DynamoType.__hash__),
        getattr(DynamoType.__eq__, MOTOS_OWN, DynamoType.__eq__),
    )
    setattr(DynamoType, "__hash__", hash_of)  # noqa: B010
    setattr(DynamoType, "__eq__", equal)  # noqa: B010
    setattr(item_class, _PATCHED_FLAG, True)


def make_fast_to_json(original: Any) -> Any:
    """moto's ``Item.to_json`` (``original``) built in one walk (see the module's docstring); ``original`` for an item
    with a value of an unusual form."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    def member_json(member: Any) -> Any:
        """A value inside a map or list as ``to_regular_json`` leaves it: a ``DynamoType`` converted, an immutable
        value as it is (its deep copy), ``_UNUSUAL`` for anything else."""
        if type(member) is DynamoType:
            return regular(member)
        return member if type(member) in _IMMUTABLE else _UNUSUAL

    def regular(value: Any) -> Any:
        """``DynamoType.to_regular_json`` of ``value`` (its deep copy, walked), or ``_UNUSUAL``."""
        if type(value) is not DynamoType:
            return _UNUSUAL
        inner = value.value
        kind = type(inner)
        if kind is dict:
            members = {key: member_json(member) for key, member in inner.items()}
            if any(member is _UNUSUAL for member in members.values()):
                return _UNUSUAL
            inner = members
        elif kind is list:
            entries = [member_json(member) for member in inner]
            if any(entry is _UNUSUAL for entry in entries):
                return _UNUSUAL
            inner = entries
        elif kind not in _IMMUTABLE:
            return _UNUSUAL
        if value.type == "B" and type(inner) is str:
            inner = base64.b64decode(inner)
        return {value.type: inner}

    def attribute_json(attribute: Any) -> Any:
        """One top-level attribute as ``Item.to_json`` writes it, or ``_UNUSUAL``."""
        if type(attribute) is not DynamoType:
            return _UNUSUAL
        value = attribute.value
        kind = type(value)
        if kind is dict:
            members = {name: regular(member) for name, member in value.items()}
            if any(member is _UNUSUAL for member in members.values()):
                return _UNUSUAL
            return {attribute.type: members}
        if kind is list:
            entries = [member_json(member) for member in value]
            if any(entry is _UNUSUAL for entry in entries):
                return _UNUSUAL
            return {attribute.type: entries}
        return {attribute.type: value} if kind in _IMMUTABLE else _UNUSUAL

    def to_json(self: Any, root_attr_name: str = "Attributes") -> dict[str, Any]:
        attributes = {key: attribute_json(attribute) for key, attribute in self.attrs.items()}
        if any(value is _UNUSUAL for value in attributes.values()):
            return original(self, root_attr_name)  # type: ignore[no-any-return]
        return {root_attr_name: attributes}

    setattr(to_json, MOTOS_OWN, original)
    return to_json


def fast_key_comparisons(motos_hash: Any, motos_eq: Any) -> tuple[Any, Any]:
    """``DynamoType.__hash__`` and ``__eq__``, direct for strings (see the module's docstring), else moto's own."""
    from moto.dynamodb.models.dynamo_type import DynamoType

    def __hash__(self: Any) -> int:  # noqa: N807
        if self.type == "S":
            return hash(("S", self.value))  # moto's: hash((type, cast_value)), and a string's cast value is itself
        return int(motos_hash(self))

    def __eq__(self: Any, other: Any) -> bool:  # noqa: N807
        if self.type == "S" and type(other) is DynamoType and other.type == "S":
            return bool(self.value == other.value)
        return bool(motos_eq(self, other))

    setattr(__hash__, MOTOS_OWN, motos_hash)
    setattr(__eq__, MOTOS_OWN, motos_eq)
    return __hash__, __eq__
