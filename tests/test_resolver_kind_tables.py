"""The kind rules' catalog counts, stored with the resolver's tables: the same counts and answers as counting the
names on first use, on the real catalog and on made-up ones; damaged or missing ones are counted anew."""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend.catalog import Catalog, Product
from backend.resolver import Resolver
from backend.resolver.heads import head_aisles, head_of, kind_shares
from backend.resolver.kinds import MIN_MEMBERS, KindIndex
from backend.resolver.kindtables import KindTables
from backend.resolver.phonemes import default_pronouncer
from backend.resolver.purchases import PurchaseStats
from backend.resolver.tables import ResolverTables, catalog_key

SETTINGS = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
# Phrasings of kinds, names and near misses, none taken from an evaluation set.
SAID = [
    "rice",
    "brown rice",
    "milk",
    "whole milk",
    "organic bread",
    "nuts",
    "butter",
    "peanut butter",
    "olive oil",
    "greek yogurt",
    "vanilla",
    "pasta",
    "chips",
    "dish soap",
    "sparkling water",
    "cheddar cheese",
]


def _first_spoken(resolver: Resolver) -> list[str]:
    return [resolver.tables.spoken[start] for start in resolver.tables.starts.tolist()[: len(resolver)]]


def _reference_members(spoken: list[str], heads: list[str], names: list[str]) -> dict[str, tuple[int, ...]]:
    """What the kind index counted on first use before the counts were stored (its earlier construction)."""
    headed: dict[str, list[int]] = defaultdict(list)
    for position, own_heads in enumerate(heads):
        words = own_heads.split()
        head = words[0] if len(words) == 1 else head_of(names[position]) if words else ""
        if head:
            headed[head].append(position)
    return {word: tuple(positions) for word, positions in headed.items() if len(positions) >= MIN_MEMBERS}


