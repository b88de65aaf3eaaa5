"""Phrasings that reached the fallback: a filler word before an everyday request, history questions without
"last", "cancel that order", and answers to "which one?" by price, by history or with "neither". Heard through the
simulator from phrasings written here (not copied from the samples): they check that the patterns generalise."""

from __future__ import annotations

import pytest

from skill.models import model_path
from skill.simulator.matcher import Matcher
from skill.simulator.model import load_model_file

LOCALES = ("en-US", "en-GB")


@pytest.fixture(scope="module", params=LOCALES)
def matcher(request: pytest.FixtureRequest) -> Matcher:
    return Matcher(load_model_file(model_path(request.param)))


LEADING = [
    ("oh actually grab the bananas", "AddToCartIntent", "bananas"),
    ("erm get some oat milk", "AddToCartIntent", "oat milk"),
    ("hold on take out the lemons", "RemoveFromCartIntent", "lemons"),
    ("uh remove the bread", "RemoveFromCartIntent", "bread"),
    ("yeah but take off the butter first", "RemoveFromCartIntent", "butter"),
    ("alright what's in my basket", "ReadCartIntent", None),
    ("well how much is my basket", "CartTotalIntent", None),
    ("so check me out", "CheckoutIntent", None),
    ("oops cancel the order", "CancelOrderIntent", None),
    ("cancel that delivery", "CancelOrderIntent", None),
]


@pytest.mark.parametrize(("said", "intent", "product"), LEADING)
def test_a_leading_filler_keeps_the_request(matcher: Matcher, said: str, intent: str, product: str | None) -> None:
    heard = matcher.match(said)
    assert heard.intent == intent
    assert "filler" in heard.slots or said.startswith("cancel that")
    if product is not None:
        assert heard.slots["product"].value == product


HISTORY = [
    ("when did we buy coffee", "LastPurchaseIntent"),
    ("have we ever ordered rice", "LastPurchaseIntent"),
    ("did i ever buy salmon", "LastPurchaseIntent"),
    ("did we get lemons last time", "LastPurchaseIntent"),
    ("how much did we pay last time", "LastOrderIntent"),
]


@pytest.mark.parametrize(("said", "intent"), HISTORY)
def test_history_questions_without_last(matcher: Matcher, said: str, intent: str) -> None:
    assert matcher.match(said).intent == intent


CHOICES = [
    ("the less expensive one", "cheapest"),
    ("whichever one is cheaper", "cheapest"),
    ("i'll take the cheapest", "cheapest"),
    ("the one i always get", "usual"),
    ("same as last time please", "usual"),
    ("neither of these", "none"),
]


@pytest.mark.parametrize(("said", "choice"), CHOICES)
def test_choices_by_price_history_or_neither(matcher: Matcher, said: str, choice: str) -> None:
    heard = matcher.match(said)
    assert heard.intent == "SelectChoiceIntent"
    assert choice in heard.slots["choice"].ids


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("i suppose so", "AMAZON.YesIntent"),
        ("on second thought nope", "AMAZON.NoIntent"),
        ("well no", "AMAZON.NoIntent"),
    ],
)
def test_second_thoughts_are_a_yes_or_a_no(matcher: Matcher, said: str, intent: str) -> None:
    assert matcher.match(said).intent == intent


@pytest.mark.parametrize("said", ["no wait yes", "yes no", "hmm let me see"])
def test_a_muddle_is_neither(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).intent not in {"AMAZON.YesIntent", "AMAZON.NoIntent"}
