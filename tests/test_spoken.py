"""Spoken-form normalisation: the cases speech recognition produces, and idempotence."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from backend.spoken import query_form, singular, sound_key, spoken_form


@pytest.mark.parametrize(
    ("written", "spoken"),
    [
        ("2% Reduced Fat Milk", "two percent reduced fat milk"),
        ("Mac & Cheese", "mac and cheese"),
        ("100% Apple Juice", "one hundred percent apple juice"),
        ("Biotin 10,000mcg", "biotin ten thousand microgram"),
        ("Omega-3 1.5 fl. oz", "omega three one point five fluid ounce"),
        ("Soda 12 pk", "soda twelve pack"),
        ("Eggs 18 ct", "egg eighteen count"),
        ("Ground Beef 1 lb", "ground beef one pound"),
        ("Fiber 4g Gummy", "fiber four gram gummy"),
        ("2nd Foods Bananas", "second food banana"),
        ("Annie's Shells", "anny shell"),
        ("Lit'l Smokies", "litl smoky"),
        ("Crème Fraîche", "creme fraiche"),
        ("Chicken w/ Rice", "chicken with rice"),
        ("Strawberries", "strawberry"),
        ("Tomatoes", "tomato"),
        ("Peaches", "peach"),
        ("Cookies", "cooky"),
        ("Swiss Cheese", "swiss cheese"),
        ("Hummus", "hummus"),
    ],
)
def test_spoken_form_says_symbols_numbers_units_and_folds_plurals(written: str, spoken: str) -> None:
    assert spoken_form(written) == spoken


def test_singular_and_plural_meet() -> None:
    pairs = [("cookie", "cookies"), ("berry", "berries"), ("egg", "eggs"), ("box", "boxes"), ("glass", "glasses")]
    for one, many in pairs:
        assert singular(one) == singular(many)


@pytest.mark.parametrize(
    ("heard", "product_words"),
    [
        ("please add some oat milk to my cart", "oat milk"),
        ("a bag of tomatoes please", "tomato"),
        ("add two cartons of oat milk", "oat milk"),
        ("i need bananas", "banana"),
        ("get me a large lemon", "large lemon"),
        ("put eggs in my cart", "egg"),
        ("some", "some"),  # never strips everything
    ],
)
def test_query_form_drops_filler_and_carrier_words(heard: str, product_words: str) -> None:
    assert query_form(heard) == product_words


def test_sound_key_hears_typical_recognition_errors_alike() -> None:
    assert sound_key(spoken_form("organic whole milk")) == sound_key(spoken_form("organic hell milk"))
    assert sound_key(spoken_form("butter")) == sound_key(spoken_form("but er"))
    assert sound_key(spoken_form("shoestring")) == sound_key(spoken_form("she string"))
    assert sound_key(spoken_form("milk")) != sound_key(spoken_form("silk"))


texts = st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60)
product_like = st.from_regex(r"[A-Za-z0-9&%'\-,. /]{0,40}", fullmatch=True)


@given(st.one_of(texts, product_like))
def test_normalisation_is_idempotent(text: str) -> None:
    spoken = spoken_form(text)
    assert spoken_form(spoken) == spoken
    query = query_form(text)
    assert query_form(query) == query


@given(st.one_of(texts, product_like))
def test_spoken_form_is_plain_lowercase_words(text: str) -> None:
    spoken = spoken_form(text)
    assert spoken == " ".join(spoken.split())
    assert all(char == " " or "a" <= char <= "z" for char in spoken)


@pytest.mark.parametrize(
    ("heard", "meant"),
    [("a dozen eggs", "egg"), ("half a dozen eggs", "egg"), ("two dozen eggs", "egg")],
)
def test_a_dozen_is_a_quantity_not_part_of_the_name(heard: str, meant: str) -> None:
    assert query_form(heard) == query_form(meant)
