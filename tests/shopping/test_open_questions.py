"""Answers to an open question that the skill used to drop: "the cheaper one", "the one I usually get", a word two
options share, a reply it does not understand, "help", and a removal said to "should I place the order?". The
question stays open until a clear answer; only a clear yes places an order."""

from __future__ import annotations

import uuid
from decimal import Decimal
from typing import Any

import pytest
from conftest import sign_up
from talking import SKILL_ID, Conversation

from backend.catalog import Product
from backend.demo.histories import CustomerHistory
from backend.services import Backend
from skill.handlers.shopping_base import choice_entities
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "2706"


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Conversation:
    return Conversation(SkillRuntime(build_skill(backend)), sign_up(backend, CUSTOMER, histories[CUSTOMER]))


def cart_of(backend: Backend) -> dict[str, int]:
    return {line.product_id: line.quantity for line in backend.shopping.cart(CUSTOMER).lines}


def offer(talk: Conversation, product: str) -> list[str]:
    speech = talk.intent("AddToCartIntent", product=product)
    assert "Which one?" in speech, speech
    return [str(option) for option in talk.pending["options"]]


def choose(talk: Conversation, value: str, *ids: str) -> str:
    """A SelectChoiceIntent whose slot resolved to every one of ``ids`` (as Alexa sends a synonym of several)."""
    slot: dict[str, Any] = {"name": "choice", "value": value, "confirmationStatus": "NONE"}
    slot["resolutions"] = {
        "resolutionsPerAuthority": [
            {
                "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.CHOICE",
                "status": {"code": "ER_SUCCESS_MATCH"},
                "values": [{"value": {"name": value, "id": pid}} for pid in ids],
            }
        ]
    }
    request = {
        "type": "IntentRequest",
        "requestId": f"amzn1.echo-api.request.{uuid.uuid4()}",
        "intent": {"name": "SelectChoiceIntent", "confirmationStatus": "NONE", "slots": {"choice": slot}},
    }
    return talk.send(talk.envelope(request))


def test_the_cheaper_one_adds_the_option_of_the_lowest_price(talk: Conversation, backend: Backend) -> None:
    options = offer(talk, "toilet paper")
    cheapest = min((backend.catalog.get(pid) for pid in options), key=lambda product: product.price)
    speech = choose(talk, "cheaper", "cheapest")
    assert cart_of(backend) == {cheapest.id: 1}
    assert f"cheapest is {cheapest.name}" in speech and f"${cheapest.price}" in speech


def test_the_one_i_usually_get_is_the_option_they_bought(talk: Conversation, backend: Backend) -> None:
    options = offer(talk, "greek yogurt")
    purchases = backend.shopping.purchases(backend.shopping.state(CUSTOMER))
    bought = [pid for pid in options if pid in purchases]
    assert bought and len(bought) < len(options)  # 2706 bought some of the yogurts offered, not all
    usual = max(bought, key=lambda pid: (purchases[pid].count, -purchases[pid].days_since_last))
    offered = talk.last["response"]["outputSpeech"]["ssml"]
    assert "You've bought" in offered and all(backend.catalog.get(pid).name in offered for pid in bought)
    speech = choose(talk, "the one i got last time", "usual")
    assert cart_of(backend) == {usual: 1}
    assert f"You've bought {backend.catalog.get(usual).name} before" in speech


def test_the_one_i_usually_get_of_options_never_bought_keeps_the_question(talk: Conversation, backend: Backend) -> None:
    options = offer(talk, "toilet paper")
    purchases = backend.shopping.purchases(backend.shopping.state(CUSTOMER))
    assert not [pid for pid in options if pid in purchases]
    speech = choose(talk, "my usual", "usual")
    assert "haven't bought any of these" in speech and cart_of(backend) == {}
    assert talk.pending["kind"] == "choose" and talk.pending["options"] == options
    choose(talk, "second", "2")
    assert cart_of(backend) == {options[1]: 1}


