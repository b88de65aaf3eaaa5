"""Taking back the last change through the real skill on moto: "scratch that" restores a quantity set (never
removes the line), puts back a removal, and is itself not undone by the next "scratch that"; "put them back" puts
back the removals made one after another; "never mind" after a change asks and changes nothing until a yes; an
amount said while "which one?" is open belongs to that question."""

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
ALMOND_MILK, COFFEE = "35951", "30850"


@pytest.fixture
def talk(backend: Backend, histories: dict[str, CustomerHistory]) -> Iterator[Conversation]:
    token = sign_up(backend, CUSTOMER, histories[CUSTOMER])
    yield Conversation(SkillRuntime(build_skill(backend)), token)


def cart(backend: Backend) -> dict[str, int]:
    return {line.product_id: line.quantity for line in backend.shopping.cart(CUSTOMER).lines}


def add(talk: Conversation, product_id: str, quantity: str | None = None) -> str:
    slots = {"quantity": quantity} if quantity is not None else {}
    return talk.intent("AddToCartIntent", product="that product", ids={"product": product_id}, **slots)


def scratch_that(talk: Conversation, request_id: str | None = None) -> str:
    return talk.intent("RemoveFromCartIntent", request_id, undo="scratch that", ids={"undo": "undo"})


def test_scratch_that_after_a_quantity_set_restores_the_quantity_once(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "2")
    talk.intent("ChangeQuantityIntent", quantity="5")
    assert cart(backend) == {ALMOND_MILK: 5}
    request = "amzn1.echo-api.request.undo-quantity"
    first = scratch_that(talk, request)
    assert "2" in first and "Removed" not in first and cart(backend) == {ALMOND_MILK: 2}
    scratch_that(talk, request)  # Alexa's retry of the same request: applied once
    assert cart(backend) == {ALMOND_MILK: 2}
    again = scratch_that(talk)  # the undo is not undone (that would redo the five)
    assert "nothing was changed" in again and cart(backend) == {ALMOND_MILK: 2}


def test_scratch_that_takes_back_only_the_last_change(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK)
    talk.intent("ChangeQuantityIntent", quantity="4")
    add(talk, COFFEE)
    scratch_that(talk)  # the coffee, the last change; the four almond milks stay
    assert cart(backend) == {ALMOND_MILK: 4}
    assert "nothing was changed" in scratch_that(talk)
    assert cart(backend) == {ALMOND_MILK: 4}


def test_scratch_that_after_a_removal_puts_it_back(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "3")
    add(talk, COFFEE)
    talk.intent("RemoveFromCartIntent", product="almond milk", ids={"product": ALMOND_MILK})
    assert cart(backend) == {COFFEE: 1}
    scratch_that(talk)
    assert cart(backend) == {COFFEE: 1, ALMOND_MILK: 3}


def test_put_them_back_after_removals_one_after_another(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "2")
    add(talk, COFFEE)
    talk.intent("RemoveFromCartIntent", product="almond milk", ids={"product": ALMOND_MILK})
    talk.intent("RemoveFromCartIntent", product="coffee", ids={"product": COFFEE})
    assert cart(backend) == {}
    talk.intent("PutBackIntent", product="them")
    assert cart(backend) == {ALMOND_MILK: 2, COFFEE: 1}


def test_put_it_back_after_removals_is_the_last_one(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "2")
    add(talk, COFFEE)
    talk.intent("RemoveFromCartIntent", product="almond milk", ids={"product": ALMOND_MILK})
    talk.intent("RemoveFromCartIntent", product="coffee", ids={"product": COFFEE})
    talk.intent("PutBackIntent", product="it")
    assert cart(backend) == {COFFEE: 1}


def test_a_removal_after_an_add_starts_a_new_run(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK)
    talk.intent("RemoveFromCartIntent", product="almond milk", ids={"product": ALMOND_MILK})
    add(talk, COFFEE, "2")
    talk.intent("RemoveFromCartIntent", product="coffee", ids={"product": COFFEE})
    talk.intent("PutBackIntent", product="them")  # only the coffee: the almond milk's removal came before an add
    assert cart(backend) == {COFFEE: 2}


def test_an_emptied_cart_is_put_back(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "2")
    add(talk, COFFEE)
    talk.intent("ClearCartIntent")
    talk.intent("AMAZON.YesIntent")
    assert cart(backend) == {}
    talk.intent("PutBackIntent", product="everything")
    assert cart(backend) == {ALMOND_MILK: 2, COFFEE: 1}


