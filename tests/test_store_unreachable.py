"""A store that cannot be reached: /readyz says so at once with one thread at most waiting on the store, /healthz
stays 200, and a voice turn apologises after one failed store call (not two, each its own timeout).

The store's failures are botocore hooks on the backend's real client (moto): ``before-call`` raising what a closed
port raises, or blocking as a hung endpoint would, until the test releases it.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest
from botocore.exceptions import EndpointConnectionError

from backend.services import Backend, build_backend
from backend.store.embedded import EmbeddedDynamoDB
from skill.app import build_runtime, create_app
from skill.health import STORE_CHECK_SECONDS, StoreCheck
from tests.conftest import fresh_settings
from tests.support.envelopes import alexa_request


class Hung:
    """``describe_table`` blocks until released, as against an endpoint that accepts and never answers."""

    def __init__(self, backend: Backend) -> None:
        self.events = backend.table.client.meta.events
        self.release = threading.Event()
        self.calls = 0
        self.events.register("before-call.dynamodb.DescribeTable", self._hang)

    def _hang(self, **_: Any) -> None:
        self.calls += 1
        self.release.wait(10)

    def close(self) -> None:
        self.release.set()
        self.events.unregister("before-call.dynamodb.DescribeTable", self._hang)


@pytest.fixture
def hung(backend: Backend) -> Iterator[Hung]:
    store = Hung(backend)
    yield store
    store.close()


def _store_threads() -> int:
    return sum(thread.name == "readyz-store" for thread in threading.enumerate())


def test_a_hung_store_is_not_ready_before_it_answers_and_probes_share_one_call(backend: Backend, hung: Hung) -> None:
    check = StoreCheck(backend, wait=0.05)
    ok, state = check()
    assert not hung.release.is_set()  # answered while the store call still hangs
    assert (ok, state) == (False, "no answer within 0.1 s")
    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(lambda _: check(), range(16)))
    assert all(not ok for ok, _ in answers)
    assert all(state.startswith("no answer for") for _, state in answers)
    assert hung.calls == 1 and _store_threads() == 1  # sixteen probes, still one call waiting on the store
    hung.release.set()
    for thread in threading.enumerate():
        if thread.name == "readyz-store":
            thread.join(5)
    assert check() == (True, "active")  # the call that hung answered at last: that is the latest result


def test_readyz_answers_503_and_healthz_200_while_the_store_hangs(backend: Backend, hung: Hung) -> None:
    client = create_app(backend=backend, verifiers=[]).test_client()
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.get_json()["checks"]["store"] == {"ok": False, "state": "no answer within 0.5 s"}
    assert client.get("/healthz").status_code == 200


def test_a_stopped_embedded_store_is_not_ready() -> None:
    with EmbeddedDynamoDB() as store:
        backend = build_backend(fresh_settings(), client=store.client())
        client = create_app(backend=backend, verifiers=[]).test_client()
        assert client.get("/readyz").status_code == 200
        store.stop()
        time.sleep(STORE_CHECK_SECONDS)  # the last (ready) result is remembered that long
        response = client.get("/readyz")
        # Its clients outlive it; they must not keep being answered.
        assert response.status_code == 503
        assert response.get_json()["checks"]["store"]["state"] == "unreachable (EndpointConnectionError)"
        assert client.get("/healthz").status_code == 200


def test_a_voice_turn_against_a_dead_store_apologises_after_one_store_call(backend: Backend) -> None:
    calls: list[str] = []

    def refuse(event_name: str, **_: Any) -> None:
        calls.append(event_name.rsplit(".", 1)[-1])
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:9")

    backend.table.client.meta.events.register("before-call.dynamodb", refuse)
    try:
        body = build_runtime(backend).handle(alexa_request("intent_add_to_cart"))
    finally:
        backend.table.client.meta.events.unregister("before-call.dynamodb", refuse)
    assert "couldn't reach your account" in body["response"]["outputSpeech"]["ssml"]
    assert len(calls) == 1, calls  # recording the failed turn would ask the dead store again
