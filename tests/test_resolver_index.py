"""Candidate retrieval: the pruned search returns exactly what ranking every touched entry would."""

from __future__ import annotations

from itertools import pairwise

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from backend.catalog import load_default_catalog
from backend.resolver import Resolver
from backend.resolver import index as index_module
from backend.resolver.index import CandidateIndex, entry_features
from backend.resolver.phonemes import coarse, default_pronouncer
from backend.spoken import sound_key, spoken_form
from tests.support.properties import examples

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


@settings(max_examples=examples(40), deadline=None)
@given(index=st.integers(min_value=0, max_value=len(NAMES) - 1), cut=st.integers(min_value=1, max_value=3))
def test_pruned_search_equals_exhaustive_ranking(index: int, cut: int) -> None:
    words = NAMES[index].split()
    spoken = " ".join(words[-cut:])  # short and partial queries touch the most entries
    found = list(INDEX.search(spoken, sound_key(spoken), limit=30))
    expected = exhaustive(spoken, 30)
    assert found[:29] == expected[:29]  # the 30th may tie with the 31st


def test_a_large_index_completes_what_the_posting_budget_left_out(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a budget too small for a query's features, the plain search ranks on the rarest ones alone; the
    two-stage search (large indexes) adds the rest on a shortlist and finds the exhaustive ranking's best."""
    tight = CandidateIndex(ENTRIES, max_postings=300)
    queries = [" ".join(NAMES[number].split()[-2:]) for number in range(0, len(NAMES), 97)]  # how names are cut
    monkeypatch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 10**9)
    plain = [tight.search(q, sound_key(q), limit=10)[:1] for q in queries]
    monkeypatch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 0)
    completed = [tight.search(q, sound_key(q), limit=10)[:1] for q in queries]
    best = [NAMES[exhaustive(q, 1)[0]] for q in queries]
    right_completed = sum(bool(found) and NAMES[found[0]] == name for found, name in zip(completed, best, strict=True))
    right_plain = sum(bool(found) and NAMES[found[0]] == name for found, name in zip(plain, best, strict=True))
    assert right_completed == len(queries) > right_plain


def exact_dice(spoken: str, number: int) -> float:
    """The weighted Dice of one entry against the query, on every informative feature."""
    vocabulary, idf, frequency = INDEX._vocabulary, INDEX._idf, INDEX._document_frequency
    present = [vocabulary[f] for f in entry_features(spoken, sound_key(spoken)) if f in vocabulary]
    informative = {f for f in present if frequency[f] <= INDEX._max_df}
    name, sound = ENTRIES[number]
    shared = [vocabulary[f] for f in entry_features(name, sound) if vocabulary[f] in informative]
    return float(idf[shared].sum()) / (float(INDEX._mass[number]) + float(idf[present].sum()))


@settings(max_examples=30, deadline=None)
@given(index=st.integers(min_value=0, max_value=len(NAMES) - 1), budget=st.sampled_from([50, 400, 10**6]))
def test_a_large_index_ranks_what_it_returns_by_exact_dice(index: int, budget: int) -> None:
    """However few postings the large-index search reads, what it returns is scored on every feature: in the
    order of the exact Dice, and when the budget holds every posting, the exhaustive ranking itself."""
    spoken = " ".join(NAMES[index].split()[-2:])
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 0)
        patch.setattr(index_module, "SCALE_POSTINGS", budget)
        found = list(INDEX.search(spoken, sound_key(spoken), limit=30))
    scores = [exact_dice(spoken, number) for number in found]
    assert found and all(a >= b - 1e-12 for a, b in pairwise(scores))
    if budget == 10**6:
        assert scores[:29] == [exact_dice(spoken, number) for number in exhaustive(spoken, 29)]


def test_a_large_index_leaves_features_no_query_counts_out_of_its_forward_index() -> None:
    """Features in more than ``max_df`` entries never count in a Dice, so the forward index holds only the
    others (less to gather per shortlisted entry), and the search still ranks by the exhaustive Dice."""
    common = CandidateIndex(ENTRIES, max_df_share=0.02)  # many sound trigrams are above this share
    frequency = common._document_frequency
    assert (frequency > common._max_df).any()
    forward, offsets = common._forward_index()
    assert forward.size == int(frequency[frequency <= common._max_df].sum()) == offsets[-1]
    assert (frequency[forward] <= common._max_df).all()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 0)
        patch.setattr(index_module, "SCALE_POSTINGS", 10**6)
        for number in range(0, len(NAMES), 499):
            spoken = " ".join(NAMES[number].split()[-2:])
            two_stage = list(common.search(spoken, sound_key(spoken), limit=20))
            patch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 10**9)
            plain = list(common.search(spoken, sound_key(spoken), limit=20))
            patch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 0)
            assert two_stage[:19] == plain[:19]  # the 20th may tie with the 21st


