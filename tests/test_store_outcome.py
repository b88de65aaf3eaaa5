"""Say only what is known: a write whose answer was lost is settled by re-reading its marker.

Faults are injected with botocore event hooks on the real (moto) client: ``after-call`` raises once the store has
applied the call (the answer is lost on the way back), ``before-call`` raises before anything reaches the store.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError, ConnectTimeoutError, ReadTimeoutError
from flask import Flask

from backend.api import create_api_blueprint
from backend.errors import AlreadyApplied, OutcomeUnknown, StoreUnavailable
from backend.services import Backend
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

CUSTOMER = "1285"
MARKER = {"pk": f"CUST#{CUSTOMER}", "sk": "REQ#amzn1.echo-api.request.lost", "applied_at": "2026-11-22T10:00:00Z"}
CHANGE = {"pk": f"CUST#{CUSTOMER}", "sk": "NOTE#1", "text": "applied"}


class Faults:
    """Registers one-shot faults on a client's events and removes them at the end of the test."""

    def __init__(self, table: Table) -> None:
        self._events = table.client.meta.events
        self._registered: list[tuple[str, Callable[..., Any]]] = []

    def once(self, event: str, error: Exception) -> None:
        fired = []

        def hook(**_: Any) -> None:
            if not fired:
                fired.append(True)
                raise error

        self._events.register(event, hook)
        self._registered.append((event, hook))

    def always(self, event: str, error: Exception) -> None:
        def hook(**_: Any) -> None:
            raise error

        self._events.register(event, hook)
        self._registered.append((event, hook))

    def clear(self) -> None:
        for event, hook in self._registered:
            self._events.unregister(event, hook)


@pytest.fixture
def faults(table: Table) -> Iterator[Faults]:
    injected = Faults(table)
    yield injected
    injected.clear()


def lost_answer() -> ReadTimeoutError:
    return ReadTimeoutError(endpoint_url="https://dynamodb.us-east-1.amazonaws.com")


def server_error(operation: str) -> ClientError:
    return ClientError(
        {"Error": {"Code": "InternalServerError", "Message": "x"}, "ResponseMetadata": {"HTTPStatusCode": 500}},
        operation,
    )


def marked_transaction(table: Table, marker: dict[str, Any] = MARKER) -> Transaction:
    tx = Transaction(table)
    tx.put(marker, condition="attribute_not_exists(pk)", conflict=AlreadyApplied)
    tx.put(CHANGE)
    return tx


def test_a_transaction_applied_with_its_answer_lost_is_reported_applied(table: Table, faults: Faults) -> None:
    faults.once("after-call.dynamodb.TransactWriteItems", lost_answer())
    marked_transaction(table).commit()
    assert table.get({"pk": CHANGE["pk"], "sk": CHANGE["sk"]}) == CHANGE


def test_a_5xx_after_the_write_applied_is_reported_applied(table: Table, faults: Faults) -> None:
    faults.once("after-call.dynamodb.TransactWriteItems", server_error("TransactWriteItems"))
    marked_transaction(table).commit()
    assert table.get({"pk": CHANGE["pk"], "sk": CHANGE["sk"]}) == CHANGE


def test_a_single_marked_put_applied_with_its_answer_lost_is_reported_applied(table: Table, faults: Faults) -> None:
    faults.once("after-call.dynamodb.PutItem", lost_answer())
    tx = Transaction(table)
    tx.put(MARKER, condition="attribute_not_exists(pk)", conflict=AlreadyApplied)
    tx.commit()
    assert table.get({"pk": MARKER["pk"], "sk": MARKER["sk"]}) == MARKER


def test_a_write_that_never_applied_is_unavailable_and_nothing_is_there(table: Table, faults: Faults) -> None:
    faults.once("before-call.dynamodb.TransactWriteItems", lost_answer())
    with pytest.raises(StoreUnavailable) as raised:
        marked_transaction(table).commit()
    assert not isinstance(raised.value, OutcomeUnknown)
    assert table.get({"pk": CHANGE["pk"], "sk": CHANGE["sk"]}) is None


def test_a_write_never_sent_is_unavailable_without_a_re_read(table: Table, faults: Faults) -> None:
    faults.once("before-call.dynamodb.TransactWriteItems", ConnectTimeoutError(endpoint_url="https://dynamodb"))
    faults.always("before-call.dynamodb.GetItem", AssertionError("no re-read expected"))
    with pytest.raises(StoreUnavailable) as raised:
        marked_transaction(table).commit()
    assert not isinstance(raised.value, OutcomeUnknown)


def test_an_earlier_attempt_of_the_same_request_reads_as_already_applied(table: Table, faults: Faults) -> None:
    table.put({**MARKER, "applied_at": "2026-11-22T09:59:58Z"})
    faults.once("before-call.dynamodb.TransactWriteItems", lost_answer())
    with pytest.raises(AlreadyApplied):
        marked_transaction(table).commit()
    assert table.get({"pk": CHANGE["pk"], "sk": CHANGE["sk"]}) is None


def test_without_a_marker_the_outcome_is_unknown(table: Table, faults: Faults) -> None:
    faults.once("after-call.dynamodb.PutItem", lost_answer())
    tx = Transaction(table)
    tx.put(CHANGE)
    with pytest.raises(OutcomeUnknown):
        tx.commit()


def test_when_the_marker_cannot_be_read_either_the_outcome_is_unknown(table: Table, faults: Faults) -> None:
    faults.once("after-call.dynamodb.TransactWriteItems", lost_answer())
    faults.always("before-call.dynamodb.GetItem", ConnectTimeoutError(endpoint_url="https://dynamodb"))
    with pytest.raises(OutcomeUnknown):
        marked_transaction(table).commit()


def test_a_voice_add_whose_answer_was_lost_is_acknowledged_once(backend: Backend, table: Table, faults: Faults) -> None:
    assert backend.table.client is table.client  # the faults are on the backend's own client
    shopping = backend.shopping
    faults.once("after-call.dynamodb.TransactWriteItems", lost_answer())
    faults.once("after-call.dynamodb.PutItem", lost_answer())
    result = shopping.add_items(CUSTOMER, [("24852", 1)], request_id="amzn1.echo-api.request.a", outcome={"n": 1})
    assert result.outcome == {"n": 1} and not result.repeated
    # A second, different request is its own turn (no shared marker): it applies too.
    shopping.add_items(CUSTOMER, [("24852", 1)], request_id="amzn1.echo-api.request.b", outcome={"n": 2})
    assert [(line.product_id, line.quantity) for line in shopping.cart(CUSTOMER).lines] == [("24852", 2)]


def test_the_api_returns_the_applied_cart_not_503(backend: Backend, table: Table, faults: Faults) -> None:
    assert backend.table.client is table.client
    backend.profiles.ensure_customer(CUSTOMER)
    key = backend.clients.create(name="web shop", channel="web").key
    app = Flask(__name__)
    app.register_blueprint(create_api_blueprint(backend), url_prefix="/api/v1")
    faults.once("after-call.dynamodb.TransactWriteItems", lost_answer())
    response = app.test_client().post(
        f"/api/v1/customers/{CUSTOMER}/cart/items",
        json={"product_id": "24852", "quantity": 2, "event_id": "web-add-lost-answer"},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    body = response.get_json()
    assert [(line["product_id"], line["quantity"]) for line in body["lines"]] == [("24852", 2)]
    assert body["event"] == {"event_id": "web-add-lost-answer", "status": "written"}
