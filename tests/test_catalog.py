"""Catalog model and loaders: Instacart layout, generic CSV/JSON layout, bad rows reported not fatal."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from backend.catalog import (
    Catalog,
    LoadProblem,
    Product,
    load_default_catalog,
    load_generic,
    load_instacart,
)
from backend.errors import CatalogError, ProductNotFound

FIXTURES = Path(__file__).parent / "fixtures" / "catalog"


def test_instacart_loader_keeps_good_rows_and_reports_bad_ones() -> None:
    load = load_instacart(FIXTURES / "instacart_bad")

    assert [product.id for product in load.catalog] == ["27845", "24852", "5", "8"]
    assert load.catalog.get("5").name == "Milk, Lowfat 2%"
    assert load.catalog.get("8").name == "Crème Fraîche"
    milk = load.catalog.get("27845")
    assert (milk.aisle, milk.department, milk.aisle_id) == ("milk", "dairy eggs", "84")
    assert load.problems == [
        LoadProblem("aisles.csv", 4, "duplicate aisle_id 24"),
        LoadProblem("products.csv", 4, "empty product_id"),
        LoadProblem("products.csv", 5, "empty product_name"),
        LoadProblem("products.csv", 6, "duplicate product_id 27845"),
        LoadProblem("products.csv", 8, "unknown aisle_id '999'"),
        LoadProblem("products.csv", 9, "unknown department_id '77'"),
    ]


def test_instacart_loader_raises_a_catalog_error_for_a_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(CatalogError):
        load_instacart(tmp_path / "nowhere")


def test_default_catalog_is_the_full_demo_catalog_loaded_once() -> None:
    catalog = load_default_catalog()

    assert len(catalog) == 49_688
    assert load_default_catalog() is catalog
    banana = catalog.get("24852")
    assert banana.name == "Banana"
    assert isinstance(banana.price, Decimal)
    assert banana.price.as_tuple().exponent == -2


def test_catalog_lookups() -> None:
    product = Product("1", "Banana", "fresh fruits", "produce", Decimal("0.29"))
    catalog = Catalog([product])

    assert len(catalog) == 1
    assert "1" in catalog and "2" not in catalog
    assert list(catalog) == [product]
    assert catalog.get("1") is product
    assert catalog.find("2") is None
    with pytest.raises(ProductNotFound):
        catalog.get("2")


def test_catalog_rejects_repeated_ids() -> None:
    product = Product("1", "Banana", "fresh fruits", "produce", Decimal("0.29"))
    with pytest.raises(ValueError):
        Catalog([product, product])


def test_generic_csv_loader() -> None:
    load = load_generic(FIXTURES / "generic.csv")

    assert [product.id for product in load.catalog] == ["A1", "A2"]
    oat = load.catalog.get("A1")
    assert oat.price == Decimal("3.49")
    assert (oat.brand, oat.size, oat.synonyms) == ("Oatly", "64 oz", ("oat drink", "oatmilk"))
    banana = load.catalog.get("A2")
    assert (banana.brand, banana.size, banana.synonyms) == (None, None, ())
    assert load.problems == [
        LoadProblem("generic.csv", 4, "bad price 'free'"),
        LoadProblem("generic.csv", 5, "missing name"),
        LoadProblem("generic.csv", 6, "duplicate id A1"),
    ]


def test_generic_json_loader() -> None:
    load = load_generic(FIXTURES / "generic.json")

    assert [product.id for product in load.catalog] == ["B1", "B2"]
    assert load.catalog.get("B1").synonyms == ("sour dough", "sourdough bread")
    assert load.catalog.get("B2").synonyms == ("dozen eggs", "large eggs")
    assert load.catalog.get("B2").price == Decimal("3.50")
    assert [(problem.line, problem.reason) for problem in load.problems] == [
        (3, "missing price"),
        (4, "missing id, name, aisle, department, price"),
        (5, "bad price '-1'"),
    ]


def test_generic_loader_raises_a_catalog_error_for_broken_json(tmp_path: Path) -> None:
    broken = tmp_path / "broken.json"
    broken.write_text("[{", encoding="utf-8")
    with pytest.raises(CatalogError):
        load_generic(broken)


def test_generic_loader_raises_a_catalog_error_for_missing_columns(tmp_path: Path) -> None:
    partial = tmp_path / "partial.csv"
    partial.write_text("id,name\n1,Banana\n", encoding="utf-8")
    with pytest.raises(CatalogError, match="aisle"):
        load_generic(partial)
