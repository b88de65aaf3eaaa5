"""The embedded store's direct AttributeValue conversion gives what botocore's and moto's model walks give: for
well-formed items, and for malformed ones (the walk's own answer or error)."""

from __future__ import annotations

import base64
import json
from typing import Any

import botocore.serialize
import botocore.session
from botocore.parsers import PROTOCOL_PARSERS as BOTOCORE_PARSERS
from hypothesis import given, settings
from hypothesis import strategies as st
from moto.core.parse import PROTOCOL_PARSERS as MOTO_PARSERS

from backend.store import embedded_parse
from backend.store.embedded_parse import (
    FastResponseParser,
    fast_request_parser_class,
    fast_serializer,
    is_attribute_value,
)

_MODEL = botocore.session.get_session().get_service_model("dynamodb")
_STREAMS = botocore.session.get_session().get_service_model("dynamodbstreams")
_B64 = st.binary(max_size=12).map(lambda data: base64.b64encode(data).decode())
_JUNK = st.one_of(st.none(), st.integers(), st.text(max_size=3), st.booleans(), st.lists(st.integers(), max_size=2))


def _values(depth: int = 3) -> st.SearchStrategy[Any]:
    scalars = st.one_of(
        st.builds(lambda v: {"S": v}, st.text(max_size=5)),
        st.builds(lambda v: {"N": v}, st.from_regex(r"-?[0-9]{1,4}", fullmatch=True)),
        st.builds(lambda v: {"BOOL": v}, st.booleans()),
        st.just({"NULL": True}),
        st.builds(lambda v: {"B": v}, _B64),
        st.builds(lambda v: {"SS": v}, st.lists(st.text(max_size=3), max_size=3)),
        st.builds(lambda v: {"NS": v}, st.lists(st.from_regex(r"[0-9]{1,3}", fullmatch=True), max_size=3)),
        st.builds(lambda v: {"BS": v}, st.lists(_B64, max_size=3)),
        # malformed: a wrong type, two tags, an unknown tag, nothing set, not a dict
        st.builds(lambda tag, junk: {tag: junk}, st.sampled_from(["S", "N", "M", "L", "SS", "BOOL"]), _JUNK),
        st.just({"S": "a", "N": "1"}),
        st.just({"X": "1"}),
        st.just({}),
        st.just({"S": None}),
        st.just("plain"),
    )
    if depth == 0:
        return scalars
    inner = _values(depth - 1)
    return st.one_of(
        scalars,
        st.builds(lambda v: {"M": v}, st.dictionaries(st.text(max_size=3), inner, max_size=3)),
        st.builds(lambda v: {"L": v}, st.lists(inner, max_size=3)),
    )


_ITEMS = st.dictionaries(st.text(max_size=4), _values(), max_size=4)


def _outcome(call: Any) -> Any:
    try:
        return ("ok", call())
    except Exception as error:  # noqa: BLE001 - the same error type from both, whatever it is
        return ("error", type(error))


def _response(model: Any, operation: str, body: dict[str, Any], parser_class: type) -> Any:
    response = {"status_code": 200, "headers": {}, "body": json.dumps(body).encode()}
    shape = model.operation_model(operation).output_shape
    return _outcome(lambda: parser_class().parse(response, shape))


@settings(max_examples=300, deadline=None)
@given(_ITEMS)
def test_responses_parse_as_botocore_parses_them(item: dict[str, Any]) -> None:
    for operation, body in (("GetItem", {"Item": item}), ("Query", {"Items": [item, item], "Count": 2})):
        assert _response(_MODEL, operation, body, FastResponseParser) == _response(
            _MODEL, operation, body, BOTOCORE_PARSERS["json"]
        )


@settings(max_examples=100, deadline=None)
@given(_ITEMS)
def test_stream_records_parse_as_botocore_parses_them(item: dict[str, Any]) -> None:
    body = {"Records": [{"eventID": "1", "dynamodb": {"Keys": item, "NewImage": item}}]}
    assert _response(_STREAMS, "GetRecords", body, FastResponseParser) == _response(
        _STREAMS, "GetRecords", body, BOTOCORE_PARSERS["json"]
    )


@settings(max_examples=300, deadline=None)
@given(_ITEMS, _ITEMS)
def test_requests_parse_as_moto_parses_them(item: dict[str, Any], values: dict[str, Any]) -> None:
    operation = _MODEL.operation_model("PutItem")
    body = json.dumps({"TableName": "t", "Item": item, "ExpressionAttributeValues": values})
    request = {"method": "POST", "values": {}, "headers": {}, "body": body, "url_path": "/", "url_params": {}}
    fast = fast_request_parser_class()(operation, map_type=dict)
    walked = MOTO_PARSERS["json"](operation, map_type=dict)
    assert _outcome(lambda: fast.parse(request)) == _outcome(lambda: walked.parse(request))


def test_only_the_attribute_value_shape_is_converted_directly() -> None:
    shapes = [_MODEL.shape_for(name) for name in _MODEL.shape_names]
    assert [shape.name for shape in shapes if is_attribute_value(shape)] == ["AttributeValue"]
    assert is_attribute_value(_STREAMS.shape_for("AttributeValue"))


@settings(max_examples=300, deadline=None)
@given(_ITEMS, st.dictionaries(st.text(max_size=3), st.binary(max_size=6), max_size=2))
def test_requests_serialise_as_botocore_serialises_them(item: dict[str, Any], blobs: dict[str, bytes]) -> None:
    item = {**item, **{name: {"B": data} for name, data in blobs.items()}}
    if blobs:
        item["bs"] = {"BS": list(blobs.values())}
    operation = _MODEL.operation_model("PutItem")
    params = {"TableName": "t", "Item": item, "ExpressionAttributeValues": item}
    plain = botocore.serialize.create_serializer("json", include_validation=False)
    fast = fast_serializer(botocore.serialize.create_serializer("json", include_validation=False))
    assert type(fast) is not type(plain)
    assert _outcome(lambda: fast.serialize_to_request(params, operation)) == _outcome(
        lambda: plain.serialize_to_request(params, operation)
    )


@settings(max_examples=400, deadline=None)
@given(
    value=st.recursive(
        st.one_of(
            st.text(max_size=3).map(lambda s: {"S": s}),
            st.sampled_from(
                [
                    {"N": "1"},
                    {"BOOL": True},
                    {"NULL": True},
                    {"B": "AA=="},
                    {"BS": ["AA=="]},
                    {"SS": ["a"]},
                    {"NS": ["1"]},
                    {"S": 1},
                    {"BOOL": "x"},
                    {"Q": "x"},
                    {"S": "a", "N": "1"},
                    {},
                    "S",
                    None,
                    {"SS": [1]},
                    {"L": "x"},
                    {"M": []},
                ]
            ),
        ),
        lambda inner: (
            st.lists(inner, max_size=3).map(lambda items: {"L": items})
            | st.dictionaries(st.text(max_size=2), inner, max_size=3).map(lambda members: {"M": members})
        ),
        max_leaves=6,
    )
)
def test_a_plain_value_is_told_as_the_conversion_tells_it(value: Any) -> None:
    class Blob(Exception):
        pass

    def no_blob(_: Any) -> Any:
        raise Blob

    try:
        converted = embedded_parse.attribute_value(value, no_blob)
        expected = converted is not embedded_parse._MISSING
        assert not expected or converted == value
    except Blob:
        expected = False
    assert embedded_parse.is_plain_attribute_value(value) is expected
