"""The item codec converts exactly as boto3's TypeSerializer and TypeDeserializer do (the same values, the same
errors), for any values: the common ones it converts itself, the rest boto3 converts."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import Any

from boto3.dynamodb.types import Binary, TypeDeserializer, TypeSerializer
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.store.codec import from_attribute_value, from_attribute_values, to_attribute_value, to_attribute_values
from tests.support.properties import examples


class Colour(StrEnum):
    RED = "red"


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=5),
    st.integers(),
    st.integers(-(10**40), 10**40),
    st.just(10**38),
    st.just(-(10**38) + 1),
    st.decimals(allow_nan=False, allow_infinity=False, places=3),
    st.floats(allow_nan=False),
    st.binary(max_size=4),
    st.just(Colour.RED),
    st.frozensets(st.text(max_size=3), max_size=3),
    st.frozensets(st.integers(0, 9), max_size=3),
)
_PYTHON = st.recursive(
    _SCALARS,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.lists(inner, max_size=2).map(tuple)
        | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=10,
)
_TAGS = st.sampled_from(["S", "N", "B", "SS", "NS", "BS", "M", "L", "NULL", "BOOL", "X", ""])
_WIRE = st.recursive(
    st.one_of(st.none(), st.booleans(), st.text(max_size=4), st.integers(), st.sampled_from(["1", "1.50", "x"])),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(_TAGS | st.text(max_size=3), inner, max_size=2),
    max_leaves=10,
)


def _norm(value: Any) -> Any:
    """Comparable: Decimal('NaN') is not equal to itself (in a set, not even found)."""
    if isinstance(value, Decimal) and value.is_nan():
        return "NaN"
    if isinstance(value, (set, frozenset)):
        return ("set", sorted(repr(_norm(member)) for member in value))
    if isinstance(value, dict):
        return {key: _norm(member) for key, member in value.items()}
    if isinstance(value, list):
        return [_norm(member) for member in value]
    return value


def _outcome(convert: Any, value: Any) -> tuple[str, Any]:
    try:
        return ("ok", _norm(convert(value)))
    except Exception as error:  # noqa: BLE001 - the same error as boto3's is the point
        return ("error", type(error).__name__)


@settings(max_examples=examples(400), deadline=None)
@given(_PYTHON)
def test_values_are_written_as_boto3_writes_them(value: Any) -> None:
    assert _outcome(to_attribute_value, value) == _outcome(TypeSerializer().serialize, value)
    item = {"a": value, "b": None, "c": "x"}
    wanted = _outcome(lambda i: {k: TypeSerializer().serialize(v) for k, v in i.items() if v is not None}, item)
    assert _outcome(to_attribute_values, item) == wanted


@settings(max_examples=examples(400), deadline=None)
@given(_WIRE)
def test_values_are_read_as_boto3_reads_them(value: Any) -> None:
    got, wanted = _outcome(from_attribute_value, value), _outcome(TypeDeserializer().deserialize, value)
    assert got == wanted
    got_item = _outcome(from_attribute_values, {"a": value})
    wanted_item = _outcome(lambda i: {k: TypeDeserializer().deserialize(v) for k, v in i.items()}, {"a": value})
    assert got_item == wanted_item


def test_a_round_trip_keeps_every_kind() -> None:
    item = {
        "s": "x",
        "n": 7,
        "d": Decimal("1.5"),
        "t": True,
        "z": None,
        "m": {"l": [1, "a", {"b": False}]},
        "ss": {"a", "b"},
        "ns": {1, 2},
        "b": b"\x00",
    }
    back = from_attribute_values(to_attribute_values(item))
    assert back == {**{k: v for k, v in item.items() if v is not None}, "b": Binary(b"\x00")}
    assert isinstance(back["n"], Decimal)
