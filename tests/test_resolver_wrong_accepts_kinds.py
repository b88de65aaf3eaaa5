"""Accepts that the words or the catalog argue against: a product spelt like another, a runner-up that is the kind
of thing asked for, their product that is another thing than its name's asked word, and which of their products a
choice names first.

Constructed catalogs, so each rule is checked on names no evaluation set holds.
"""

from __future__ import annotations

from decimal import Decimal

from backend.catalog import Catalog, Product
from backend.resolver import Decision, Resolver
from backend.resolver.purchases import PurchaseStats


def _product(number: int, name: str, aisle: str, department: str = "pantry") -> Product:
    return Product(str(number), name, aisle, department, Decimal("2.50"))


def _ids(resolution: object) -> list[str]:
    return [candidate.product.id for candidate in resolution.candidates]  # type: ignore[attr-defined]


def _spelt_catalog() -> Catalog:
    return Catalog(
        [
            _product(1, "Fat-Free Cottage Cheese", "cottage cheese", "dairy eggs"),
            _product(2, "Fat Free Cottage Cheese", "other creams cheeses", "dairy eggs"),
            _product(3, "Small Curd Cottage Cheese", "cottage cheese", "dairy eggs"),
            _product(4, "Whole Milk Ricotta Cheese", "other creams cheeses", "dairy eggs"),
            _product(5, "Sharp Cheddar Block", "packaged cheese", "dairy eggs"),
            _product(6, "Sharp Cheddar Block", "packaged cheese", "dairy eggs"),
            _product(7, "Mild Cheddar Block", "packaged cheese", "dairy eggs"),
        ]
    )


def test_names_spelt_apart_only_by_punctuation_are_offered_both() -> None:
    resolver = Resolver(_spelt_catalog())
    for words in ("fat free cottage cheese", "add fat-free cottage cheese"):
        resolution = resolver.resolve(words)
        assert resolution.decision is Decision.CHOOSE, (words, resolution)
        assert {"1", "2"} <= set(_ids(resolution))


def test_a_question_about_a_name_spelt_apart_offers_both() -> None:
    # The words match "Fat-Free Cottage Cheese" only weakly: a "yes" to "did you mean ...?" would not say which of
    # the two products spelt that way, so both are the question.
    resolver = Resolver(_spelt_catalog())
    for words in ("fat free cot", "fat cottage"):
        resolution = resolver.resolve(words)
        assert resolution.decision is Decision.CHOOSE, (words, resolution)
        assert set(_ids(resolution)) == {"1", "2"}, (words, resolution)


def test_their_own_one_of_names_spelt_apart_is_taken() -> None:
    resolver = Resolver(_spelt_catalog())
    resolution = resolver.resolve("fat free cottage cheese", history={"2": PurchaseStats(1, 30.0)}, orders=20)
    assert resolution.decision is Decision.ACCEPT, resolution
    assert resolution.best is not None and resolution.best.product.id == "2"


def test_names_alike_letter_for_letter_stay_one_option() -> None:
    resolution = Resolver(_spelt_catalog()).resolve("sharp cheddar block")
    assert resolution.decision is Decision.ACCEPT, resolution
    assert resolution.best is not None and resolution.best.product.id in {"5", "6"}


def _kinds_catalog() -> Catalog:
    return Catalog(
        [
            _product(
                10, "Original Classic Organic Unsweetened Walnut Water", "water seltzer sparkling water", "beverages"
            ),
            _product(11, "Original Classic Organic Unsweetened Creamy Walnut Butter", "spreads"),
            _product(12, "Creamy Peanut Butter", "spreads"),
            _product(13, "Crunchy Almond Butter", "spreads"),
            _product(14, "Sparkling Mineral Water", "water seltzer sparkling water", "beverages"),
            _product(15, "Spring Water", "water seltzer sparkling water", "beverages"),
        ]
    )


def test_a_close_runner_up_that_is_the_kind_asked_for_is_offered() -> None:
    resolver = Resolver(_kinds_catalog())
    resolution = resolver.resolve("original classic organic unsweetened walnut butter")
    assert resolution.decision is Decision.CHOOSE, resolution
    assert _ids(resolution)[:2] == ["10", "11"]
    # Their own words for the water are still the water.
    resolution = resolver.resolve("original classic organic unsweetened walnut water")
    assert resolution.decision is Decision.ACCEPT, resolution
    assert resolution.best is not None and resolution.best.product.id == "10"


def _sandwich_catalog() -> Catalog:
    sandwiches = ("Vanilla", "Mint", "Chocolate", "Strawberry", "Caramel")
    # Enough cookies that the ice cream aisle shelves hardly any of the names "cookie" heads.
    cookies = (
        "Oatmeal Raisin",
        "Sugar",
        "Chocolate Chip",
        "Peanut Butter",
        "Ginger",
        "Shortbread",
        "Lemon",
        "Coconut",
        "Almond",
        "Molasses",
        "Snickerdoodle",
        "Butter",
        "Pecan",
    )
    return Catalog(
        [
            *(
                _product(20 + at, f"{kind} Ice Cream Sandwich", "ice cream ice", "frozen")
                for at, kind in enumerate(sandwiches)
            ),
            *(_product(100 + at, f"{kind} Cookies", "cookies cakes", "snacks") for at, kind in enumerate(cookies)),
            _product(40, "Oatmeal Cookie with Honey Ice Cream Sandwich", "ice cream ice", "frozen"),
            _product(41, "Bag of Organic Plums", "fresh fruits", "produce"),
            _product(42, "Organic Baby Food Plum Pear & Apricot", "baby food formula", "babies"),
            _product(43, "Organic Baby Food Apple & Plum", "baby food formula", "babies"),
            _product(44, "Plums", "fresh fruits", "produce"),
        ]
    )


def test_their_product_shelved_as_its_names_other_head_is_a_question() -> None:
    resolver = Resolver(_sandwich_catalog())
    history = {"40": PurchaseStats(7, 5.0)}
    for words in ("oatmeal cookies", "honey cookies"):
        resolution = resolver.resolve(words, history=history, orders=20)
        best = resolution.best
        assert not (resolution.decision is Decision.ACCEPT and best is not None and best.product.id == "40"), (
            words,
            resolution,
        )
    # Named by what it is, it is still theirs.
    resolution = resolver.resolve("ice cream sandwich", history=history, orders=20)
    assert resolution.best is not None and resolution.best.product.id == "40", resolution


def test_of_their_products_the_one_the_words_name_comes_first() -> None:
    resolver = Resolver(_sandwich_catalog())
    history = {"41": PurchaseStats(6, 5.0), "42": PurchaseStats(7, 5.0)}
    resolution = resolver.resolve("plums", history=history, orders=20)
    assert resolution.best is not None and resolution.best.product.id == "41", resolution
