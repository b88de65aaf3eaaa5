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
from backend.resolver.kinds import MIN_KIND_SHARE, MIN_MEMBERS, Kind, KindIndex
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
    # Turned round: the words of each name, its number of words and the length of its written name.
    starts = tables.name_word_starts.tolist()
    for position, name in enumerate(spoken):
        own = [tables.words[n] for n in tables.name_words[starts[position] : starts[position + 1]].tolist()]
        assert own == sorted(set(name.split())), name
    assert tables.name_tokens.tolist() == [len(name.split()) for name in spoken]
    assert tables.name_lengths.tolist() == [len(name) for name in names]
    for name in list(first)[:200]:
        assert tables.named(spoken, name) == [p for p, other in enumerate(spoken) if other == name], name
    assert tables.named(spoken, "no product is called this") == []


def _reference_kind(index: KindIndex, spoken: list[str], names: list[str], said: tuple[str, ...]) -> Kind | None:
    """What ``KindIndex.find`` answered when it walked the kind's names word by word (its earlier construction)."""
    members_of = index._members
    if not said or said[-1] not in members_of:
        return None
    words = " ".join(said)
    members = [p for p in members_of[said[-1]] if all(word in spoken[p].split() for word in said[:-1])]
    exact = tuple(p for p in members if spoken[p] == words)
    if len(members) < 2 and not exact:
        return None
    held = index.held
    size = max(len(spoken), 1)
    among: Counter[str] = Counter()
    for position in members:
        among.update(set(spoken[position].split()))

    def key(position: int) -> tuple[int, float, int, int]:
        own = [word for word in spoken[position].split() if word not in said]
        most = max((among[word] / len(members) - held[word] / size for word in own), default=1.0)
        return (len(spoken[position].split()), -most, len(names[position]), position)

    headed = frozenset(members_of[said[-1]])
    strong = len(members_of[said[-1]]) >= MIN_KIND_SHARE * held[said[-1]]
    return Kind(words, tuple(sorted(members, key=key)), exact, strong, headed)


def _check_kinds_as_walking_the_names(index: KindIndex, spoken: list[str], names: list[str], limit: int) -> None:
    """Every kind word (up to ``limit`` of them) alone and with the qualifiers its names hold finds the kind the
    word-by-word walk found: the same members in the same typical order."""
    kinds = sorted(index._members)
    for kind in kinds if len(kinds) <= limit else kinds[:: len(kinds) // limit]:
        asked = {(kind,)}
        for position in index._members[kind][:5]:
            words = spoken[position].split()
            asked.update(tuple(words[at:]) for at in range(max(len(words) - 3, 0), len(words)) if words[-1] == kind)
            asked.add((words[0], kind))
        for said in sorted(asked):
            assert index.find(list(said)) == _reference_kind(index, spoken, names, said), said


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


def test_kinds_of_the_real_catalog_are_those_walking_their_names_finds(resolver: Resolver, stored: Resolver) -> None:
    spoken = _first_spoken(resolver)
    names = [product.name for product in resolver.catalog]
    loaded = KindIndex(spoken, resolver.tables.heads.heads, names, tables=stored.tables.kinds)
    _check_kinds_as_walking_the_names(loaded, spoken, names, limit=150)


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
    small.tables.save(tmp_path / "reordered")  # offsets that span the words but go back: a negative slice
    starts = np.load(tmp_path / "reordered" / "kinds-name_word_starts.npy")
    starts[1] = starts[-1]
    np.save(tmp_path / "reordered" / "kinds-name_word_starts.npy", starts)
    for name in ("missing", "damaged", "reordered"):
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
    written = [product.name for product in catalog]
    index = KindIndex(spoken, built.heads.heads, written, tables=loaded.kinds)
    _check_kinds_as_walking_the_names(index, spoken, written, limit=40)


def _catalog(names: list[str] | None = None, aisles: list[str] | None = None) -> Catalog:
    names = names if names is not None else ["Brown Rice", "Oat Milk", "Oat Milk Soap"]
    return Catalog(
        Product(str(number), name, aisles[number] if aisles else "aisle", "dept", Decimal("1"), synonyms=())
        for number, name in enumerate(names)
    )
