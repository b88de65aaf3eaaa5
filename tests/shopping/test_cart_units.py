"""A cart line in the unit the customer said ("2 pounds", "a dozen"): stored, summed, kept, quoted and ordered."""

from __future__ import annotations

from datetime import UTC

import pytest
from conftest import NOW
from hypothesis import given
from hypothesis import strategies as st

from backend.catalog import Catalog
from backend.errors import OtherUnitInCart
from backend.settings import Settings
from backend.shopping import Cart, CartLine, Shopping
from backend.shopping.checkout import quote_cart
from backend.shopping.items import cart_from_item, cart_to_item, order_from_item, order_to_item

AVOCADO = "47766"  # Organic Avocado, weighed here: a line takes any unit it is given
EGGS = "23341"  # Large Grade AA Eggs
AT = NOW.isoformat()


def test_a_line_keeps_the_unit_said_and_sums_in_it(shopping: Shopping) -> None:
    shopping.add_items("1285", [(AVOCADO, 2)], request_id="a", units={AVOCADO: "pound"})
    shopping.add_items("1285", [(AVOCADO, 1)], request_id="b", units={AVOCADO: "pound"})
    line = shopping.cart("1285").lines[0]
    assert (line.quantity, line.unit) == (3, "pound")


def test_more_of_a_line_is_more_of_its_unit(shopping: Shopping) -> None:
    shopping.add_items("1285", [(EGGS, 1)], request_id="a", units={EGGS: "dozen"})
    shopping.add_items("1285", [(EGGS, 1)], request_id="b", more_of_line=True)  # "another one"
    line = shopping.cart("1285").lines[0]
    assert (line.quantity, line.unit) == (2, "dozen")


@pytest.mark.parametrize(("held", "said"), [("can", None), (None, "can"), ("can", "can")])
def test_a_container_is_one_of_the_product_each(held: str | None, said: str | None) -> None:
    cart = Cart(customer_id="1285").with_added(AVOCADO, 3, channel="voice", at=AT, unit=held)
    line = cart.with_added(AVOCADO, 2, channel="voice", at=AT, unit=said).lines[0]
    assert (line.quantity, line.unit) == (5, held)  # "3 cans of soup" and "2 soups" are 5 soups


@pytest.mark.parametrize(
    ("held", "said"), [("pound", None), (None, "pound"), ("pound", "kilo"), ("can", "bottle"), ("dozen", "can")]
)
def test_another_unit_onto_a_line_writes_nothing(shopping: Shopping, held: str | None, said: str | None) -> None:
    shopping.add_items("1285", [(AVOCADO, 2)], request_id="a", units={AVOCADO: held} if held else None)
    before = shopping.cart("1285")
    with pytest.raises(OtherUnitInCart) as raised:
        shopping.add_items("1285", [(AVOCADO, 3)], request_id="b", units={AVOCADO: said} if said else None)
    assert (raised.value.held, raised.value.said) == (held, said)
    assert shopping.cart("1285") == before
    assert shopping.replayed("1285", "b") is None


def test_a_new_quantity_keeps_the_lines_unit() -> None:
    cart = Cart("c").with_added(AVOCADO, 2, channel="voice", at=AT, unit="pound")
    changed = cart.with_quantity(AVOCADO, 5, channel="voice", at=AT)  # "make that five"
    assert changed.lines[0].unit == "pound" and changed.lines[0].quantity == 5


def test_the_quote_and_the_order_carry_the_unit(shopping: Shopping, catalog: Catalog, settings: Settings) -> None:
    plain = quote_cart(Cart("c").with_added(EGGS, 1, channel="voice", at=AT), catalog, settings)
    shopping.add_items("2706", [(EGGS, 1)], request_id="add", units={EGGS: "dozen"})
    quote = shopping.quote(shopping.cart("2706"))
    assert quote.lines[0].unit == "dozen"
    assert quote.fingerprint != plain.fingerprint  # a yes to "a dozen" is not a yes to "1"
    placed = shopping.place_order("2706", request_id="buy", expected_version=1, expected_quote=quote.fingerprint)
    assert placed.order.lines[0].unit == "dozen"
    stored = shopping.order("2706", placed.order.order_id)
    assert stored is not None and stored.lines[0].unit == "dozen"


_UNIT = st.one_of(st.none(), st.sampled_from(["pound", "dozen", "six pack", "half gallon", "can"]))
_LINES = st.lists(
    st.tuples(st.sampled_from(["1", "2", "3", "44"]), st.integers(min_value=1, max_value=50), _UNIT),
    max_size=4,
    unique_by=lambda line: line[0],
)


@given(_LINES)
def test_a_cart_item_round_trips_with_its_units(lines: list[tuple[str, int, str | None]]) -> None:
    cart = Cart("c", tuple(CartLine(pid, quantity, "voice", AT, unit) for pid, quantity, unit in lines), version=3)
    item = cart_to_item(cart)
    assert cart_from_item("c", item) == cart
    # a line without a unit keeps the stored shape it always had
    assert all(("unit" in mapped) == bool(line.unit) for mapped, line in zip(item["lines"], cart.lines, strict=True))


@given(_LINES.filter(bool))
def test_an_order_item_round_trips_with_its_units(lines: list[tuple[str, int, str | None]]) -> None:
    from datetime import datetime
    from decimal import Decimal

    from backend.shopping import Order, OrderLine

    order_lines = tuple(OrderLine(pid, quantity, Decimal("1.50"), "", unit) for pid, quantity, unit in lines)
    order = Order(
        customer_id="c",
        order_id="o1",
        placed_at=datetime(2026, 1, 2, tzinfo=UTC),
        lines=order_lines,
        subtotal=Decimal(1),
        tax=Decimal(0),
        delivery=Decimal(0),
        total=Decimal(1),
    )
    assert order_from_item(order_to_item(order)).lines == order_lines
