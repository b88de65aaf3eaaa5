"""A measure and a half ("two and a half pounds of bananas") is an amount of one product, whether the words come
in one slot or are cut at the "and" into a number and "a half pounds of ...". Phrasings written for these tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.services import Backend
from backend.shopping.model import Cart, CartLine
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3286"
BANANAS = "39276"  # the value "bananas" of the shipped model


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Iterator[Conversation]:
    token = sign_up(backend, CUSTOMER, histories[CUSTOMER])
    yield Conversation(SkillRuntime(build_skill(backend)), token)


def _line(backend: Backend) -> tuple[str, int, str | None]:
    (line,) = backend.shopping.cart(CUSTOMER).lines
    return line.product_id, line.quantity, line.unit


def test_a_number_cut_from_its_half_is_one_amount(talk: Conversation, backend: Backend) -> None:
    said = talk.intent("AddProductsIntent", product="two", productTwo="a half pounds of bananas")
    assert "isn't a quantity" not in said
    assert "Did you mean two and a half pounds of Bananas?" in said  # ids from no slot: asked, never assumed
    assert "two and a half pounds of Bananas" in talk.intent("AMAZON.YesIntent")
    assert _line(backend)[1:] == (1, "two and a half pound")


def test_a_measure_and_a_half_in_one_slot(talk: Conversation, backend: Backend) -> None:
    said = talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="pound and a half of bananas")
    assert "one and a half pounds of Bananas" in said
    assert _line(backend) == (BANANAS, 1, "one and a half pound")


def test_a_measure_is_one_item_and_containers_are_counted() -> None:
    lines = (
        CartLine("1", 2, unit="pound"),
        CartLine("2", 1, unit="one and a half pound"),
        CartLine("3", 3, unit="half gallon"),
        CartLine("4", 3, unit="can"),
        CartLine("5", 2, unit="six pack"),
        CartLine("6", 2, unit="dozen"),
        CartLine("7", 2, unit="twelve ounce bottle"),
        CartLine("8", 4),
        CartLine("9", 2, unit="two liter"),  # two bottles of two liters
        CartLine("10", 1, unit="half pound"),
    )
    assert Cart("1", lines).item_count == 1 + 1 + 3 + 3 + 2 + 2 + 2 + 4 + 2 + 1


def test_a_measure_and_a_half_and_more_of_its_measure_are_one_amount(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="pound and a half of bananas")
    said = talk.intent(
        "AddToCartIntent", ids={"product": BANANAS, "unit": "pound"}, product="bananas", unit="pounds", quantity="2"
    )
    assert "three and a half pounds of Bananas" in said
    assert "didn't add" not in said
    assert _line(backend) == (BANANAS, 1, "three and a half pound")
    # "scratch that" sets the line back to what it held, not a count of it taken out
    assert "one and a half pounds of Bananas" in talk.intent(
        "RemoveFromCartIntent", ids={"undo": "undo"}, undo="scratch"
    )
    assert _line(backend) == (BANANAS, 1, "one and a half pound")
    # another measure and a half of it: 3 pounds, not "2 times one and a half pounds"
    talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="another pound and a half of bananas")
    assert _line(backend) == (BANANAS, 3, "pound")


def test_another_measure_onto_a_measure_and_a_half_is_still_refused(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="pound and a half of bananas")
    said = talk.intent(
        "AddToCartIntent", ids={"product": BANANAS, "unit": "kilo"}, product="bananas", unit="kilos", quantity="2"
    )
    assert "You have one and a half pounds of Bananas in your cart already, so I didn't add 2 kilos" in said
    assert _line(backend) == (BANANAS, 1, "one and a half pound")


def test_a_new_number_for_a_measure_and_a_half_is_of_its_measure(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="pound and a half of bananas")
    said = talk.intent("ChangeQuantityIntent", product="that", quantity="2")
    assert "You now have 2 pounds of Bananas" in said and "times" not in said
    assert _line(backend) == (BANANAS, 2, "pound")
    assert "one and a half pounds of Bananas" in talk.intent(
        "RemoveFromCartIntent", ids={"undo": "undo"}, undo="scratch"
    )
    assert _line(backend) == (BANANAS, 1, "one and a half pound")
    said = talk.intent("ChangeQuantityIntent", ids={"factor": "2"}, factor="double")
    assert "You now have 3 pounds of Bananas" in said
    assert _line(backend) == (BANANAS, 3, "pound")


def test_a_measure_taken_out_of_a_line_weighed_in_it_is_that_much_less(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="pound and a half of bananas")
    said = talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="half a pound of bananas")
    assert "2 pounds of Bananas" in said
    assert _line(backend) == (BANANAS, 2, "pound")
    said = talk.intent("RemoveFromCartIntent", product="half a pound of the bananas")
    assert "You now have one and a half pounds of Bananas" in said  # never the whole line taken out
    assert _line(backend) == (BANANAS, 1, "one and a half pound")
    # "make it three pounds", the unit heard as the product: the line named last, in its measure
    assert "You now have 3 pounds of Bananas" in talk.intent("ChangeQuantityIntent", product="pounds", quantity="3")
    assert _line(backend) == (BANANAS, 3, "pound")


def test_more_of_a_unit_is_more_of_the_line_named_last_and_said_with_it(talk: Conversation, backend: Backend) -> None:
    talk.intent(
        "AddToCartIntent", ids={"product": BANANAS, "unit": "pound"}, product="bananas", unit="pounds", quantity="2"
    )
    said = talk.intent("AddToCartIntent", product="another half pound")
    assert "that makes two and a half pounds of Bananas" in said  # never a product found for "half pound"
    assert _line(backend) == (BANANAS, 1, "two and a half pound")
    said = talk.intent("CartContainsIntent", ids={"product": BANANAS}, product="bananas")
    assert "Yes, you have two and a half pounds of Bananas" in said  # not "1 Bananas": the amount held


def test_a_number_taken_out_of_a_measure_and_a_half_is_of_its_measure(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="two and a half pounds of bananas")
    # "take one out": the line holds 1 of "two and a half pound", but the customer counts pounds
    said = talk.intent("RemoveFromCartIntent", quantity="1")
    assert "You now have one and a half pounds of Bananas" in said
    assert _line(backend) == (BANANAS, 1, "one and a half pound")
    assert "half a pound of Bananas" in talk.intent("RemoveFromCartIntent", quantity="1")
    assert _line(backend) == (BANANAS, 1, "half pound")
    assert "Removed Bananas" in talk.intent("RemoveFromCartIntent", quantity="1")  # all it held
    assert backend.shopping.cart(CUSTOMER).is_empty


def test_a_measure_and_a_half_holds_at_most_fifty_of_its_measure(talk: Conversation, backend: Backend) -> None:
    talk.intent(
        "AddToCartIntent", ids={"product": BANANAS, "unit": "pound"}, product="bananas", unit="pounds", quantity="40"
    )
    said = talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="thirty and a half pounds of bananas")
    assert "at most 50" in said
    assert _line(backend) == (BANANAS, 40, "pound")  # nothing changed
    talk.intent("RemoveFromCartIntent", ids={"product": BANANAS}, product="bananas")
    talk.intent("AddToCartIntent", ids={"product": BANANAS}, product="twenty and a half pounds of bananas")
    said = talk.intent("ChangeQuantityIntent", ids={"factor": "3"}, factor="triple")
    assert "61 isn't a quantity" in said
    assert _line(backend) == (BANANAS, 1, "twenty and a half pound")
