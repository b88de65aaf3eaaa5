"""The embedded store's ``Item.to_json`` (``backend.store.embedded_items``: every stream record's images, the
rollback's snapshots) gives what moto's own gives, for any item (blobs and sets, nested maps and lists), and, as
moto's, a document of its own: changing it changes nothing in the item. Its ``DynamoType`` hash and comparison
(every key lookup) give what moto's give, for any two values."""

from __future__ import annotations

import copy
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st
from moto.dynamodb.models.dynamo_type import DynamoType, Item

from backend.store.embedded import EmbeddedDynamoDB
from backend.store.embedded_items import MOTOS_OWN, fast_key_comparisons, make_fast_to_json
from tests.support.properties import examples
from tests.test_embedded_results import _TEXT, _VALUES


def _motos_own() -> Any:
    with EmbeddedDynamoDB():  # the store's patches in place, whatever ran before
        pass
    return getattr(Item.to_json, MOTOS_OWN)


MOTOS = _motos_own()
FAST = make_fast_to_json(MOTOS)
MOTOS_HASH, MOTOS_EQ = getattr(DynamoType.__hash__, MOTOS_OWN), getattr(DynamoType.__eq__, MOTOS_OWN)
FAST_HASH, FAST_EQ = fast_key_comparisons(MOTOS_HASH, MOTOS_EQ)


def _item(attributes: dict[str, Any]) -> Item:
    return Item(DynamoType({"S": "pk"}), DynamoType({"S": "sk"}), {"pk": {"S": "pk"}, "sk": {"S": "sk"}, **attributes})


@settings(max_examples=examples(400), deadline=None)
@given(st.dictionaries(_TEXT, _VALUES, max_size=5), st.sampled_from(["Attributes", "Item"]))
def test_an_item_is_written_as_motos_own_writes_it(attributes: dict[str, Any], root: str) -> None:
    item = _item(attributes)
    before = copy.deepcopy(item.attrs)
    written = FAST(item, root)
    assert written == MOTOS(item, root)
    assert Item.to_json(item, root) == written  # what the store installed
    for value in written[root].values():  # a document of its own: emptying it leaves the item as it was
        for inner in value.values():
            if isinstance(inner, (dict, list)):
                inner.clear()
    assert item.attrs == before


def test_a_value_of_another_form_is_left_to_motos_own() -> None:
    item = _item({"m": {"M": {"n": {"N": "1"}}}})
    item.attrs["m"].value["odd"] = {"not": "a DynamoType"}  # no item holds one; moto's method decides what it gives
    item.attrs["x"] = DynamoType({"SS": ["a"]})
    item.attrs["x"].value = ("a",)  # a tuple: moto's own copies it its way
    try:
        expected: Any = MOTOS(item)
    except AttributeError as error:
        expected = type(error)
    try:
        got: Any = FAST(item)
    except AttributeError as error:
        got = type(error)
    assert got == expected


def _outcome(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except (TypeError, AttributeError) as error:  # unhashable (a map's cast value), not a DynamoType
        return type(error)


_KEYS = st.one_of(_TEXT.map(lambda s: {"S": s}), _VALUES)


@settings(max_examples=examples(400), deadline=None)
@given(_KEYS, _KEYS, st.booleans())
def test_values_hash_and_compare_as_motos_own(first: dict[str, Any], second: dict[str, Any], same: bool) -> None:
    a, b = DynamoType(first), DynamoType(first if same else second)
    assert _outcome(FAST_HASH, a) == _outcome(MOTOS_HASH, a)
    assert _outcome(FAST_EQ, a, b) == _outcome(MOTOS_EQ, a, b)
    assert _outcome(FAST_EQ, a, "S") == _outcome(MOTOS_EQ, a, "S")
    assert DynamoType.__hash__ is not MOTOS_HASH  # installed: what the store's tables are keyed with
