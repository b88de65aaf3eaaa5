"""The intents added for everyday shoppers, heard through the simulator from phrasings that are not samples.

Each row is said the way a shopper might and checked for the intent and slots the handler needs. The phrasings
are written here, not copied from interaction_models/src: they check that the patterns generalise.
"""

from __future__ import annotations

import pytest

from skill.models import model_path
from skill.simulator.matcher import Matcher
from skill.simulator.model import load_model_file

LOCALES = ("en-US", "en-GB")


@pytest.fixture(scope="module", params=LOCALES)
def matcher(request: pytest.FixtureRequest) -> Matcher:
    return Matcher(load_model_file(model_path(request.param)))


CART_TOTAL = [
    "what's my total right now",
    "how much does my basket come to",
    "how much will all this cost",
    "tell me the subtotal",
    "how much is in my cart",
    # Colloquial totals carry a trailing "so far" / "now" as often as the plain forms do.
    "what's the damage so far",
    "how much have we spent so far",
    "what are we up to so far",
    "what's it coming to",
]


@pytest.mark.parametrize("said", CART_TOTAL)
def test_cart_total_is_its_own_question(matcher: Matcher, said: str) -> None:
    heard = matcher.match(said)
    assert (heard.intent, heard.slots) == ("CartTotalIntent", {})


@pytest.mark.parametrize("said", ["check out", "place my order"])
def test_checkout_is_not_a_cart_total(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).intent == "CheckoutIntent"


CART_CONTAINS = [
    ("is there any coffee in my basket", "coffee"),
    ("have we already added bananas", "bananas"),
    ("do we have oat milk in my cart", "oat milk"),
    ("how many lemons are there in my cart", "lemons"),
]


@pytest.mark.parametrize(("said", "product"), CART_CONTAINS)
def test_is_a_product_in_the_cart(matcher: Matcher, said: str, product: str) -> None:
    heard = matcher.match(said)
    assert heard.intent == "CartContainsIntent"
    assert heard.slots["product"].value == product


def test_anything_in_the_cart_reads_the_cart(matcher: Matcher) -> None:
    assert matcher.match("is there anything in my cart").intent == "ReadCartIntent"


@pytest.mark.parametrize(
    "said", ["what do we typically order", "what's my usual", "what are my favorite products", "what do i buy most"]
)
def test_what_do_i_usually_buy_is_a_question(matcher: Matcher, said: str) -> None:
    heard = matcher.match(said)
    assert (heard.intent, heard.slots) == ("UsualProductsIntent", {})


@pytest.mark.parametrize(
    "said",
    ["reorder my usual", "my usual", "order my usual groceries", "get my usual again", "do my regular shop again"],
)
def test_the_usual_itself_is_still_a_reorder(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).intent == "ReorderUsualIntent"


PRICES = [
    ("how much do the bananas cost", {"product": "bananas"}),
    ("what is the price of oat milk", {"product": "oat milk"}),
    ("how much is a carton of eggs", {"product": "eggs", "unit": "carton"}),
    ("how pricey is the salmon", {"product": "salmon"}),
]


@pytest.mark.parametrize(("said", "slots"), PRICES)
def test_price_of_a_product(matcher: Matcher, said: str, slots: dict[str, str]) -> None:
    heard = matcher.match(said)
    assert heard.intent == "ProductPriceIntent"
    assert {name: slot.value for name, slot in heard.slots.items()} == slots


@pytest.mark.parametrize(
    ("said", "intent"),
    [("how much is my cart", "CartTotalIntent"), ("how much milk do i buy", "PurchaseFrequencyIntent")],
)
def test_how_much_questions_that_are_not_prices(matcher: Matcher, said: str, intent: str) -> None:
    assert matcher.match(said).intent == intent