def test_never_mind_after_an_add_asks_before_taking_it_out(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "2")
    asked = talk.intent("AMAZON.CancelIntent")
    assert asked.endswith("?") and "2 Organic Unsweetened Almond Milk" in asked
    assert cart(backend) == {ALMOND_MILK: 2} and not talk.last["response"].get("shouldEndSession")
    talk.intent("AMAZON.YesIntent")
    assert cart(backend) == {}


def test_never_mind_answered_no_keeps_the_change(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK)
    talk.intent("ChangeQuantityIntent", quantity="6")
    assert "1 Organic Unsweetened Almond Milk" in talk.intent("AMAZON.CancelIntent")
    talk.intent("AMAZON.NoIntent")
    assert cart(backend) == {ALMOND_MILK: 6}


def test_a_no_to_take_back_lets_the_next_cancel_leave(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK)
    talk.intent("AMAZON.CancelIntent")
    talk.intent("AMAZON.NoIntent")
    bye = talk.intent("AMAZON.CancelIntent")  # the change stood: the same question again would trap the customer
    assert "?" not in bye and talk.last["response"].get("shouldEndSession")
    assert cart(backend) == {ALMOND_MILK: 1}


def test_never_mind_after_a_change_made_elsewhere_says_goodbye(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK)
    backend.shopping.add_items(CUSTOMER, [(COFFEE, 1)], request_id="web-1", channel="web")
    bye = talk.intent("AMAZON.CancelIntent")  # the add is no longer the cart's last change: nothing to offer
    assert "?" not in bye and talk.last["response"].get("shouldEndSession")
    assert cart(backend) == {ALMOND_MILK: 1, COFFEE: 1}


def test_a_yes_to_take_back_after_the_cart_changed_changes_nothing(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK)
    talk.intent("AMAZON.CancelIntent")
    backend.shopping.add_items(CUSTOMER, [(COFFEE, 1)], request_id="web-2", channel="web")
    assert "nothing was changed" in talk.intent("AMAZON.YesIntent")
    assert cart(backend) == {ALMOND_MILK: 1, COFFEE: 1}


