"""The profile summary counts the imported order history, and /orders names every line, through the API."""

from __future__ import annotations

from collections import Counter

from conftest import sign_up
from flask.testing import FlaskClient

from backend.demo.histories import CustomerHistory
from backend.services import Backend
from tests.support.contract import check_response

CUSTOMER = "3623"


def get(client: FlaskClient, backend: Backend, path: str) -> dict[str, object]:
    key = backend.clients.create(name="web shop", channel="web").key
    response = client.get(f"/api/v1{path}", headers={"Authorization": f"Bearer {key}"})
    check_response(response)
    assert response.status_code == 200, response.get_data(as_text=True)
    body: dict[str, object] = response.get_json()
    return body


def test_the_summary_counts_imported_orders(
    client: FlaskClient, backend: Backend, histories: dict[str, CustomerHistory]
) -> None:
    history = histories[CUSTOMER]
    sign_up(backend, CUSTOMER, history)
    in_orders = Counter(product_id for order in history.orders for product_id in set(order.product_ids))
    usual, times = in_orders.most_common(1)[0]
    assert times > 1

    summary = get(client, backend, f"/customers/{CUSTOMER}/profile")["summary"]
    assert isinstance(summary, dict)
    favourites = {entry["product_id"]: entry for entry in summary["favourites"]}
    assert favourites[usual]["purchases"] == times
    assert favourites[usual]["name"] == backend.catalog.get(usual).name
    assert summary["favourites"][0]["purchases"] == times  # the most bought comes first
    assert set(favourites) == set(in_orders)


def test_imported_order_lines_carry_names(
    client: FlaskClient, backend: Backend, histories: dict[str, CustomerHistory]
) -> None:
    sign_up(backend, CUSTOMER, histories[CUSTOMER])
    orders = get(client, backend, f"/customers/{CUSTOMER}/orders")["orders"]
    assert isinstance(orders, list) and orders
    lines = [line for order in orders for line in order["lines"]]
    assert lines and all(line["name"] for line in lines)
