"""Webhooks: Stripe-style signatures, subscriptions managed through the API, and delivery to a real receiver on
loopback: each matching event once, retried with backoff after failures, a dead letter after the last try."""

from __future__ import annotations

import json
import random
import socket
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from flask import Flask

from backend.api import create_api_blueprint
from backend.catalog import Catalog
from backend.outbound.consumer import StreamConsumer
from backend.outbound.errors import SignatureMismatch, WebhookRejected, WebhookTargetRefused
from backend.outbound.ledger import DeliveryLedger
from backend.outbound.signing import SIGNATURE_HEADER, signature_header, verify
from backend.outbound.subscriptions import SubscriptionDirectory, SubscriptionStore, check_url
from backend.outbound.webhooks import RetryPolicy, WebhookDispatcher, WebhookSender
from backend.profile.erasure import Tombstones
from backend.services import Backend
from backend.settings import Settings
from backend.store.dynamo import Table
from tests.support.outbound import FakeClock, all_records, backend_on, shopping_on, stream_reader

PREFIX = "/api/v1"
MILK = "27845"


# --- signatures ----------------------------------------------------------------------------------------------------


def test_a_signature_verifies_over_the_exact_body_within_the_tolerance() -> None:
    body = b'{"id":"event:1"}'
    header = signature_header("whsec_a", body, timestamp=1_800_000_000)
    assert verify(header, body, "whsec_a", now=1_800_000_100) == 1_800_000_000
    assert verify(header, body, ["whsec_old", "whsec_a"], now=1_800_000_000) == 1_800_000_000  # secret rotation
    for bad_body, secret, now in [
        (body + b" ", "whsec_a", 1_800_000_000),  # body changed
        (body, "whsec_b", 1_800_000_000),  # another secret
        (body, "whsec_a", 1_800_000_301),  # replayed after the tolerance
        (body, "whsec_a", 1_799_999_699),  # from the future
    ]:
        with pytest.raises(SignatureMismatch):
            verify(header, bad_body, secret, now=now)
    for broken in [None, "", "t=abc,v1=00", "v1=00", "t=1800000000"]:
        with pytest.raises(SignatureMismatch):
            verify(broken, body, "whsec_a", now=1_800_000_000)


@pytest.mark.parametrize(
    ("url", "loopback_allowed"),
    [
        ("http://shop.example/hook", True),  # plain http off loopback
        ("https://user:pw@shop.example/hook", True),
        ("https://10.0.0.5/hook", True),
        ("https://169.254.169.254/latest/meta-data", True),
        ("https://[fe80::1]/hook", True),
        ("http://127.0.0.1:9000/hook", False),
        ("https://localhost/hook", False),
        ("ftp://shop.example/hook", True),
        ("https://shop.example:99999/hook", True),
        ("not a url", True),
    ],
)
def test_urls_that_may_not_receive_webhooks_are_refused(url: str, loopback_allowed: bool) -> None:
    with pytest.raises((WebhookRejected, WebhookTargetRefused)):
        check_url(url, allow_loopback=loopback_allowed)


def test_https_urls_and_allowed_loopback_are_accepted() -> None:
    assert check_url("https://hooks.shop.example/voicecart", allow_loopback=False)
    assert check_url("http://127.0.0.1:8080/hook", allow_loopback=True)


def test_backoff_is_exponential_capped_and_jittered() -> None:
    policy = RetryPolicy(attempts=6, base_delay=0.5, max_delay=4.0)
    rng = random.Random(7)
    for retry, cap in [(1, 0.5), (2, 1.0), (3, 2.0), (4, 4.0), (5, 4.0)]:
        delays = [policy.delay(retry, rng) for _ in range(200)]
        assert all(0 <= d <= cap for d in delays) and max(delays) > cap * 0.8 and len(set(delays)) > 150


# --- a receiver on loopback ----------------------------------------------------------------------------------------


