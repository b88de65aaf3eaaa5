"""Words that fit an answer only loosely, or only once a garbled first word is taken off: a question, never an add.

Constructed catalogs, so each rule is checked on names no evaluation set holds.
"""

from __future__ import annotations

from decimal import Decimal

from backend.catalog import Catalog, Product
from backend.resolver import Decision, Resolver
from backend.resolver.purchases import PurchaseStats
from backend.spoken import leading_words

NAMES = (
    "Spring Fling Tea",
    "Green Beans",
    "Kettle Corn",
    "Apricot Jam",
    "Andy Apricot Jam",
    "Cheese Cake",
    "Cheesecake",
    "Peanut Butter",
    "Crunchy Peanut Butter",
    "Whole Milk",
    "Rye Bread",
    "Sourdough Bread",
)


def _resolver() -> Resolver:
    products = [Product(str(number), name, "misc", "misc", Decimal("2.50")) for number, name in enumerate(NAMES, 1)]
    return Resolver(Catalog(products))


RESOLVER = _resolver()
GREEN_BEANS = {"2": PurchaseStats(6, 10.0), "10": PurchaseStats(4, 5.0)}


def test_the_words_taken_off_the_start_of_a_request_are_its_leading_words() -> None:
    assert leading_words("and the apricot jam") == ("and", "the")
    assert leading_words("please add some whole milk to my cart") == ("please", "add", "some")
    assert leading_words("apricot jam") == ()


def test_a_few_words_that_barely_fit_a_product_a_customer_with_a_history_never_bought_are_a_question() -> None:
    resolution = RESOLVER.resolve("bring fling tee", history=GREEN_BEANS, orders=12)
    best = resolution.best
    assert best is not None and best.product.name == "Spring Fling Tea"
    # Three words are not "a few": a full name heard a little wrong is still an answer (see below).
    few = RESOLVER.resolve("bring fling", history=GREEN_BEANS, orders=12)
    assert few.best is not None and few.best.product.name == "Spring Fling Tea" and few.best.match < 0.8
    assert few.decision is not Decision.ACCEPT


def test_the_same_few_words_without_a_history_are_judged_on_the_words_alone() -> None:
    with_history = RESOLVER.resolve("bring fling", history=GREEN_BEANS, orders=12)
    without = RESOLVER.resolve("bring fling")
    assert with_history.decision is not Decision.ACCEPT
    assert without.best is not None and without.best.product.name == with_history.best.product.name  # type: ignore[union-attr]


def test_a_well_heard_product_they_never_bought_is_still_added_for_a_customer_with_a_history() -> None:
    resolution = RESOLVER.resolve("rye bread", history=GREEN_BEANS, orders=12)
    assert resolution.decision is Decision.ACCEPT and resolution.best is not None
    assert resolution.best.product.name == "Rye Bread"


def test_a_leading_and_that_sounds_like_a_longer_names_first_word_makes_a_choice() -> None:
    resolution = RESOLVER.resolve("and the apricot jam")
    assert resolution.decision is Decision.CHOOSE
    assert {candidate.product.name for candidate in resolution.candidates} >= {"Apricot Jam", "Andy Apricot Jam"}


def test_a_leading_determiner_is_request_language_and_settles_nothing() -> None:
    for words in ("the apricot jam", "some apricot jam", "apricot jam"):
        resolution = RESOLVER.resolve(words)
        assert resolution.decision is Decision.ACCEPT, words
        assert resolution.best is not None and resolution.best.product.name == "Apricot Jam"


def test_names_a_voice_cannot_tell_apart_by_spaces_alone_are_both_offered() -> None:
    resolution = RESOLVER.resolve("cheese cake")
    assert resolution.decision is Decision.CHOOSE
    assert {candidate.product.name for candidate in resolution.candidates[:2]} == {"Cheese Cake", "Cheesecake"}


def test_a_describing_word_heard_that_a_sound_alike_name_lacks_is_evidence_against_it() -> None:
    flavours = ("Honey", "Maple", "Cocoa", "Berry", "Apple", "Pecan", "Almond", "Vanilla", "Banana", "Raisin")
    oats = [f"Oat {flavour} {kind}" for flavour in flavours for kind in ("Bar", "Cereal")]
    names = ("Goat Milk", "Whole Milk", "Skim Milk", *oats)
    products = [Product(str(number), name, "misc", "misc", Decimal("2.50")) for number, name in enumerate(names, 1)]
    resolver = Resolver(Catalog(products))
    resolution = resolver.resolve("oat milk")
    assert resolution.best is not None and resolution.best.product.name == "Goat Milk"
    assert resolution.decision is not Decision.ACCEPT  # "Did you mean Goat Milk?" at most: no oat milk is sold
    assert resolver.resolve("goat milk").decision is Decision.ACCEPT


def test_a_few_words_that_barely_fit_a_product_bought_once_are_a_question() -> None:
    bought_once = {"1": PurchaseStats(1, 40.0), "2": PurchaseStats(6, 10.0)}
    resolution = RESOLVER.resolve("bring fling", history=bought_once, orders=12)
    assert resolution.best is not None and resolution.best.product.name == "Spring Fling Tea"
    assert resolution.decision is not Decision.ACCEPT  # once in 12 orders is no habit: the history makes no answer
