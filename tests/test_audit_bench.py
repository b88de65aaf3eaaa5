"""The wrong-product audit's phrasings and flag rules, on the real catalog."""

from __future__ import annotations

import pytest

from backend.bench.audit_flags import AuditRules
from backend.bench.audit_phrases import audit_phrases
from backend.catalog import Catalog, Product
from backend.spoken import query_form


@pytest.fixture(scope="module")
def rules(catalog: Catalog) -> AuditRules:
    return AuditRules(catalog)


def _named(catalog: Catalog, name: str) -> Product:
    return next(product for product in catalog if product.name == name)


def test_phrasings_are_kinds_and_not_counting_words(catalog: Catalog) -> None:
    phrases = {phrase.words for phrase in audit_phrases(catalog)}
    assert {"bread", "yogurt", "peanut butter", "cat food"} <= phrases
    assert not {"count", "pack", "ounce"} & phrases
    assert len(phrases) == len({query_form(words) for words in phrases})


@pytest.mark.parametrize(
    ("said", "name", "rule"),
    [
        ("pasta", "Pesto", "kind_missing"),
        ("canned tuna", "Canned Soda", "kind_missing"),
        ("organic whole milk", "Whole Milk", "word_missing"),
        ("garlic", "Cucumber & Garlic Tzatziki", "other_aisle"),
        ("sandwich cookies", "Snickerdoodle Cookie with Salted Caramel Ice Cream Sandwich", "other_aisle"),
    ],
)
def test_wrong_products_are_flagged(catalog: Catalog, rules: AuditRules, said: str, name: str, rule: str) -> None:
    flags = rules.flags(query_form(said).split(), _named(catalog, name))
    assert rule in {flag.rule for flag in flags}


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("tuna", "Tuna"),
        ("bananas", "Banana"),
        ("dry pasta", "Orzo Pasta"),
        ("bread", "Bread"),
        ("ice cream sandwich", "Snickerdoodle Cookie with Salted Caramel Ice Cream Sandwich"),
    ],
)
def test_right_products_are_not_flagged(catalog: Catalog, rules: AuditRules, said: str, name: str) -> None:
    assert rules.flags(query_form(said).split(), _named(catalog, name)) == ()
