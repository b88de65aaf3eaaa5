"""The cross-channel API through Flask's test client, on the real store (moto) and the real shopping cart."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from backend.api import create_api_blueprint, openapi_document
from backend.catalog import Catalog
from backend.identity import IdentityKind
from backend.profile import Channel, Event, Outcome
from backend.resolver import Resolver
from backend.services import Backend, build_backend
from backend.settings import Settings
from backend.store.codec import from_attribute_values
from backend.store.dynamo import Table
from tests.support.contract import check_response

FIXTURES = Path(__file__).parent / "fixtures" / "api"
NOW = datetime(2026, 11, 22, 10, 5, tzinfo=UTC)
PREFIX = "/api/v1"


def load(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((FIXTURES / name).read_text())
    return data


class TickingClock:
    """Starts at NOW and moves one second per reading, so events written one after another sort in that order."""

    def __init__(self) -> None:
        self.ticks = 0

    def __call__(self) -> datetime:
        self.ticks += 1
        return NOW + timedelta(seconds=self.ticks)


class Api:
    """The app under test, its backend (on a ticking clock), and one key per client."""

    def __init__(
        self, table: Table, settings: Settings, catalog: Catalog, resolver: Callable[[], Resolver] | None = None
    ) -> None:
        clock = TickingClock()
        self.backend = build_backend(
            settings, client=table.client, clock=clock, catalog=catalog, resolver=resolver, create_tables=False
        )
        app = Flask(__name__)
        app.register_blueprint(create_api_blueprint(self.backend), url_prefix=PREFIX)
        self.app = app
        self.http: FlaskClient = app.test_client()
        for customer_id in ("1285", "2000"):
            self.backend.profiles.ensure_customer(customer_id)
        clients = self.backend.clients
        self.web = clients.create(name="web shop", channel="web").key
        self.store = clients.create(name="store tills", channel="store", customers=["1285"]).key
        self.email = clients.create(name="mailer", channel="email", customers=["1285"]).key
        self.privacy = clients.create(name="privacy desk", channel="web", scopes=("read", "privacy")).key

    def call(self, method: str, path: str, key: str | None = None, **kwargs: Any) -> Any:
        headers = dict(kwargs.pop("headers", {}))
        if key is not None:
            headers["Authorization"] = f"Bearer {key}"
        response = self.http.open(PREFIX + path, method=method, headers=headers, **kwargs)
        check_response(response)  # every answer, success or refusal, as openapi.json describes it
        return response


@pytest.fixture
def api(table: Table, settings: Settings, catalog: Catalog, shared_resolver: Callable[[], Resolver]) -> Api:
    return Api(table, settings, catalog, shared_resolver)


@pytest.fixture(scope="module")
def shared_api(shared_backend: Backend, catalog: Catalog, shared_resolver: Callable[[], Resolver]) -> Api:
    """One app and table for the tests that only read or are refused before writing: fast, and still the real
    store (the harness's module-scoped table)."""
    return Api(shared_backend.table, shared_backend.settings, catalog, shared_resolver)


def assert_error(response: Any, status: int, code: str | None = None) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    error: dict[str, Any] = response.get_json()["error"]
    assert set(error) >= {"code", "message"}
    if code:
        assert error["code"] == code
    assert "Traceback" not in response.get_data(as_text=True)
    return error


def scan(table: Table) -> list[dict[str, Any]]:
    return [from_attribute_values(item) for item in table.client.scan(TableName=table.name)["Items"]]


# --- authentication and scope ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [{}, {"Authorization": "Basic dXNlcjpwYXNz"}, {"Authorization": "Bearer"},
     {"Authorization": "Bearer vck_forgedforgedforgedforgedforgedforged"}, {"Authorization": "Bearer ../../etc"}],
)  # fmt: skip
def test_missing_or_forged_credentials_are_401(shared_api: Api, headers: dict[str, str]) -> None:
    response = shared_api.call("GET", "/customers/1285/profile", headers=headers)
    assert_error(response, 401, "unauthorized")
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_cross_customer_reads_are_403(shared_api: Api) -> None:
    assert shared_api.call("GET", "/customers/1285/profile", shared_api.store).status_code == 200
    for path in ("/customers/2000/profile", "/customers/2000/events", "/customers/2000/cart",
                 "/customers/999999/profile"):  # fmt: skip
        assert_error(shared_api.call("GET", path, shared_api.store), 403, "forbidden")
    assert_error(shared_api.call("GET", "/customers/2000/export", shared_api.store), 403)
    assert_error(shared_api.call("DELETE", "/customers/2000", shared_api.store), 403)


