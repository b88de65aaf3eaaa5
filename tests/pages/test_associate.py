"""The associate's pages through Flask's test client, on the real store (moto), the real cart and profile."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask.testing import FlaskClient

from backend.demo.histories import CustomerHistory, PastOrder
from backend.demo.history_import import import_history
from backend.identity import IdentityKind
from backend.profile import Channel, Event, Outcome
from backend.services import Backend
from tests.pages.support import HTTPS, csrf_of, sign_in

MINE, THEIRS = "7001", "7002"
BANANAS = "24852"  # Banana, in the catalog


@pytest.fixture
def customers(backend: Backend) -> None:
    for customer_id in (MINE, THEIRS):
        backend.profiles.ensure_customer(customer_id)
    backend.identities.link(MINE, IdentityKind.STORE, "card-123456")
    backend.identities.link(THEIRS, IdentityKind.STORE, "card-999999")
    backend.profiles.record_event(
        Event(
            event_id="voice-turn-1", customer_id=MINE, channel=Channel.VOICE, type="voice_add",
            occurred_at=datetime(2026, 11, 20, 9, 0, tzinfo=UTC), outcome=Outcome.ADDED, heard="add some bananas",
            product_id=BANANAS, product_name="Banana", quantity=2,
        )
    )  # fmt: skip
    backend.profiles.record_event(
        Event(
            event_id="web-view-1", customer_id=MINE, channel=Channel.WEB, type="product_view",
            occurred_at=datetime(2026, 11, 20, 10, 0, tzinfo=UTC), outcome=Outcome.VIEWED, product_id="13176",
        )
    )  # fmt: skip


@pytest.fixture
def store_key(backend: Backend, customers: None) -> str:
    return backend.clients.create(name="counter 1", channel="store", customers=[MINE]).key


@pytest.fixture
def signed_in(client: FlaskClient, store_key: str) -> FlaskClient:
    assert sign_in(client, store_key).status_code == 302
    return client


def test_every_page_needs_signing_in(client: FlaskClient, customers: None) -> None:
    for path in ("/associate/", f"/associate/customers/{MINE}", "/associate/?q=card-123456"):
        response = client.get(path, base_url=HTTPS)
        assert response.status_code == 302
        assert response.headers["Location"].startswith("/associate/sign-in")
    page = client.get("/associate/sign-in", base_url=HTTPS)
    posted = client.post(
        f"/associate/customers/{MINE}/cart", data={"product_id": BANANAS, "csrf_token": csrf_of(page)}, base_url=HTTPS
    )
    assert posted.status_code == 302
    assert posted.headers["Location"].startswith("/associate/sign-in")


def test_the_session_cookie_is_secure_httponly_samesite_and_holds_no_key(client: FlaskClient, store_key: str) -> None:
    response = sign_in(client, store_key)
    cookie = response.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert store_key not in cookie


def test_a_key_of_another_channel_or_an_unknown_key_is_refused(client: FlaskClient, backend: Backend) -> None:
    web_key = backend.clients.create(name="web shop", channel="web").key
    for key in (web_key, "vck_not-a-key-of-this-shop-at-all"):
        response = sign_in(client, key)
        assert response.status_code == 401
        assert "not a store key" in response.get_data(as_text=True)
    assert client.get("/associate/", base_url=HTTPS).status_code == 302


def test_a_form_without_its_csrf_token_is_refused(
    client: FlaskClient, signed_in: FlaskClient, backend: Backend
) -> None:
    for data in ({"product_id": BANANAS}, {"product_id": BANANAS, "csrf_token": "forged"}):
        response = signed_in.post(f"/associate/customers/{MINE}/cart", data=data, base_url=HTTPS)
        assert response.status_code == 400
    assert backend.shopping.cart(MINE).is_empty
    assert client.post("/associate/sign-in", data={"api_key": "x" * 20}, base_url=HTTPS).status_code == 400


def test_search_by_a_linked_id_opens_the_customer(signed_in: FlaskClient) -> None:
    for query in ("card-123456", "store:card-123456", MINE):
        response = signed_in.get("/associate/", query_string={"q": query}, base_url=HTTPS)
        assert response.status_code == 302
        assert response.headers["Location"] == f"/associate/customers/{MINE}"


def test_a_key_never_sees_another_customer(signed_in: FlaskClient, backend: Backend) -> None:
    assert signed_in.get(f"/associate/customers/{THEIRS}", base_url=HTTPS).status_code == 404
    assert signed_in.get("/associate/", query_string={"q": "card-999999"}, base_url=HTTPS).status_code == 404
    page = signed_in.get(f"/associate/customers/{MINE}", base_url=HTTPS)
    posted = signed_in.post(
        f"/associate/customers/{THEIRS}/cart", data={"product_id": BANANAS, "csrf_token": csrf_of(page)},
        base_url=HTTPS,
    )  # fmt: skip
    assert posted.status_code == 404
    assert backend.shopping.cart(THEIRS).is_empty


def test_the_customer_page_shows_ids_cart_channels_and_the_timeline(signed_in: FlaskClient, backend: Backend) -> None:
    at = "2026-11-20T11:00:00Z"
    backend.shopping.change_cart(
        MINE, lambda cart: cart.with_added("13176", 1, channel="web", at=at), request_id=None, channel="web"
    )
    html = signed_in.get(f"/associate/customers/{MINE}", base_url=HTTPS).get_data(as_text=True)
    assert "card-123456" in html
    assert "Bag of Organic Bananas" in html
    assert '<span class="tag ch-web">web</span>' in html
    assert "20 Nov 11:00" in html
    assert "heard “add some bananas”" in html
    assert html.index("product view") < html.index("voice add"), "newest first"
    voice_only = signed_in.get(f"/associate/customers/{MINE}?channel=voice", base_url=HTTPS).get_data(as_text=True)
    assert "voice add" in voice_only
    assert "product view" not in voice_only
    assert signed_in.get(f"/associate/customers/{MINE}?channel=fax", base_url=HTTPS).status_code == 400


def test_adding_a_product_puts_a_store_line_in_the_shared_cart(signed_in: FlaskClient, backend: Backend) -> None:
    page = signed_in.get(f"/associate/customers/{MINE}", base_url=HTTPS)
    response = signed_in.post(
        f"/associate/customers/{MINE}/cart", data={"product_id": BANANAS, "quantity": "3", "csrf_token": csrf_of(page)},
        base_url=HTTPS,
    )  # fmt: skip
    assert response.status_code == 302
    line = backend.shopping.cart(MINE).line_for(BANANAS)
    assert line is not None
    assert (line.quantity, line.channel) == (3, "store")
    events = backend.profiles.events(MINE, channel=Channel.STORE).events
    assert [(e.type, e.outcome, e.quantity) for e in events] == [("add_to_cart", Outcome.ADDED, 3)]
    for bad in ({"product_id": "no-such-product"}, {"product_id": BANANAS, "quantity": "lots"}):
        refused = signed_in.post(
            f"/associate/customers/{MINE}/cart", data={**bad, "csrf_token": csrf_of(page)}, base_url=HTTPS
        )
        assert refused.status_code == 400
    assert backend.shopping.cart(MINE).line_for(BANANAS).quantity == 3  # type: ignore[union-attr]


def test_noting_an_interaction_writes_a_store_event(signed_in: FlaskClient, backend: Backend) -> None:
    page = signed_in.get(f"/associate/customers/{MINE}", base_url=HTTPS)
    response = signed_in.post(
        f"/associate/customers/{MINE}/notes", data={"type": "store_return", "product_id": BANANAS,
                                                    "csrf_token": csrf_of(page)}, base_url=HTTPS,
    )  # fmt: skip
    assert response.status_code == 302
    events = backend.profiles.events(MINE, channel=Channel.STORE).events
    assert [(e.type, e.product_id) for e in events] == [("store_return", BANANAS)]
    html = signed_in.get(f"/associate/customers/{MINE}", base_url=HTTPS).get_data(as_text=True)
    assert "Returned a product" in html
    refused = signed_in.post(
        f"/associate/customers/{MINE}/notes", data={"type": "voice_add", "csrf_token": csrf_of(page)}, base_url=HTTPS
    )
    assert refused.status_code == 400


def test_signing_out_ends_the_session(signed_in: FlaskClient) -> None:
    page = signed_in.get("/associate/", base_url=HTTPS)
    assert signed_in.post("/associate/sign-out", data={"csrf_token": csrf_of(page)}, base_url=HTTPS).status_code == 302
    assert signed_in.get(f"/associate/customers/{MINE}", base_url=HTTPS).status_code == 302


def test_a_revoked_key_signs_its_sessions_out(signed_in: FlaskClient, backend: Backend) -> None:
    (client,) = [c for c in backend.clients.clients() if c.channel is Channel.STORE]
    backend.clients.revoke_client(client.client_id)
    assert signed_in.get(f"/associate/customers/{MINE}", base_url=HTTPS).status_code == 302


@pytest.mark.slow  # the resolver's index
def test_the_product_search_offers_the_resolvers_candidates(signed_in: FlaskClient) -> None:
    html = signed_in.get(f"/associate/customers/{MINE}?product=bananas", base_url=HTTPS).get_data(as_text=True)
    assert 'name="product_id" value="' in html
    assert "Banana" in html


def test_a_store_that_does_not_answer_is_an_apology_not_a_500(
    signed_in: FlaskClient, backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    from backend.errors import StoreUnavailable

    def unavailable(*args: object, **kwargs: object) -> None:
        raise StoreUnavailable("query: ReadTimeoutError")

    monkeypatch.setattr(backend.identities, "identities", unavailable)
    response = signed_in.get(f"/associate/customers/{MINE}", base_url=HTTPS)
    assert response.status_code == 503
    assert "did not answer in time" in response.get_data(as_text=True)


def test_the_customer_page_reads_no_order_and_names_lines_from_the_catalog(
    signed_in: FlaskClient, backend: Backend
) -> None:
    """However long the history, the page reads the order summary, never the orders themselves."""
    today = backend.clock().date()
    orders = tuple(
        PastOrder(order_id=f"p{n}", number=n + 1, placed_on=today - timedelta(days=7 * (30 - n)),
                  product_ids=(BANANAS, "13176") if n % 2 else (BANANAS,))
        for n in range(30)
    )  # fmt: skip
    import_history(backend.table, CustomerHistory(MINE, orders), backend.catalog, backend.settings)
    queries: list[dict[str, Any]] = []
    backend.table.client.meta.events.register(
        "provide-client-params.dynamodb.Query", lambda params, **_: queries.append(params)
    )
    page = signed_in.get(f"/associate/customers/{MINE}", base_url=HTTPS)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Banana" in text and f"{orders[-1].placed_on:%d %b %Y}" in text  # the newest order, from the summary
    read_orders = [q for q in queries if any(str(v.get("S", "")).startswith("ORDER#") for v in
                                             q.get("ExpressionAttributeValues", {}).values())]  # fmt: skip
    assert queries and read_orders == []  # the hook saw the page's queries, and none of them was of orders
    assert len(queries) <= 3  # the timeline's page (and the linked ids), nothing that grows with orders
