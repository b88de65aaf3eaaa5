"""Prebuilt resolver tables: stored, loaded memory-mapped, and answering exactly as freshly built ones."""

from __future__ import annotations

import logging
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest

from backend.catalog import Catalog, Product
from backend.catalog.index_files import main as index_main
from backend.resolver import Resolver
from backend.resolver.purchases import PurchaseStats
from backend.resolver.tables import ResolverTables, catalog_key

NAMES = [
    "Organic Whole Milk",
    "Whole Milk",
    "2% Reduced Fat Milk",
    "Banana",
    "Bananas",
    "Honeycrisp Apples",
    "Pizza 4 Cheese",
    "Pizza Four Cheese",
    "Oat Milk Soap",
    "Crème Fraîche",
]
QUERIES = ["organic hell milk", "bananas", "two pounds of honey crisp apples", "pizza for cheese", "oat milk", "x"]


def _catalog(names: list[str] = NAMES) -> Catalog:
    return Catalog(
        Product(str(number), name, "aisle", "soap" if "Soap" in name else "dairy", Decimal("1"), synonyms=())
        for number, name in enumerate(names)
    )


def test_loaded_tables_answer_exactly_as_built_ones(tmp_path: Path) -> None:
    catalog = _catalog()
    built = Resolver(catalog)
    built.tables.save(tmp_path / "t")
    loaded = Resolver(catalog, tables=ResolverTables.load(tmp_path / "t"))
    postings = loaded.tables.index.arrays().numbers["postings"]
    assert isinstance(postings.base, np.memmap) or isinstance(postings, np.memmap)  # mapped, not read
    for query in QUERIES:
        assert loaded.resolve(query) == built.resolve(query)
        history = {"1": _stats(4), "8": _stats(2)}
        assert loaded.resolve(query, history=history) == built.resolve(query, history=history)


def _stats(count: int) -> PurchaseStats:
    return PurchaseStats(count=count, days_since_last=3.0)


def test_cached_builds_once_then_loads(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    catalog = _catalog()
    with caplog.at_level(logging.WARNING):
        first = Resolver.cached(catalog, cache_dir=tmp_path)
    assert "no prebuilt resolver tables" in caplog.text  # a cold start that builds says so
    caplog.clear()
    directory = tmp_path / catalog_key(catalog)
    assert (directory / "meta.json").exists()
    stamp = (directory / "postings.npy").stat().st_mtime_ns
    second = Resolver.cached(catalog, cache_dir=tmp_path)
    assert (directory / "postings.npy").stat().st_mtime_ns == stamp  # loaded, not rebuilt
    assert [second.resolve(query) for query in QUERIES] == [first.resolve(query) for query in QUERIES]
    # A damaged store is rebuilt, not trusted.
    (directory / "spoken.txt").write_text("nonsense", encoding="utf-8")
    with caplog.at_level(logging.WARNING):
        third = Resolver.cached(catalog, cache_dir=tmp_path)
    assert "unusable" in caplog.text
    assert [third.resolve(query) for query in QUERIES] == [first.resolve(query) for query in QUERIES]


def test_another_catalog_version_has_another_key() -> None:
    assert catalog_key(_catalog()) == catalog_key(_catalog())
    assert catalog_key(_catalog()) != catalog_key(_catalog([*NAMES, "Goat Milk"]))
    assert catalog_key(_catalog()) != catalog_key(_catalog([NAMES[1], NAMES[0], *NAMES[2:]]))


def test_tables_of_another_catalog_are_refused(tmp_path: Path) -> None:
    Resolver(_catalog()).tables.save(tmp_path / "t")
    with pytest.raises(ValueError, match="another catalog"):
        Resolver(_catalog(NAMES[:3]), tables=ResolverTables.load(tmp_path / "t"))


def test_the_index_command_builds_the_store(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    catalog_dir = Path(__file__).parent / "fixtures" / "catalog" / "instacart_bad"
    assert index_main(["build", "--catalog", str(catalog_dir), "--cache-dir", str(tmp_path)]) == 0
    (store,) = (path for path in tmp_path.iterdir() if path.is_dir())
    (catalog_file,) = tmp_path.glob("catalog-*.npz")  # the prebuilt catalog beside the tables
    assert (store / "meta.json").exists()
    printed = capsys.readouterr().out
    assert str(store) in printed and str(catalog_file) in printed