def test_export_and_erasure_need_the_privacy_scope(shared_api: Api) -> None:
    # The web key sees every customer, reads and writes: still no export or erasure.
    assert_error(shared_api.call("GET", "/customers/1285/export", shared_api.web), 403, "scope_missing")
    assert_error(shared_api.call("DELETE", "/customers/1285", shared_api.web), 403, "scope_missing")
    assert shared_api.call("GET", "/customers/1285/profile", shared_api.web).status_code == 200
    assert shared_api.call("GET", "/customers/1285/export", shared_api.privacy).status_code == 200


def test_a_read_only_key_changes_nothing(shared_api: Api) -> None:
    reader = shared_api.backend.clients.create(name="analytics", channel="web", scopes=("read",)).key
    assert shared_api.call("GET", "/customers/1285/cart", reader).status_code == 200
    before = shared_api.call("GET", "/customers/1285/cart", reader).get_json()
    response = shared_api.call("POST", "/customers/1285/cart/items", reader, json={"product_id": "24852"})
    assert_error(response, 403, "scope_missing")
    assert_error(shared_api.call("POST", "/customers/1285/events", reader, json=load("web_view_event.json")), 403)
    assert shared_api.call("GET", "/customers/1285/cart", reader).get_json() == before


def test_a_web_key_cannot_write_voice_events_or_link_store_ids(shared_api: Api) -> None:
    voice_on_web = {**load("voice_event.json"), "channel": "web", "event_id": "web-voice-1"}
    response = shared_api.call("POST", "/customers/1285/events", shared_api.web, json=voice_on_web)
    assert_error(response, 403, "channel_not_allowed")
    response = shared_api.call(
        "POST", "/customers/1285/identities", shared_api.web, json={"kind": "store", "value": "loyalty-77"}
    )
    assert_error(response, 403, "channel_not_allowed")
    assert shared_api.backend.identities.resolve(IdentityKind.STORE, "loyalty-77") is None
    response = shared_api.call("DELETE", "/customers/1285/identities/store/loyalty-77", shared_api.web)
    assert_error(response, 403, "channel_not_allowed")


def test_unknown_customers_are_404(shared_api: Api) -> None:
    assert_error(shared_api.call("GET", "/customers/999999/profile", shared_api.web), 404, "customer_not_found")
    assert_error(shared_api.call("GET", "/customers/web:nobody/profile", shared_api.web), 404, "customer_not_found")
    assert_error(shared_api.call("GET", "/customers/bad%23id/profile", shared_api.web), 400, "invalid_request")
    assert_error(shared_api.call("GET", "/customers/alexa_token:abc/profile", shared_api.web), 400)


def test_unknown_routes_and_methods_are_json(shared_api: Api) -> None:
    assert_error(shared_api.call("GET", "/nothing/here", shared_api.web), 404, "not_found")
    response = shared_api.call("PATCH", "/customers/1285/profile", shared_api.web)
    assert_error(response, 405, "method_not_allowed")
    assert "GET" in response.headers["Allow"]


# --- events ----------------------------------------------------------------------------------------------------


def test_events_from_other_channels_are_written_once(api: Api) -> None:
    body = load("store_purchase_event.json")
    first = api.call("POST", "/customers/1285/events", api.store, json=body)
    assert first.status_code == 201 and first.get_json() == {"event_id": body["event_id"], "status": "written"}
    profile = api.call("GET", "/customers/1285/profile", api.store).get_json()
    again = api.call("POST", "/customers/1285/events", api.store, json=body)
    assert again.status_code == 200 and again.get_json()["status"] == "already_written"
    reused = api.call("POST", "/customers/1285/events", api.store, json={**body, "quantity": 12})
    assert_error(reused, 422, "idempotency_key_reused")
    assert api.call("GET", "/customers/1285/profile", api.store).get_json() == profile
    summary = profile["summary"]
    assert summary["channels"]["store"]["events"] == 1
    assert summary["favourites"][0]["product_id"] == "24852" and summary["favourites"][0]["purchases"] == 1


