"""Dialog state you can reason about, as a property over random turn sequences through the real skill (the
runtime the endpoint uses, moto behind it): a question lives exactly one turn.

- No order is placed except by a yes in the turn right after the quote, and the order is the cart that quote read.
- No product enters the cart from an expired question: an answer (yes, "the first one") adds only when the
  response just before asked the question it answers.
- No order is cancelled except by a yes in the turn right after "should I cancel it?", and only the order it read.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from conftest import sign_up
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.services import Backend
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3623"


@dataclass(frozen=True)
class Step:
    intent: str
    slots: tuple[tuple[str, str], ...] = ()
    ids: tuple[tuple[str, str], ...] = ()

    def send(self, talk: Conversation) -> str:
        return talk.intent(self.intent, ids=dict(self.ids) or None, **dict(self.slots))


ANSWERS = {"AMAZON.YesIntent", "SelectChoiceIntent", "VoiceCodeIntent"}
STEPS = [
    Step("AMAZON.YesIntent"),
    Step("AMAZON.YesIntent"),
    Step("AMAZON.YesIntent"),
    Step("CheckoutIntent"),
    Step("CheckoutIntent"),
    Step("AddToCartIntent", (("product", "cheese"),)),  # "which one?"
    Step("AddToCartIntent", (("product", "almond milk"),)),
    Step("AddToCartIntent", (("product", "blorp fizzle"),)),
    Step("SelectChoiceIntent", (("choice", "the first one"),), (("choice", "1"),)),
    Step("SelectChoiceIntent", (("choice", "the last one"),), (("choice", "last"),)),
    Step("VoiceCodeIntent", (("code", "1234"),)),
    Step("AMAZON.HelpIntent"),
    Step("AMAZON.FallbackIntent"),
    Step("ReadCartIntent"),
    Step("ReorderUsualIntent"),
    Step("ClearCartIntent"),
    Step("AMAZON.NoIntent"),
    Step("RemoveFromCartIntent", (("product", "almond milk"),)),
    Step("CancelOrderIntent"),  # "should I cancel it?" after an order was placed
    Step("SwapProductIntent", (("product", "almond milk"), ("replacement", "cheese"))),  # "... which one?"
]


@pytest.fixture
def conversation(backend: Backend, histories: dict[str, CustomerHistory]) -> tuple[Backend, str]:
    return backend, sign_up(backend, CUSTOMER, histories[CUSTOMER])


def _cart(backend: Backend) -> dict[str, int]:
    return {line.product_id: line.quantity for line in backend.shopping.cart(CUSTOMER).lines}


def _cancelled(backend: Backend) -> set[str]:
    return {order.order_id for order in backend.shopping.orders(CUSTOMER) if order.status == "cancelled"}


def _total_said(speech: str) -> str | None:
    match = re.search(r"total of (\$[\d,]+\.\d\d)", speech)
    return match.group(1) if match else None


@pytest.mark.slow  # every example is a conversation of up to 6 turns over moto (minutes on a loaded machine)
@settings(
    max_examples=10,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(st.sampled_from(STEPS), min_size=1, max_size=6))
def test_no_order_and_no_product_comes_from_a_question_that_is_not_the_last_one(
    conversation: tuple[Backend, str], steps: list[Step]
) -> None:
    backend, token = conversation
    backend.shopping.change_cart(CUSTOMER, lambda cart: cart.cleared(), request_id=None)
    talk = Conversation(SkillRuntime(build_skill(backend)), token)
    talk.launch()
    quoted_total: str | None = None
    for step in steps:
        asked: dict[str, Any] = dict(talk.pending)
        cart_before = _cart(backend)
        orders_before = len(backend.shopping.orders(CUSTOMER))
        cancelled_before = _cancelled(backend)
        speech = step.send(talk)
        orders = backend.shopping.orders(CUSTOMER)
        if _cancelled(backend) > cancelled_before:
            # only a yes right after "should I cancel it?", for the order that question read
            assert step.intent == "AMAZON.YesIntent" and asked.get("kind") == "cancel_order", (step, asked)
            assert _cancelled(backend) - cancelled_before == {str(asked.get("order_id"))}
        if len(orders) > orders_before:
            # only a yes right after the quote, for the cart and total that quote read
            assert step.intent == "AMAZON.YesIntent" and asked.get("kind") == "checkout", (step, asked)
            newest = max(orders, key=lambda order: order.order_id)
            assert {line.product_id: line.quantity for line in newest.lines} == cart_before
            assert quoted_total == f"${newest.total:,.2f}"
        grown = {pid for pid, quantity in _cart(backend).items() if quantity > cart_before.get(pid, 0)}
        if grown and step.intent in ANSWERS:
            # an answer adds only what the question of the response just before offered
            assert asked.get("kind") in {"add", "choose", "reorder", "usual", "offer_add", "swap"}, (step, asked)
            offered = {str(asked.get("product"))} | {str(o) for o in asked.get("options", [])}
            offered |= {str(item[0]) for item in asked.get("items", [])}
            assert grown <= offered
        quoted_total = _total_said(speech)


def test_a_yes_after_an_unrelated_turn_places_nothing_and_says_the_order_was_dropped(
    conversation: tuple[Backend, str],
) -> None:
    backend, token = conversation
    talk = Conversation(SkillRuntime(build_skill(backend)), token)
    talk.intent("AddToCartIntent", product="almond milk")
    assert "Should I place the order?" in talk.intent("CheckoutIntent")
    speech = talk.intent("OrderStatusIntent")  # another request (a reply not understood asks the question again)
    assert speech.startswith("I didn't place the order.")
    assert talk.pending == {}
    talk.intent("AMAZON.HelpIntent")
    assert "what would you like?" in talk.intent("AMAZON.YesIntent").lower()
    assert backend.shopping.orders(CUSTOMER) == [o for o in backend.shopping.orders(CUSTOMER) if o.source != "voice"]


def test_a_which_one_dropped_by_another_turn_adds_nothing_later_and_clears_the_names(
    conversation: tuple[Backend, str],
) -> None:
    backend, token = conversation
    talk = Conversation(SkillRuntime(build_skill(backend)), token)
    talk.intent("AddToCartIntent", product="cheese")
    assert talk.pending["kind"] == "choose"
    replace = [d for d in talk.last["response"]["directives"] if d["type"] == "Dialog.UpdateDynamicEntities"]
    assert replace and replace[0]["updateBehavior"] == "REPLACE"
    talk.intent("ReadCartIntent")
    directives = talk.last["response"].get("directives") or []
    # The options' names are forgotten: CLEAR, or a REPLACE that keeps only the customer's products (REPLACE
    # replaces every dynamic type of the session; see skill.handlers.entities).
    (update,) = [d for d in directives if d["type"] == "Dialog.UpdateDynamicEntities"]
    assert update["updateBehavior"] == "CLEAR" or [t["name"] for t in update["types"]] == ["PRODUCT"]
    talk.intent("AMAZON.YesIntent")
    talk.intent("SelectChoiceIntent", choice="the first one", ids={"choice": "1"})
    assert _cart(backend) == {}


def test_a_quote_whose_figures_moved_is_read_again_not_placed(conversation: tuple[Backend, str]) -> None:
    backend, token = conversation
    talk = Conversation(SkillRuntime(build_skill(backend)), token)
    talk.intent("AddToCartIntent", product="almond milk")
    talk.intent("CheckoutIntent")
    talk.session["pending"] = {**talk.pending, "quote": "0" * 20}  # the quote read was for other figures
    speech = talk.intent("AMAZON.YesIntent")
    assert "changed since I read the total" in speech and "Should I place the order?" in speech
    assert all(order.source != "voice" for order in backend.shopping.orders(CUSTOMER))
