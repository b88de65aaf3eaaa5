"""The customer's habit holding every word said is what they mean (``backend.resolver.habits``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.catalog import Catalog, Product
from backend.resolver import Decision, ReasonCode, Resolver
from backend.resolver.habits import Habit, NameWords, aisle_noun, habit_among
from backend.resolver.phonemes import default_pronouncer
from backend.resolver.purchases import PurchaseStats
from backend.resolver.resolver import OFFER_GAP
from backend.spoken import spoken_form
from tests.support.properties import examples

PRONOUNCE = default_pronouncer().word
KINDS = {
    "milk": 0.3,
    "yogurt": 0.7,
    "butter": 0.3,
    "cheese": 0.5,
    "bread": 0.8,
    "cracker": 0.6,
    "classic": 0.06,
    "organic": 0.02,
}


def _kind_share(word: str) -> float:
    return KINDS.get(word, 0.0)


def _name(text: str, *, aisle: str = "") -> NameWords:
    words = spoken_form(text).split()
    return NameWords.of(words, (words[-1],), (aisle_noun(aisle),) if aisle else (), pronounce=PRONOUNCE)


def _holds(said: str, name: str, *, aisle: str = "") -> bool:
    return _name(name, aisle=aisle).holds(spoken_form(said).split(), _kind_share)


@pytest.mark.parametrize(
    ("said", "name", "aisle"),
    [
        ("butter", "Cultured Salted Butter", ""),
        ("salted butters", "Cultured Salted Butter", ""),  # plurals fold
        ("chili sauce", "Sweet Chile Sauce", ""),  # another spelling of the same sound
        ("yoghurt", "Plain Yogurt", ""),
        ("oat milk", "Barista Oatmilk", ""),  # the recogniser split a word the name runs together
        ("oatmilk", "Barista Oat Milk", ""),  # ... or ran together words the name keeps apart
        ("rye bread", "Seeded Rye", "bread"),  # the aisle's noun is what the product is
        ("mac and cheese", "Shells Mac & Cheese", ""),  # function words need not be in the name
        ("cherry garcia", "Cherry Garcia Frozen Yogurt", ""),  # words naming no kind may leave the kind out
        ("cheese", "Cheese Classic", ""),  # what follows mostly qualifies: it is a cheese
    ],
)
def test_names_that_hold_the_words(said: str, name: str, aisle: str) -> None:
    assert _holds(said, name, aisle=aisle)


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("organic butter", "Cultured Salted Butter"),  # a heard word the name lacks is evidence against it
        ("oat milk", "Almond Milk"),
        ("beer", "Protein Bar"),  # the same sound key, spelt nothing alike
        ("coke", "Sponge Cake"),  # ... or a vowel apart
        ("whole milk", "Whole Milk Greek Yogurt"),  # "milk" here only says what kind of yogurt
        ("peanut butter", "Peanut Butter Cheese Crackers Cheese"),
        ("and of the", "Bread of the Day"),  # no content word at all
        ("", "Bread"),
    ],
)
def test_names_that_do_not_hold_the_words(said: str, name: str) -> None:
    assert not _holds(said, name)


@pytest.mark.parametrize(
    ("said", "name", "aisle"),
    [
        ("bread", "Tortillas, Corn, Organic", "bread"),  # the aisle's noun alone names the shelf, not the product
        ("organic bread", "Tortillas, Corn, Organic", "bread"),  # ... and beside a qualifier still does
    ],
)
def test_the_aisle_noun_needs_a_naming_word_of_the_name(said: str, name: str, aisle: str) -> None:
    assert not _holds(said, name, aisle=aisle)


def test_the_aisle_alone_does_not_name_a_product() -> None:
    # Their corn chips sit in "chips pretzels": "pretzels" is another kind in that aisle, not a name for them.
    assert not _holds("pretzels", "Original Corn Chips", aisle="chips pretzels")
    assert _holds("corn chips", "Original Corn Chips", aisle="chips pretzels")


_WORD = st.text(alphabet="bcdfgklmnprstvz", min_size=4, max_size=8).map(lambda stem: stem + "o")


@settings(max_examples=examples(200), deadline=None)
@given(name=st.lists(_WORD, min_size=1, max_size=6), picks=st.lists(st.booleans(), min_size=6, max_size=6))
def test_any_words_of_a_name_ending_in_its_last_are_held(name: list[str], picks: list[bool]) -> None:
    said = [word for word, pick in zip(name[:-1], picks, strict=False) if pick] + [name[-1]]
    assert NameWords.of(name, (name[-1],)).holds(said, lambda word: 1.0)


@settings(max_examples=examples(200), deadline=None)
@given(name=st.lists(_WORD, min_size=1, max_size=6), extra=st.text(alphabet="aeiu", min_size=3, max_size=6))
def test_a_word_the_name_lacks_is_never_held(name: list[str], extra: str) -> None:
    # Vowel-only words share no sound or spelling with the consonant-heavy name words.
    assert not NameWords.of(name, (name[-1],)).holds([*name, extra], lambda word: 1.0)


def test_the_habit_is_the_most_bought_of_those_holding_the_words() -> None:
    names = {1: _name("Butter"), 2: _name("Cultured Salted Butter"), 3: _name("Almond Butter"), 4: _name("Bread")}
    stats = {1: PurchaseStats(2, 1.0), 2: PurchaseStats(10, 9.0), 3: PurchaseStats(6, 2.0), 4: PurchaseStats(30, 1.0)}
    products = [(key, names[key], stats[key]) for key in names]

    def habit(said: str, is_habit: bool = True) -> Habit | None:
        return habit_among(said.split(), products, is_habit=lambda count: is_habit, kind_share=_kind_share)

    assert habit("butter") == Habit(2)  # 10 orders against 6 and 2
    assert habit("almond butter") == Habit(3)
    assert habit("butter", is_habit=False) is None
    assert habit("jam") is None
    stats[3] = PurchaseStats(7, 2.0)  # 10 against 7: nearly as often
    stats[1] = PurchaseStats(7, 1.0)  # ... and this one as often, more recently
    products = [(key, names[key], stats[key]) for key in names]
    assert habit("butter") == Habit(2, (1, 3))


def _catalog() -> Catalog:
    def product(number: int, name: str, aisle: str, department: str = "dairy eggs") -> Product:
        return Product(str(number), name, aisle, department, Decimal("2.50"))

    products = [
        product(1, "Butter", "butter"),
        product(2, "Cultured Salted Butter", "butter"),
        product(3, "Almond Butter", "spreads", "pantry"),
        product(4, "Unsalted Sweet Cream Butter", "butter"),
        product(5, "Light Butter", "butter"),
        product(6, "Garlic Butter", "butter"),
        product(10, "Whole Milk", "milk"),
        product(11, "Skim Milk", "milk"),
        product(12, "Chocolate Milk", "milk"),
        product(13, "Lactose Free Milk", "milk"),
        product(14, "Goat Milk", "milk"),
        product(20, "Whole Milk Greek Yogurt", "yogurt"),
        product(21, "Plain Greek Yogurt", "yogurt"),
        product(22, "Vanilla Yogurt", "yogurt"),
        product(23, "Strawberry Yogurt", "yogurt"),
        product(24, "Peach Yogurt", "yogurt"),
        product(30, "Old Fashioned Stone Ground Oats", "cereal", "breakfast"),
        product(31, "Stone Ground Oats", "cereal", "breakfast"),
    ]
    return Catalog(products)


@pytest.fixture(scope="module")
def small() -> Resolver:
    return Resolver(_catalog())


def _often(*counts: tuple[str, int]) -> dict[str, PurchaseStats]:
    return {product_id: PurchaseStats(count, 7.0) for product_id, count in counts}


def test_their_habit_is_accepted_over_a_product_called_just_that(small: Resolver) -> None:
    history = _often(("2", 10), ("3", 3), ("10", 4))
    resolution = small.resolve("butter", history=history, orders=20)
    assert resolution.decision is Decision.ACCEPT
    assert resolution.best is not None and resolution.best.product.id == "2"
    codes = {reason.code for reason in resolution.best.reasons}
    assert {ReasonCode.PARTIAL_NAME, ReasonCode.USUALLY_BOUGHT} <= codes
    # Alexa's entity resolution knows the catalog, not the customer: its plain "Butter" is not what they mean.
    for alexa_ids in (["1"], ["1", "4", "5"], ["1", "2"]):
        via_alexa = small.resolve("butter", history=history, orders=20, alexa_ids=alexa_ids)
        assert via_alexa.decision is Decision.ACCEPT
        assert via_alexa.best is not None and via_alexa.best.product.id == "2"


def test_bought_nearly_as_often_is_a_question_with_the_most_bought_first(small: Resolver) -> None:
    resolution = small.resolve("butter", history=_often(("2", 8), ("6", 7)), orders=20)
    assert resolution.decision is Decision.CHOOSE
    assert [candidate.product.id for candidate in resolution.candidates[:2]] == ["2", "6"]
    assert all(candidate.tells_apart for candidate in resolution.candidates)


def test_a_product_bought_once_is_no_habit(small: Resolver) -> None:
    # Once in 30 orders: the history is only a prior, and the catalog's own "Butter" is as good a reading.
    resolution = small.resolve("butter", history=_often(("2", 1), ("10", 12)), orders=30)
    assert resolution.decision is not Decision.ACCEPT
    assert {"1", "2"} <= {candidate.product.id for candidate in resolution.candidates}


def test_a_word_their_habit_lacks_points_elsewhere(small: Resolver) -> None:
    resolution = small.resolve("garlic butter", history=_often(("2", 10)), orders=20)
    assert resolution.best is not None and resolution.best.product.id == "6"


def test_a_kind_their_habit_only_mentions_is_not_it(small: Resolver) -> None:
    # "whole milk" from someone who buys a whole milk yogurt, and never the milk: the words name the milk, and
    # the yogurt's history does not make them its name.
    resolution = small.resolve("whole milk", history=_often(("20", 12)), orders=20)
    assert resolution.best is not None and resolution.best.product.id == "10"
    assert not (resolution.decision is Decision.ACCEPT and resolution.best.product.id == "20")


def test_a_long_whole_name_of_another_product_is_asked_about(small: Resolver) -> None:
    history = _often(("30", 6))
    resolution = small.resolve("stone ground oats", history=history, orders=20)
    assert resolution.decision is Decision.ACCEPT  # three words: how people name what they buy
    assert resolution.best is not None and resolution.best.product.id == "30"
    bigger = Resolver(
        Catalog(
            [
                *_catalog(),
                Product("32", "Organic Old Fashioned Rolled Oats", "cereal", "breakfast", Decimal("3")),
                Product("33", "Old Fashioned Rolled Oats", "cereal", "breakfast", Decimal("3")),
            ]
        )
    )
    resolution = bigger.resolve("old fashioned rolled oats", history=_often(("32", 6)), orders=20)
    assert resolution.decision is Decision.CHOOSE
    assert [candidate.product.id for candidate in resolution.candidates[:2]] == ["33", "32"]


def test_a_choice_between_twins_offers_nothing_unrelated(resolver: Resolver) -> None:
    # "Banana" and "Bananas" sound the same; a product of theirs the words barely match is no third option.
    green_onions = "5025"
    resolution = resolver.resolve("bananas", history=_often((green_onions, 2)), orders=40)
    assert resolution.decision is Decision.CHOOSE
    ids = [candidate.product.id for candidate in resolution.candidates]
    assert {"24852", "39276"} <= set(ids) and green_onions not in ids
    best = resolution.candidates[0]
    assert all(best.match - candidate.match <= OFFER_GAP for candidate in resolution.candidates)


def test_the_twin_they_buy_is_their_answer(resolver: Resolver) -> None:
    resolution = resolver.resolve("bananas", history=_often(("24852", 25)), orders=28)
    assert resolution.decision is Decision.ACCEPT
    assert resolution.best is not None and resolution.best.product.id == "24852"


def test_a_describing_word_their_product_lacks_is_evidence_against_it(resolver: Resolver, catalog: Catalog) -> None:
    spinach = next(product for product in catalog if product.name == "Organic Baby Spinach")
    history = _often((spinach.id, 10))
    assert resolver.resolve("baby spinach", history=history, orders=20).decision is Decision.ACCEPT
    for words in ("spicy spinach", "frozen spinach", "vanilla spinach"):
        resolution = resolver.resolve(words, history=history, orders=20)
        assert (
            resolution.decision is not Decision.ACCEPT or resolution.best is None or resolution.best.product != spinach
        )