SEVERAL = [
    ("add bread and butter", {"product": "bread", "productTwo": "butter"}),
    ("could you get milk and some eggs", {"product": "milk", "productTwo": "eggs"}),
    ("we're out of coffee and sugar", {"product": "coffee", "productTwo": "sugar"}),
    (
        "add two lemons and three limes",
        {"quantity": "2", "product": "lemons", "quantityTwo": "3", "productTwo": "limes"},
    ),
    (
        "put apples and pears and plums in my cart",
        {"product": "apples", "productTwo": "pears", "productThree": "plums"},
    ),
]


@pytest.mark.parametrize(("said", "slots"), SEVERAL)
def test_several_products_in_one_utterance(matcher: Matcher, said: str, slots: dict[str, str]) -> None:
    heard = matcher.match(said)
    assert heard.intent == "AddProductsIntent"
    assert {name: slot.value for name, slot in heard.slots.items()} == slots


def test_one_product_is_still_a_single_add(matcher: Matcher) -> None:
    heard = matcher.match("add two lemons")
    assert heard.intent == "AddToCartIntent"


@pytest.mark.parametrize(
    "said",
    ["please cancel the delivery", "i'd like to cancel my order", "can i still cancel my order", "stop my order"],
)
def test_cancel_the_latest_order(matcher: Matcher, said: str) -> None:
    heard = matcher.match(said)
    assert (heard.intent, heard.slots) == ("CancelOrderIntent", {})


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("cancel", "AMAZON.CancelIntent"),
        ("cancel that", "AMAZON.CancelIntent"),
        ("cancel the eggs", "RemoveFromCartIntent"),
    ],
)
def test_cancel_words_that_do_not_cancel_an_order(matcher: Matcher, said: str, intent: str) -> None:
    assert matcher.match(said).intent == intent


@pytest.mark.parametrize(
    ("said", "choice_id"),
    [("the last one", "last"), ("the bottom one", "last"), ("none of them", "none"), ("neither", "none")],
)
def test_relative_answers_to_which_one(matcher: Matcher, said: str, choice_id: str) -> None:
    heard = matcher.match(said)
    assert heard.intent == "SelectChoiceIntent"
    assert heard.slots["choice"].ids == (choice_id,)


FOLLOW_UPS = [
    # (said, intent, slots heard: value per slot)
    ("just four more", "AddToCartIntent", {"quantity": "4"}),
    ("get two more of that", "AddToCartIntent", {"quantity": "2"}),
    ("actually get them back out", "RemoveFromCartIntent", {}),
    ("take three lemons out", "RemoveFromCartIntent", {"quantity": "3", "product": "lemons"}),
    ("remove one of those avocados", "RemoveFromCartIntent", {"quantity": "1", "product": "avocados"}),
    ("take two peaches off", "RemoveFromCartIntent", {"quantity": "2", "product": "peaches"}),
    ("take one of the limes off my basket", "RemoveFromCartIntent", {"quantity": "1", "product": "limes"}),
    ("knock one off", "RemoveFromCartIntent", {"quantity": "1"}),
    ("sorry make that six", "ChangeQuantityIntent", {"quantity": "6"}),
    ("no i meant five", "ChangeQuantityIntent", {"quantity": "5"}),
    ("please triple the tortillas", "ChangeQuantityIntent", {"factor": "triple", "product": "tortillas"}),
    ("double them", "ChangeQuantityIntent", {"factor": "double"}),
    ("only six eggs", "ChangeQuantityIntent", {"quantity": "6", "product": "eggs"}),
    ("just three of them", "ChangeQuantityIntent", {"quantity": "3", "product": "of them"}),
    ("just peppers", "AddToCartIntent", {"product": "peppers"}),
]


@pytest.mark.parametrize(("said", "intent", "slots"), FOLLOW_UPS)
def test_follow_ups_that_refer_to_the_product_named_last(
    matcher: Matcher, said: str, intent: str, slots: dict[str, str]
) -> None:
    heard = matcher.match(said)
    assert heard.intent == intent
    assert {name: slot.value for name, slot in heard.slots.items()} == slots


