"""Words that name what the thing is, and a product that is something else: a question, never an add.

Constructed catalogs, so each rule is checked on names no evaluation set holds.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.catalog import Catalog, Product
from backend.resolver import Decision, Resolver
from backend.resolver.habits import NameWords, aisle_noun
from backend.resolver.heads import catalog_heads, heads_of
from backend.resolver.phonemes import default_pronouncer
from backend.resolver.purchases import PurchaseStats
from backend.spoken import spoken_form

FLAVOURS = (
    "Peach",
    "Cherry",
    "Apricot",
    "Mango",
    "Lemon",
    "Plum",
    "Raspberry",
    "Blueberry",
    "Coconut",
    "Honey",
    "Maple",
    "Banana",
    "Pear",
    "Fig",
    "Lime",
    "Guava",
    "Papaya",
    "Melon",
    "Kiwi",
    "Orange",
    "Grape",
    "Apple",
)


def _product(number: int, name: str, aisle: str, department: str) -> Product:
    return Product(str(number), name, aisle, department, Decimal("2.50"))


def _catalog() -> Catalog:
    products = [
        _product(1, "Canned Soda", "soft drinks", "beverages"),
        _product(2, "Cola Soda", "soft drinks", "beverages"),
        _product(3, "Orange Soda", "soft drinks", "beverages"),
        _product(4, "Root Beer Soda", "soft drinks", "beverages"),
        _product(5, "Grape Soda", "soft drinks", "beverages"),
        _product(6, "Club Soda", "soft drinks", "beverages"),
        _product(10, "Flaked Tuna", "canned meat seafood", "canned goods"),
        _product(11, "Ahi Tuna", "seafood counter", "meat seafood"),
        _product(12, "Albacore Tuna", "canned meat seafood", "canned goods"),
        _product(13, "Chunk Light Tuna", "canned meat seafood", "canned goods"),
        _product(14, "Solid White Tuna", "canned meat seafood", "canned goods"),
        _product(15, "Yellowfin Tuna", "canned meat seafood", "canned goods"),
        _product(20, "Vanilla Skyr Nonfat Yogurt", "yogurt", "dairy eggs"),
        _product(21, "Nonfat Yogurt", "yogurt", "dairy eggs"),
        _product(22, "Greek Nonfat Yogurt", "yogurt", "dairy eggs"),
        _product(30, "Whole Milk", "milk", "dairy eggs"),
        _product(31, "Chocolate Milk", "milk", "dairy eggs"),
        _product(32, "Skim Milk", "milk", "dairy eggs"),
        _product(33, "Goat Milk", "milk", "dairy eggs"),
        _product(34, "Lactose Free Milk", "milk", "dairy eggs"),
        _product(40, "Hot Cocoa Mix", "cocoa drink mixes", "beverages"),
        _product(41, "Pancake Mix", "baking mixes", "pantry"),
        _product(42, "Brownie Mix", "baking mixes", "pantry"),
        _product(43, "Muffin Mix", "baking mixes", "pantry"),
        _product(44, "Cake Mix", "baking mixes", "pantry"),
        _product(50, "Frozen Peaches", "frozen fruits", "frozen"),
        _product(52, "Fish Sticks", "frozen seafood", "frozen"),
        _product(53, "Fish Sauce", "condiments", "pantry"),
        _product(54, "Fish Oil", "vitamins", "personal care"),
        _product(55, "Cod Fish", "seafood counter", "meat seafood"),
    ]
    # "fish" mostly qualifies ("Fish Sauce"), yet heads enough names to say what was asked.
    products += [
        _product(60 + at, f"{kind} Fish", "seafood counter", "meat seafood") for at, kind in enumerate(FLAVOURS[:5])
    ]
    products += [
        _product(200 + at, f"{flavour} Fish Crackers", "crackers", "snacks") for at, flavour in enumerate(FLAVOURS)
    ]
    # Many names hold "lowfat": a word that tells products apart.
    products += [
        _product(100 + at, f"Lowfat {flavour} Yogurt", "yogurt", "dairy eggs") for at, flavour in enumerate(FLAVOURS)
    ]
    return Catalog(products)


@pytest.fixture(scope="module")
def small() -> Resolver:
    return Resolver(_catalog())


def _not_accepted(
    resolver: Resolver, words: str, product_id: str, history: dict[str, PurchaseStats] | None = None
) -> None:
    resolution = resolver.resolve(words, history=history or {}, orders=20)
    best = resolution.best
    assert not (resolution.decision is Decision.ACCEPT and best is not None and best.product.id == product_id), (
        resolution
    )


def test_the_word_for_what_was_asked_missing_from_the_name_is_a_question(small: Resolver) -> None:
    # "tuna" heads six products; Canned Soda shares only "canned" and sounds a little like it.
    _not_accepted(small, "canned tuna", "1")
    _not_accepted(small, "canned tuna", "1", {"1": PurchaseStats(1, 30.0)})
    _not_accepted(small, "frozen fish", "50")


def test_their_product_missing_the_asked_kind_is_not_added(small: Resolver) -> None:
    # Bought twice, not a habit: the prior may rank their Chocolate Milk first, never add it for "chocolate mix".
    _not_accepted(small, "chocolate mix", "31", {"31": PurchaseStats(2, 10.0)})


def test_a_modifier_their_product_contradicts_is_a_question(small: Resolver) -> None:
    # "lowfat yogurt" run together is one letter pair from "nonfatyogurt": that is no spelling of their product.
    _not_accepted(small, "lowfat yogurt", "20", {"20": PurchaseStats(2, 10.0)})


def test_a_product_holding_the_words_is_still_taken(small: Resolver) -> None:
    resolution = small.resolve("albacore tuna")
    assert resolution.decision is Decision.ACCEPT
    assert resolution.best is not None and resolution.best.product.id == "12"
    resolution = small.resolve("chocolate milk", history={"31": PurchaseStats(2, 10.0)}, orders=20)
    assert resolution.decision is Decision.ACCEPT
    assert resolution.best is not None and resolution.best.product.id == "31"


SHARES = {
    "yoghurt": 0.7,
    "yogurt": 0.7,
    "cheese": 0.5,
    "cream": 0.5,
    "cooky": 0.6,
    "chip": 0.6,
    "bread": 0.8,
    "sourdough": 0.15,
    "walnut": 0.1,
}


def _holds(said: str, name: str, aisle: str) -> bool:
    words = NameWords.of(
        spoken_form(name).split(), heads_of(name), (aisle_noun(aisle),), pronounce=default_pronouncer().word
    )
    return words.holds(spoken_form(said).split(), lambda word: SHARES.get(word, 0.0))


def test_the_aisle_noun_does_not_stand_in_for_a_name_that_says_it_is_another_kind() -> None:
    # Sour cream is shelved with the cheeses, yet it is a cream: "cream cheese" is not its name.
    assert not _holds("cream cheese", "Organic Sour Cream", "other creams cheeses")
    assert _holds("sour cream", "Organic Sour Cream", "other creams cheeses")
    assert _holds("vanilla yogurt", "Vanilla Yoghurt", "yogurt")  # the aisle's noun is the name's, spelt another way
    # A name whose head hardly names a kind leaves the aisle to say what it is.
    assert _holds("sourdough bread", "Santa Cruz Sourdough", "bread")


def test_a_word_after_the_head_of_a_name_written_head_first_only_qualifies() -> None:
    assert not _holds("chip", "Cookies, Chocolate Chip Walnut", "cookies cakes")
    assert _holds("chocolate chip cookies", "Cookies, Chocolate Chip Walnut", "cookies cakes")


def _with_catalog() -> list[Product]:
    oils = ("Olive", "Canola", "Sesame", "Avocado", "Walnut", "Peanut")
    spreads = ("Salted", "Unsalted", "Whipped", "Light", "Sweet Cream")
    tunas = ("Albacore", "Chunk Light", "Yellowfin", "Skipjack", "Solid White")
    return [
        *(_product(300 + at, f"{kind} Oil", "oils vinegars", "pantry") for at, kind in enumerate(oils)),
        *(_product(310 + at, f"{kind} Butter", "butter", "dairy eggs") for at, kind in enumerate(spreads)),
        _product(320, "Buttery Spread with Flaxseed Oil", "butter", "dairy eggs"),
        *(_product(330 + at, f"{kind} Tuna", "canned meat seafood", "canned goods") for at, kind in enumerate(tunas)),
        _product(340, "Premium Albacore in Spring Water Tuna", "canned meat seafood", "canned goods"),
        *(_product(350 + at, f"{kind} Sauce", "pasta sauce", "dry goods pasta") for at, kind in enumerate(oils)),
        *(_product(360 + at, f"{kind} Lasagna", "frozen meals", "frozen") for at, kind in enumerate(spreads)),
        _product(370, "Family Lasagna with Meat Sauce", "frozen meals", "frozen"),
        _product(371, "Baked Potato with Bacon", "frozen meals", "frozen"),
        *(
            _product(380 + at, f"{kind} Bacon", "hot dogs bacon sausage", "meat seafood")
            for at, kind in enumerate(tunas)
        ),
    ]


def test_what_a_name_has_after_with_is_not_what_it_is_unless_its_aisle_says_so() -> None:
    products = _with_catalog()
    heads = dict(zip((product.name for product in products), catalog_heads(products), strict=True))
    assert heads["Buttery Spread with Flaxseed Oil"] == {"spread"}  # a spread, not an oil
    # The aisle's products are tunas, and so is the one that says so last.
    assert heads["Premium Albacore in Spring Water Tuna"] == {"albacore", "tuna"}
    assert heads["Olive Oil"] == {"oil"}


def test_their_spread_with_oil_is_not_added_for_oil() -> None:
    resolver = Resolver(Catalog(_with_catalog()))
    history = {"320": PurchaseStats(6, 5.0)}
    _not_accepted(resolver, "oil", "320", history)
    _not_accepted(resolver, "add some oil", "320", history)
    # Their spread named by its own words is still theirs.
    resolution = resolver.resolve("flaxseed oil spread", history=history, orders=20)
    assert resolution.decision is Decision.ACCEPT
    assert resolution.best is not None and resolution.best.product.id == "320"


def test_the_end_of_their_products_name_is_their_name_for_it_but_one_word_is_a_kind() -> None:
    resolver = Resolver(Catalog(_with_catalog()))
    history = {"370": PurchaseStats(6, 5.0), "371": PurchaseStats(5, 5.0)}
    for words, product_id in (("meat sauce", "370"), ("add the meat sauce", "370"), ("with bacon", "371")):
        resolution = resolver.resolve(words, history=history, orders=20)
        assert resolution.decision is Decision.ACCEPT, (words, resolution)
        assert resolution.best is not None and resolution.best.product.id == product_id
    _not_accepted(resolver, "sauce", "370", history)
    _not_accepted(resolver, "bacon", "371", history)


def test_one_kind_word_is_not_their_product_shelved_where_that_kind_never_is() -> None:
    creams = ("Heavy", "Light", "Sour", "Whipping", "Half and Half", "Clotted")
    liqueurs = ("Coffee", "Orange", "Almond", "Hazelnut", "Cherry")
    products = [
        *(_product(400 + at, f"{kind} Cream", "cream", "dairy eggs") for at, kind in enumerate(creams)),
        *(_product(410 + at, f"{kind} Liqueur", "spirits", "alcohol") for at, kind in enumerate(liqueurs)),
        _product(420, "Original Irish Creme Liqueur", "spirits", "alcohol"),  # "creme": no spelling of "cream"
    ]
    resolver = Resolver(Catalog(products))
    history = {"420": PurchaseStats(7, 5.0)}
    _not_accepted(resolver, "cream", "420", history)
    _not_accepted(resolver, "some cream please", "420", history)
    # What it is, said alone, is still their usual one.
    resolution = resolver.resolve("liqueur", history=history, orders=20)
    assert resolution.best is not None and resolution.best.product.id == "420"
    assert resolution.decision is Decision.ACCEPT