def test_an_events_idempotency_fingerprint_expires_with_its_event_id_marker(api: Api) -> None:
    """Kept for ever before: one item per API event that TTL never took (the fingerprint outlived its event)."""
    body = load("store_purchase_event.json")
    assert api.call("POST", "/customers/1285/events", api.store, json=body).status_code == 201
    partition = {item["sk"]: item for item in api.backend.customer_data.partition("1285")}
    fingerprint, marker = partition[f"REQ#API#{body['event_id']}"], partition[f"EVENTID#{body['event_id']}"]
    assert fingerprint["expires_at"] == marker["expires_at"]


def test_a_store_receipt_counts_each_product(api: Api) -> None:
    response = api.call("POST", "/customers/1285/events", api.store, json=load("store_receipt_event.json"))
    assert response.status_code == 201
    summary = api.call("GET", "/customers/1285/profile", api.store).get_json()["summary"]
    purchases = {product["product_id"]: product["purchases"] for product in summary["favourites"]}
    assert purchases == {"24852": 1, "21137": 1, "27845": 1}
    assert summary["aisles"] == {"fresh fruits": 6, "milk": 3}
    events = api.call("GET", "/customers/1285/events", api.store).get_json()["events"]
    assert events[0]["lines"] == load("store_receipt_event.json")["lines"]


def test_a_client_writes_only_its_own_channel(shared_api: Api) -> None:
    response = shared_api.call("POST", "/customers/1285/events", shared_api.web, json=load("store_purchase_event.json"))
    assert_error(response, 403, "channel_not_allowed")


@pytest.mark.parametrize("case", sorted(json.loads((FIXTURES / "bad_events.json").read_text())))
def test_malformed_events_are_400_with_the_field(shared_api: Api, case: str) -> None:
    body = json.loads((FIXTURES / "bad_events.json").read_text())[case]
    error = assert_error(
        shared_api.call("POST", "/customers/1285/events", shared_api.web, json=body), 400, "invalid_request"
    )
    assert error["field"]


@pytest.mark.parametrize(
    ("data", "content_type", "status", "code"),
    [
        ("{not json", "application/json", 400, "malformed_json"),
        ('{"a": NaN}', "application/json", 400, "malformed_json"),
        ("[1, 2, 3]", "application/json", 400, "invalid_request"),
        ('"text"', "application/json", 400, "invalid_request"),
        ("[" * 5000 + "]" * 5000, "application/json", 400, "malformed_json"),
        (b"\xff\xfe\x00", "application/json", 400, "malformed_json"),
        ("event_id=e1", "application/x-www-form-urlencoded", 415, "unsupported_media_type"),
        ("", "application/json", 400, "invalid_request"),
    ],
)
def test_malformed_bodies_are_4xx(shared_api: Api, data: Any, content_type: str, status: int, code: str) -> None:
    response = shared_api.call("POST", "/customers/1285/events", shared_api.web, data=data, content_type=content_type)
    assert_error(response, status, code)


def test_oversized_bodies_are_413(shared_api: Api) -> None:
    body = {**load("web_view_event.json"), "device": "x" * 20_000}
    assert_error(shared_api.call("POST", "/customers/1285/events", shared_api.web, json=body), 413)


def test_events_by_channel_and_time_with_pagination(api: Api) -> None:
    start = NOW - timedelta(hours=1)
    for number in range(7):
        channel = "web" if number % 2 else "email"
        body = {"event_id": f"ev-{number}", "channel": channel, "type": "view", "outcome": "viewed",
                "occurred_at": (start + timedelta(minutes=number)).isoformat()}  # fmt: skip
        key = api.web if channel == "web" else api.email
        assert api.call("POST", "/customers/1285/events", key, json=body).status_code == 201
    seen, cursor = [], None
    while True:
        query = {"channel": "email", "limit": "2", **({"cursor": cursor} if cursor else {})}
        page = api.call("GET", "/customers/1285/events", api.web, query_string=query).get_json()
        seen.append([event["event_id"] for event in page["events"]])
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert seen == [["ev-6", "ev-4"], ["ev-2", "ev-0"]]
    window = {"since": (start + timedelta(minutes=1)).isoformat(), "until": (start + timedelta(minutes=4)).isoformat(),
              "order": "oldest"}  # fmt: skip
    page = api.call("GET", "/customers/1285/events", api.web, query_string=window).get_json()
    assert [event["event_id"] for event in page["events"]] == ["ev-1", "ev-2", "ev-3"]


