"""Building moto items in one pass, inside the embedded store.

moto keeps an item's attributes in a ``LimitedSizeDict`` that re-measures the whole item on every attribute set,
to refuse items over DynamoDB's size limit: building an item of n attributes costs n² (a cart, an order or an event
item of a few dozen attributes: most of a ``PutItem``'s time). Building an item only adds attributes, so the
running total is largest at the end: measuring the finished item once refuses exactly the same items, with the same
error.
"""

from __future__ import annotations

from typing import Any

_PATCHED_FLAG = "_voicecart_one_pass"
MAX_ITEM_BYTES = 405_000  # LimitedSizeDict's limit (between DynamoDB's measured 409 and 410 KB)


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

    setattr(item_class, "__init__", __init__)  # noqa: B010
    setattr(item_class, _PATCHED_FLAG, True)
