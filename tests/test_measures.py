"""What a unit said means for the product found (``backend.shopping.measures``): the line, or a question."""

from __future__ import annotations

import math
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.catalog import Product
from backend.number_words import number_to_words
from backend.shopping.measures import VOLUMES, WEIGHTS, LineAmount, Unfit, canonical_unit, line_amount, pack_size


def _product(name: str, aisle: str, department: str = "d") -> Product:
    return Product(id="1", name=name, aisle=aisle, department=department, price=Decimal("1.00"))


PEARS = _product("Bosc Pears", "fresh fruits", "produce")
CIDER = _product("Sparkling Apple Cider", "juice nectars", "beverages")
SKIM = _product("Skim Milk", "milk", "dairy eggs")
BROWN_EGGS = _product("Cage Free Brown Eggs", "eggs", "dairy eggs")
RYE = _product("Seeded Rye Bagels", "breakfast bakery", "bakery")
STOUT = _product("Oatmeal Stout", "beers coolers", "alcohol")
CHICKPEAS = _product("Organic Chickpeas", "canned meals beans", "canned goods")


@pytest.mark.parametrize(
    ("quantity", "unit", "product", "expected"),
    [
        (2, "pounds", PEARS, LineAmount(2, "pound")),  # weighed as said
        (1, "gallon", CIDER, LineAmount(1, "gallon")),
        (1, "dozen", BROWN_EGGS, LineAmount(1, "dozen")),  # a carton, not 12 cartons
        (2, "dozen", RYE, LineAmount(2, "dozen")),
        (1, "dozen", PEARS, LineAmount(12)),  # produce is sold by the piece
        (1, "half dozen", PEARS, LineAmount(6)),
        (1, "six pack", STOUT, LineAmount(1, "six pack")),
        (3, "cans", CHICKPEAS, LineAmount(3, "can")),
        (1, "pint", _product("Blueberries", "fresh fruits"), LineAmount(1, "pint")),  # berries come in pints
        (1, "half pound", _product("Sliced Smoked Turkey", "lunch meat"), LineAmount(1, "half pound")),
        (3, None, PEARS, LineAmount(3)),
    ],
)
def test_lines_as_a_shopper_expects(quantity: int, unit: str | None, product: Product, expected: LineAmount) -> None:
    assert line_amount(quantity, unit, product) == expected


@pytest.mark.parametrize(
    ("quantity", "unit", "product", "reason", "proposal"),
    [
        (7, "gallons", PEARS, "measure", 7),  # a volume of fruit
        (1, "half pound", SKIM, "measure", 1),  # a weight of a drink
        (2, "kilos", CIDER, "measure", 2),
        (1, "pound", _product("Kiwi 2 Lbs", "fresh fruits"), "pack", 1),  # half a bag
        (1, "six pack", _product("Lemon Soda 12 Pack", "soft drinks"), "pack", 1),
        (3, "pounds", _product("Clementines 2 lb Bag", "fresh fruits"), "pack", 2),
    ],
)
def test_a_unit_that_does_not_fit_is_a_question(
    quantity: int, unit: str, product: Product, reason: str, proposal: int
) -> None:
    assert line_amount(quantity, unit, product) == Unfit(reason, canonical_unit(unit), proposal)


@pytest.mark.parametrize(
    ("quantity", "unit", "name", "packs"),
    [
        (4, "pounds", "Kiwi 2 Lbs", 2),
        (1, "pound", "Strawberries 1 Lb", 1),
        (1, "dozen", "Half Dozen Grade A Eggs", 2),
        (1, "half dozen", "Half Dozen Grade A Eggs", 1),
        (2, "twelve pack", "Ginger Ale 12 Pack", 2),
        (1, "gallon", "2% Milk Gallon", 1),
        (2, "half gallon", "2% Milk Gallon", 1),
        (1, "pound", "Coffee Beans 8 oz", 2),  # another unit of the same dimension
    ],
)
def test_a_pack_size_in_the_name_counts_packs(quantity: int, unit: str, name: str, packs: int) -> None:
    assert line_amount(quantity, unit, _product(name, "other")) == LineAmount(packs)


@pytest.mark.parametrize(
    "name", ["Butter Pound Cake", "Beef Patties, Quarter Pound", "2% Reduced Fat Milk", "Quart Size Storage Bags"]
)
def test_a_unit_word_that_names_the_product_is_no_pack_size(name: str) -> None:
    assert pack_size(name) is None


DRINK_AISLES = ["milk", "juice nectars", "soft drinks", "red wines", "water seltzer sparkling water"]


@given(
    st.integers(min_value=1, max_value=20),
    st.sampled_from(sorted(unit for unit in WEIGHTS if unit != "ounce")),  # an ounce is a fluid ounce too
    st.sampled_from(DRINK_AISLES),
)
def test_no_weight_of_a_drink(quantity: int, unit: str, aisle: str) -> None:
    assert isinstance(line_amount(quantity, unit, _product("House Drink", aisle)), Unfit)


@given(st.integers(min_value=1, max_value=20), st.sampled_from(DRINK_AISLES))
def test_ounces_of_a_drink_are_fluid_ounces(quantity: int, aisle: str) -> None:
    assert line_amount(quantity, "ounces", _product("House Drink", aisle)) == LineAmount(quantity, "ounce")


@given(
    st.integers(min_value=1, max_value=20),
    st.sampled_from(sorted(VOLUMES.keys() - {"pint", "half pint", "quart"})),
    st.sampled_from(["fresh fruits", "meat counter", "bread", "eggs", "packaged cheese"]),
)
def test_no_volume_of_a_solid(quantity: int, unit: str, aisle: str) -> None:
    assert isinstance(line_amount(quantity, unit, _product("House Solid", aisle)), Unfit)


_UNITS = st.sampled_from(sorted(WEIGHTS.keys() | VOLUMES.keys() | {"dozen", "half dozen", "six pack", "can", "bag"}))
_AISLES = st.sampled_from(["fresh fruits", "milk", "eggs", "breakfast bakery", "canned meals beans", "other"])


@given(st.integers(min_value=1, max_value=50), _UNITS, _AISLES, st.sampled_from(["", " 2 Lbs", " 12 Pack", " 16 oz"]))
def test_a_line_is_never_less_than_one_and_a_question_offers_at_least_one(
    quantity: int, unit: str, aisle: str, size: str
) -> None:
    result = line_amount(quantity, unit, _product(f"House Product{size}", aisle))
    if isinstance(result, LineAmount):
        assert result.quantity >= 1
        assert result.unit in (None, canonical_unit(unit))
    else:
        assert result.proposal >= 1


@given(st.integers(min_value=1, max_value=9), st.integers(min_value=1, max_value=6))
def test_packs_hold_the_amount_said(packs: int, size: int) -> None:
    # "N pounds" of a product sold in packs of `size` pounds: N / size packs, or a question offering enough packs
    product = _product(f"House Rice {number_to_words(size)} pound", "other")
    said = packs * size
    assert line_amount(said, "pound", product) == LineAmount(packs)
    if size > 1:
        short = line_amount(said - 1, "pound", product)
        assert short == Unfit("pack", "pound", max(1, math.ceil((said - 1) / size)))


@given(st.integers(min_value=1, max_value=50), _AISLES)
def test_no_unit_leaves_the_quantity_alone(quantity: int, aisle: str) -> None:
    assert line_amount(quantity, None, _product("House Product 2 Lbs", aisle)) == LineAmount(quantity)
