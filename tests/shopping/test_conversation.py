"""Whole turns through the real skill (SkillRuntime.handle with Alexa envelopes) on moto, for real demo customers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import FailingClient, sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.services import Backend
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3623"


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Iterator[Conversation]:
    token = sign_up(backend, CUSTOMER, histories[CUSTOMER])
    yield Conversation(SkillRuntime(build_skill(backend)), token)


def test_without_a_linked_account_the_skill_asks_to_link(backend: Backend) -> None:
    talk = Conversation(SkillRuntime(build_skill(backend)), None)
    speech = talk.intent("AddToCartIntent", product="bananas")
    assert "link your account" in speech
    assert talk.last["response"]["card"]["type"] == "LinkAccount"
    assert backend.shopping.cart(CUSTOMER).is_empty


def test_add_with_asr_like_words_finds_the_product_this_customer_buys(talk: Conversation, backend: Backend) -> None:
    speech = talk.intent("AddToCartIntent", product="organic unsweetened all mond milk", quantity="2")
    # Bought in each of their last orders (imported history): the resolver's bias says so.
    assert "2 Organic Unsweetened Almond Milk" in speech and "the one you usually buy" in speech
    cart = backend.shopping.cart(CUSTOMER)
    assert [(line.product_id, line.quantity) for line in cart.lines] == [("35951", 2)]


def test_a_retried_request_adds_once(talk: Conversation, backend: Backend) -> None:
    first = talk.intent("AddToCartIntent", request_id="amzn1.echo-api.request.same", product="string cheese")
    again = talk.intent("AddToCartIntent", request_id="amzn1.echo-api.request.same", product="string cheese")
    assert first == again and "Organic Whole String Cheese" in first
    assert backend.shopping.cart(CUSTOMER).item_count == 1


def test_a_bad_quantity_is_reprompted(talk: Conversation, backend: Backend) -> None:
    speech = talk.intent("AddToCartIntent", product="bananas", quantity="500")
    assert "isn't a quantity" in speech and backend.shopping.cart(CUSTOMER).is_empty


def test_missing_product_elicits_the_slot(talk: Conversation) -> None:
    talk.intent("AddToCartIntent")
    assert talk.last["response"]["directives"][0]["type"] == "Dialog.ElicitSlot"


def test_reorder_usual_then_checkout(talk: Conversation, backend: Backend) -> None:
    speech = talk.intent("ReorderUsualIntent")
    assert "Organic Unsweetened Almond Milk" in speech and "Should I add" in speech
    assert backend.shopping.cart(CUSTOMER).is_empty
    speech = talk.intent("AMAZON.YesIntent")
    # 15 lines: the first ones, then the offer to read the rest before the question that orders
    assert "Voicecart Demo Grocer" in speech and "read the rest?" in speech and "total of $" not in speech
    assert talk.card is not None and talk.card["content"].count("\n1 ") + 1 >= 14  # every line on the card
    speech = talk.intent("AMAZON.YesIntent")
    assert "total of $" in speech and "tax" in speech and speech.endswith("Should I place the order?")
    assert backend.shopping.cart(CUSTOMER).item_count == 15
    speech = talk.intent("AMAZON.YesIntent")
    assert "Your order of 15 items from Voicecart Demo Grocer is placed" in speech
    assert talk.card is not None and talk.card["title"] == "Order placed"
    assert backend.shopping.cart(CUSTOMER).is_empty


def test_a_store_fault_mid_checkout_is_an_apology_and_nothing_half_written(
    talk: Conversation, backend: Backend
) -> None:
    talk.intent("AddToCartIntent", product="string cheese", quantity="3")
    talk.intent("CheckoutIntent")
    failing = FailingClient(backend.table.client)
    backend.table.client = failing  # type: ignore[assignment]
    backend.shopping.table.client = failing  # type: ignore[assignment]
    failing.fail_next = 1
    speech = talk.intent("AMAZON.YesIntent")
    assert "Sorry" in speech and "nothing was changed" in speech
    assert backend.shopping.orders(CUSTOMER)[0].source == "instacart"
    assert backend.shopping.cart(CUSTOMER).item_count == 3


# -- domain errors reach speech ----------------------------------------------------------------------------------------
def test_going_past_fifty_of_one_product_is_explained_and_changes_nothing(talk: Conversation, backend: Backend) -> None:
    first = talk.intent("AddToCartIntent", product="organic unsweetened all mond milk", quantity="30")
    assert "30 Organic Unsweetened Almond Milk" in first
    again = talk.intent("AddToCartIntent", product="organic unsweetened all mond milk", quantity="30")
    assert "at most 50 of one product" in again and "went wrong" not in again
    assert [(line.product_id, line.quantity) for line in backend.shopping.cart(CUSTOMER).lines] == [("35951", 30)]


def test_a_cart_line_the_shop_no_longer_sells_is_explained(talk: Conversation, backend: Backend) -> None:
    at = backend.shopping.now().isoformat()
    backend.shopping.change_cart(
        CUSTOMER, lambda cart: cart.with_added("delisted-1", 1, channel="web", at=at), request_id=None
    )
    speech = talk.intent("ReadCartIntent")
    assert "isn't sold any more" in speech and "went wrong" not in speech
