"""The words said beat the history: a product of theirs that is another kind of thing than the words ask for is
not what they mean, however often they buy it (``Resolver._another_kind``, ``Resolver._rival_kind``)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.catalog import Catalog, Product
from backend.resolver import Decision, Resolver
from backend.resolver.purchases import PurchaseStats


def _catalog() -> Catalog:
    rows = [
        # (name, aisle, department): enough of each kind for the head words to say what they name
        ("Creamy Almond Butter", "spreads", "pantry"),
        ("Crunchy Cashew Butter", "spreads", "pantry"),
        ("Sunflower Seed Butter", "spreads", "pantry"),
        ("Natural Creamy Peanut Butter", "spreads", "pantry"),
        ("Salted Sweet Cream Butter", "butter", "dairy eggs"),
        ("Unsalted Butter", "butter", "dairy eggs"),
        ("Honey Wheat Crackers", "crackers", "snacks"),
        ("Multigrain Crackers", "crackers", "snacks"),
        ("Rice Crackers", "crackers", "snacks"),
        ("Water Crackers", "crackers", "snacks"),
        ("Cheddar Crackers", "crackers", "snacks"),
        ("Toasted Cheese & Almond Butter Sandwich Crackers", "crackers", "snacks"),
        ("Kosher Salt", "spices seasonings", "pantry"),
        ("Pink Himalayan Salt", "spices seasonings", "pantry"),
        ("Iodized Salt", "spices seasonings", "pantry"),
        ("Garlic Salt", "spices seasonings", "pantry"),
        ("Sea Salt", "spices seasonings", "pantry"),
        ("Celery Salt", "spices seasonings", "pantry"),
        ("Smoked Salt", "spices seasonings", "pantry"),
        ("Flaky Salt", "spices seasonings", "pantry"),
        ("Seasoned Salt", "spices seasonings", "pantry"),
        ("Coarse Salt", "spices seasonings", "pantry"),
        ("Kettle Chips", "chips pretzels", "snacks"),
        ("Tortilla Chips", "chips pretzels", "snacks"),
        ("Pita Chips", "chips pretzels", "snacks"),
        ("Veggie Chips", "chips pretzels", "snacks"),
        ("Plantain Chips", "chips pretzels", "snacks"),
        ("Thin Potato Chips Sea Salt", "chips pretzels", "snacks"),
        ("Black Tea", "tea", "beverages"),
        ("Mint", "fresh herbs", "produce"),
        ("Mini", "candy chocolate", "snacks"),
        ("Peppermint Tea", "tea", "beverages"),
        ("Chamomile Tea", "tea", "beverages"),
        ("Jasmine Tea", "tea", "beverages"),
        ("Oolong Tea", "tea", "beverages"),
        ("Black Beans", "canned meals beans", "canned goods"),
        ("Pinto Beans", "canned meals beans", "canned goods"),
        ("Kidney Beans", "canned meals beans", "canned goods"),
        ("Navy Beans", "canned meals beans", "canned goods"),
        ("Cannellini Beans", "canned meals beans", "canned goods"),
    ]
    return Catalog(
        Product(str(number), name, aisle, department, Decimal("2.50"))
        for number, (name, aisle, department) in enumerate(rows, start=1)
    )


@pytest.fixture(scope="module")
def resolver() -> Resolver:
    return Resolver(_catalog())


def _id(resolver: Resolver, name: str) -> str:
    return next(product.id for product in resolver.catalog if product.name == name)


def _bought(resolver: Resolver, *names_and_counts: tuple[str, int]) -> dict[str, PurchaseStats]:
    return {_id(resolver, name): PurchaseStats(count, 5.0) for name, count in names_and_counts}


def test_a_habit_that_only_holds_the_words_as_a_flavour_is_not_what_they_ask_for(resolver: Resolver) -> None:
    # They buy the sandwich crackers in a third of their orders and ask for "almond butter": the spread.
    history = _bought(resolver, ("Toasted Cheese & Almond Butter Sandwich Crackers", 10))
    resolution = resolver.resolve("almond butter", history=history, orders=30)
    assert resolution.best is not None
    assert resolution.best.product.name == "Creamy Almond Butter"
    crackers = _id(resolver, "Toasted Cheese & Almond Butter Sandwich Crackers")
    assert not (resolution.decision is Decision.ACCEPT and resolution.best.product.id == crackers)


def test_the_flavour_named_with_the_kind_is_still_their_habit(resolver: Resolver) -> None:
    history = _bought(resolver, ("Toasted Cheese & Almond Butter Sandwich Crackers", 10))
    resolution = resolver.resolve("almond butter crackers", history=history, orders=30)
    assert resolution.decision is Decision.ACCEPT
    assert resolution.best is not None
    assert resolution.best.product.name == "Toasted Cheese & Almond Butter Sandwich Crackers"


def test_another_products_whole_name_of_the_kind_asked_for_makes_their_habit_a_question(resolver: Resolver) -> None:
    # Their chips' name ends in the words, but the words are the whole name of the salt: both readings are real.
    history = _bought(resolver, ("Thin Potato Chips Sea Salt", 8))
    resolution = resolver.resolve("sea salt", history=history, orders=20)
    assert resolution.decision is Decision.CHOOSE
    names = [candidate.product.name for candidate in resolution.candidates]
    assert names[0] == "Thin Potato Chips Sea Salt"  # theirs first
    assert "Sea Salt" in names


def test_the_history_never_turns_a_weak_match_into_an_answer(resolver: Resolver) -> None:
    # "mint tee": nothing is called that; their "Mint" matches the words weakly, and only the history puts it ahead.
    assert resolver.resolve("mint tee").decision is not Decision.ACCEPT
    resolution = resolver.resolve("mint tee", history=_bought(resolver, ("Mint", 9)), orders=20)
    assert resolution.best is not None and resolution.best.product.name == "Mint"
    assert resolution.decision is Decision.CONFIRM
