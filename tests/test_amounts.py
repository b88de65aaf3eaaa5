"""Quantity, unit and product words separated from a request: examples and properties."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.number_words import number_to_words
from backend.resolver.amounts import CONTAINERS, FRACTIONS, MEASURES, Amount, name_with_number, parse_amount
from backend.spoken import spoken_form

# Product words that are neither numbers nor units (made up for the properties, not from any eval set).
UNITS_SAID = frozenset({"can", "bottle", "jar", "pound", "gallon", "bag"})
PRODUCTS = ["pear", "green lentils", "rye crackers", "goat cheese", "mango chutney", "kale", "sparkling cider"]


@pytest.mark.parametrize(
    ("words", "quantity", "unit", "product"),
    [
        ("three pounds of pears", 3, "pound", "pear"),
        ("a gallon of apple cider", 1, "gallon", "apple cider"),
        ("two dozen quail eggs", 2, "dozen", "quail egg"),
        ("a twelve pack of cola", 1, "twelve pack", "cola"),
        ("4 jars of pickles please", 4, "jar", "pickle"),
        ("add 2 lbs ground turkey", 2, "pound", "ground turkey"),
        ("a couple of lemons", 2, None, "lemon"),
        ("half a dozen bagels", 1, "half dozen", "bagel"),
        ("one percent milk", None, None, "one percent milk"),
        ("nine grain bread", None, None, "nine grain bread"),
        ("oat milk", None, None, "oat milk"),
        ("and to date", None, None, "and to date"),
        ("dozen quail eggs", 1, "dozen", "quail egg"),
        ("pound of pears", 1, "pound", "pear"),
        ("bag chips", None, None, "bag chip"),
        ("100 calorie snack packs", None, None, "one hundred calory snack pack"),
        ("twenty four hour deodorant", None, None, "twenty four hour deodorant"),
        ("two hundred and fifty grams of flour", 250, "gram", "flour"),
        ("a hundred and twenty", None, None, "a hundred and twenty"),
        ("could you add a couple limes", 2, None, "lime"),
        ("couple of pears", 2, None, "pear"),  # the slot lost the article
        ("a couple plums", 2, None, "plum"),
        ("a pair of mangoes", 2, None, "mango"),
        ("a few peppers", 3, None, "pepper"),
        ("few onions", 3, None, "onion"),
        ("a couple of cans of chickpeas", 2, "can", "chickpea"),
        ("a couple dozen quail eggs", 2, "dozen", "quail egg"),
        ("a half dozen muffins", 1, "half dozen", "muffin"),
        ("half dozen rolls", 1, "half dozen", "roll"),
        ("half a pound of sliced ham", 1, "half pound", "sliced ham"),
        ("a half gallon of cider", 1, "half gallon", "cider"),
        ("two half gallons of cider", 2, "half gallon", "cider"),
        ("a quarter pound of olives", 1, "quarter pound", "olive"),
        ("three tins of sardines", 3, "tin", "sardine"),
        ("half and half", None, None, "half and half"),  # "half" before no measure is the name's
        ("half a melon", None, None, "half a melon"),
        ("a half pound", None, None, "a half pound"),  # no product words: the unit may be the product
        ("pair cut ham", None, None, "pair cut ham"),  # "pair" without "of" is no count
        ("a couple", 1, None, "couple"),  # nothing after it: no count of anything
    ],
)
def test_examples(words: str, quantity: int | None, unit: str | None, product: str) -> None:
    assert parse_amount(words) == Amount(quantity, unit, product)


@given(
    st.integers(min_value=2, max_value=99),
    st.sampled_from(sorted((MEASURES | CONTAINERS) - {"dozen"})),
    st.sampled_from(PRODUCTS),
    st.booleans(),
)
def test_a_number_a_unit_and_a_product_come_apart(count: int, unit: str, product: str, digits: bool) -> None:
    number = str(count) if digits else number_to_words(count)
    plural = unit + ("es" if unit.endswith(("x", "ch", "sh")) else "s")
    amount = parse_amount(f"{number} {plural} of {product}")
    assert amount == Amount(count, unit, spoken_form(product))


@given(
    st.integers(min_value=100, max_value=999),
    st.sampled_from(sorted((MEASURES | CONTAINERS) - {"dozen"})),
    st.sampled_from(PRODUCTS),
)
def test_hundreds_are_one_number(count: int, unit: str, product: str) -> None:
    plural = unit + ("es" if unit.endswith(("x", "ch", "sh")) else "s")
    assert parse_amount(f"{number_to_words(count)} {plural} of {product}") == Amount(count, unit, spoken_form(product))
    assert parse_amount(f"{count} {plural} of {product}") == Amount(count, unit, spoken_form(product))


@given(
    st.integers(min_value=1, max_value=99),
    st.booleans(),
    st.sampled_from(["percent milk", "grain bread", "bean chili", "ply paper towels", "hour lip balm"]),
)
def test_a_number_taken_for_a_quantity_goes_back_into_the_name(count: int, digits: bool, rest: str) -> None:
    # A recogniser that fills a quantity slot hears "two" + "percent milk"; the name is "two percent milk".
    number = str(count) if digits else number_to_words(count)
    assert name_with_number(number, rest) == spoken_form(f"{number_to_words(count)} {rest}")


@given(st.integers(min_value=1, max_value=99), st.sampled_from(PRODUCTS))
def test_a_number_before_product_words_stays_a_quantity(count: int, product: str) -> None:
    assert name_with_number(str(count), product) is None
    assert name_with_number("a", "percent milk") is None
    assert name_with_number("", "percent milk") is None
    assert name_with_number(str(count), "cheese") is None  # "two cheese" are two of some cheese


@given(st.integers(min_value=1, max_value=99), st.sampled_from(PRODUCTS))
def test_a_number_before_percent_stays_in_the_name(count: int, product: str) -> None:
    amount = parse_amount(f"{number_to_words(count)} percent {product}")
    assert amount.quantity is None and amount.unit is None
    assert amount.words == spoken_form(f"{number_to_words(count)} percent {product}")


@given(st.text(alphabet=st.sampled_from("ab 12%&xyz"), max_size=30))
def test_no_product_word_is_lost(text: str) -> None:
    amount = parse_amount(text)
    heard = spoken_form(text).split()
    left = amount.words.split()
    # The product words are the heard words' tail, in order: only an amount and request words come off the front.
    assert left == heard[len(heard) - len(left) :] or not heard
    if heard:
        assert left


@given(
    st.sampled_from(sorted(FRACTIONS)),
    st.sampled_from(sorted(MEASURES - {"dozen"})),
    st.sampled_from(PRODUCTS),
    st.sampled_from(["{part} a {unit} of {product}", "a {part} {unit} of {product}", "{part} {unit} {product}"]),
)
def test_a_part_of_a_measure_is_one_of_that_part(part: str, unit: str, product: str, shape: str) -> None:
    # "half a pound of ham" is one half pound: the quantity stays a whole number and the part is said back
    amount = parse_amount(shape.format(part=part, unit=unit, product=product))
    assert amount == Amount(1, f"{part} {unit}", spoken_form(product))


@given(st.integers(min_value=2, max_value=20), st.sampled_from(sorted(MEASURES - {"dozen"})), st.sampled_from(PRODUCTS))
def test_several_halves_are_counted(count: int, unit: str, product: str) -> None:
    amount = parse_amount(f"{number_to_words(count)} half {unit}s of {product}")
    assert amount == Amount(count, f"half {unit}", spoken_form(product))


@given(st.integers(1, 50), st.sampled_from(sorted(UNITS_SAID)), st.sampled_from(PRODUCTS))
def test_more_of_a_unit_is_that_unit(count: int, unit: str, product: str) -> None:
    # "two more cans of soup"; and "more cans of soup" when the quantity slot took the number
    assert parse_amount(f"{number_to_words(count)} more {unit}s of {product}") == Amount(
        count, unit, spoken_form(product)
    )
    assert parse_amount(f"more {unit}s of {product}") == Amount(1, unit, spoken_form(product))


def test_more_starting_a_name_stays_in_it() -> None:
    assert parse_amount("more flavors assorted dog treats").words == "more flavor assorted dog treat"
    assert parse_amount("two more").words == "more"


@pytest.mark.parametrize(
    ("words", "quantity", "unit", "product"),
    [
        # a measure and a half: one of a unit that says both, so the quantity stays whole
        ("a pound and a half of smoked brisket", 1, "one and a half pound", "smoked brisket"),
        ("pound and a half of smoked brisket", 1, "one and a half pound", "smoked brisket"),
        ("one and a half pounds of pinto beans", 1, "one and a half pound", "pinto bean"),
        ("four and a half kilos of basmati rice", 1, "four and a half kilo", "basmati rice"),
        ("two gallons and a half of cider", 1, "two and a half gallon", "cider"),
        ("a dozen and a half dinner rolls", 1, "one and a half dozen", "dinner roll"),
        # a container's size is the container's, not a quantity of the measure
        ("a sixteen ounce jar of salsa", 1, "sixteen ounce jar", "salsa"),
        ("twenty ounce bottle of iced tea", 1, "twenty ounce bottle", "iced tea"),
        ("three 10 lb bags of dog food", 3, "ten pound bag", "dog food"),
        ("a 3 liter of ginger ale", 1, "three liter", "ginger ale"),
        # ... and a measure counted stays a measure
        ("three liters of ginger ale", 3, "liter", "ginger ale"),
        ("ten pounds of dog food", 10, "pound", "dog food"),
    ],
)
def test_a_measure_and_a_half_and_a_sized_container(
    words: str, quantity: int | None, unit: str | None, product: str
) -> None:
    assert parse_amount(words) == Amount(quantity, unit, product)


@given(
    st.integers(min_value=1, max_value=20),
    st.sampled_from(sorted(MEASURES)),
    st.sampled_from(PRODUCTS),
    st.sampled_from(["{count} and a half {unit}s of {product}", "{count} {unit}s and a half of {product}"]),
)
def test_a_number_and_a_half_of_a_measure_is_one_of_that_mixed_unit(
    count: int, unit: str, product: str, shape: str
) -> None:
    amount = parse_amount(shape.format(count=number_to_words(count), unit=unit, product=product))
    assert amount == Amount(1, f"{number_to_words(count)} and a half {unit}", spoken_form(product))