@settings(max_examples=examples(40), deadline=None)
@given(index=st.integers(min_value=0, max_value=len(NAMES) - 1), budget=st.sampled_from([30, 200, 1_000]))
def test_a_large_index_reads_a_common_word_after_rarer_trigrams(index: int, budget: int) -> None:
    """What a budgeted search reads is the cheapest of the query's features, a word counted ``WORD_PRIORITY``
    times cheaper than its postings: a word a trigram has that many times fewer postings than comes after it."""
    spoken = NAMES[index]
    present = [INDEX._vocabulary[f] for f in entry_features(spoken, sound_key(spoken)) if f in INDEX._vocabulary]
    ids = np.array(present, dtype=np.int64)
    frequency = INDEX._document_frequency[ids]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(index_module, "SCALE_POSTINGS", budget)
        read = set(INDEX._read_first(ids, frequency).tolist())
    words = INDEX._word_features()
    cost = {
        int(f): float(INDEX._document_frequency[f]) / (index_module.WORD_PRIORITY if words[f] else 1.0) for f in ids
    }
    assert read
    unread = set(cost) - read
    assert all(cost[r] <= cost[u] for r in read for u in unread)


def test_a_large_index_hands_on_more_results_than_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    """Among a million names more look-alikes crowd the one meant, so a large index hands at least
    ``SCALE_LIMIT`` results on to scoring; an index of the real catalog's size hands on what was asked."""
    assert INDEX.size < index_module.TWO_STAGE_MIN_ENTRIES
    assert INDEX.scaled_limit(150) == 150
    monkeypatch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 0)
    assert INDEX.scaled_limit(150) == index_module.SCALE_LIMIT > 150
    assert INDEX.scaled_limit(index_module.SCALE_LIMIT + 7) == index_module.SCALE_LIMIT + 7
    spoken = " ".join(NAMES[11].split()[-2:])
    found = INDEX.search(spoken, sound_key(spoken), limit=INDEX.scaled_limit(150))
    assert 150 < len(found) <= index_module.SCALE_LIMIT


def test_the_resolver_of_the_real_catalog_asks_the_index_for_its_own_limit(resolver: Resolver) -> None:
    """At 50k products nothing changes: the resolver retrieves the limit it was given."""
    assert resolver.retrieval_limit == 150


PHONES = [coarse(default_pronouncer().phrase(name)) for name in NAMES[:2_000]]
PHONE_ENTRIES = [(name, sound_key(name), phones) for name, phones in zip(NAMES, PHONES, strict=False)]
PHONE_INDEX = CandidateIndex(PHONE_ENTRIES)


def exhaustive_dice(index: CandidateIndex, spoken: str, phones: str) -> npt.NDArray[np.float64]:
    """Reference: every entry's weighted Dice against the query (features and phones), on the informative ones."""
    vocabulary, idf, frequency = index._vocabulary, index._idf, index._document_frequency
    present = [vocabulary[f] for f in entry_features(spoken, sound_key(spoken), phones) if f in vocabulary]
    query_mass = float(idf[present].sum())
    informative = {f for f in present if frequency[f] <= index._max_df}
    dice = np.zeros(len(PHONE_ENTRIES))
    for number, entry in enumerate(PHONE_ENTRIES):
        shared = [vocabulary[f] for f in entry_features(*entry) if vocabulary[f] in informative]
        dice[number] = float(idf[shared].sum()) / (float(index._mass[number]) + query_mass)
    return dice


