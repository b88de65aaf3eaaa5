"""The embedded store's direct path for ``TransactWriteItems`` and ``BatchGetItem`` (``backend.store.embedded_direct``)
does what moto's own path does: the same random transactions (puts, updates, deletes, condition checks, failing
conditions, invalid requests) run through both, on two tables of the main schema holding the same items, leave the
same items and the same stream records, and give the same answer or the same error (code, message, cancellation
reasons in order); the same random batch reads give the same answers."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from backend.store import embedded_direct, embedded_parse
from backend.store.embedded import EmbeddedDynamoDB
from backend.store.schema import TABLES

DIRECT, THROUGH_MOTO = "direct-txn", "moto-txn"
MISSING_TABLE = "no-such-table"


class _Sends:
    """Counts the calls of an operation that reached the HTTP layers (``before-send``) on a client."""

    def __init__(self, client: Any, operation: str = "TransactWriteItems") -> None:
        self.count = 0
        self._client, self._event = client, f"before-send.dynamodb.{operation}"
        client.meta.events.register(self._event, self._sent)

    def _sent(self, **_: Any) -> None:
        self.count += 1

    def close(self) -> None:
        self._client.meta.events.unregister(self._event, self._sent)


@pytest.fixture(scope="module")
def clients() -> Iterator[tuple[Any, Any]]:
    # Two stores on one moto backend (moto's is per process): one client with the direct path, one without.
    with EmbeddedDynamoDB() as direct, EmbeddedDynamoDB(direct_calls=False) as plain:
        direct_client, plain_client = direct.client(), plain.client()
        (spec,) = [spec for spec in TABLES if spec.logical_name == "main"]
        for name in (DIRECT, THROUGH_MOTO):
            direct_client.create_table(**spec.create_table_kwargs(name))
        yield direct_client, plain_client


def _moto_table(name: str) -> Any:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    return dynamodb_backends[DEFAULT_ACCOUNT_ID]["us-east-1"].tables[name]


def _reset(items: list[dict[str, Any]]) -> None:
    for name in (DIRECT, THROUGH_MOTO):
        table = _moto_table(name)
        for item in list(table.all_items()):
            table.delete_item(item.hash_key, item.range_key)
        for item in items:
            table.put_item(json.loads(json.dumps(item)))
        table.stream_shard.items.clear()


def _contents(name: str) -> list[str]:
    return sorted(json.dumps(item.to_json(), sort_keys=True) for item in _moto_table(name).all_items())


def _records(name: str) -> list[dict[str, Any]]:
    from moto.dynamodb.models.utilities import dynamo_json_dump

    kept = []
    for record in _moto_table(name).stream_shard.items:
        data = dict(record.to_json())
        dynamodb = dict(data["dynamodb"])
        # Each table's shard numbers its records from its own start, and each record holds its time: the size
        # measured holds both too.
        for varying in ("SequenceNumber", "ApproximateCreationDateTime"):
            dynamodb["SizeBytes"] -= len(dynamo_json_dump(dynamodb.pop(varying)))
        kept.append({"eventName": data["eventName"], "dynamodb": dynamodb})
    return kept


def _outcome(client: Any, items: list[dict[str, Any]]) -> dict[str, Any]:
    try:
        answer = client.transact_write_items(TransactItems=items)
    except ClientError as error:
        answer = {"error": type(error).__name__, **error.response}
    metadata = answer.get("ResponseMetadata", {})
    for volatile in ("RequestId",):
        metadata.pop(volatile, None)
    headers = metadata.get("HTTPHeaders", {})
    for volatile in ("date", "x-amzn-requestid"):
        headers.pop(volatile, None)
    return answer


def _named(items: list[dict[str, Any]], table: str) -> list[dict[str, Any]]:
    renamed = json.loads(json.dumps(items))
    for entry in renamed:
        for operation in entry.values():
            if operation.get("TableName") != MISSING_TABLE:
                operation["TableName"] = table
    return renamed


# --- random transactions ---------------------------------------------------------------------------------------

PKS = st.sampled_from(["CUST#1", "CUST#2"])
SKS = st.sampled_from(["CART", "PROFILE", "EVENT#1", "REQ#1"])
SCALARS = st.one_of(
    st.builds(lambda s: {"S": s}, st.sampled_from(["", "a", "b", "zz"])),
    st.builds(lambda n: {"N": str(n)}, st.integers(-3, 3)),
    st.builds(lambda b: {"BOOL": b}, st.booleans()),
    st.just({"NULL": True}),
)
VALUES = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.builds(lambda entries: {"L": entries}, st.lists(inner, max_size=3)),
        st.builds(lambda entries: {"M": entries}, st.dictionaries(st.sampled_from(["x", "y"]), inner, max_size=2)),
        st.builds(lambda words: {"SS": sorted(set(words))}, st.lists(st.sampled_from(["p", "q"]), min_size=1)),
    ),
    max_leaves=4,
)
ATTRIBUTES = st.dictionaries(st.sampled_from(["n", "name", "lines", "gsi1pk", "gsi1sk", "count"]), VALUES, max_size=4)
NUMBER = st.builds(lambda n: {"N": str(n)}, st.integers(-2, 2))


@st.composite
def keys(draw: st.DrawFn) -> dict[str, Any]:
    return {"pk": {"S": draw(PKS)}, "sk": {"S": draw(SKS)}}


@st.composite
def conditions(draw: st.DrawFn) -> dict[str, Any]:
    """A condition that may hold or not; sometimes with a name it does not use (a validation error)."""
    kind = draw(st.sampled_from(["absent", "present", "equal", "less", "missing_or_other", "unused_name"]))
    if kind == "absent":
        return {"ConditionExpression": "attribute_not_exists(pk)"}
    if kind == "present":
        return {"ConditionExpression": "attribute_exists(pk)"}
    if kind == "unused_name":
        return {"ConditionExpression": "attribute_exists(pk)", "ExpressionAttributeNames": {"#u": "n"}}
    expression = {"equal": "#c = :c", "less": "#c < :c", "missing_or_other": "attribute_not_exists(#c) OR #c <> :c"}
    return {
        "ConditionExpression": expression[kind],
        "ExpressionAttributeNames": {"#c": draw(st.sampled_from(["n", "count"]))},
        "ExpressionAttributeValues": {":c": draw(NUMBER)},
    }


@st.composite
def updates(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["set", "set_two", "if_not_exists", "add", "remove", "append"]))
    name = draw(st.sampled_from(["n", "count", "name", "lines", "gsi1pk"]))
    names: dict[str, str] = {"#a": name}
    values: dict[str, Any] = {}
    if kind == "set":
        expression, values = "SET #a = :v", {":v": draw(VALUES)}
    elif kind == "set_two":
        names["#b"] = draw(st.sampled_from(["name", "other"]))
        expression, values = "SET #a = :v, #b = :w", {":v": draw(VALUES), ":w": draw(SCALARS)}
    elif kind == "if_not_exists":
        expression, values = "SET #a = if_not_exists(#a, :v)", {":v": draw(VALUES)}
    elif kind == "add":
        expression, values = "ADD #a :v", {":v": draw(NUMBER)}
    elif kind == "remove":
        expression = "REMOVE #a"
    else:
        expression, values = (
            "SET #a = list_append(if_not_exists(#a, :empty), :v)",
            {
                ":empty": {"L": []},
                ":v": {"L": [draw(SCALARS)]},
            },
        )
    body: dict[str, Any] = {"UpdateExpression": expression, "ExpressionAttributeNames": names}
    if values:
        body["ExpressionAttributeValues"] = values
    return body


@st.composite
def operations(draw: st.DrawFn) -> dict[str, Any]:
    kind = draw(st.sampled_from(["Put", "Put", "Update", "Update", "Delete", "ConditionCheck"]))
    table = draw(st.sampled_from([DIRECT] * 9 + [MISSING_TABLE]))
    body: dict[str, Any] = {"TableName": table}
    condition = draw(st.one_of(st.none(), conditions())) if kind != "ConditionCheck" else draw(conditions())
    if kind == "Put":
        body["Item"] = {**draw(ATTRIBUTES), **draw(keys())}
    else:
        body["Key"] = draw(keys())
    if kind == "Update":
        update = draw(updates())
        body.update(update)
        if condition is not None:  # one set of placeholders for both expressions
            names = {**update["ExpressionAttributeNames"], **condition.get("ExpressionAttributeNames", {})}
            values = {**update.get("ExpressionAttributeValues", {}), **condition.get("ExpressionAttributeValues", {})}
            body.update(condition)
            body["ExpressionAttributeNames"] = names
            if values:
                body["ExpressionAttributeValues"] = values
    elif condition is not None:
        body.update(condition)
    if draw(st.booleans()) and "ConditionExpression" in body:
        body["ReturnValuesOnConditionCheckFailure"] = draw(st.sampled_from(["ALL_OLD", "NONE"]))
    return {kind: body}


@st.composite
def starting_items(draw: st.DrawFn) -> list[dict[str, Any]]:
    items = {}
    for _ in range(draw(st.integers(0, 5))):
        key = draw(keys())
        attributes = {name: value for name, value in draw(ATTRIBUTES).items() if not name.startswith("gsi")}
        items[(key["pk"]["S"], key["sk"]["S"])] = {**attributes, **key}
    return list(items.values())


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=starting_items(), transaction=st.lists(operations(), min_size=1, max_size=5))
def test_a_transaction_does_through_the_direct_path_what_it_does_through_moto(
    clients: tuple[Any, Any], start: list[dict[str, Any]], transaction: list[dict[str, Any]]
) -> None:
    direct_client, plain_client = clients
    direct_sends, plain_sends = _Sends(direct_client), _Sends(plain_client)
    _reset(start)
    direct = _outcome(direct_client, _named(transaction, DIRECT))
    through_moto = _outcome(plain_client, _named(transaction, THROUGH_MOTO))
    assert direct == through_moto
    assert _contents(DIRECT) == _contents(THROUGH_MOTO)
    assert _records(DIRECT) == _records(THROUGH_MOTO)
    # and the direct client's call did not go through the HTTP layers, the other one's did
    assert (direct_sends.count, plain_sends.count) == (0, 1)
    direct_sends.close()
    plain_sends.close()


@st.composite
def batch_reads(draw: st.DrawFn) -> dict[str, Any]:
    """A batch read of a few keys (a repeated key is DynamoDB's validation error), maybe projected, maybe of a
    table that does not exist."""
    request: dict[str, Any] = {"Keys": draw(st.lists(keys(), min_size=1, max_size=5))}
    if draw(st.booleans()):
        request["ConsistentRead"] = draw(st.booleans())
    projection = draw(st.sampled_from([None, "pk, sk", "#n, sk", "#n", "lines.x"]))
    if projection is not None:
        request["ProjectionExpression"] = projection
        if "#n" in projection:
            request["ExpressionAttributeNames"] = {"#n": draw(st.sampled_from(["n", "name", "count"]))}
    return {draw(st.sampled_from([DIRECT] * 5 + [MISSING_TABLE])): request}


def _read(client: Any, request: dict[str, Any], table: str) -> dict[str, Any]:
    renamed = {table if name == DIRECT else name: value for name, value in request.items()}
    try:
        answer = client.batch_get_item(RequestItems=renamed)
    except ClientError as error:
        answer = {"error": type(error).__name__, **error.response}
    except TypeError as error:
        # moto's own projection of a path into a number ("lines.x" of {"N": ...}) fails so, on both paths
        return {"error": "TypeError", "message": str(error)}
    metadata = answer.get("ResponseMetadata", {})
    metadata.pop("RequestId", None)
    headers = metadata.get("HTTPHeaders", {})
    for volatile in ("date", "x-amzn-requestid", "x-amz-crc32"):  # the checksum is of a body naming the table
        headers.pop(volatile, None)
    for part in ("Responses", "UnprocessedKeys"):
        if table in answer.get(part, {}):
            answer[part][DIRECT] = answer[part].pop(table)
    for capacity in answer.get("ConsumedCapacity", []):
        if capacity.get("TableName") == table:
            capacity["TableName"] = DIRECT
    return answer


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(start=starting_items(), read=batch_reads())
@example(  # a path projected into a number: moto fails the same way on both paths
    start=[{"lines": {"N": "0"}, "pk": {"S": "CUST#1"}, "sk": {"S": "CART"}}],
    read={DIRECT: {"Keys": [{"pk": {"S": "CUST#1"}, "sk": {"S": "CART"}}], "ProjectionExpression": "lines.x"}},
)
def test_a_batch_read_answers_through_the_direct_path_what_it_answers_through_moto(
    clients: tuple[Any, Any], start: list[dict[str, Any]], read: dict[str, Any]
) -> None:
    direct_client, plain_client = clients
    direct_sends = _Sends(direct_client, "BatchGetItem")
    _reset(start)
    try:
        assert _read(direct_client, read, DIRECT) == _read(plain_client, read, THROUGH_MOTO)
        assert direct_sends.count == 0
    finally:
        direct_sends.close()


def test_the_failures_a_turn_meets_are_told_apart_in_order(clients: tuple[Any, Any]) -> None:
    direct_client, _ = clients
    _reset([{"pk": {"S": "CUST#1"}, "sk": {"S": "REQ#1"}, "n": {"N": "1"}}])
    with pytest.raises(ClientError) as cancelled:
        direct_client.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": DIRECT, "Item": {"pk": {"S": "CUST#1"}, "sk": {"S": "CART"}}}},
                {
                    "Put": {
                        "TableName": DIRECT,
                        "Item": {"pk": {"S": "CUST#1"}, "sk": {"S": "REQ#1"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                        "ReturnValuesOnConditionCheckFailure": "ALL_OLD",
                    }
                },
            ]
        )
    assert cancelled.value.response["Error"]["Code"] == "TransactionCanceledException"
    assert cancelled.value.response["CancellationReasons"] == [
        {"Code": "None"},
        {
            "Code": "ConditionalCheckFailed",
            "Message": "The conditional request failed",
            "Item": {"pk": {"S": "CUST#1"}, "sk": {"S": "REQ#1"}, "n": {"N": "1"}},
        },
    ]
    assert _contents(DIRECT) == [
        json.dumps({"Attributes": {"n": {"N": "1"}, "pk": {"S": "CUST#1"}, "sk": {"S": "REQ#1"}}}, sort_keys=True)
    ]
    assert _records(DIRECT) == []  # a cancelled transaction writes no stream record


def test_a_request_that_is_not_its_own_json_takes_moto_s_parser(clients: tuple[Any, Any]) -> None:
    direct_client, _ = clients
    _reset([])
    sends = _Sends(direct_client)
    try:
        item = {"pk": {"S": "CUST#1"}, "sk": {"S": "CART"}, "blob": {"B": b"\x00\x01"}}
        direct_client.transact_write_items(TransactItems=[{"Put": {"TableName": DIRECT, "Item": item}}])
        assert sends.count == 1  # a blob is decoded by moto's parser: the usual path
        assert direct_client.get_item(TableName=DIRECT, Key={"pk": {"S": "CUST#1"}, "sk": {"S": "CART"}})["Item"][
            "blob"
        ] == {"B": b"\x00\x01"}
    finally:
        sends.close()


def test_a_saturated_store_refuses_a_direct_call_with_dynamodbs_throttling_error() -> None:
    with EmbeddedDynamoDB(max_waiting=0, max_wait=0.05) as saturated:
        client = saturated.client()
        sends = _Sends(client)
        saturated._gate.enter()
        try:
            with pytest.raises(ClientError, match="ThrottlingException"):
                client.transact_write_items(
                    TransactItems=[{"Put": {"TableName": DIRECT, "Item": {"pk": {"S": "x"}, "sk": {"S": "y"}}}}]
                )
        finally:
            saturated._gate.leave()
            sends.close()
        # Refused on the direct path itself: the usual path's gate would refuse it too, after the HTTP layers.
        assert sends.count == 0
        assert saturated.refused == 1 and saturated.calls == 0


# --- the parse ---------------------------------------------------------------------------------------------------

JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(-2, 2), st.sampled_from(["", "a", "N", "S", "YQ=="])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.sampled_from(["S", "N", "M", "L", "B", "x"]), inner, max_size=2)
    ),
    max_leaves=6,
)
MEMBERS = st.sampled_from(
    ["TableName", "Item", "Key", "ConditionExpression", "ExpressionAttributeNames", "UpdateExpression", "Other"]
)


@settings(max_examples=300, deadline=None)
@given(
    request=st.dictionaries(
        st.sampled_from(["x", "t"]),
        st.dictionaries(
            st.sampled_from(["Keys", "ConsistentRead", "ProjectionExpression", "AttributesToGet", "Other"]),
            st.one_of(JSON, st.just([{"pk": {"S": "a"}}])),
        ),
        max_size=2,
    ).map(lambda items: {"RequestItems": items})
)
def test_a_batch_read_taken_directly_is_exactly_what_motos_parser_makes_of_it(request: dict[str, Any]) -> None:
    _same_parse("BatchGetItem", request)


@settings(max_examples=400, deadline=None)
@given(
    request=st.fixed_dictionaries(
        {
            "TransactItems": st.lists(
                st.dictionaries(
                    st.sampled_from(["Put", "Update", "Delete", "ConditionCheck", "Nope"]),
                    st.dictionaries(MEMBERS, st.one_of(JSON, st.just({"pk": {"S": "a"}}))),
                    max_size=2,
                ),
                max_size=3,
            )
        },
        optional={"ClientRequestToken": st.one_of(st.just("token"), JSON), "ReturnConsumedCapacity": JSON},
    )
)
def test_a_request_taken_directly_is_exactly_what_motos_parser_makes_of_it(request: dict[str, Any]) -> None:
    _same_parse("TransactWriteItems", request)


def _same_parse(operation_name: str, request: dict[str, Any]) -> None:
    from moto.core.utils import get_service_model
    from werkzeug.datastructures import MultiDict

    operation = get_service_model("dynamodb").operation_model(operation_name)
    body = json.dumps(request)
    direct = embedded_direct.parsed_request(operation, body.encode())
    parser = embedded_parse.fast_request_parser_class()(operation, map_type=dict)
    try:
        parsed = parser.parse(
            {"method": "POST", "values": MultiDict(), "headers": {}, "body": body, "url_path": "/", "url_params": {}}
        )
    except Exception:  # noqa: BLE001 - whatever moto's parser refuses, the direct path must not take
        assert direct is None
        return
    assert direct is None or direct == parsed


def test_a_botocore_without_the_endpoint_parts_the_answer_uses_keeps_the_usual_path() -> None:
    with EmbeddedDynamoDB() as store:
        client = store.client()
        assert embedded_direct.supports(client)
        for part in embedded_direct._ENDPOINT_PARTS:
            endpoint = client._endpoint
            saved = getattr(endpoint, part)
            setattr(endpoint, part, None)
            try:
                assert not embedded_direct.supports(client), part
            finally:
                setattr(endpoint, part, saved)
        assert not embedded_direct.supports(object())
