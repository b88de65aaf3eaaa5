"""Names said after a count: the plural only for loose fruit and vegetables whose plural the catalog writes."""

from decimal import Decimal

from backend.catalog import Product
from skill.speech import Speech
from skill.speech.counted import counted_names, single_names


def _product(pid: str, name: str, aisle: str = "fresh fruits") -> Product:
    return Product(id=pid, name=name, aisle=aisle, department="produce", price=Decimal("0.50"))


CATALOG = [
    _product("1", "Banana"),
    _product("2", "Organic Bananas"),
    _product("3", "Peach"),
    _product("4", "Yellow Peaches"),
    _product("5", "Blueberry"),
    _product("6", "Organic Blueberries"),
    _product("7", "Lime"),  # no "... Limes" in this catalog: said as named
    _product("8", "Whole Milk", aisle="milk"),
    _product("9", "Whole Milks", aisle="milk"),  # a plural outside the counted aisles teaches nothing
    _product("10", "Organic Lemons, Bag"),
    _product("11", "Seedless Grapes Green"),
    _product("12", "Green Seedless Grapes"),
]


def test_only_counted_produce_with_a_plural_in_the_catalog_is_said_in_the_plural() -> None:
    counted = counted_names(CATALOG)
    assert counted == {"Banana": "Bananas", "Peach": "Peaches", "Blueberry": "Blueberries"}


def test_the_plural_is_said_after_a_count_above_one_only() -> None:
    speech = Speech("en-US", counted=counted_names(CATALOG))
    assert speech.say("cart.quantity_changed", quantity=3, product="Banana", cart="cart") == (
        "You now have 3 Bananas in your cart."
    )
    assert speech.say("cart.quantity_changed", quantity=1, product="Banana", cart="cart") == (
        "You now have 1 Banana in your cart."
    )
    assert speech.product_line(2, "Whole Milk") == "2 Whole Milk"
    assert speech.product_line(2, "Peach") == "2 Peaches"
    # a sentence that names the product apart from its count keeps the name as it is
    assert speech.say("resolve.unfit_measure", quantity=2, product="Peach", unit="gallon").startswith(
        "I can't sell Peach by the gallon. Should I add 2 Peaches"
    )


def test_a_plural_that_is_another_products_name_is_not_said() -> None:
    # "2 Limes" after a count of Lime would name the product Limes; "Bananas" is no product's whole name here
    extra = [_product("13", "Limes"), _product("14", "Key Limes"), _product("15", "Peaches", aisle="pantry")]
    catalog = [*CATALOG, *extra]
    counted = counted_names(catalog)
    assert "Lime" not in counted and "Peach" not in counted  # Peaches is a product (in any aisle)
    assert counted["Banana"] == "Bananas"
    speech = Speech("en-US", counted=counted)
    assert speech.product_line(2, "Lime") == "2 Lime"
    assert speech.product_line(2, "Limes") == "2 Limes"


def test_a_plural_name_with_a_count_of_one_agrees_and_names_no_other_product() -> None:
    extra = [
        _product("13", "Limes"),
        _product("16", "Meyer Lemons"),
        _product("17", "Large Brown Eggs", aisle="eggs"),
        _product("18", "Hummus", aisle="dips"),
        _product("19", "Bag of Gala Apples"),
    ]
    single = single_names([*CATALOG, *extra])
    speech = Speech("en-US", counted=counted_names([*CATALOG, *extra]), single=single)
    # never one piece of a bag or a pint: what is sold by the piece the catalog does not say
    assert speech.product_line(1, "Meyer Lemons") == "1 pack of Meyer Lemons"
    assert speech.product_line(1, "Organic Blueberries") == "1 pack of Organic Blueberries"
    assert speech.product_line(1, "Bag of Gala Apples") == "1 Bag of Gala Apples"  # the count is of the bag
    assert speech.product_line(1, "Limes") == "1 pack of Limes"  # "1 Lime" would name the product Lime
    assert speech.say("cart.quantity_changed", quantity=1, product="Large Brown Eggs", cart="cart") == (
        "You now have 1 pack of Large Brown Eggs in your cart."  # a carton, never "1 Large Brown Egg"
    )
    assert speech.say("price.reprompt", product="Limes") == "Should I add one pack of Limes? Say yes or no."
    assert speech.product_line(1, "Hummus") == "1 Hummus"  # no plural
    assert speech.product_line(2, "Limes") == "2 Limes"
    assert speech.product_line(1, "Lime") == "1 Lime"
