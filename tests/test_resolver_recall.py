"""Recall and ranking of misheard names: spoken twins ordered by the words heard, and weighted phone alignment."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, settings

from backend.catalog import Catalog, Product
from backend.resolver import Decision, Resolver
from backend.spoken import singular, spoken_form
from tests.support.properties import examples


def _product(number: int, name: str) -> Product:
    return Product(str(number), name, "bakery", "bakery", Decimal("2.50"))


@pytest.fixture(scope="module")
def small() -> Resolver:
    names = (
        "Garden Dinner Roll",
        "Garden Dinner Rolls",
        "Soup 3 Bean",
        "Soup Three Bean",
        "Sesame Bagel",
        "Plain Bagels",
        "Rye Crackers",
    )
    return Resolver(Catalog([_product(number, name) for number, name in enumerate(names, start=1)]))


@pytest.mark.parametrize(
    ("heard", "first"),
    [
        ("garden diner roll", "Garden Dinner Roll"),
        ("garden diner rolls", "Garden Dinner Rolls"),
        ("add a garden dinner rolls to my cart", "Garden Dinner Rolls"),
        ("guard and dinner role", "Garden Dinner Roll"),
        ("soup three beam", "Soup Three Bean"),
    ],
)
def test_spoken_twins_come_in_the_order_the_heard_words_spell(small: Resolver, heard: str, first: str) -> None:
    resolution = small.resolve(heard)
    names = [candidate.product.name for candidate in resolution.candidates]
    assert names[0] == first
    twin = next(name for name in names[1:] if spoken_form(name) == spoken_form(first))  # still offered
    assert twin != first
    assert resolution.decision is Decision.CHOOSE  # by voice alone they cannot be told apart


def test_the_twin_order_never_reorders_products_that_sound_different(small: Resolver) -> None:
    best = small.resolve("sesame bagels").best
    assert best is not None and best.product.name == "Sesame Bagel"


@pytest.fixture(scope="module")
def plural_twins(catalog: Catalog) -> list[tuple[Product, Product]]:
    """Pairs of catalog products one spoken form apart only by a plural last word ("... Roll" / "... Rolls")."""
    by_form: dict[str, list[Product]] = defaultdict(list)
    for product in catalog:
        by_form[spoken_form(product.name)].append(product)
    pairs = []
    for products in by_form.values():
        if len(products) != 2:
            continue
        lasts = [product.name.casefold().split()[-1] for product in products]
        plural = [last != singular(last) for last in lasts]
        if plural[0] != plural[1] and all(last.isalpha() for last in lasts):
            pairs.append((products[0], products[1]) if not plural[0] else (products[1], products[0]))
    return pairs


SETTINGS = settings(
    max_examples=examples(30), deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _misordered(resolver: Resolver, pairs: list[tuple[Product, Product]], *, drop_first: bool) -> list[str]:
    """The heard phrases whose twin of the other number ranks above the one named."""
    wrong = []
    for one, many in pairs:
        for said, meant, other in ((one.name, one, many), (many.name, many, one)):
            words = said.split()
            heard = " ".join(words[1:] if drop_first and len(words) > 2 else words)
            ranked = [candidate.product.id for candidate in resolver.resolve(heard).candidates]
            if meant.id in ranked and other.id in ranked and ranked.index(meant.id) > ranked.index(other.id):
                wrong.append(f"{heard!r}: {meant.name} after {other.name}")
    return wrong


def test_a_plural_heard_gets_the_plural_twin_first_and_a_singular_the_singular(
    resolver: Resolver, plural_twins: list[tuple[Product, Product]]
) -> None:
    # Every pair of the catalog, heard as said: the order is the number the customer said.
    assert _misordered(resolver, plural_twins, drop_first=False) == []


def test_a_plural_heard_with_its_first_word_lost_still_gets_the_plural_twin_first(
    resolver: Resolver, plural_twins: list[tuple[Product, Product]]
) -> None:
    # A recogniser often drops or mangles the start of a name.
    assert _misordered(resolver, plural_twins, drop_first=True) == []


def test_the_catalog_has_plural_twins_to_test(plural_twins: list[tuple[Product, Product]]) -> None:
    assert len(plural_twins) >= 20
