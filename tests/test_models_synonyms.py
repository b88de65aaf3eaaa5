"""PRODUCT synonyms: a shortened name that is not what the product is never takes another product's words, and a
kind word that is what it is always stays (so "cheese" still matches several values and the customer is asked).

A synonym of one value that is another product's whole name, or a kind of other products, makes Alexa's entity
resolution send those words to this value: "eggs" to a breakfast burrito named "Eggs, Cheese & ...", "chicken
broth" to a noodle soup mix "with Chicken Broth". A kind word that ends the product's name ("ice cream" for French
Vanilla Ice Cream), or starts a name written kind first ("cheese" for "Cheese, Provolone"), must stay: without it
"cheese" reaches only the product named Cheese, and a customer with six cheeses gets that one unasked.
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.catalog import Catalog, Product
from skill.models import model_path
from skill.models.products import CatalogNames, folded, product_value
from skill.models.spoken import spoken_form


def _product(product_id: str, name: str, department: str = "d") -> Product:
    return Product(id=product_id, name=name, aisle="a", department=department, price=Decimal("1.00"))


def _synonyms(products: list[Product]) -> dict[str, tuple[str, ...]]:
    names = CatalogNames(products)
    return {product.id: product_value(product, max_chars=140, names=names).synonyms for product in products}


def _product_values(locale: str) -> dict[str, dict[str, object]]:
    model = json.loads(model_path(locale).read_text(encoding="utf-8"))["interactionModel"]["languageModel"]
    values = next(t for t in model["types"] if t["name"] == "PRODUCT")["values"]
    return {str(value["id"]): value["name"] for value in values}


def _owners(locale: str, phrase: str) -> set[str]:
    """The values whose name or a synonym is ``phrase``."""
    return {
        product_id
        for product_id, block in _product_values(locale).items()
        if block["value"] == phrase or phrase in block.get("synonyms", [])  # type: ignore[operator]
    }


def test_the_first_of_a_list_is_no_synonym_when_another_product_is_called_so() -> None:
    burrito = _product("1", "Eggs, Cheese & Turkey Sausage Breakfast Burrito", "frozen")
    assert "eggs" in _synonyms([burrito])["1"]  # what the rule makes with nobody else in the catalog
    eggs = _product("2", "Eggs", "dairy eggs")
    assert "eggs" not in _synonyms([burrito, eggs])["1"]
    # nor when the word is a kind of other products, of another department
    kinds = [burrito, _product("2", "Large Eggs", "dairy eggs"), _product("3", "Brown Eggs", "dairy eggs")]
    assert "eggs" not in _synonyms(kinds)["1"]


def test_what_goes_with_a_product_is_no_synonym_when_another_product_is_called_so() -> None:
    mix = _product("1", "Noodle Soup Mix with Chicken Broth")
    assert "chicken broth" in _synonyms([mix])["1"]
    assert "chicken broth" not in _synonyms([mix, _product("2", "Chicken Broth")])["1"]


def test_a_name_less_a_middle_word_is_no_synonym_when_it_is_another_products_name() -> None:
    # "frozen blueberries" names the product Frozen Blueberries, not the organic ones
    organic = _product("1", "Frozen Organic Blueberries")
    assert "frozen blueberries" in _synonyms([organic])["1"]
    assert "frozen blueberries" not in _synonyms([organic, _product("2", "Frozen Blueberries")])["1"]


def test_a_kind_word_that_ends_the_name_stays_though_a_product_is_called_so() -> None:
    products = [_product("1", "French Vanilla Ice Cream"), _product("2", "Ice Cream"), _product("3", "Mint Ice Cream")]
    assert "ice cream" in _synonyms(products)["1"]
    assert "ice cream" in _synonyms(products)["3"]


def test_a_name_written_kind_first_keeps_its_kind_though_a_product_is_called_so() -> None:
    products = [
        _product("1", "Cheese, Provolone", "dairy eggs"),
        _product("2", "Cheese", "dairy eggs"),
        _product("3", "Shredded Mozzarella Cheese", "dairy eggs"),
        _product("4", "Cheese, Sausage & Pepperoni Mini Bagels", "frozen"),
    ]
    synonyms = _synonyms(products)
    assert "cheese" in synonyms["1"]
    assert "cheese" not in synonyms["4"]  # bagels are no cheese


_WORDS = st.sampled_from(["eggs", "large", "brown", "milk", "whole", "cheese", "burrito", "with", "bean", "soup"])
_NAMES = st.lists(st.lists(_WORDS, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=8, unique=True)


@given(_NAMES, st.sampled_from([",", ""]))
def test_a_synonym_that_is_another_products_name_is_what_the_product_is(names: list[str], comma: str) -> None:
    # a comma after the first word makes the builder's before-the-comma synonym
    products = [_product(str(i), name.replace(" ", f"{comma} ", 1)) for i, name in enumerate(names)]
    whole = {str(i): folded(spoken_form(product.name.replace(",", " "))) for i, product in enumerate(products)}
    for product, synonyms in zip(products, _synonyms(products).values(), strict=True):
        own = whole[product.id]
        for synonym in synonyms:
            phrase = folded(synonym)
            if phrase in {name for key, name in whole.items() if key != product.id}:
                first_part = folded(spoken_form(product.name.split(",")[0])) == phrase and comma == ","
                ending = own == phrase or (own.endswith(f" {phrase}") and own[: -len(phrase) - 1].split()[-1] != "with")
                assert ending or first_part, (synonym, product.name)


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
def test_shipped_burrito_is_not_called_eggs(locale: str, catalog: Catalog) -> None:
    burrito = catalog.get("4697")
    assert burrito.name.startswith("Eggs,")
    values = _product_values(locale)
    assert "4697" in values, "the burrito is among the most bought: the check below must see it"
    assert "eggs" not in values["4697"].get("synonyms", [])  # type: ignore[operator]


@pytest.mark.parametrize("locale", ["en-US", "en-GB"])
@pytest.mark.parametrize("kind", ["cheese", "bread", "paper towels", "ice cream", "whole milk"])
def test_shipped_kind_words_still_match_several_values(locale: str, kind: str) -> None:
    # so "add cheese" is a "which one?", never the product literally named Cheese
    assert len(_owners(locale, kind)) >= 3
