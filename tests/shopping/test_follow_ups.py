"""Follow-ups through the real skill on moto: they refer to the product the conversation named last; a swap is one
cart write (a retried request swaps once); a product said alone is an add, or the answer to "which one?"."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from conftest import sign_up
from talking import Conversation

from backend.demo.histories import CustomerHistory
from backend.services import Backend
from skill.runtime import SkillRuntime
from skill.skill_builder import build_skill

CUSTOMER = "3623"
ALMOND_MILK, COFFEE = "35951", "30850"


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Iterator[Conversation]:
    token = sign_up(backend, CUSTOMER, histories[CUSTOMER])
    yield Conversation(SkillRuntime(build_skill(backend)), token)


def cart(backend: Backend) -> dict[str, int]:
    return {line.product_id: line.quantity for line in backend.shopping.cart(CUSTOMER).lines}


def test_more_fewer_and_times_refer_to_the_product_named_last(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", product="organic unsweetened almond milk", ids={"product": ALMOND_MILK})
    assert "You now have 3" in talk.intent("AddToCartIntent", quantity="2")  # "two more of those"
    assert "You now have 6" in talk.intent("ChangeQuantityIntent", ids={"factor": "2"}, factor="double")
    assert "You now have 5" in talk.intent("RemoveFromCartIntent", quantity="1")  # "remove one of them"
    assert cart(backend) == {ALMOND_MILK: 5}
    assert "You now have 15" in talk.intent("ChangeQuantityIntent", ids={"factor": "3"}, factor="triple")
    assert "You now have 45" in talk.intent("ChangeQuantityIntent", ids={"factor": "3"}, factor="three times")
    too_many = talk.intent("ChangeQuantityIntent", ids={"factor": "2"}, factor="twice")  # 90: a line holds 50
    assert "isn't a quantity" in too_many and cart(backend) == {ALMOND_MILK: 45}
    talk.intent("ChangeQuantityIntent", quantity="5")  # "I meant five"
    assert "Removed" in talk.intent("RemoveFromCartIntent", quantity="5")
    assert cart(backend) == {}


def test_a_swap_is_one_write_and_a_retry_swaps_once(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", product="organic unsweetened almond milk", quantity="2")
    request = "amzn1.echo-api.request.swap"
    words = {"product": "almond milk", "replacement": "french roast coffee"}
    first = talk.intent("SwapProductIntent", request, ids={"replacement": COFFEE}, **words)
    assert "swapped Organic Unsweetened Almond Milk for 2 French Roast" in first
    talk.intent("SwapProductIntent", request, ids={"replacement": COFFEE}, **words)
    assert cart(backend) == {COFFEE: 2}
    assert backend.shopping.cart(CUSTOMER).version == 2  # the add, then one write for the swap


def test_a_swap_to_a_product_needing_a_question_changes_nothing_until_answered(
    talk: Conversation, backend: Backend
) -> None:
    talk.intent("AddToCartIntent", product="organic unsweetened almond milk")
    asked = talk.intent("SwapProductIntent", product="almond milk", replacement="cheese")
    assert asked.endswith("Which one?") and talk.pending["kind"] == "swap"
    assert any(d["type"] == "Dialog.UpdateDynamicEntities" for d in talk.last["response"]["directives"])
    talk.intent("ReadCartIntent")  # the question expires
    assert talk.intent("SelectChoiceIntent", choice="the first one", ids={"choice": "1"}).startswith("Sorry")
    assert cart(backend) == {ALMOND_MILK: 1}
    talk.intent("SwapProductIntent", product="almond milk", replacement="cheese")
    assert "left your cart as it is" in talk.intent("AMAZON.NoIntent") and cart(backend) == {ALMOND_MILK: 1}
    talk.intent("SwapProductIntent", product="almond milk", replacement="cheese")
    options = talk.pending["options"]
    assert "swapped" in talk.intent("SelectChoiceIntent", choice="the last one", ids={"choice": "last"})
    assert cart(backend) == {options[-1]: 1}


def test_a_product_said_alone_adds_it_or_answers_which_one(talk: Conversation, backend: Backend) -> None:
    talk.launch()
    speech = talk.intent("ProductOnlyIntent", product="organic unsweetened almond milk", ids={"product": ALMOND_MILK})
    assert "1 Organic Unsweetened Almond Milk" in speech and cart(backend) == {ALMOND_MILK: 1}
    talk.intent("AddToCartIntent", product="cheese")
    options = talk.pending["options"]
    chosen = backend.catalog.get(options[1])
    talk.intent("ProductOnlyIntent", product=chosen.name.lower())
    assert cart(backend) == {ALMOND_MILK: 1, chosen.id: 1}
