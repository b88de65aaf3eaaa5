"""Packed strings: any strings survive packing and storing; a sorted pack finds exactly the strings it holds."""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.resolver.packed import PackedStrings
from backend.resolver.phonemes import Pronouncer, letters_to_phones

TEXTS = st.lists(st.text(max_size=12), max_size=60)


@settings(max_examples=80, deadline=None)
@given(TEXTS)
def test_any_strings_survive_packing_and_storing(texts: list[str]) -> None:
    packed = PackedStrings.of(texts)
    assert len(packed) == len(texts)
    assert list(packed) == texts
    assert [packed[number] for number in range(len(texts))] == texts
    with tempfile.TemporaryDirectory() as scratch:
        packed.save(Path(scratch), "texts")
        loaded = PackedStrings.load(Path(scratch), "texts")
        assert loaded == packed
        assert list(loaded) == texts


@settings(max_examples=80, deadline=None)
@given(TEXTS, st.lists(st.text(max_size=12), max_size=20))
def test_a_sorted_pack_finds_what_it_holds_and_nothing_else(texts: list[str], others: list[str]) -> None:
    ordered = sorted(texts)
    packed = PackedStrings.of(ordered)
    for text in [*texts, *others]:
        found = packed.find(text)
        if text in ordered:
            assert found == ordered.index(text)  # the first of repeats
        else:
            assert found is None


def test_out_of_range_and_inconsistent_packs_are_refused() -> None:
    packed = PackedStrings.of(["a", "bé"])
    with pytest.raises(IndexError):
        packed[2]
    with pytest.raises(ValueError, match="offsets"):
        PackedStrings(packed.data, np.array([0, 1], dtype=np.int32))


def test_the_pronouncer_reads_its_packed_dictionary() -> None:
    pronouncer = Pronouncer.from_table({"milk": "mIlk", "oat": "ot", "crème": "krEm"})
    assert [pronouncer.word(word) for word in ("oat", "milk", "crème")] == ["ot", "mIlk", "krEm"]
    assert pronouncer.word("zorbly") == letters_to_phones("zorbly")
    with pytest.raises(ValueError, match="one phone string per word"):
        Pronouncer(PackedStrings.of(["a"]), PackedStrings.of([]))