@pytest.mark.parametrize(
    "query",
    [{"channel": "fax"}, {"limit": "0"}, {"limit": "1000"}, {"limit": "two"}, {"since": "yesterday"},
     {"cursor": "forged"}, {"order": "random"}, {"colour": "blue"}, {"since": "2026-11-22T10:00:00"}],
)  # fmt: skip
def test_bad_query_parameters_are_400(shared_api: Api, query: dict[str, str]) -> None:
    assert_error(
        shared_api.call("GET", "/customers/1285/events", shared_api.web, query_string=query), 400, "invalid_request"
    )


# --- one cart for every channel --------------------------------------------------------------------------------


def test_web_add_to_cart_is_the_cart_voice_uses(api: Api) -> None:
    body = load("web_add_to_cart.json")
    response = api.call("POST", "/customers/1285/cart/items", api.web, json=body)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["event"] == {"event_id": body["event_id"], "status": "written"}
    cart = api.call("GET", "/customers/1285/cart", api.web).get_json()
    assert [(line["product_id"], line["quantity"], line["channel"]) for line in cart["lines"]] == [("24852", 2, "web")]
    assert cart["totals"]["total"]
    # The voice side reads the same cart ...
    shopping = api.backend.shopping
    assert [(line.product_id, line.quantity) for line in shopping.cart("1285").lines] == [("24852", 2)]
    # ... and what voice adds (with its event, in one transaction) the web sees.
    voice = Event("amzn1.echo-api.request.1", "1285", Channel.VOICE, "voice_turn", NOW, Outcome.ADDED,
                  heard="whole milk", product_id="27845", quantity=1, aisle="milk")  # fmt: skip
    shopping.add_items("1285", [("27845", 1)], request_id="amzn1.echo-api.request.1", event=voice)
    cart = api.call("GET", "/customers/1285/cart", api.web).get_json()
    assert [(line["product_id"], line["channel"]) for line in cart["lines"]] == [("24852", "web"), ("27845", "voice")]
    summary = api.call("GET", "/customers/1285/profile", api.web).get_json()["summary"]
    assert summary["channels"]["web"]["events"] == 1 and summary["channels"]["voice"]["events"] == 1


def test_a_repeated_cart_event_changes_nothing(api: Api) -> None:
    body = load("web_add_to_cart.json")
    api.call("POST", "/customers/1285/cart/items", api.web, json=body)
    again = api.call("POST", "/customers/1285/cart/items", api.web, json=body).get_json()
    assert again["event"]["status"] == "already_written"
    assert again["lines"][0]["quantity"] == 2


def test_an_idempotency_key_reused_for_another_request_is_422_and_the_first_stands(api: Api) -> None:
    key = {"Idempotency-Key": "web-add-77"}
    first = api.call("POST", "/customers/1285/cart/items", api.web, headers=key, json={"product_id": "24852"})
    assert first.status_code == 200 and first.get_json()["event"]["status"] == "written"
    retry = api.call("POST", "/customers/1285/cart/items", api.web, headers=key, json={"product_id": "24852"})
    assert retry.status_code == 200 and retry.get_json()["event"]["status"] == "already_written"
    for method, path, body in (
        ("POST", "/customers/1285/cart/items", {"product_id": "24852", "quantity": 4}),
        ("POST", "/customers/1285/cart/items", {"product_id": "13176"}),
        ("PUT", "/customers/1285/cart/items/24852", {"quantity": 9}),
    ):
        assert_error(api.call(method, path, api.web, headers=key, json=body), 422, "idempotency_key_reused")
    assert_error(api.call("DELETE", "/customers/1285/cart", api.web, headers=key), 422, "idempotency_key_reused")
    cart = api.call("GET", "/customers/1285/cart", api.web).get_json()
    assert [(line["product_id"], line["quantity"]) for line in cart["lines"]] == [("24852", 1)]
    events = api.call("GET", "/customers/1285/events", api.web).get_json()["events"]
    assert [event["event_id"] for event in events] == ["web-add-77"]


