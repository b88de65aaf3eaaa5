"""Consent per purpose, computed traits, and no existence oracle for a scoped key, through the API (each answer
validated against openapi.json by ``Api.call``)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from backend.catalog import Catalog
from backend.profile import Channel, Outcome, new_event
from backend.profile.events import EventOrigin
from backend.profile.traits import predicted_next_order
from backend.resolver import Resolver
from backend.settings import Settings
from backend.store.dynamo import Table
from tests.test_api import NOW, Api, assert_error, load


@pytest.fixture
def api(table: Table, settings: Settings, catalog: Catalog, shared_resolver: Callable[[], Resolver]) -> Api:
    return Api(table, settings, catalog, shared_resolver)


def consents(api: Api, key: str) -> dict[str, dict[str, object]]:
    body = api.call("GET", "/customers/1285/consent", key).get_json()
    return {entry["purpose"]: entry for entry in body["consents"]}


def test_consent_defaults_then_choices_with_date_and_channel(api: Api) -> None:
    found = consents(api, api.store)
    assert {purpose: (entry["status"], entry["allowed"]) for purpose, entry in found.items()} == {
        "marketing_email": ("not_set", False),
        "personalisation": ("not_set", True),
        "heard_words": ("not_set", True),
    }
    response = api.call("PUT", "/customers/1285/consent/marketing_email", api.email, json={"status": "granted"})
    assert response.status_code == 200
    assert response.get_json()["channel"] == "email" and response.get_json()["allowed"] is True
    granted = consents(api, api.store)["marketing_email"]
    assert granted["status"] == "granted" and granted["channel"] == "email"
    assert str(granted["changed_at"]).startswith(NOW.date().isoformat())
    api.call("PUT", "/customers/1285/consent/marketing_email", api.store, json={"status": "withdrawn"})
    assert consents(api, api.web)["marketing_email"]["allowed"] is False


@pytest.mark.parametrize(
    ("purpose", "body"),
    [("marketing", {"status": "granted"}), ("heard_words", {"status": "yes"}), ("heard_words", {}),
     ("heard_words", {"status": "granted", "extra": 1}), ("heard_words", {"status": None})],
)  # fmt: skip
def test_bad_consent_changes_are_400(api: Api, purpose: str, body: dict[str, object]) -> None:
    response = api.call("PUT", f"/customers/1285/consent/{purpose}", api.store, json=body)
    assert_error(response, 400, "invalid_request")


def test_withdrawn_personalisation_resolves_without_history(api: Api) -> None:
    api.call("POST", "/customers/1285/events", api.store, json=load("store_receipt_event.json"))
    shopping = api.backend.shopping
    assert shopping.purchases(shopping.state("1285"))  # the store receipt biases the resolver
    api.call("PUT", "/customers/1285/consent/personalisation", api.store, json={"status": "withdrawn"})
    assert shopping.purchases(shopping.state("1285")) == {}
    api.call("PUT", "/customers/1285/consent/personalisation", api.store, json={"status": "granted"})
    assert shopping.purchases(shopping.state("1285"))


def test_withdrawing_heard_words_deletes_those_kept(api: Api) -> None:
    origin = EventOrigin("voice-heard-1", "1285", Channel.VOICE, "voice_turn", NOW, intent="AddToCartIntent")
    api.backend.profiles.record_event(new_event(origin, Outcome.NOT_FOUND, heard="something odd"))
    assert api.backend.profiles.events("1285").events[0].heard == "something odd"
    api.call("PUT", "/customers/1285/consent/heard_words", api.store, json={"status": "withdrawn"})
    event = api.backend.profiles.events("1285").events[0]
    assert event.event_id == "voice-heard-1" and event.heard is None


def test_traits_in_one_call(api: Api) -> None:
    api.call("POST", "/customers/1285/events", api.store, json=load("store_receipt_event.json"))
    api.call("POST", "/customers/1285/cart/items", api.web, json={"product_id": "24852", "quantity": 2})
    traits = api.call("GET", "/customers/1285/traits", api.store).get_json()
    assert traits["favourite_channel"] == "web"  # one event each: the tie goes to the channel seen last
    assert [entry["aisle"] for entry in traits["top_aisles"]] == ["fresh fruits", "milk"]
    assert traits["top_aisles"][0]["score"] == 6 + 2  # two bought lines (3 each) and one web add (2)
    assert traits["cart_items"] == 2 and traits["cart_idle_since"] is not None
    assert traits["days_since_last_order"] is None and traits["predicted_next_order"] is None
    empty = api.call("GET", "/customers/2000/traits", api.web).get_json()
    assert empty["favourite_channel"] is None and empty["cart_idle_since"] is None and empty["usual_basket"] == []


def test_the_next_order_is_predicted_from_the_median_gap() -> None:
    start = datetime(2026, 1, 1, 9, tzinfo=UTC)
    days = [0, 7, 14, 30]  # gaps 7, 7, 16: the median says a week
    assert predicted_next_order([start + timedelta(days=day) for day in days]) == (start + timedelta(days=37)).date()
    assert predicted_next_order([start, start + timedelta(days=7)]) is None  # one gap is no rhythm


def test_a_scoped_key_cannot_tell_unknown_ids_from_other_customers(api: Api) -> None:
    linked = api.call("POST", "/customers/2000/identities", api.web, json={"kind": "web", "value": "anon-2000"})
    assert linked.status_code == 201
    others = api.call("GET", "/customers/web:anon-2000/profile", api.store)
    unknown = api.call("GET", "/customers/web:anon-nobody/profile", api.store)
    assert others.status_code == unknown.status_code == 403
    assert others.get_json() == unknown.get_json()
    # A key for every customer is told plainly that nobody has the id.
    assert_error(api.call("GET", "/customers/web:anon-nobody/profile", api.web), 404)
    assert api.call("GET", "/customers/web:anon-2000/profile", api.web).get_json()["customer_id"] == "2000"


def test_each_channel_writes_its_own_events_and_voice_uses_them(api: Api) -> None:
    app = api.backend.clients.create(name="shop app", channel="app", customers=["1285"]).key
    linked = api.call("POST", "/customers/1285/identities", app, json={"kind": "app", "value": "install-7f3a"})
    assert linked.status_code == 201
    view = {"event_id": "app-view-1", "channel": "app", "type": "product_view", "outcome": "viewed",
            "product_id": "21137", "occurred_at": "2026-11-22T09:00:00Z"}  # fmt: skip
    bought = {"event_id": "app-buy-1", "channel": "app", "type": "purchase", "outcome": "purchased",
              "lines": [{"product_id": "27845", "quantity": 1}], "occurred_at": "2026-11-22T09:05:00Z"}  # fmt: skip
    for body in (view, bought):
        assert api.call("POST", "/customers/app:install-7f3a/events", app, json=body).status_code == 201
    assert api.call("POST", "/customers/1285/events", api.email, json=load("email_click_event.json")).status_code == 201
    assert (
        api.call("POST", "/customers/1285/events", api.store, json=load("store_receipt_event.json")).status_code == 201
    )
    # A key writes its own channel only.
    assert_error(api.call("POST", "/customers/1285/events", app, json={**view, "channel": "store"}), 403)

    events = api.call("GET", "/customers/app:install-7f3a/events?channel=app", app).get_json()["events"]
    assert [event["name"] for event in events] == ["Order Completed", "Product Viewed"]
    state = api.backend.shopping.state("1285")
    purchases = api.backend.shopping.purchases(state)
    assert purchases["27845"].count == 2  # bought in the app and at the till: both bias the voice resolver
    assert "21137" in purchases  # the till receipt's strawberries


def test_merge_moves_everything_and_leaves_nothing_of_the_source(api: Api) -> None:
    api.backend.profiles.ensure_customer("anon-77")
    web = api.web
    api.call("POST", "/customers/anon-77/identities", web, json={"kind": "web", "value": "cookie-77"})
    view = load("web_view_event.json")
    api.call("POST", "/customers/anon-77/events", web, json=view)
    api.call("POST", "/customers/anon-77/cart/items", web, json={"product_id": "21137", "quantity": 2})
    api.call("POST", "/customers/1285/cart/items", web, json={"product_id": "21137", "quantity": 1})
    assert_error(api.call("POST", "/customers/1285/merge", web, json={"source": "anon-77"}), 403, "scope_missing")
    merger = api.backend.clients.create(name="identity desk", channel="web", scopes=("read", "write", "privacy")).key

    response = api.call("POST", "/customers/1285/merge", merger, json={"source": "web:cookie-77"})

    assert response.status_code == 200, response.get_data(as_text=True)
    record = response.get_json()
    assert record["source"] == "anon-77" and record["target"] == "1285"
    assert record["moved"]["events"] == 2  # the page view and the web add
    assert record["moved"]["cart_lines"] == 1 and record["moved"]["identities"] == ["web:cookie-77"]
    cart = api.call("GET", "/customers/1285/cart", web).get_json()
    assert {line["product_id"]: line["quantity"] for line in cart["lines"]} == {"21137": 3}
    assert api.call("GET", "/customers/web:cookie-77/profile", web).get_json()["customer_id"] == "1285"
    event_ids = {event["event_id"] for event in api.call("GET", "/customers/1285/events", web).get_json()["events"]}
    assert view["event_id"] in event_ids
    # Nothing of the source remains; the target's export holds the merge record.
    assert_error(api.call("GET", "/customers/anon-77/profile", web), 404)
    assert not api.backend.customer_data.partition("anon-77")
    exported = api.call("GET", "/customers/1285/export", merger).get_json()
    merges = [item for entries in exported["items"].values() for item in entries if item.get("kind") == "merge"]
    assert [(item["source"], item["moved"]["events"]) for item in merges] == [("anon-77", 2)]
    # Merging again (the source is gone) is a plain 404, and nothing changes.
    assert_error(api.call("POST", "/customers/1285/merge", merger, json={"source": "anon-77"}), 404)
