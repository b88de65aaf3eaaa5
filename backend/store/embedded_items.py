"""Building moto items in one pass, inside the embedded store.

moto keeps an item's attributes in a ``LimitedSizeDict`` that re-measures the whole item on every attribute set,
to refuse items over DynamoDB's size limit: building an item of n attributes costs n² (a cart, an order or an event
item of a few dozen attributes: most of a ``PutItem``'s time). Building an item only adds attributes, so the
running total is largest at the end: measuring the finished item once refuses exactly the same items, with the same
error.

moto's ``BatchGetItem`` also measures every item it returns, twice, walking every value, to stop at 16 MB. No item
is over ``MAX_ITEM_BYTES`` (refused when built), so a batch of at most ``UNMEASURED_BATCH_KEYS`` keys can never
reach it: such a batch is answered without measuring (``unmeasured``), which returns exactly what measuring would.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

_PATCHED_FLAG = "_voicecart_one_pass"
MAX_ITEM_BYTES = 405_000  # LimitedSizeDict's limit (between DynamoDB's measured 409 and 410 KB)
BATCH_GET_RESPONSE_BYTES = 16 * 1024 * 1024  # moto's (and DynamoDB's) BatchGetItem response limit
UNMEASURED_BATCH_KEYS = BATCH_GET_RESPONSE_BYTES // MAX_ITEM_BYTES  # 41 items of the largest size fit
_unmeasured = threading.local()


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
    setattr(item_class, _PATCHED_FLAG, True)