@settings(max_examples=examples(30), deadline=None)
@given(
    index=st.integers(min_value=0, max_value=len(PHONE_ENTRIES) - 1),
    cut=st.integers(min_value=1, max_value=3),
    dropped=st.integers(min_value=0, max_value=3),
)
def test_a_small_index_adds_the_closest_phones_of_the_next_entries_by_dice(index: int, cut: int, dropped: int) -> None:
    """With coarse phones, a small index hands on the ``limit`` best entries by Dice, then up to ``RECALL_EXTRA``
    more: entries it touched, none of the first ones, and none of the entries surely in its pool (the next
    ``RECALL_POOL`` by Dice) has phones closer to the query's than the farthest of them."""
    # A name misheard: a word no name holds, its first sounds lost (a name heard right gets no guesses, see below).
    spoken = " ".join([*NAMES[index].split()[-cut:], "zzyzx"])
    phones = PHONES[index][dropped:]
    limit = 20
    found = list(PHONE_INDEX.search(spoken, sound_key(spoken), limit=limit, phones=phones))
    dice = exhaustive_dice(PHONE_INDEX, spoken, phones)
    head, extras = found[:limit], found[limit:]
    assert sorted(dice[head].tolist(), reverse=True) == dice[head].tolist()
    others = np.setdiff1d(np.arange(dice.size), head)
    assert dice[head].min() >= dice[others].max() - 1e-12
    assert len(extras) <= index_module.RECALL_EXTRA and not set(extras) & set(head)
    assert (dice[extras] > 0).all()
    if not extras:
        return
    alike = [Levenshtein.normalized_similarity(phones, PHONES[number]) for number in extras]
    assert alike == sorted(alike, reverse=True)
    # Surely in the pool: above the Dice of the entry at the pool's end, and strong (see ``_strong_overlaps``).
    floor = max(float(np.sort(dice)[::-1][index_module.RECALL_POOL]), index_module.STRONG_BOUND)
    surely = [number for number in others.tolist() if dice[number] > floor + 1e-12 and number not in extras]
    assert all(Levenshtein.normalized_similarity(phones, PHONES[number]) <= alike[-1] + 1e-12 for number in surely)


def test_a_small_index_adds_nothing_without_phones_and_the_same_when_loaded() -> None:
    """No extra entries for a query without phones, nor from an index built or loaded without them; one loaded
    from its parts and its phones searches as the one built."""
    parts = PHONE_INDEX.arrays()
    loaded = CandidateIndex.from_arrays(parts.vocabulary, parts.numbers, parts.settings, PHONES)
    bare = CandidateIndex.from_arrays(parts.vocabulary, parts.numbers, parts.settings)
    more = 0
    for number in range(0, len(PHONE_ENTRIES), 97):
        spoken = " ".join([*NAMES[number].split()[-2:], "zzyzx"])  # a word no name holds: misheard
        phones = PHONES[number][1:]
        found = list(PHONE_INDEX.search(spoken, sound_key(spoken), limit=10, phones=phones))
        assert list(loaded.search(spoken, sound_key(spoken), limit=10, phones=phones)) == found
        assert list(bare.search(spoken, sound_key(spoken), limit=10, phones=phones)) == found[:10]
        assert len(PHONE_INDEX.search(spoken, sound_key(spoken), limit=10)) <= 10
        more += len(found) > 10
    assert more  # the extras are there to leave out


def test_a_small_index_guesses_no_sound_alikes_when_a_name_holds_every_word_heard() -> None:
    """Words that name products as they are ("italiano" alone: a question among the names holding it) get the
    best entries by Dice only; the same words with one no name holds get the guesses by sound as well."""
    unnamed = 0
    for number in range(0, len(PHONE_ENTRIES), 97):
        words = NAMES[number].split()[-2:]
        spoken = " ".join(words)
        found = PHONE_INDEX.search(spoken, sound_key(spoken), limit=10, phones=PHONES[number])
        assert len(found) <= 10
        misheard = " ".join([*words, "zzyzx"])
        unnamed += len(PHONE_INDEX.search(misheard, sound_key(misheard), limit=10, phones=PHONES[number])) > 10
    assert unnamed


def test_a_large_index_adds_the_closest_phones_of_its_shortlist_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """A large index (two-stage search) with coarse phones also hands on, after the ``limit`` best by Dice, up to
    ``LARGE_RECALL_EXTRA`` more of its shortlist whose phones are closest to the query's, closest first; a name
    heard right (some name holds every word) gets none."""
    monkeypatch.setattr(index_module, "TWO_STAGE_MIN_ENTRIES", 0)
    limit, more = 10, 0
    for number in range(0, len(PHONE_ENTRIES), 97):
        words = NAMES[number].split()[-2:]
        misheard = " ".join([*words, "zzyzx"])
        phones = PHONES[number][1:]
        found = list(PHONE_INDEX.search(misheard, sound_key(misheard), limit=limit, phones=phones))
        head, extras = found[:limit], found[limit:]
        assert len(extras) <= index_module.LARGE_RECALL_EXTRA and not set(extras) & set(head)
        alike = [Levenshtein.normalized_similarity(phones, PHONES[entry]) for entry in extras]
        assert alike == sorted(alike, reverse=True)
        more += bool(extras)
        named = " ".join(words)
        assert len(PHONE_INDEX.search(named, sound_key(named), limit=limit, phones=PHONES[number])) <= limit
    assert more
