"""Pronunciations: CMUdict first, letter-to-sound rules for other words, coarse classes for similar sounds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from backend.resolver.phonemes import Pronouncer, coarse, default_pronouncer, dictionary_phones, letters_to_phones

PRONOUNCER = default_pronouncer()


def test_dictionary_words_get_the_dictionary_pronunciation() -> None:
    table = dictionary_phones([("milk", ["M", "IH1", "L", "K"]), ("milk", ["M", "EH1", "L", "K"])])
    assert table == {"milk": "mIlk"}  # the first pronunciation, stress dropped
    assert PRONOUNCER.word("milk") == "mIlk"
    assert len(PRONOUNCER) > 100_000


def test_words_the_dictionary_lacks_are_pronounced_from_their_letters() -> None:
    small = Pronouncer.from_table({"milk": "mIlk"})
    assert small.word("milk") == "mIlk"
    assert small.word("zorbly") == letters_to_phones("zorbly") != ""
    assert letters_to_phones("chip") == "CIp"
    assert letters_to_phones("lime") == "lIm"  # silent final e


@given(st.text(alphabet="abcdefghijklmnopqrstuvwxyz", min_size=1, max_size=20))
def test_every_word_of_letters_has_a_pronunciation(word: str) -> None:
    assert PRONOUNCER.word(word)
    # No word boundaries are heard: a phrase is its words' phones joined (repeats collapsed).
    assert PRONOUNCER.phrase(f"{word} milk").endswith("mIlk")


def test_similar_sounds_cost_less_than_different_ones() -> None:
    pea, bee, see = (PRONOUNCER.phrase(word) for word in ("pea", "bee", "see"))
    assert coarse(pea) == coarse(bee)  # a voicing pair is one class
    assert coarse(pea) != coarse(see)
    fine = Levenshtein.normalized_similarity

    def mixed(a: str, b: str) -> float:
        return (fine(a, b) + fine(coarse(a), coarse(b))) / 2

    assert mixed(pea, bee) > mixed(pea, see)
