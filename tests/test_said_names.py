"""Kind-first catalog names are said as a person says them; every other name is said as written."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.speech import Speech
from skill.speech.names import said_name


@pytest.mark.parametrize(
    ("written", "said"),
    [
        ("Cheese, Mozzarella", "Mozzarella Cheese"),
        ("Bagel Chips, Everything", "Everything Bagel Chips"),
        ("Rice, Jasmine, Organic Brown", "Organic Brown Jasmine Rice"),
        ("Refried Beans, with Jalapenos", "Refried Beans with Jalapenos"),
        ("Triphala, Vegetarian Capsules", "Triphala Vegetarian Capsules"),
        # a number after the comma is a size or a vintage; a long kind or description is not reordered on a guess
        ("Acini di Pepe, No. 78", "Acini di Pepe, No. 78"),
        ("Cabernet Sauvignon, North Coast, 2012", "Cabernet Sauvignon, North Coast, 2012"),
        ("Restoring Anticavity Fluoride Mouthwash, Cool Mint", "Restoring Anticavity Fluoride Mouthwash, Cool Mint"),
        # turned around, the kind would be said twice
        ("Cheese, Whole Milk Cheese, Cremoso", "Cheese, Whole Milk Cheese, Cremoso"),
        ("Mild Cheddar Macaroni & Cheese", "Mild Cheddar Macaroni & Cheese"),
        # what it comes in is said after the name
        ("Organic Gala Apples, Bag", "Organic Gala Apples, Bag"),
    ],
)
def test_said_name(written: str, said: str) -> None:
    assert said_name(written) == said


_WORD = st.text(alphabet=st.characters(min_codepoint=97, max_codepoint=122), min_size=1, max_size=8)
_PART = st.lists(_WORD, min_size=1, max_size=5).map(" ".join)


@given(st.lists(_PART, min_size=1, max_size=5).map(", ".join))
def test_said_name_keeps_every_word_and_is_stable(name: str) -> None:
    said = said_name(name)
    assert sorted(said.replace(",", " ").split()) == sorted(name.replace(",", " ").split())
    assert said_name(said) == said


def test_sentences_say_the_name_and_escape_it_once() -> None:
    speech = Speech("en-US")
    assert speech.say("line.product", quantity=1, product="Cheese, Provolone") == "1 Provolone Cheese"
    assert speech.product_line(2, "Mustard, Dijon") == "2 Dijon Mustard"
    assert "&amp;" in speech.say("line.product", quantity=1, product="Mac & Cheese")
