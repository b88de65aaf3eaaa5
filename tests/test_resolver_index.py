"""Candidate retrieval: the pruned search returns exactly what ranking every touched entry would."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from backend.catalog import load_default_catalog
from backend.resolver.index import CandidateIndex, entry_features
from backend.spoken import sound_key, spoken_form

NAMES = [spoken_form(product.name) for product in list(load_default_catalog())[:5_000]]
ENTRIES = [(name, sound_key(name)) for name in NAMES]
INDEX = CandidateIndex(ENTRIES)


def exhaustive(spoken: str, limit: int) -> list[int]:
    """Reference: weighted Dice of the query against every entry, with the index's own idf weights."""
    vocabulary, idf, frequency = INDEX._vocabulary, INDEX._idf, INDEX._document_frequency
    present = [vocabulary[f] for f in entry_features(spoken, sound_key(spoken)) if f in vocabulary]
    query_mass = float(idf[present].sum())
    informative = {f for f in present if frequency[f] <= INDEX._max_df}
    ranked = []
    for number, (name, sound) in enumerate(ENTRIES):
        shared = [vocabulary[f] for f in entry_features(name, sound) if vocabulary[f] in informative]
        if shared:
            dice = float(idf[shared].sum()) / (float(INDEX._mass[number]) + query_mass)
            ranked.append((-dice, number))
    return [number for _, number in sorted(ranked)[:limit]]


@settings(max_examples=40, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(NAMES) - 1), cut=st.integers(min_value=1, max_value=3))
def test_pruned_search_equals_exhaustive_ranking(index: int, cut: int) -> None:
    words = NAMES[index].split()
    spoken = " ".join(words[-cut:])  # short and partial queries touch the most entries
    found = list(INDEX.search(spoken, sound_key(spoken), limit=30))
    expected = exhaustive(spoken, 30)
    assert found[:29] == expected[:29]  # the 30th may tie with the 31st