def test_a_word_two_options_share_asks_between_those_two(talk: Conversation, backend: Backend) -> None:
    options = offer(talk, "greek yogurt")
    speech = choose(talk, "plain", options[1], options[2])
    assert cart_of(backend) == {}
    assert talk.pending["kind"] == "choose" and talk.pending["options"] == options[1:]
    assert backend.catalog.get(options[0]).name not in speech
    assert "didn't add" not in speech  # the same question, narrowed: nothing dropped
    choose(talk, "first", "1")
    assert cart_of(backend) == {options[1]: 1}


def test_two_telling_words_side_by_side_are_a_synonym_of_their_option() -> None:
    shelf = {"price": Decimal("1"), "aisle": "paper goods", "department": "household"}
    soft = Product(id="1", name="Ultra Soft & Strong Double Roll Toilet Paper", **shelf)  # type: ignore[arg-type]
    plain = Product(id="2", name="CleanCare 1-Ply Double Rolls Toilet Paper", **shelf)  # type: ignore[arg-type]
    values = {entity.id: entity.name.synonyms for entity in choice_entities([soft, plain]).types[0].values}
    assert "ultra soft" in values["1"] and "soft strong" in values["1"]
    assert "roll toilet" not in values["1"] and "toilet paper" not in values["1"]  # words every option has


def checkout(talk: Conversation) -> None:
    talk.intent("AddToCartIntent", product="eggs")
    talk.intent("AddToCartIntent", product="bananas")
    assert len(cart_of_talk(talk)) == 2
    assert "Should I place the order?" in talk.intent("CheckoutIntent")


def cart_of_talk(talk: Conversation) -> dict[str, int]:
    return {line.product_id: line.quantity for line in talk.runtime_backend.shopping.cart(CUSTOMER).lines}


@pytest.fixture
def shop(talk: Conversation, backend: Backend) -> Conversation:
    talk.runtime_backend = backend  # type: ignore[attr-defined]
    return talk


def orders_of(backend: Backend) -> int:
    return len(backend.shopping.orders(CUSTOMER))


def test_a_reply_not_understood_asks_the_order_question_again(shop: Conversation, backend: Backend) -> None:
    checkout(shop)
    placed = orders_of(backend)
    for _ in range(2):  # "hmm let me think", "no wait yes": no answer, the question again, no order
        speech = shop.intent("AMAZON.FallbackIntent")
        assert speech.startswith("Sorry, I didn't get that.") and speech.endswith("Should I place the order?")
        assert "didn't place" not in speech and shop.pending["kind"] == "checkout"
    assert orders_of(backend) == placed
    assert "is placed" in shop.intent("AMAZON.YesIntent")
    assert orders_of(backend) == placed + 1


def test_help_during_a_choice_explains_the_answers_and_keeps_it(talk: Conversation, backend: Backend) -> None:
    options = offer(talk, "greek yogurt")
    speech = talk.intent("AMAZON.HelpIntent")
    assert "none of those" in speech and backend.catalog.get(options[0]).name in speech
    assert speech.endswith("?") and talk.pending["options"] == options
    talk.intent("SelectChoiceIntent", choice="the second one", ids={"choice": "2"})
    assert cart_of(backend) == {options[1]: 1}


def test_help_at_the_order_question_says_how_to_answer(shop: Conversation, backend: Backend) -> None:
    checkout(shop)
    speech = shop.intent("AMAZON.HelpIntent")
    assert "say yes or no" in speech and speech.endswith("Should I place the order?")
    assert shop.pending["kind"] == "checkout"


def test_a_removal_said_to_the_order_question_asks_it_again_with_the_new_total(
    shop: Conversation, backend: Backend
) -> None:
    checkout(shop)
    placed = orders_of(backend)
    speech = shop.intent("RemoveFromCartIntent", product="eggs", filler="yes but")
    assert speech.startswith("Removed") and speech.endswith("Should I place the order?")
    assert len(cart_of(backend)) == 1 and orders_of(backend) == placed
    quote = backend.shopping.quote(backend.shopping.cart(CUSTOMER))
    assert f"${quote.total}" in speech and shop.pending["kind"] == "checkout"
