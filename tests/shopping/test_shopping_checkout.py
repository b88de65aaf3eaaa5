"""Quotes in Decimal, order placement as one transaction, retries, voice codes, and a fault mid-checkout."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import NOW, FailingClient

from backend.catalog import Catalog
from backend.errors import (
    CartChangedSinceQuote,
    EmptyCart,
    PurchasingLocked,
    StoreUnavailable,
    VoiceCodeRequired,
    WrongVoiceCode,
)
from backend.profile.store import ProfileStore
from backend.settings import Settings
from backend.shopping import Cart, CartLine, Shopping
from backend.shopping.checkout import quote_cart
from backend.shopping.service import order_status
from backend.store import keys
from backend.store.dynamo import Table

MILK = "27845"  # Organic Whole Milk, 4.19 by the pricing rule
BANANA = "24852"  # Banana, 1.69


def items_of(table: Table, customer_id: str) -> dict[str, dict[str, object]]:
    items = table.query_all("pk = :pk", values={":pk": keys.customer_pk(customer_id)}, consistent=True)
    return {str(item["sk"]): item for item in items}


def test_quote_adds_tax_and_delivery_in_decimal(catalog: Catalog, settings: Settings) -> None:
    milk, banana = catalog.get(MILK), catalog.get(BANANA)
    cart = Cart("1", (CartLine(MILK, 2), CartLine(BANANA, 3)), version=7)
    quote = quote_cart(cart, catalog, settings)

    subtotal = milk.price * 2 + banana.price * 3
    assert quote.subtotal == subtotal
    assert quote.tax == (subtotal * Decimal("0.0725")).quantize(Decimal("0.01"))
    assert quote.delivery == Decimal("4.99")  # under the free-delivery threshold
    assert quote.total == quote.subtotal + quote.tax + quote.delivery
    assert quote.cart_version == 7 and quote.seller == settings.seller_name
    assert all(isinstance(value, Decimal) for value in (quote.subtotal, quote.tax, quote.delivery, quote.total))


def test_delivery_is_free_from_the_threshold(catalog: Catalog, settings: Settings) -> None:
    quote = quote_cart(Cart("1", (CartLine(MILK, 10),)), catalog, settings)
    assert quote.subtotal >= settings.free_delivery_from and quote.delivery == 0


def test_an_empty_cart_cannot_be_quoted(catalog: Catalog, settings: Settings) -> None:
    with pytest.raises(EmptyCart):
        quote_cart(Cart("1"), catalog, settings)


def test_placing_an_order_writes_everything_in_one_go(shopping: Shopping) -> None:
    shopping.add_items("2706", [(MILK, 2), (BANANA, 3)], request_id="add")
    placed = shopping.place_order("2706", request_id="buy", expected_version=1)

    order = placed.order
    assert not placed.repeated and order.item_count == 5 and order.placed_at == NOW
    stored = items_of(shopping.table, "2706")
    assert stored[keys.order_sk(order.order_id)]["total"] == order.total
    lines = [stored[keys.order_line_sk(order.order_id, n)] for n in (1, 2)]
    assert [(line["product_id"], line["quantity"], line["name"]) for line in lines] == [
        (MILK, 2, "Organic Whole Milk"),
        (BANANA, 3, "Banana"),
    ]
    cart = shopping.cart("2706")
    assert cart.is_empty and cart.version == 2
    outbox = [item for sk, item in stored.items() if sk.startswith("OUTBOX#")]
    assert len(outbox) == 1 and outbox[0]["state"] == "pending" and str(order.total) in str(outbox[0]["body"])
    assert stored[keys.request_sk("buy")]["outcome"] == {"order_id": order.order_id}
    assert order_status(order, NOW.date()) == "placed"


def test_a_retried_checkout_places_one_order(shopping: Shopping) -> None:
    shopping.add_items("2706", [(MILK, 1)], request_id="add")
    first = shopping.place_order("2706", request_id="buy", expected_version=1)
    again = shopping.place_order("2706", request_id="buy", expected_version=1)

    assert again.repeated and again.order.order_id == first.order.order_id
    assert len(shopping.orders("2706")) == 1


def test_a_cart_changed_since_the_quote_is_not_ordered(shopping: Shopping) -> None:
    shopping.add_items("2706", [(MILK, 1)], request_id="add")
    shopping.add_items("2706", [(BANANA, 1)], request_id="web-add", channel="web")
    with pytest.raises(CartChangedSinceQuote):
        shopping.place_order("2706", request_id="buy", expected_version=1)
    assert shopping.orders("2706") == [] and len(shopping.cart("2706").lines) == 2


def test_a_store_fault_mid_checkout_leaves_nothing_half_written(
    shopping: Shopping, catalog: Catalog, settings: Settings
) -> None:
    shopping.add_items("2706", [(MILK, 2)], request_id="add")
    before = items_of(shopping.table, "2706")
    failing = FailingClient(shopping.table.client)
    faulty_table = Table(failing, shopping.table.name)  # type: ignore[arg-type]
    faulty = Shopping(
        faulty_table, catalog, settings, profiles=ProfileStore(faulty_table, clock=lambda: NOW), clock=lambda: NOW
    )
    failing.fail_next = 1

    with pytest.raises(StoreUnavailable):
        faulty.place_order("2706", request_id="buy", expected_version=1)
    assert items_of(shopping.table, "2706") == before

    placed = faulty.place_order("2706", request_id="buy", expected_version=1)  # Alexa's retry, store back
    assert not placed.repeated and shopping.cart("2706").is_empty


class TestVoiceCode:
    CUSTOMER = "3623"

    @pytest.fixture
    def big_cart(self, shopping: Shopping) -> Shopping:
        shopping.set_voice_code(self.CUSTOMER, "4321")
        shopping.add_items(self.CUSTOMER, [("196", 40)], request_id="add")  # 40 sodas: over $100
        return shopping

    def test_an_order_over_the_threshold_needs_the_code(self, big_cart: Shopping) -> None:
        with pytest.raises(VoiceCodeRequired):
            big_cart.place_order(self.CUSTOMER, request_id="buy")
        placed = big_cart.place_order(self.CUSTOMER, request_id="buy-2", code="4321")
        assert placed.order.total >= Decimal(100)

    def test_three_wrong_codes_lock_purchasing(self, big_cart: Shopping) -> None:
        for number, left in enumerate([2, 1]):
            with pytest.raises(WrongVoiceCode) as wrong:
                big_cart.place_order(self.CUSTOMER, request_id=f"try-{number}", code="0000")
            assert wrong.value.attempts_left == left
        # Alexa retries the second wrong attempt: it is not counted again.
        with pytest.raises(WrongVoiceCode):
            big_cart.place_order(self.CUSTOMER, request_id="try-1", code="0000")
        with pytest.raises(PurchasingLocked):
            big_cart.place_order(self.CUSTOMER, request_id="try-3", code="1111")
        with pytest.raises(PurchasingLocked):
            big_cart.place_order(self.CUSTOMER, request_id="try-4", code="4321")
        assert big_cart.orders(self.CUSTOMER) == []
        assert big_cart.state(self.CUSTOMER).voice_code.locked

    def test_a_right_code_resets_the_count(self, big_cart: Shopping) -> None:
        with pytest.raises(WrongVoiceCode):
            big_cart.place_order(self.CUSTOMER, request_id="try-0", code="0000")
        big_cart.place_order(self.CUSTOMER, request_id="try-1", code="4321")
        assert big_cart.state(self.CUSTOMER).voice_code.failed_attempts == 0

    def test_a_small_order_needs_no_code(self, shopping: Shopping) -> None:
        shopping.set_voice_code(self.CUSTOMER, "4321")
        shopping.add_items(self.CUSTOMER, [(BANANA, 1)], request_id="add")
        assert shopping.place_order(self.CUSTOMER, request_id="buy").order.total < Decimal(100)