SWAPS = [
    ("exchange my oat milk for the soy milk", {"product": "oat milk", "replacement": "soy milk"}),
    ("i'd like sourdough instead of the white bread", {"product": "white bread", "replacement": "sourdough"}),
    ("no make it the unsalted butter instead", {"replacement": "unsalted butter"}),
]


@pytest.mark.parametrize(("said", "slots"), SWAPS)
def test_swapping_a_line_for_another_product(matcher: Matcher, said: str, slots: dict[str, str]) -> None:
    heard = matcher.match(said)
    assert heard.intent == "SwapProductIntent"
    assert {name: slot.value for name, slot in heard.slots.items()} == slots


def test_a_product_alone_is_heard_only_when_it_names_a_product(matcher: Matcher) -> None:
    heard = matcher.match("avocado")
    assert heard.intent == "ProductOnlyIntent" and heard.slots["product"].ids
    assert matcher.match("purple monkey dishwasher").intent == "AMAZON.FallbackIntent"


def test_a_carrier_with_a_polite_lead_is_an_add(matcher: Matcher) -> None:
    heard = matcher.match("could you stick some limes in the cart")
    assert heard.intent == "AddToCartIntent" and heard.slots["product"].value == "limes"


# Everyday ways of asking after a delivery, of leaving, and of dropping a request: Alexa's built-in intents hear
# these with their fillers ("actually", "thanks"), so the model must not turn them into a fallback.
EVERYDAY_BUILTINS = [
    ("what's my delivery status", "OrderStatusIntent"),
    ("when is my order due", "OrderStatusIntent"),
    ("when are my groceries coming", "OrderStatusIntent"),
    ("thank you goodbye", "AMAZON.StopIntent"),
    ("okay see you", "AMAZON.StopIntent"),
    ("actually forget it", "AMAZON.CancelIntent"),
    ("okay never mind", "AMAZON.CancelIntent"),
]


@pytest.mark.parametrize(("said", "intent"), EVERYDAY_BUILTINS)
def test_everyday_phrasings_reach_their_intent(matcher: Matcher, said: str, intent: str) -> None:
    assert matcher.match(said).intent == intent


# "get rid of ..." takes things out: never an add of the words "rid of ..." ("get" alone is an add verb).
GET_RID_OF = [
    ("get rid of everything apart from the eggs", "RemoveFromCartIntent", "everything apart from the eggs"),
    ("could you get rid of the rest except the butter", "RemoveFromCartIntent", "the rest except the butter"),
    ("ditch the yogurt please", "RemoveFromCartIntent", "the yogurt"),
    ("throw out all but the coffee", "RemoveFromCartIntent", "all but the coffee"),
    ("get rid of bread", "RemoveFromCartIntent", "bread"),
    ("throw away all of it", "ClearCartIntent", None),
]


@pytest.mark.parametrize(("said", "intent", "product"), GET_RID_OF)
def test_get_rid_of_is_a_removal(matcher: Matcher, said: str, intent: str, product: str | None) -> None:
    heard = matcher.match(said)
    assert heard.intent == intent
    assert (heard.slots["product"].value if product is not None else heard.slots.get("product")) == product


# Corrections said with more than one leading word ("no sorry, make that two") are still corrections.
CORRECTIONS = ["no sorry make that six", "oops i meant two", "oh wait change it to five", "whoops make that three"]


@pytest.mark.parametrize("said", CORRECTIONS)
def test_a_correction_with_a_leading_apology_sets_the_quantity(matcher: Matcher, said: str) -> None:
    heard = matcher.match(said)
    assert heard.intent == "ChangeQuantityIntent" and "quantity" in heard.slots


# "never mind that" is a cancel (the handler asks before taking a change back), never a removal or a fallback.
@pytest.mark.parametrize("said", ["okay never mind that", "never mind that one", "wait forget that"])
def test_never_mind_that_is_a_cancel(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).intent == "AMAZON.CancelIntent"