def test_cart_changes_from_the_web(api: Api) -> None:
    api.call("POST", "/customers/1285/cart/items", api.web, json={"product_id": "24852"})
    changed = api.call("PUT", "/customers/1285/cart/items/24852", api.web, json={"quantity": 5}).get_json()
    assert changed["lines"][0]["quantity"] == 5
    assert_error(api.call("PUT", "/customers/1285/cart/items/13176", api.web, json={"quantity": 1}), 404, "not_in_cart")
    assert_error(api.call("PUT", "/customers/1285/cart/items/24852", api.web, json={"quantity": 500}), 400)
    assert_error(api.call("PUT", "/customers/1285/cart/items/24852", api.web, json={"quantity": "5"}), 400)
    assert_error(api.call("POST", "/customers/1285/cart/items", api.web, json={"product_id": "0"}), 422)
    assert_error(api.call("POST", "/customers/1285/cart/items", api.web, json={"product_id": "1", "x": 1}), 400)
    removed = api.call("DELETE", "/customers/1285/cart/items/24852", api.web, headers={"Idempotency-Key": "rm-1"})
    assert removed.get_json()["lines"] == [] and removed.get_json()["event"]["event_id"] == "rm-1"
    api.call("POST", "/customers/1285/cart/items", api.web, json={"product_id": "13176"})
    assert api.call("DELETE", "/customers/1285/cart", api.web).get_json()["item_count"] == 0
    events = api.call("GET", "/customers/1285/events", api.web, query_string={"limit": "10"}).get_json()["events"]
    assert [event["type"] for event in events] == [
        "clear_cart", "add_to_cart", "remove_from_cart", "change_quantity", "add_to_cart"
    ]  # fmt: skip


def test_orders_are_listed(api: Api) -> None:
    api.call("POST", "/customers/1285/cart/items", api.web, json={"product_id": "24852", "quantity": 3})
    placed = api.backend.shopping.place_order("1285", request_id="req-checkout-1", channel="web")
    orders = api.call("GET", "/customers/1285/orders", api.web).get_json()["orders"]
    assert [order["order_id"] for order in orders] == [placed.order.order_id]
    assert orders[0]["lines"][0]["quantity"] == 3 and orders[0]["total"] == str(placed.order.total)


# --- identities --------------------------------------------------------------------------------------------------


def test_linked_ids_read_the_one_profile(api: Api) -> None:
    linked = api.call("POST", "/customers/1285/identities", api.web, json={"kind": "web", "value": "u-42"})
    assert linked.status_code == 201
    api.call("POST", "/customers/1285/identities", api.email, json={"kind": "email", "value": "ann@example.com"})
    by_id = api.call("GET", "/customers/1285/profile", api.web).get_json()
    assert api.call("GET", "/customers/web:u-42/profile", api.web).get_json() == by_id
    assert api.call("GET", "/customers/email:ANN@example.com/profile", api.web).get_json() == by_id
    conflict = api.call("POST", "/customers/2000/identities", api.web, json={"kind": "web", "value": "u-42"})
    assert_error(conflict, 409, "identity_conflict")
    refused = api.call("POST", "/customers/1285/identities", api.web, json={"kind": "alexa_token", "value": "t"})
    assert_error(refused, 400)
    kinds = [i["kind"] for i in api.call("GET", "/customers/1285/identities", api.web).get_json()["identities"]]
    assert sorted(kinds) == ["email", "web"]
    assert api.call("DELETE", "/customers/1285/identities/web/u-42", api.web).status_code == 204
    assert_error(api.call("GET", "/customers/web:u-42/profile", api.web), 404)
    assert_error(api.call("DELETE", "/customers/1285/identities/web/u-42", api.web), 404)


# --- privacy -----------------------------------------------------------------------------------------------------


