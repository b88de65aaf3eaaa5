"""The large-index search (``backend.resolver.large_index``): the exhaustive Dice ranking, from less reading.

A large index is one of ``TWO_STAGE_MIN_ENTRIES`` entries or more; here the threshold is lowered so that 4,000 real
names take the large path, and the floor's seed is made small so that the bounds, not the seed, do the work.
"""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.catalog import load_default_catalog
from backend.resolver import index as index_module
from backend.resolver import large_index
from backend.resolver.index import CandidateIndex, entry_features
from backend.resolver.large_index import LargeIndex
from backend.spoken import sound_key, spoken_form
from tests.support.properties import examples

NAMES = [spoken_form(product.name) for product in list(load_default_catalog())[:4_000]]
ENTRIES = [(name, sound_key(name)) for name in NAMES]
INDEX = CandidateIndex(ENTRIES)
LARGE = LargeIndex(
    INDEX._postings,
    INDEX._offsets,
    INDEX._document_frequency,
    mass=INDEX._mass,
    idf=INDEX._idf,
    max_df=INDEX._max_df,
)


def query_parts(spoken: str) -> tuple[np.ndarray, float]:
    """The informative feature ids of a query and its mass, as ``CandidateIndex.search`` hands them on."""
    present = [INDEX._vocabulary[f] for f in entry_features(spoken, sound_key(spoken)) if f in INDEX._vocabulary]
    ids = np.array(present, dtype=np.int64)
    return ids[INDEX._document_frequency[ids] <= INDEX._max_df], float(INDEX._idf[ids].sum())


def exhaustive(spoken: str) -> list[tuple[float, int]]:
    """Reference: (-Dice, entry) of every entry sharing an informative feature with the query, best first."""
    ids, query_mass = query_parts(spoken)
    informative = set(ids.tolist())
    ranked = []
    for number, (name, sound) in enumerate(ENTRIES):
        shared = [INDEX._vocabulary[f] for f in entry_features(name, sound) if INDEX._vocabulary[f] in informative]
        if shared:
            ranked.append((-float(INDEX._idf[shared].sum()) / (float(INDEX._mass[number]) + query_mass), number))
    return sorted(ranked)


@pytest.fixture
def small_seed(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(large_index, "SEED_POSTINGS", 1)


@settings(max_examples=examples(60), deadline=None)
@given(
    number=st.integers(min_value=0, max_value=len(NAMES) - 1),
    cut=st.integers(min_value=1, max_value=4),
    seed=st.sampled_from([1, 200, 10**6]),
    limit=st.sampled_from([1, 5, 30]),
)
def test_the_large_search_returns_the_exhaustive_best(number: int, cut: int, seed: int, limit: int) -> None:
    """Whatever the seed, the floor only prunes what cannot be among the best: the scores returned are the
    exhaustive ranking's best ``limit`` scores."""
    spoken = " ".join(NAMES[number].split()[-cut:])
    ids, query_mass = query_parts(spoken)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(large_index, "SEED_POSTINGS", seed)
        found, dice = LARGE.search(ids, query_mass, limit)
    expected = [-score for score, _ in exhaustive(spoken)[:limit]]
    assert sorted(dice.tolist(), reverse=True) == pytest.approx(expected, abs=1e-12)
    reference = {entry: -score for score, entry in exhaustive(spoken)}
    assert [reference[entry] for entry in found.tolist()] == pytest.approx(dice.tolist(), abs=1e-12)


@pytest.mark.usefixtures("small_seed")
def test_a_large_candidate_index_ranks_as_the_exhaustive_search(monkeypatch: pytest.MonkeyPatch) -> None:
    """Through ``CandidateIndex.search``: best first, ties by entry number, as the exhaustive ranking."""
    monkeypatch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 0)
    for number in range(0, len(NAMES), 331):
        spoken = " ".join(NAMES[number].split()[-2:])
        found = list(INDEX.search(spoken, sound_key(spoken), limit=20))
        assert found[:19] == [entry for _, entry in exhaustive(spoken)[:19]]  # the 20th may tie with the 21st


def test_the_lists_are_in_mass_order_and_hold_the_informative_postings() -> None:
    """Ranks number the entries lightest first; each informative list holds the ranks of the same entries as the
    index's own list, ascending; each rank's forward list is its entry's informative features; common lists are
    left out."""
    assert (np.diff(LARGE.mass_by_rank) >= 0).all()
    assert (INDEX._mass[LARGE.entry_of_rank] == LARGE.mass_by_rank).all()
    frequency = INDEX._document_frequency
    for feature in range(0, frequency.size, 7):
        mine = LARGE.postings[LARGE.offsets[feature] : LARGE.offsets[feature + 1]]
        if frequency[feature] > INDEX._max_df:
            assert mine.size == 0
            continue
        assert (np.diff(mine) > 0).all()
        theirs = INDEX._postings[INDEX._offsets[feature] : INDEX._offsets[feature + 1]]
        assert sorted(LARGE.entry_of_rank[mine].tolist()) == theirs.tolist()
    for rank in range(0, LARGE.size, 97):
        entry = int(LARGE.entry_of_rank[rank])
        name, sound = ENTRIES[entry]
        present = [INDEX._vocabulary[f] for f in entry_features(name, sound)]
        expected = sorted(f for f in present if frequency[f] <= INDEX._max_df)
        forward = LARGE.forward[LARGE.forward_offsets[rank] : LARGE.forward_offsets[rank + 1]]
        assert sorted(forward.tolist()) == expected


@pytest.mark.usefixtures("small_seed")
def test_the_bounds_leave_most_postings_unread() -> None:
    """The floor, the essential lists and the mass window are not idle: over names cut as customers say them,
    the search reads fewer postings than the query's lists hold, and still ranks exactly (above)."""
    read = total = 0
    for number in range(0, len(NAMES), 41):
        spoken = " ".join(NAMES[number].split()[-2:])
        ids, query_mass = query_parts(spoken)
        read += LARGE.postings_read(ids, query_mass, 10)
        total += int(INDEX._document_frequency[ids].sum())
    assert 0 < read < 0.85 * total


def test_a_posting_budget_bounds_the_reading_and_what_is_returned_is_scored_exactly(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With a budget too small for the essential lists, the rarest are read alone; what comes back is still at
    most ``limit`` entries with their exact Dice."""
    monkeypatch.setattr(large_index, "MAX_POSTINGS", 5)
    monkeypatch.setattr(large_index, "SEED_POSTINGS", 1)
    spoken = NAMES[123]
    ids, query_mass = query_parts(spoken)
    found, dice = LARGE.search(ids, query_mass, 30)
    reference = {entry: -score for score, entry in exhaustive(spoken)}
    assert 0 < found.size <= 30
    assert [reference[entry] for entry in found.tolist()] == pytest.approx(dice.tolist(), abs=1e-12)
    assert LARGE.postings_read(ids, query_mass, 30) <= max(int(INDEX._document_frequency[ids].max()), 5)


def test_nothing_to_read_finds_nothing() -> None:
    assert LARGE.search(np.zeros(0, dtype=np.int64), 1.0, 10)[0].size == 0
    ids, query_mass = query_parts(NAMES[5])
    assert LARGE.search(ids, query_mass, 0)[0].size == 0


def test_the_results_are_sorted_by_exact_dice_through_the_candidate_index(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 0)
    spoken = " ".join(NAMES[77].split()[-2:])
    reference = {entry: -score for score, entry in exhaustive(spoken)}
    scores = [reference[entry] for entry in INDEX.search(spoken, sound_key(spoken), limit=40)]
    assert scores and all(a >= b for a, b in pairwise(scores))
