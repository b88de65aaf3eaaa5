"""Multi-turn dialogs through the real skill for real demo customers: choosing among offered products, yes/no to a
"did you mean", reordering the last order through to the checkout quote, the voice-code lockout, and the web cart
offered at launch."""

from __future__ import annotations

import html
from decimal import Decimal

import pytest
from conftest import sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.profile.summary import summary_from_item
from backend.services import Backend
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3623"  # 20 orders: string cheese, Swiss slices, almond milk, maple yogurt ... week after week


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Conversation:
    return Conversation(SkillRuntime(build_skill(backend)), sign_up(backend, CUSTOMER, histories[CUSTOMER]))


def cart_of(backend: Backend) -> dict[str, int]:
    return {line.product_id: line.quantity for line in backend.shopping.cart(CUSTOMER).lines}


# -- disambiguation -------------------------------------------------------------------------------------------
def offer_cheeses(talk: Conversation) -> list[str]:
    speech = talk.intent("AddToCartIntent", product="cheese", quantity="2")
    assert "Which one?" in speech, speech
    options = [str(option) for option in talk.pending["options"]]
    assert talk.pending["kind"] == "choose" and 2 <= len(options) <= 3
    return options


def test_the_second_one_adds_the_second_choice(talk: Conversation, backend: Backend) -> None:
    options = offer_cheeses(talk)
    second = backend.catalog.get(options[1])
    assert second.name in html.unescape(talk.last["response"]["outputSpeech"]["ssml"])
    # A choice that was not offered asks again and adds nothing; the offer stands.
    speech = talk.intent("SelectChoiceIntent", choice="fifth")
    assert "which one" in speech.lower() and cart_of(backend) == {}

    speech = talk.intent("SelectChoiceIntent", choice="the second one", ids={"choice": "2"})

    assert f"2 {second.name}" in speech
    assert cart_of(backend) == {second.id: 2}
    assert talk.pending == {}
    # Nothing is on offer any more: "the first one" now answers nothing.
    assert "not sure what that answers" in talk.intent("SelectChoiceIntent", choice="first", ids={"choice": "1"})


def test_yes_to_the_choices_asks_again_and_adds_nothing(talk: Conversation, backend: Backend) -> None:
    # A yes to "X, Y or Z. Which one?" names none of them: guessing the first could put a product in the cart the
    # customer did not choose.
    options = offer_cheeses(talk)
    speech = talk.intent("AMAZON.YesIntent")
    assert "which one" in speech.lower() and cart_of(backend) == {}
    talk.intent("SelectChoiceIntent", choice="second")
    assert cart_of(backend) == {options[1]: 2}


def test_no_to_the_choices_adds_nothing_and_records_the_decline(talk: Conversation, backend: Backend) -> None:
    offer_cheeses(talk)
    speech = talk.intent("AMAZON.NoIntent")
    assert "didn't add anything" in speech and cart_of(backend) == {}
    events = backend.profiles.events(CUSTOMER).events
    assert [event.outcome.value if event.outcome else None for event in events][:1] == ["declined"]
    assert events[0].heard == "cheese"


def test_did_you_mean_answered_yes_adds(talk: Conversation, backend: Backend) -> None:
    speech = talk.intent("AddToCartIntent", product="coffee beans")  # they buy French Roast Ground Coffee
    assert speech.startswith("Did you mean"), speech
    meant = str(talk.pending["product"])
    assert backend.catalog.get(meant).name in speech
    # The reprompt names the product and the quantity too.
    reprompt = html.unescape(talk.last["response"]["reprompt"]["outputSpeech"]["ssml"])
    assert f"Should I add 1 {backend.catalog.get(meant).name}?" in reprompt

    speech = talk.intent("AMAZON.YesIntent")

    assert f"1 {backend.catalog.get(meant).name}" in speech
    assert cart_of(backend) == {meant: 1}


