"""Dynamic entities for a customer: their most likely products within Alexa's limits, ids from the catalog."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.catalog import DEFAULT_DATA_DIR, Catalog, load_default_catalog
from backend.demo.histories import load_histories
from backend.resolver.dynamic import (
    MAX_CHARS,
    MAX_VALUES,
    dynamic_entities,
    fingerprint,
    likely_products,
    update_directive,
)
from backend.resolver.purchases import PurchaseStats

ANCHOR = date(2017, 6, 1)


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_default_catalog()


@pytest.fixture(scope="module")
def histories() -> dict[str, dict[str, PurchaseStats]]:
    loaded = load_histories(DEFAULT_DATA_DIR / "customers_sample.csv", last_order_on=ANCHOR)
    return {customer_id: history.stats(ANCHOR) for customer_id, history in loaded.items()}


def test_every_customer_gets_values_within_the_limits(
    catalog: Catalog, histories: dict[str, dict[str, PurchaseStats]]
) -> None:
    for history in histories.values():
        values = dynamic_entities(history, catalog)
        assert 0 < len(values) <= MAX_VALUES
        assert len({value.id for value in values}) == len(values)
        for value in values:
            assert value.id in catalog and value.id in history
            assert 0 < len(value.name) <= MAX_CHARS
            assert all(0 < len(synonym) <= MAX_CHARS for synonym in value.synonyms)
            assert value.name.casefold() not in {synonym.casefold() for synonym in value.synonyms}


def test_the_most_bought_come_first(catalog: Catalog) -> None:
    history = {"24852": PurchaseStats(30, 3.0), "27845": PurchaseStats(2, 200.0), "4210": PurchaseStats(9, 10.0)}
    assert likely_products(history, catalog) == ["24852", "4210", "27845"]
    assert likely_products({**history, "not-sold": PurchaseStats(50, 1.0)}, catalog, limit=2) == ["24852", "4210"]


@given(st.integers(min_value=0, max_value=400))
@settings(max_examples=20, deadline=None)
def test_never_more_than_the_limit(size: int) -> None:
    catalog = load_default_catalog()
    ids = [product.id for product in list(catalog)[:size]]
    values = dynamic_entities({product_id: PurchaseStats(1, 5.0) for product_id in ids}, catalog)
    assert len(values) == min(size, MAX_VALUES)


def test_the_directive_replaces_one_slot_type_and_changes_only_with_the_values(catalog: Catalog) -> None:
    values = dynamic_entities({"24852": PurchaseStats(3, 2.0), "5": PurchaseStats(1, 9.0)}, catalog)
    directive = update_directive("PRODUCT", values)
    assert directive["type"] == "Dialog.UpdateDynamicEntities" and directive["updateBehavior"] == "REPLACE"
    (slot_type,) = directive["types"]  # type: ignore[misc]
    assert slot_type["name"] == "PRODUCT"
    assert [value["id"] for value in slot_type["values"]] == [value.id for value in values]
    assert fingerprint(values) == fingerprint(tuple(values))
    assert fingerprint(values) != fingerprint(values[:1])