@dataclass
class Receiver:
    """A real HTTP server on 127.0.0.1 that checks every signature and answers from a script of statuses."""

    secret: str = ""
    statuses: list[int] = field(default_factory=list)  # answered in order; 200 once exhausted
    received: list[dict[str, Any]] = field(default_factory=list)
    bad_signatures: int = 0
    url: str = ""

    def handle(self, headers: Any, body: bytes) -> int:
        try:
            verify(headers.get(SIGNATURE_HEADER), body, self.secret)
        except SignatureMismatch:
            self.bad_signatures += 1
            return 400
        status = self.statuses.pop(0) if self.statuses else 200
        self.received.append(
            {"status": status, "event": json.loads(body), "event_id": headers.get("Voicecart-Event-Id")}
        )
        return status


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    state = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            status = state.handle(self.headers, body)
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *_args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}/hooks"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@dataclass
class World:
    table: Table
    clock: FakeClock
    api: Any
    backend: Backend
    shop_key: str
    till_key: str
    sleeps: list[float]
    consumer: StreamConsumer

    def call(self, method: str, path: str, key: str, **kwargs: Any) -> Any:
        return self.api.open(PREFIX + path, method=method, headers={"Authorization": f"Bearer {key}"}, **kwargs)

    def subscribe(self, key: str, url: str, events: list[str]) -> dict[str, Any]:
        response = self.call("POST", "/webhooks", key, json={"url": url, "events": events})
        assert response.status_code == 201, response.get_json()
        body: dict[str, Any] = response.get_json()
        return body

    def deliver_new_records(self, reader: Any) -> Any:
        return self.consumer.handle(all_records(reader))


@pytest.fixture
def world(table: Table, settings: Settings, catalog: Catalog) -> World:
    clock = FakeClock()
    settings = Settings.load(
        env={}, table_name=settings.table_name, aws_region="us-east-1", webhook_allow_loopback=True
    )
    backend = backend_on(table, settings, catalog, clock)
    app = Flask(__name__)
    app.register_blueprint(create_api_blueprint(backend), url_prefix=PREFIX)
    for customer_id in ("1285", "2000"):
        backend.profiles.ensure_customer(customer_id)
    shop = backend.clients.create(name="web shop", channel="web").key
    till = backend.clients.create(name="store tills", channel="store", customers=["1285"]).key
    sleeps: list[float] = []
    sender = WebhookSender(
        policy=RetryPolicy(attempts=4, base_delay=0.2, max_delay=1.0, timeout=5), sleep=sleeps.append
    )
    directory = SubscriptionDirectory(SubscriptionStore(table, clock=clock), refresh_seconds=0)
    dispatcher = WebhookDispatcher(table, directory, sender, ledger=DeliveryLedger(table, clock=clock), clock=clock)
    consumer = StreamConsumer(email=None, events=dispatcher, erased=Tombstones(table).is_erased)  # as in runtime
    return World(table, clock, app.test_client(), backend, shop, till, sleeps, consumer)


def test_subscriptions_are_created_listed_and_deleted_by_their_own_client(world: World, receiver: Receiver) -> None:
    created = world.subscribe(world.shop_key, receiver.url, ["order.placed", "event.*"])
    assert created["secret"].startswith("whsec_") and created["events"] == ["order.placed", "event.*"]
    listed = world.call("GET", "/webhooks", world.shop_key).get_json()["webhooks"]
    assert [hook["id"] for hook in listed] == [created["id"]] and "secret" not in listed[0]
    assert world.call("GET", f"/webhooks/{created['id']}", world.shop_key).get_json()["url"] == receiver.url

    # Another client neither sees nor deletes it.
    assert world.call("GET", "/webhooks", world.till_key).get_json()["webhooks"] == []
    assert world.call("GET", f"/webhooks/{created['id']}", world.till_key).status_code == 404
    assert world.call("DELETE", f"/webhooks/{created['id']}", world.till_key).status_code == 404

    assert world.call("DELETE", f"/webhooks/{created['id']}", world.shop_key).status_code == 204
    assert world.call("DELETE", f"/webhooks/{created['id']}", world.shop_key).status_code == 404
    assert world.call("GET", "/webhooks", world.shop_key).get_json()["webhooks"] == []


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"url": "http://shop.example/hook"}, 403),  # well-formed, but plain http off this machine
        ({"url": "https://10.1.2.3/hook"}, 403),
    ],
)
def test_urls_aimed_where_webhooks_may_not_go_are_403(world: World, body: dict[str, Any], status: int) -> None:
    response = world.call("POST", "/webhooks", world.shop_key, json=body)
    assert response.status_code == status and response.get_json()["error"]["code"] == "url_not_allowed"


