"""The catalog's twins (names spelt apart only by punctuation, spoken forms two products share), found when the
tables are built and stored with them: the same twins as finding them on a first request, on the real catalog and
on made-up ones; damaged or missing ones are logged and found anew."""

from __future__ import annotations

import logging
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.catalog import Catalog, Product
from backend.resolver import Resolver
from backend.resolver.phonemes import default_pronouncer
from backend.resolver.tables import ResolverTables
from backend.resolver.twintables import TwinTables

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])


def _reference_spelt(tables: ResolverTables, catalog: Catalog) -> dict[str, tuple[int, ...]]:
    """The spelt twins as a first request found them, walking every product (the earlier construction)."""
    spellings: dict[str, dict[str, int]] = {}
    for position, product in enumerate(catalog):
        spellings.setdefault(tables.written[position], {}).setdefault(product.name.casefold(), position)
    return {written: tuple(names.values()) for written, names in spellings.items() if len(names) > 1}


def _reference_shared(tables: ResolverTables) -> list[bool]:
    """Per entry: another product has an entry of the same spoken form, counted pair by pair."""
    owners = tables.owners.tolist()
    products_of: dict[str, set[int]] = {}
    for form, owner in zip(tables.spoken, owners, strict=True):
        products_of.setdefault(form, set()).add(owner)
    return [len(products_of[form]) > 1 for form in tables.spoken]


def _check(tables: ResolverTables, catalog: Catalog) -> None:
    assert tables.twins is not None
    assert tables.twins.spelt_twins() == _reference_spelt(tables, catalog)
    assert tables.twins.shared.tolist() == _reference_shared(tables)


def test_stored_twins_of_the_real_catalog_are_those_found_walking_it(
    resolver: Resolver, tmp_path_factory: pytest.TempPathFactory
) -> None:
    directory = tmp_path_factory.mktemp("twin-tables") / "tables"
    resolver.tables.save(directory)
    loaded = ResolverTables.load(directory)
    assert loaded.twins == resolver.tables.twins
    assert isinstance(loaded.twins.shared.base, np.memmap)  # mapped, not read into objects
    _check(loaded, resolver.catalog)
    assert len(loaded.twins.spelt) > 10  # the real catalog has names spelt apart ("Fat-Free" / "Fat Free")


WORDS = st.sampled_from(["Fat-Free", "Fat Free", "fat free", "Milk", "Oat", "Soap", "4", "Four", "for", "Bar"])
NAMES = st.lists(st.lists(WORDS, min_size=1, max_size=3).map(" ".join), min_size=1, max_size=30)


@SETTINGS
@given(names=NAMES, synonyms=st.lists(st.sampled_from(["", "Oat Milk", "Four Bar", "Fat Free Milk"]), max_size=30))
def test_twins_survive_storing_and_are_those_found_walking_any_catalog(
    names: list[str], synonyms: list[str], tmp_path: Path
) -> None:
    catalog = Catalog(
        Product(
            str(number),
            name,
            "aisle",
            "dept",
            Decimal("1"),
            synonyms=(synonyms[number],) if number < len(synonyms) and synonyms[number] else (),
        )
        for number, name in enumerate(names)
    )
    built = ResolverTables.build(catalog, default_pronouncer())
    _check(built, catalog)
    directory = tmp_path / "tables"
    built.save(directory)
    loaded = ResolverTables.load(directory)
    assert loaded.twins == built.twins
    _check(loaded, catalog)


def _spelt_catalog() -> Catalog:
    names = ["Fat-Free Cottage Cheese", "Fat Free Cottage Cheese", "Small Curd Cottage Cheese", "Sharp Cheddar Block"]
    return Catalog(Product(str(n), name, "cottage cheese", "dairy eggs", Decimal("1")) for n, name in enumerate(names))


def test_missing_or_damaged_twins_are_logged_and_found_anew(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    small = Resolver(_spelt_catalog())
    small.tables.save(tmp_path / "missing")
    (tmp_path / "missing" / "twins-shared.npy").unlink()
    small.tables.save(tmp_path / "damaged")
    np.save(tmp_path / "damaged" / "twins-spelt_positions.npy", np.array([0, 99], dtype=np.int32))
    queries = ("fat free cottage cheese", "sharp cheddar block", "cottage cheese")
    for name in ("missing", "damaged"):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            loaded = ResolverTables.load(tmp_path / name)
        assert loaded.twins is None
        assert "twin tables" in caplog.text and "unusable" in caplog.text
        again = Resolver(small.catalog, tables=loaded)
        assert [again.resolve(said) for said in queries] == [small.resolve(said) for said in queries]
    lazily = Resolver(small.catalog, tables=replace(small.tables, twins=None))
    assert [lazily.resolve(said) for said in queries] == [small.resolve(said) for said in queries]
    assert isinstance(small.tables.twins, TwinTables)
