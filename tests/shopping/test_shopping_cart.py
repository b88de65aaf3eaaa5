"""The cart store: versioned conditional writes, retries of the same request, concurrent writers, bad input."""

from __future__ import annotations

import threading

import pytest
from conftest import NOW

from backend.errors import NotInCart, ValidationError
from backend.shopping import Cart, Shopping
from backend.shopping.model import MAX_QUANTITY
from backend.store import keys

MILK = "27845"  # Organic Whole Milk
BANANA = "24852"  # Banana


def test_add_merges_lines_and_bumps_the_version(shopping: Shopping) -> None:
    first = shopping.add_items("1285", [(MILK, 2)], request_id="r1")
    second = shopping.add_items("1285", [(MILK, 1), (BANANA, 6)], request_id="r2")

    assert first.cart is not None and first.cart.version == 1
    cart = shopping.cart("1285")
    assert cart.version == 2 == (second.cart.version if second.cart else None)
    assert [(line.product_id, line.quantity) for line in cart.lines] == [(MILK, 3), (BANANA, 6)]
    assert cart.updated_at == NOW.isoformat()


def test_the_same_request_id_is_applied_once_and_answered_from_its_marker(shopping: Shopping) -> None:
    outcome = {"key": "cart.added", "quantity": 2}
    first = shopping.add_items("1285", [(MILK, 2)], request_id="retry-me", outcome=outcome)
    again = shopping.add_items("1285", [(MILK, 2)], request_id="retry-me", outcome={"key": "other"})

    assert not first.repeated and again.repeated
    assert again.outcome == first.outcome == outcome
    cart = shopping.cart("1285")
    assert cart.version == 1 and cart.lines[0].quantity == 2


def test_a_retried_removal_is_answered_as_done_not_as_not_in_cart(shopping: Shopping) -> None:
    shopping.add_items("1285", [(MILK, 1)], request_id="add")
    removed = shopping.change_cart("1285", lambda cart: cart.without(MILK), request_id="rm", outcome={"ok": True})
    retried = shopping.change_cart("1285", lambda cart: cart.without(MILK), request_id="rm")

    assert not removed.repeated and retried.repeated and retried.outcome == {"ok": True}
    with pytest.raises(NotInCart):
        shopping.change_cart("1285", lambda cart: cart.without(MILK), request_id="rm-again")


@pytest.mark.parametrize("quantity", [0, -1, MAX_QUANTITY + 1, 500])
def test_a_bad_quantity_writes_nothing(shopping: Shopping, quantity: int) -> None:
    with pytest.raises(ValidationError):
        shopping.add_items("1285", [(MILK, quantity)], request_id="bad")
    assert shopping.cart("1285") == Cart("1285")
    assert shopping.replayed("1285", "bad") is None


def test_two_concurrent_writers_lose_no_update(server_shopping: Shopping) -> None:
    adds_per_writer = 12
    errors: list[Exception] = []

    def writer(name: str, product_id: str) -> None:
        try:
            for number in range(adds_per_writer):
                server_shopping.add_items("3623", [(product_id, 1)], request_id=f"{name}-{number}")
                server_shopping.add_items("3623", [(MILK, 1)], request_id=f"{name}-milk-{number}")
        except Exception as exc:  # noqa: BLE001 - surfaced in the main thread below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(f"device{n}", pid)) for n, pid in enumerate(["196", BANANA])]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert not errors
    cart = server_shopping.cart("3623")
    quantities = {line.product_id: line.quantity for line in cart.lines}
    assert quantities == {"196": adds_per_writer, BANANA: adds_per_writer, MILK: 2 * adds_per_writer}
    assert cart.version == 4 * adds_per_writer


def test_cart_item_is_one_item_under_the_customer(shopping: Shopping) -> None:
    shopping.add_items("1285", [(BANANA, 3)], request_id="r", channel="web")
    item = shopping.table.get({"pk": keys.customer_pk("1285"), "sk": keys.CART})
    assert item is not None
    assert item["lines"] == [{"product_id": BANANA, "quantity": 3, "channel": "web", "added_at": NOW.isoformat()}]
    marker = shopping.table.get({"pk": keys.customer_pk("1285"), "sk": keys.request_sk("r")})
    assert marker is not None and int(marker["expires_at"]) > 0