def test_a_client_has_at_most_twenty_subscriptions(world: World) -> None:
    for n in range(20):
        world.subscribe(world.shop_key, f"https://hooks{n}.shop.example/", ["*"])
    response = world.call("POST", "/webhooks", world.shop_key, json={"url": "https://one.more.example/"})
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "subscription_limit"


@pytest.mark.parametrize(
    "body",
    [
        {"url": "https://shop.example/hook", "events": []},
        {"url": "https://shop.example/hook", "events": ["Order Placed"]},
        {"url": "https://shop.example/hook", "events": "order.placed"},
        {"url": "https://shop.example/hook", "secret": "mine"},
        {"events": ["*"]},
    ],
)
def test_bad_subscriptions_are_400(world: World, body: dict[str, Any]) -> None:
    response = world.call("POST", "/webhooks", world.shop_key, json=body)
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "invalid_request"


def test_unknown_or_malformed_subscription_ids_are_404(world: World) -> None:
    for path in ("/webhooks/whs_0000000000000000", "/webhooks/nope", "/webhooks/whs_0000000000000000/dead-letters"):
        assert world.call("GET", path, world.shop_key).status_code == 404


def test_a_subscriber_gets_each_matching_event_once_after_failures_signed(
    world: World, receiver: Receiver, catalog: Catalog, settings: Settings
) -> None:
    hook = world.subscribe(world.shop_key, receiver.url, ["cart.updated", "order.placed"])
    receiver.secret = hook["secret"]
    receiver.statuses = [503, 500]  # the first two tries fail
    reader = stream_reader(world.table, world.clock)
    all_records(reader)  # skip the setup's records
    shopping = shopping_on(world.table, settings, catalog, world.clock)
    shopping.add_items("1285", [(MILK, 2)], request_id="add-1")

    records = all_records(reader)
    result = world.consumer.handle(records)
    again = world.consumer.handle(records)  # the same records again: nothing is delivered twice

    assert result.webhook_deliveries == 1 and again.webhook_deliveries == 0
    assert [r["status"] for r in receiver.received] == [503, 500, 200] and receiver.bad_signatures == 0
    delivered = receiver.received[-1]
    assert delivered["event"]["type"] == "cart.updated" and delivered["event"]["customer_id"] == "1285"
    assert delivered["event_id"] == delivered["event"]["id"] == "cart:1285:1"
    assert delivered["event"]["data"]["lines"][0]["product_id"] == MILK
    assert len(world.sleeps) == 2 and world.sleeps[0] <= 0.2 and world.sleeps[1] <= 0.4


def test_after_the_last_try_the_event_is_dead_lettered_and_listed(
    world: World, receiver: Receiver, catalog: Catalog, settings: Settings
) -> None:
    hook = world.subscribe(world.shop_key, receiver.url, ["*"])
    receiver.secret = hook["secret"]
    receiver.statuses = [500] * 10
    reader = stream_reader(world.table, world.clock)
    all_records(reader)
    shopping_on(world.table, settings, catalog, world.clock).add_items("1285", [(MILK, 1)], request_id="a")

    result = world.deliver_new_records(reader)

    assert result.webhook_deliveries == 1 and not result.failed
    assert len(receiver.received) == 4  # every try was made
    letters = world.call("GET", f"/webhooks/{hook['id']}/dead-letters", world.shop_key).get_json()["dead_letters"]
    assert len(letters) == 1
    assert letters[0]["tries"] == 4 and letters[0]["last_status"] == 500 and letters[0]["event_type"] == "cart.updated"
    assert json.loads(letters[0]["payload"])["id"] == "cart:1285:1"
    # Seen again, the dead-lettered event is not retried: its delivery is recorded as finished.
    receiver.statuses = []
    world.consumer.handle(all_records(stream_reader(world.table, world.clock)))
    assert len(receiver.received) == 4