def _check_counts_match_the_names(tables: KindTables, catalog: Catalog, spoken: list[str], heads: list[str]) -> None:
    names = [product.name for product in catalog]
    aisles = [product.aisle for product in catalog]
    held = tables.held_counts()
    assert held == Counter(word for name in spoken for word in set(name.split()))
    assert dict(tables.kind_members(MIN_MEMBERS)) == _reference_members(spoken, heads, names)
    assert tables.kind_shares(held) == kind_shares(spoken, heads)
    assert {word: dict(shares) for word, shares in tables.head_aisles().items()} == head_aisles(heads, aisles)
    first: dict[str, int] = {}
    for position, name in enumerate(spoken):
        first.setdefault(name, position)
    assert all(tables.first_named(spoken, name) == position for name, position in first.items())
    assert tables.first_named(spoken, "no product is called this") is None
    # The names holding a word, looked up, are those a walk over every name finds (a sample of a large catalog).
    words = sorted(held)
    for word in words if len(words) <= 200 else words[:: len(words) // 200]:
        assert tables.holders(word) == [p for p, name in enumerate(spoken) if word in name.split()], word
    assert tables.holders("nonameholdsthis") == []


@pytest.fixture(scope="module")
def stored(resolver: Resolver, tmp_path_factory: pytest.TempPathFactory) -> Resolver:
    """The real catalog's resolver from its tables stored and loaded again (memory-mapped)."""
    directory = tmp_path_factory.mktemp("kind-tables") / "tables"
    resolver.tables.save(directory)
    loaded = ResolverTables.load(directory)
    assert loaded.kinds is not None
    return Resolver(resolver.catalog, tables=loaded)


def test_stored_counts_of_the_real_catalog_are_those_counted_from_its_names(
    resolver: Resolver, stored: Resolver
) -> None:
    counted = KindTables.build(
        _first_spoken(resolver),
        resolver.tables.heads.heads,
        [product.name for product in resolver.catalog],
        [product.aisle for product in resolver.catalog],
    )
    assert stored.tables.kinds == counted
    assert isinstance(stored.tables.kinds.kind_positions.base, np.memmap)  # mapped, not read into objects
    _check_counts_match_the_names(counted, resolver.catalog, _first_spoken(resolver), resolver.tables.heads.heads)


def test_loaded_counts_answer_as_counting_on_first_use(resolver: Resolver, stored: Resolver) -> None:
    lazily = Resolver(resolver.catalog, tables=replace(resolver.tables, kinds=None))  # counts on first use
    customer = {product.id: PurchaseStats(count=4, days_since_last=9.0) for product in list(resolver.catalog)[::997]}
    for said in SAID:
        assert stored.resolve(said) == lazily.resolve(said), said
        assert stored.resolve(said, history=customer, orders=12) == lazily.resolve(said, history=customer, orders=12)
    spoken = _first_spoken(resolver)
    names = [product.name for product in resolver.catalog]
    fresh = KindIndex(spoken, resolver.tables.heads.heads, names)
    loaded = KindIndex(spoken, resolver.tables.heads.heads, names, tables=stored.tables.kinds)
    for said in SAID:
        assert loaded.find(said.split()) == fresh.find(said.split()), said
    for word in ("italiano", "pesto", "chia", "nutella", "zzz"):  # words a few names hold, and one none does
        assert loaded.holding(word) == fresh.holding(word), word


def test_missing_or_damaged_kind_counts_are_logged_and_counted_anew(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    small = Resolver(_catalog(["Brown Rice", "White Rice", "Jasmine Rice", "Wild Rice", "Basmati Rice", "Rice Milk"]))
    small.tables.save(tmp_path / "missing")
    (tmp_path / "missing" / "kinds-kind_positions.npy").unlink()
    small.tables.save(tmp_path / "damaged")
    np.save(tmp_path / "damaged" / "kinds-kind_positions.npy", np.array([0, 1, 2, 3, 99], dtype=np.int32))
    for name in ("missing", "damaged"):
        caplog.clear()
        with caplog.at_level(logging.WARNING):
            loaded = ResolverTables.load(tmp_path / name)
        assert loaded.kinds is None
        assert "kind tables" in caplog.text and "unusable" in caplog.text
        again = Resolver(small.catalog, tables=loaded)
        assert [again.resolve(said) for said in ("rice", "rice milk")] == [
            small.resolve(said) for said in ("rice", "rice milk")
        ]


def test_a_product_moved_to_another_aisle_has_other_tables() -> None:
    moved = [replace(product, aisle="other") if number == 0 else product for number, product in enumerate(_catalog())]
    assert catalog_key(Catalog(moved)) != catalog_key(_catalog())


WORDS = st.sampled_from(["rice", "brown", "milk", "oat", "soap", "bar", "dark", "chocolate", "vanilla", "yogurt"])
NAMES = st.lists(st.lists(WORDS, min_size=1, max_size=4).map(" ".join), min_size=1, max_size=40)


@SETTINGS
@given(names=NAMES, aisles=st.lists(st.sampled_from(["Rice", "Dairy", "Soap & Body"]), min_size=40, max_size=40))
def test_counts_survive_storing_and_match_the_names_for_any_catalog(
    names: list[str], aisles: list[str], tmp_path: Path
) -> None:
    catalog = _catalog([name.title() for name in names], aisles)
    built = ResolverTables.build(catalog, default_pronouncer())
    assert built.kinds is not None
    directory = tmp_path / catalog_key(catalog)
    built.save(directory)
    loaded = ResolverTables.load(directory)
    assert loaded.kinds == built.kinds
    spoken = [built.spoken[start] for start in built.starts.tolist()[: len(catalog)]]
    _check_counts_match_the_names(loaded.kinds, catalog, spoken, built.heads.heads)


def _catalog(names: list[str] | None = None, aisles: list[str] | None = None) -> Catalog:
    names = names if names is not None else ["Brown Rice", "Oat Milk", "Oat Milk Soap"]
    return Catalog(
        Product(str(number), name, aisles[number] if aisles else "aisle", "dept", Decimal("1"), synonyms=())
        for number, name in enumerate(names)
    )
