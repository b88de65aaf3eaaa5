"""Which words name the kind the catalog shelves a product as (its aisle, its department): what "wine" means among a
customer's own purchases when none of their products is named so."""

from __future__ import annotations

from decimal import Decimal

import pytest

from backend.catalog import Product
from backend.shopping.service import kind_named

PINOT = Product("1", "Russian River Pinot Noir", "red wines", "alcohol", Decimal("19.99"))
FETA = Product("2", "Barrel-Aged Feta", "packaged cheese", "dairy eggs", Decimal("5.49"))


@pytest.mark.parametrize(
    ("words", "product", "named"),
    [
        ("wine", PINOT, True),
        ("red wine", PINOT, True),
        ("my wines", PINOT, True),
        ("alcohol", PINOT, True),
        ("white wine", PINOT, False),
        ("wine vinegar", PINOT, False),
        ("pinot noir", PINOT, False),  # its own name is the resolver's to match, not a kind
        ("cheese", FETA, True),
        ("some cheeses", FETA, True),
        ("dairy eggs", FETA, True),  # the department's whole name
        ("eggs", FETA, False),  # not all of dairy & eggs
        ("goat cheese", FETA, False),
        ("the", FETA, False),
        ("", FETA, False),
    ],
)
def test_the_words_name_the_aisle_or_department(words: str, product: Product, named: bool) -> None:
    assert kind_named(words, product) is named


def test_the_whole_name_of_an_aisle_is_told_apart() -> None:
    cream = Product("3", "Heavy Whipping Cream", "cream", "dairy eggs", Decimal("3.99"))
    ice_cream = Product("4", "Vanilla Bean Ice Cream", "ice cream ice", "frozen", Decimal("4.99"))
    assert kind_named("cream", cream, exactly=True)
    assert kind_named("cream", ice_cream) and not kind_named("cream", ice_cream, exactly=True)
