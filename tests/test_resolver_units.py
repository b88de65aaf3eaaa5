"""A unit or pack word said counts against a product that cannot be sold in it (``amounts.unit_fits``): "a dozen
eggs" is shell eggs, never the customer's liquid egg whites, however often they buy those.

Phrasings are written for these tests, none taken from an evaluation set or dialog file.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.catalog import Catalog, Product
from backend.resolver import Decision, Resolver
from backend.resolver.amounts import (
    CONTAINERS,
    LIQUID_AISLES,
    SOLID_AISLES,
    VOLUME_MEASURES,
    WEIGHT_MEASURES,
    parse_amount,
    unit_fits,
)
from backend.resolver.purchases import PurchaseStats
from backend.shopping.measures import LineAmount, Unfit, line_amount


@pytest.mark.parametrize(
    ("unit", "name", "aisle", "fits"),
    [
        ("dozen", "Liquid Egg White", "eggs", False),  # a carton, poured
        ("dozen", "Cage Free Large Brown Eggs", "eggs", True),  # shell eggs come by the dozen
        ("half dozen", "Liquid Egg White", "eggs", False),
        ("six pack", "Liquid Egg White", "eggs", False),
        ("quart", "Liquid Egg White", "eggs", True),  # poured: a volume fits, wherever it is shelved
        ("dozen", "Organic Whole Milk", "milk", False),
        ("six pack", "Organic Whole Milk", "milk", False),
        ("six pack", "Lowfat Milk Boxes", "milk", True),  # the name counts its containers
        ("six pack", "Pale Ale", "beers coolers", True),  # drinks sold by the can or bottle are counted
        ("dozen", "Sparkling Water Lime", "water seltzer sparkling water", True),
        ("pound", "Organic Whole Milk", "milk", False),  # no weight of a liquid
        ("pound", "Liquid Laundry Detergent", "laundry", False),
        ("pound", "Honeycrisp Apple", "fresh fruits", True),
        ("gallon", "Honeycrisp Apple", "fresh fruits", False),  # no volume of a solid ...
        ("pint", "Organic Blueberries", "packaged vegetables fruits", True),  # ... but berries' pints
        ("half gallon", "Organic Whole Milk", "milk", True),
        ("can", "Cage Free Large Brown Eggs", "eggs", False),  # no can of fresh food
        ("can", "Honeycrisp Apple", "fresh fruits", False),
        ("can", "Chunk Light Tuna in Water", "canned meat seafood", True),
        ("can", "Lemon Lime Soda", "soft drinks", True),
        ("bag", "Honeycrisp Apple", "fresh fruits", True),  # a unit this rule says nothing about fits
        ("dozen", "Everything Bagels", "breakfast bakery", True),
    ],
)
def test_a_unit_fits_what_the_product_is(unit: str, name: str, aisle: str, fits: bool) -> None:
    assert unit_fits(unit, name, aisle) is fits


@pytest.mark.parametrize(
    ("unit", "name", "aisle", "fits"),
    [
        # dry forms shelved with liquids: weighed, not poured
        ("pound", "Low Salt Vegetable Bouillon Cubes", "soup broth bouillon", True),
        ("pound", "Hazelnut Powder Coffee Creamer", "cream", True),
        ("half pound", "Creamy Potato Soup Mix", "soup broth bouillon", True),
        ("pound", "Roasted Garlic Chicken Base", "soup broth bouillon", True),
        ("gallon", "Hazelnut Powder Coffee Creamer", "cream", False),
        ("dozen", "Extra Strength Pain Reliever Liquid Gels", "muscles joints pain relief", True),  # pills
        ("pound", "Vitamin D Liquid Softgels", "vitamins supplements", True),
        ("pound", "Non-Stick Olive Oil Cooking Spray", "oils vinegars", False),  # "no stick" is no stick
        ("pound", "Pure Baking Soda", "baking ingredients", True),  # a soda, a milk that are powders
        ("pound", "Instant Nonfat Dry Milk", "baking ingredients", True),
        ("gallon", "Instant Nonfat Dry Milk", "baking ingredients", False),
        ("pound", "Pure Care Dry Oil for Dull, Dry Hair", "hair care", False),  # a dry oil is still poured
        ("dozen", "Turmeric Force Liquid V Caps", "vitamins supplements", True),  # capsules of a liquid
        ("dozen", "Ashwagandha Root Vegetarian Liquid Phyto-Caps", "vitamins supplements", True),
        ("dozen", "Ibuprofen Liquid Soft Gels 200mg", "muscles joints pain relief", True),
        ("pound", "Liquid Muscle Gel Multipurpose Cleaner", "cleaning products", False),  # a gel cleaner, poured
        ("pound", "Classic Margarita Mix", "frozen juice", False),  # mixers are poured
        # poured, whatever the aisle
        ("quart", "Organic Squeezed Lime Juice", "packaged vegetables fruits", True),
        ("pint", "Grass Fed Beef Bone Broth", "meat counter", True),
        ("pound", "Unsweetened Vanilla Almond Milk", "missing", False),
        ("pound", "Mixed Peaches in 100% Juice", "packaged vegetables fruits", True),  # fruit, packed in juice
        ("pint", "Queso Cheese Dip", "packaged cheese", True),  # thick: weighed or measured
        ("pound", "Marinara Pasta Sauce", "pasta sauce", True),
        # drinks and soups come by the bottle, box, can or cup; a name stating a count is counted
        ("six pack", "Ginger Kombucha", "refrigerated", True),
        ("dozen", "Chunky Chicken Noodle Soup", "soup broth bouillon", True),
        ("six pack", "Coconut Probiotic Drink", "yogurt", True),
        ("six pack", "Organic Whole Milk 6 Pack", "milk", True),
        ("six pack", "Unrefined Coconut Oil", "oils vinegars", False),
        # an ounce weighs or measures: "a twelve ounce bottle of" juice
        ("ounce", "Pink Grapefruit Juice", "juice nectars", True),
        ("ounce", "Sliced Turkey Breast", "lunch meat", True),
    ],
)
def test_the_name_says_the_form_before_the_aisle(unit: str, name: str, aisle: str, fits: bool) -> None:
    assert unit_fits(unit, name, aisle) is fits


@given(
    unit=st.sampled_from(sorted({"bag", "box", "bunch", "jar", "bottle", "carton"} & CONTAINERS)),
    aisle=st.sampled_from(sorted(LIQUID_AISLES | SOLID_AISLES)),
    name=st.text(alphabet="abcdefgh ", max_size=20),
)
def test_a_container_that_says_nothing_of_the_product_always_fits(unit: str, aisle: str, name: str) -> None:
    assert unit_fits(unit, name, aisle)


@given(measure=st.sampled_from(sorted(WEIGHT_MEASURES)), aisle=st.sampled_from(sorted(LIQUID_AISLES)))
def test_no_weight_of_anything_shelved_as_a_liquid(measure: str, aisle: str) -> None:
    assert not unit_fits(measure, "Anything", aisle)
    assert not unit_fits(f"half {measure}", "Anything", aisle)


@given(measure=st.sampled_from(sorted(VOLUME_MEASURES)), aisle=st.sampled_from(sorted(LIQUID_AISLES)))
def test_any_volume_of_a_liquid_fits(measure: str, aisle: str) -> None:
    assert unit_fits(measure, "Anything", aisle)


def _product(name: str, aisle: str) -> Product:
    return Product(id="1", name=name, aisle=aisle, department="dairy eggs", price=Decimal("1.00"))


def test_the_cart_line_asks_about_a_unit_the_product_is_not_sold_in() -> None:
    assert line_amount(1, "dozen", _product("Liquid Egg White", "eggs")) == Unfit("measure", "dozen", 1)
    assert line_amount(2, "cans", _product("Large Brown Eggs", "eggs")) == Unfit("measure", "can", 2)
    assert line_amount(1, "dozen", _product("Large Brown Eggs", "eggs")) == LineAmount(1, "dozen")


def test_a_measure_and_a_half_or_a_sized_container_on_the_cart_line() -> None:
    brisket = _product("Smoked Beef Brisket", "meat counter")
    assert line_amount(1, "one and a half pound", brisket) == LineAmount(1, "one and a half pound")
    # a pack size the name states in the same measure counts packs: "a pound and a half" of 12 ounce packs is 2
    assert line_amount(1, "one and a half pound", _product("Smoked Brisket 12 Oz", "meat counter")) == LineAmount(2)
    assert line_amount(1, "one and a half dozen", _product("Bosc Pears", "fresh fruits")) == LineAmount(18)
    assert line_amount(1, "one and a half gallon", _product("Smoked Beef Brisket", "meat counter")) == Unfit(
        "measure", "one and a half gallon", 1
    )
    rice = _product("Jasmine Rice 10 Lb Bag", "grains rice dried goods")
    assert line_amount(2, "ten pound bag", rice) == LineAmount(2)
    assert line_amount(1, "ten pound bag", _product("Jasmine Rice", "grains rice dried goods")) == LineAmount(
        1, "ten pound bag"
    )
    assert line_amount(2, "twelve ounce can", _product("Large Brown Eggs", "eggs")) == Unfit(
        "measure", "twelve ounce can", 2
    )


def _id(catalog: Catalog, name: str) -> str:
    return next(product.id for product in catalog if product.name == name)


@pytest.fixture(scope="module")
def egg_whites_customer(catalog: Catalog) -> dict[str, PurchaseStats]:
    """Buys liquid egg whites (the near miss of "eggs") every other week, and never shell eggs."""
    return {
        _id(catalog, "Liquid Egg White"): PurchaseStats(count=6, days_since_last=4.0),
        _id(catalog, "Organic Whole Milk"): PurchaseStats(count=8, days_since_last=4.0),
        _id(catalog, "Bag of Organic Bananas"): PurchaseStats(count=9, days_since_last=4.0),
    }


@pytest.mark.parametrize("said", ["a dozen eggs", "two dozen eggs", "half a dozen eggs", "dozen eggs please"])
def test_eggs_by_the_dozen_are_never_their_liquid_egg_whites(
    resolver: Resolver, catalog: Catalog, egg_whites_customer: dict[str, PurchaseStats], said: str
) -> None:
    resolution = resolver.resolve(said, history=egg_whites_customer, orders=12)
    whites = _id(catalog, "Liquid Egg White")
    assert resolution.best is not None
    assert resolution.best.product.id != whites, [c.product.name for c in resolution.candidates]
    assert not (resolution.decision is Decision.ACCEPT and resolution.best.product.id == whites)


def test_their_egg_whites_are_still_theirs_without_a_unit_or_by_the_quart(
    resolver: Resolver, catalog: Catalog, egg_whites_customer: dict[str, PurchaseStats]
) -> None:
    """The history still counts where the unit fits or none was said: the rule is about the unit, not the words."""
    whites = _id(catalog, "Liquid Egg White")
    for said in ("egg whites", "a quart of egg white"):
        resolution = resolver.resolve(said, history=egg_whites_customer, orders=12)
        assert resolution.best is not None and resolution.best.product.id == whites, said


@pytest.mark.parametrize(
    "said",
    [
        "a dozen eggs",
        "a pound of milk",
        "two pounds of whole milk",
        "a gallon of bananas",
        "a can of bananas",
        "six pack of egg whites",
        "three cans of eggs",
        "a dozen milk",
    ],
)
def test_nothing_is_taken_unasked_in_a_unit_it_is_not_sold_in(
    resolver: Resolver, egg_whites_customer: dict[str, PurchaseStats], said: str
) -> None:
    for history in (egg_whites_customer, None):
        resolution = resolver.resolve(said, history=history, orders=12 if history else None)
        unit = parse_amount(said).unit
        assert unit is not None, said
        if resolution.decision is Decision.ACCEPT and resolution.best is not None:
            product = resolution.best.product
            assert unit_fits(unit, product.name, product.aisle), (said, product.name)