def test_did_you_mean_answered_no_adds_nothing(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", product="coffee beans")
    assert talk.pending["kind"] == "add"
    speech = talk.intent("AMAZON.NoIntent")
    assert "didn't add anything" in speech and cart_of(backend) == {}
    assert talk.pending == {}


# -- reorder the last order ---------------------------------------------------------------------------------------
def test_order_my_last_order_again_reaches_the_checkout_quote(
    talk: Conversation, backend: Backend, histories: dict[str, CustomerHistory]
) -> None:
    last = histories[CUSTOMER].orders[-1]
    speech = talk.intent("ReorderLastOrderIntent")
    assert "Your last order" in speech and f"Should I add {len(last.product_ids)} products" in speech
    assert cart_of(backend) == {}  # nothing before a yes

    speech = talk.intent("AMAZON.YesIntent")

    assert f"Added {len(last.product_ids)} products" in speech
    # a long cart: the first lines, then "want me to read the rest?" before any question that orders
    assert "Voicecart Demo Grocer" in speech and speech.endswith("Want me to read the rest?")
    assert talk.pending["kind"] == "read_rest"
    assert cart_of(backend) == dict.fromkeys(last.product_ids, 1)
    speech = talk.intent("AMAZON.NoIntent")  # no need to hear the rest: the totals, then the question
    assert "tax" in speech and "total of $" in speech and speech.endswith("Should I place the order?")
    assert talk.pending["kind"] == "checkout"
    # ONE profile event for the reorder, naming every product (the favourites count each of them).
    summary = summary_from_item(backend.profiles.summary_item(CUSTOMER) or {}, CUSTOMER)
    assert {p.product_id for p in summary.products if p.count >= 1} >= set(last.product_ids)
    [event] = [e for e in backend.profiles.events(CUSTOMER).events if e.intent == "AMAZON.YesIntent"]  # the reorder
    assert {line.product_id for line in event.lines} == set(last.product_ids)


# -- voice code lockout --------------------------------------------------------------------------------------------
def test_three_wrong_codes_by_voice_lock_purchasing_even_for_the_right_code(
    talk: Conversation, backend: Backend
) -> None:
    backend.shopping.set_voice_code(CUSTOMER, "4321")
    talk.intent("AddToCartIntent", product="string cheese", quantity="30")
    quote = backend.shopping.quote(backend.shopping.cart(CUSTOMER))
    assert quote.total >= backend.settings.voice_code_threshold == Decimal("100.00")
    talk.intent("CheckoutIntent")
    assert "voice code" in talk.intent("AMAZON.YesIntent")

    assert "2 more tries" in talk.intent("VoiceCodeIntent", code="1111")
    assert "1 more try" in talk.intent("VoiceCodeIntent", code="2222")
    assert "locked" in talk.intent("VoiceCodeIntent", code="3333")
    speech = talk.intent("VoiceCodeIntent", code="4321")

    assert "locked" in speech
    assert backend.shopping.orders(CUSTOMER)[0].source == "instacart"  # no order placed
    assert cart_of(backend) == {"22035": 30}
    assert "locked" in talk.intent("CheckoutIntent")
    state = backend.shopping.state(CUSTOMER).voice_code
    assert state.locked and state.failed_attempts == 3


# -- the web cart at launch ------------------------------------------------------------------------------------------
def test_a_web_cart_is_offered_at_launch_and_yes_reads_the_quote(talk: Conversation, backend: Backend) -> None:
    backend.shopping.add_items(CUSTOMER, [("22035", 2)], request_id="web-add-1", channel="web")

    speech = talk.launch()

    assert "You left 2 Organic Whole String Cheese in your cart on the website" in speech
    assert "Want me to place the order?" in speech
    speech = talk.intent("AMAZON.YesIntent")
    assert "Your order from Voicecart Demo Grocer: 2 Organic Whole String Cheese" in speech
    assert "total of $" in speech and talk.pending["kind"] == "checkout"


def test_no_to_the_web_cart_keeps_it(talk: Conversation, backend: Backend) -> None:
    backend.shopping.add_items(CUSTOMER, [("22035", 2)], request_id="web-add-1", channel="web")
    talk.launch()
    assert "saved" in talk.intent("AMAZON.NoIntent")
    assert cart_of(backend) == {"22035": 2}