@pytest.mark.parametrize("said", ["add those back", "bring the eggs back please", "put them back into my basket"])
def test_back_into_the_cart_is_a_put_back(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).intent == "PutBackIntent"


# A hesitation before an undo or a correction is still that undo or correction, not the fallback.
@pytest.mark.parametrize("said", ["um scratch that", "hmm undo that", "uh take that out", "well scratch that"])
def test_a_hesitation_before_an_undo(matcher: Matcher, said: str) -> None:
    heard = matcher.match(said)
    assert heard.intent == "RemoveFromCartIntent" and "product" not in heard.slots


@pytest.mark.parametrize("said", ["hmm make that three", "uh i meant four", "well make it two", "okay make that five"])
def test_a_hesitation_before_a_correction(matcher: Matcher, said: str) -> None:
    heard = matcher.match(said)
    assert heard.intent == "ChangeQuantityIntent" and "product" not in heard.slots


# A product whose name starts with a hesitation word is a product, never a correction.
@pytest.mark.parametrize(
    "said", ["no pulp orange juice", "no salt added black beans", "oh my yog gingered pear trilayer yogurt"]
)
def test_a_name_starting_with_a_hesitation_is_a_product(matcher: Matcher, said: str) -> None:
    heard = matcher.match(said)
    assert heard.intent == "ProductOnlyIntent" and heard.slots["product"].value == said


# "clear it all except ...", "take out all but ...": one removal whose words say what stays (after "clear",
# "empty" or "wipe" the every-line words are a slot of their own; the handler reads the two as one).
@pytest.mark.parametrize(
    ("said", "words"),
    [
        ("clear it all except the eggs", "it all except the eggs"),
        ("take out all but the bread", "all but the bread"),
        ("empty everything but the coffee", "everything but the coffee"),
        ("wipe my cart except the milk", "my cart except the milk"),
    ],
)
def test_clearing_all_but_is_a_removal(matcher: Matcher, said: str, words: str) -> None:
    heard = matcher.match(said)
    assert heard.intent == "RemoveFromCartIntent"
    every = heard.slots.get("every")
    said_words = " ".join(part for part in (every.value if every else None, heard.slots["product"].value) if part)
    assert said_words == words


# "Clear", "empty" or "wipe" before a product is no removal: many names start with them.
@pytest.mark.parametrize("said", ["clear plastic wrap", "clear hand soap", "wipe fresh pet wipes", "empty jars"])
def test_a_name_after_clear_is_no_removal(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).intent != "RemoveFromCartIntent"


@pytest.mark.parametrize("said", ["clear my cart", "clear everything", "empty the basket"])
def test_clearing_the_cart_stays_a_clear(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).intent == "ClearCartIntent"


# A product said alone with an amount is that product, with the amount in a slot of its own (the handler hears the
# amount words before the product words, so where the two slots part does not matter).
@pytest.mark.parametrize(
    ("said", "amount"),
    [
        ("four bananas", {"quantity": "4"}),
        ("a couple of lemons", {"amount": "a couple of"}),
        ("half a dozen eggs", {}),
        ("a few avocados", {"amount": "a few"}),
    ],
)
def test_a_bare_product_with_an_amount(matcher: Matcher, said: str, amount: dict[str, str]) -> None:
    heard = matcher.match(said)
    slots = {name: slot.value for name, slot in heard.slots.items()}
    assert heard.intent == "ProductOnlyIntent" and amount.items() <= slots.items()
    if "amount" in slots:
        assert f"{slots['amount']} {slots['product']}" == said


# "Two of the organic ones" names part of something (the options of a question), not a product with its amount.
@pytest.mark.parametrize("said", ["three of the big ones", "a few of the green ones"])
def test_a_part_of_something_is_no_bare_product(matcher: Matcher, said: str) -> None:
    assert matcher.match(said).intent != "ProductOnlyIntent"
