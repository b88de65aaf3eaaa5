"""One time budget for a voice turn's store calls (backend.store.budget), against a store that never answers.

The store here is a real TCP endpoint that accepts connections and never answers, reached by the real client
``make_client`` builds: what each attempt was allowed to wait is read from the request botocore sends.
"""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from backend.catalog import Catalog
from backend.errors import AlreadyApplied, OutcomeUnknown, StoreUnavailable
from backend.resolver import Resolver
from backend.services import build_backend
from backend.store import budget
from backend.store.budget import StoreBudgetSpent, recheck_allowance, remaining_seconds, store_budget
from backend.store.dynamo import Table, make_client
from backend.store.transaction import Transaction
from skill.app import build_runtime
from tests.conftest import dummy_credentials, fresh_settings
from tests.support.envelopes import alexa_request


@pytest.fixture(scope="module")
def hung_endpoint() -> Iterator[str]:
    """Accepts every connection, reads nothing, answers nothing."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    listener.settimeout(0.2)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    stop.set()
    thread.join()
    for connection in held:
        connection.close()
    listener.close()


@pytest.fixture
def settings(hung_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> Any:
    dummy_credentials(monkeypatch)
    return dataclasses.replace(fresh_settings(), store="endpoint", dynamodb_endpoint=hung_endpoint)


class Waits:
    """The read timeout each attempt the client actually sent was given (None: the client's own)."""

    def __init__(self, client: Any) -> None:
        self.seconds: list[float | None] = []
        client.meta.events.register("before-send.dynamodb", self._record)

    def _record(self, request: Any, **_: Any) -> None:
        self.seconds.append(request.context.get("read_timeout"))


def test_each_attempt_waits_at_most_what_is_left_and_a_spent_budget_sends_nothing(settings: Any) -> None:
    client = make_client(settings)
    waits = Waits(client)
    table = Table(client, settings.table_name)
    with store_budget(0.6):
        with pytest.raises(StoreUnavailable):
            table.get({"pk": "a", "sk": "b"})
        sent = len(waits.seconds)
        with pytest.raises(StoreUnavailable) as refused:
            table.get({"pk": "a", "sk": "b"})
    assert 1 <= sent <= 2 and all(wait is not None and wait <= 0.6 for wait in waits.seconds), waits.seconds
    assert isinstance(refused.value.__cause__, StoreBudgetSpent)
    assert len(waits.seconds) == sent  # the second call was refused before anything was sent


def test_outside_a_turn_calls_keep_the_clients_own_timeouts(settings: Any) -> None:
    client = make_client(settings)
    waits = Waits(client)
    assert remaining_seconds() is None
    with pytest.raises(StoreUnavailable):
        Table(client, settings.table_name).get({"pk": "a", "sk": "b"})
    assert waits.seconds and set(waits.seconds) == {None}


def test_a_nested_budget_never_extends_the_turns_and_a_recheck_gets_its_own_allowance() -> None:
    with store_budget(1.0):
        with store_budget(60.0):
            left = remaining_seconds()
            assert left is not None and left <= 1.0
        with store_budget(0.0):
            spent = remaining_seconds()
            assert spent is not None and spent <= 0
            with recheck_allowance(5.0):
                allowed = remaining_seconds()
                assert allowed is not None and 4.0 < allowed <= 5.0
    assert remaining_seconds() is None


def test_a_write_cut_off_by_the_budget_after_an_attempt_was_sent_is_never_reported_as_not_applied(
    settings: Any,
) -> None:
    # The first attempt may have applied: the budget must not turn "unknown" into "nothing was changed".
    client = make_client(settings)
    waits = Waits(client)
    write = Transaction(Table(client, settings.table_name))
    write.put({"pk": "CUST#1", "sk": "REQ#r1"}, condition="attribute_not_exists(pk)", conflict=AlreadyApplied)
    write.put({"pk": "CUST#1", "sk": "CART"})
    with store_budget(0.5), pytest.raises(OutcomeUnknown):
        write.commit()
    recheck = waits.seconds[-1]
    assert len(waits.seconds) >= 2 and recheck is not None and recheck <= budget.RECHECK_SECONDS


def test_a_voice_turn_spends_one_budget_on_all_its_store_calls(
    settings: Any, catalog: Catalog, shared_resolver: Callable[[], Resolver], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(budget, "TURN_STORE_SECONDS", 0.8)
    backend = build_backend(settings, catalog=catalog, resolver=shared_resolver, create_tables=False)
    waits = Waits(backend.table.client)
    answer = build_runtime(backend).handle(alexa_request("intent_add_to_cart"))
    assert "nothing was changed" in answer["response"]["outputSpeech"]["ssml"]
    assert waits.seconds and all(wait is not None and wait <= 0.8 for wait in waits.seconds), waits.seconds