def test_export_then_delete_leaves_nothing(api: Api, table: Table) -> None:
    backend = api.backend
    backend.identities.link("1285", IdentityKind.WEB, "u-42")
    backend.identities.link("1285", IdentityKind.ALEXA_USER, "amzn1.ask.account.EXAMPLE")
    from backend.identity import DynamoAccessTokenStore

    DynamoAccessTokenStore(backend.identities).issue_demo_token("1285")
    api.call("POST", "/customers/1285/events", api.store, json=load("store_purchase_event.json"))
    api.call("POST", "/customers/1285/cart/items", api.web, json=load("web_add_to_cart.json"))
    voice = Event("amzn1.echo-api.request.9", "1285", Channel.VOICE, "voice_turn", NOW, Outcome.ADDED,
                  heard="bananas", product_id="24852", quantity=1)  # fmt: skip
    backend.profiles.record_event(voice)
    backend.shopping.place_order("1285", request_id="req-9", channel="web")
    api.call("POST", "/customers/2000/events", api.web, json=load("web_view_event.json"))  # someone else's data

    exported = api.call("GET", "/customers/1285/export", api.privacy).get_json()
    assert exported["customer_id"] == "1285"
    for kind in ("profile", "cart", "events", "heard_words", "event_ids", "orders", "order_lines", "identities",
                 "outbox", "requests", "api_grants"):  # fmt: skip
        assert exported["counts"].get(kind), kind
    assert len(exported["identity_lookups"]) == 3
    json.dumps(exported)  # plain JSON all the way down

    receipt = api.call("DELETE", "/customers/1285", api.privacy).get_json()
    assert receipt["counts"]["lookups"] == 3
    assert receipt["counts"]["api_client_scopes"] == 2
    assert receipt["total"] == sum(exported["counts"].values()) + 3 + 2

    remaining = scan(table)
    tombstones = [item for item in remaining if item["pk"] == "ERASED#1285"]
    assert not [item for item in remaining if "1285" in json.dumps(item, default=str) and item not in tombstones]
    assert [set(item) for item in tombstones] == [
        {"pk", "sk", "kind", "customer_id", "requested_at", "requested_by", "status", "erased_at", "counts",
         "gsi1pk", "gsi1sk"}
    ]  # fmt: skip
    assert tombstones[0]["counts"] == receipt["counts"]
    assert any(item["pk"] == "CUST#2000" for item in remaining)  # others untouched
    assert_error(api.call("GET", "/customers/1285/profile", api.web), 404)
    assert_error(api.call("GET", "/customers/web:u-42/profile", api.web), 404)


# --- the description and the failure path --------------------------------------------------------------------------


def test_every_route_is_described_in_openapi(shared_api: Api) -> None:
    served = shared_api.http.get(f"{PREFIX}/openapi.json")
    assert served.status_code == 200 and served.get_json() == openapi_document()
    document = openapi_document()
    assert document["openapi"].startswith("3.1")
    described = {
        (path, method) for path, item in document["paths"].items() for method in item if method != "parameters"
    }
    routes = set()
    for rule in shared_api.app.url_map.iter_rules():
        if not rule.endpoint.startswith("api.") or rule.endpoint == "api.unknown_route":
            continue
        path = rule.rule.removeprefix(PREFIX).replace("<path:", "{").replace("<", "{").replace(">", "}")
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            routes.add((path, method.lower()))
    assert routes and routes <= described, sorted(routes - described)
    assert described <= routes, sorted(described - routes)


class BrokenClient:
    """A DynamoDB client that fails in a way nothing expects (not a botocore error)."""

    def __getattr__(self, name: str) -> Any:
        def fail(*_args: Any, **_kwargs: Any) -> Any:
            raise RuntimeError("secret internals")

        return fail


def test_unexpected_failures_are_500_json_without_details(settings: Settings, catalog: Catalog) -> None:
    backend = build_backend(settings, client=BrokenClient(), catalog=catalog, create_tables=False)  # type: ignore[arg-type]
    app = Flask(__name__)
    app.register_blueprint(create_api_blueprint(backend), url_prefix=PREFIX)
    response = app.test_client().get(
        f"{PREFIX}/customers/1285/profile", headers={"Authorization": "Bearer " + "k" * 40}
    )
    error = assert_error(response, 500, "internal_error")
    assert "secret" not in error["message"]