def test_events_go_only_to_subscribers_whose_client_may_see_the_customer(
    world: World, receiver: Receiver, catalog: Catalog, settings: Settings
) -> None:
    hook = world.subscribe(world.till_key, receiver.url, ["cart.updated"])  # the till client sees 1285 only
    receiver.secret = hook["secret"]
    reader = stream_reader(world.table, world.clock)
    all_records(reader)
    shopping = shopping_on(world.table, settings, catalog, world.clock)
    shopping.add_items("2000", [(MILK, 1)], request_id="x")
    shopping.add_items("1285", [(MILK, 1)], request_id="y")

    world.deliver_new_records(reader)

    assert [r["event"]["customer_id"] for r in receiver.received] == ["1285"]


def test_records_read_before_an_erase_and_handled_after_it_send_nothing_of_the_erased_customer(
    world: World, receiver: Receiver, catalog: Catalog, settings: Settings
) -> None:
    hook = world.subscribe(world.shop_key, receiver.url, ["cart.updated"])
    receiver.secret = hook["secret"]
    reader = stream_reader(world.table, world.clock)
    all_records(reader)
    shopping = shopping_on(world.table, settings, catalog, world.clock)
    shopping.add_items("1285", [(MILK, 1)], request_id="before-erase")
    shopping.add_items("2000", [(MILK, 1)], request_id="neighbour")
    held = all_records(reader)  # a batch on its way to the consumer (a Lambda's batching window, a retry) ...
    world.backend.customer_data.delete("1285", requested_by="test")  # ... when the customer is erased

    result = world.consumer.handle(held)

    assert [r["event"]["customer_id"] for r in receiver.received] == ["2000"]
    assert result.dropped_erased > 0 and not result.failed


def test_a_refused_connection_is_retried_then_dead_lettered(world: World, catalog: Catalog, settings: Settings) -> None:
    # A port nothing listens on: bind, note it, close.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    hook = world.subscribe(world.shop_key, f"http://127.0.0.1:{port}/gone", ["cart.updated"])
    reader = stream_reader(world.table, world.clock)
    all_records(reader)
    shopping_on(world.table, settings, catalog, world.clock).add_items("1285", [(MILK, 1)], request_id="z")
    world.deliver_new_records(reader)
    assert len(world.sleeps) == 3  # four tries, three waits between them
    (letter,) = world.call("GET", f"/webhooks/{hook['id']}/dead-letters", world.shop_key).get_json()["dead_letters"]
    assert letter["last_status"] is None and letter["last_error"] == "ConnectionError"


def test_a_new_subscription_is_seen_on_the_stream_without_waiting_for_a_refresh(
    world: World, receiver: Receiver, catalog: Catalog, settings: Settings
) -> None:
    reads = 0

    class CountingStore(SubscriptionStore):
        def all(self) -> list[Any]:
            nonlocal reads
            reads += 1
            return super().all()

    directory = SubscriptionDirectory(CountingStore(world.table, clock=world.clock), refresh_seconds=3600)
    sender = WebhookSender(sleep=world.sleeps.append)
    ledger = DeliveryLedger(world.table, clock=world.clock)
    dispatcher = WebhookDispatcher(world.table, directory, sender, ledger=ledger, clock=world.clock)
    consumer = StreamConsumer(email=None, events=dispatcher, on_subscriptions_changed=directory.invalidate)
    reader = stream_reader(world.table, world.clock)
    shopping = shopping_on(world.table, settings, catalog, world.clock)
    shopping.add_items("1285", [(MILK, 1)], request_id="before")
    consumer.handle(all_records(reader))
    assert reads == 1 and receiver.received == []  # nobody subscribed yet; the directory is now cached for an hour

    hook = world.subscribe(world.shop_key, receiver.url, ["cart.updated"])
    receiver.secret = hook["secret"]
    shopping.add_items("1285", [(MILK, 1)], request_id="after")
    consumer.handle(all_records(reader))
    assert reads == 2 and [r["event"]["id"] for r in receiver.received] == ["cart:1285:2"]

    shopping.add_items("1285", [(MILK, 1)], request_id="again")
    consumer.handle(all_records(reader))
    assert reads == 2 and len(receiver.received) == 2  # no subscription changed: no re-read