def test_a_new_amount_at_which_one_keeps_the_question(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", product="cheese")
    options = list(talk.pending["options"])
    assert talk.pending["kind"] == "choose"
    speech = talk.intent("ChangeQuantityIntent", quantity="4")
    assert speech.startswith("Okay, 4.") and "didn't add" not in speech
    assert talk.pending["kind"] == "choose" and talk.pending["options"] == options and talk.pending["quantity"] == 4
    talk.intent("SelectChoiceIntent", choice="first", ids={"choice": "1"})
    assert cart(backend) == {options[0]: 4}


def test_a_count_word_in_an_option_name_picks_that_option(talk: Conversation, backend: Backend) -> None:
    talk.intent("AddToCartIntent", product="cheese")  # any open "which one?"; its options replaced below
    assert talk.pending["kind"] == "choose"
    half_and_half, whipping_cream = "10473", "44987"
    talk.session["pending"] = {**talk.pending, "options": [whipping_cream, half_and_half], "heard": "cream"}
    talk.intent("ProductOnlyIntent", product="half")  # "half" counts nothing here: it names the option
    assert cart(backend) == {half_and_half: 1}


def lines(backend: Backend) -> dict[str, tuple[int, str | None]]:
    return {line.product_id: (line.quantity, line.unit) for line in backend.shopping.cart(CUSTOMER).lines}


def test_an_emptied_cart_is_put_back_in_one_write(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "2")
    add(talk, COFFEE)
    talk.intent("ClearCartIntent")
    talk.intent("AMAZON.YesIntent")
    emptied = backend.shopping.cart(CUSTOMER).version
    said = talk.intent("PutBackIntent", product="everything")
    assert cart(backend) == {ALMOND_MILK: 2, COFFEE: 1}
    assert backend.shopping.cart(CUSTOMER).version == emptied + 1  # one cart write for both lines
    assert "2 Organic Unsweetened Almond Milk" in said and "Coffee" in said


def test_a_put_back_puts_back_what_fits_and_keeps_what_could_not_go_back(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "2")
    add(talk, COFFEE)
    talk.intent("ClearCartIntent")
    talk.intent("AMAZON.YesIntent")
    # Meanwhile the web shop put the coffee in by the pound: the coffee cannot go back as it was taken out.
    backend.shopping.add_items(CUSTOMER, [(COFFEE, 1)], request_id="web-3", channel="web", units={COFFEE: "pound"})
    said = talk.intent("PutBackIntent", product="everything")
    assert lines(backend) == {COFFEE: (1, "pound"), ALMOND_MILK: (2, None)}  # the almond milk went back
    assert "2 Organic Unsweetened Almond Milk" in said and "nothing was changed" not in said
    coffee = backend.catalog.get(COFFEE).name
    assert f"1 pound of {coffee} in your cart already" in said and f"didn't add 1 {coffee}" in said  # name and why
    # The web shop takes its pound out again: the coffee the clear took out still goes back, once.
    backend.shopping.change_cart(CUSTOMER, lambda cart: cart.without(COFFEE), request_id="web-4", channel="web")
    talk.intent("PutBackIntent", product="them")
    assert lines(backend) == {ALMOND_MILK: (2, None), COFFEE: (1, None)}
    talk.intent("PutBackIntent", product="them")
    assert lines(backend) == {ALMOND_MILK: (2, None), COFFEE: (1, None)}


def test_a_put_back_of_one_line_held_in_another_unit_now_can_be_asked_again(
    talk: Conversation, backend: Backend
) -> None:
    add(talk, COFFEE, "2")
    talk.intent("RemoveFromCartIntent", product="coffee", ids={"product": COFFEE})
    backend.shopping.add_items(CUSTOMER, [(COFFEE, 1)], request_id="web-5", channel="web", units={COFFEE: "pound"})
    said = talk.intent("PutBackIntent", product="it")
    assert "didn't add 2 " in said and lines(backend) == {COFFEE: (1, "pound")}
    backend.shopping.change_cart(CUSTOMER, lambda cart: cart.without(COFFEE), request_id="web-6", channel="web")
    talk.intent("PutBackIntent", product="it")
    assert lines(backend) == {COFFEE: (2, None)}


def test_a_store_fault_in_a_put_back_keeps_it_for_a_retry(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "2")
    add(talk, COFFEE)
    talk.intent("ClearCartIntent")
    talk.intent("AMAZON.YesIntent")
    failing = FailingClient(backend.table.client)
    backend.table.client = failing  # type: ignore[assignment]
    backend.shopping.table.client = failing  # type: ignore[assignment]
    failing.fail_next = 1
    assert "Sorry" in talk.intent("PutBackIntent", product="everything")
    assert cart(backend) == {}
    talk.intent("PutBackIntent", product="everything")
    assert cart(backend) == {ALMOND_MILK: 2, COFFEE: 1}


def test_a_line_taken_out_in_two_removals_comes_back_whole(talk: Conversation, backend: Backend) -> None:
    add(talk, ALMOND_MILK, "3")
    add(talk, COFFEE)
    talk.intent("RemoveFromCartIntent", product="almond milk", quantity="2", ids={"product": ALMOND_MILK})
    assert cart(backend) == {ALMOND_MILK: 1, COFFEE: 1}
    talk.intent("RemoveFromCartIntent", product="almond milk", ids={"product": ALMOND_MILK})
    assert cart(backend) == {COFFEE: 1}
    talk.intent("PutBackIntent", product="them")
    assert cart(backend) == {COFFEE: 1, ALMOND_MILK: 3}


def test_removals_of_one_line_in_one_unit_are_summed(talk: Conversation, backend: Backend) -> None:
    add(talk, COFFEE)
    version = backend.shopping.cart(CUSTOMER).version
    talk.session["removed_run"] = {
        "lines": [[ALMOND_MILK, 1, "gallon"], [ALMOND_MILK, 2, "gallon"]],
        "version": version,
    }
    talk.intent("PutBackIntent", product="them")
    assert lines(backend)[ALMOND_MILK] == (3, "gallon")


def test_scratch_that_and_never_mind_agree_on_a_removal_with_nothing_left_to_put_back(
    talk: Conversation, backend: Backend
) -> None:
    add(talk, COFFEE)
    version = backend.shopping.cart(CUSTOMER).version
    # A removal is the last change, but what it took out is no longer sold (nothing to put back).
    talk.session["last_add"] = {"kind": "removed", "version": version}
    talk.session["last_removed"] = [["no-such-product", 1, None]]
    assert "nothing was changed" in scratch_that(talk)  # not "what would you like to add?"
    talk.session["last_add"] = {"kind": "removed", "version": version}
    talk.session["last_removed"] = [["no-such-product", 1, None]]
    bye = talk.intent("AMAZON.CancelIntent")
    assert "?" not in bye and cart(backend) == {COFFEE: 1}
