"""Pronunciations: CMUdict first, letter-to-sound rules for other words, coarse classes for similar sounds."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from rapidfuzz.distance import Levenshtein

from backend.resolver.phonemes import (
    PHONE_CHARS,
    Pronouncer,
    coarse,
    default_pronouncer,
    dictionary_phones,
    letters_to_phones,
    phone_similarities,
    suffix_similarities,
)

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


PHONES = st.text(alphabet="".join(PHONE_CHARS.values()), max_size=30)


def test_the_end_of_a_name_matches_a_query_of_its_last_words() -> None:
    names = [PRONOUNCER.phrase(name) for name in ("organic red lentil", "lentil soup mix", "soup")]
    scores = suffix_similarities(PRONOUNCER.phrase("red lentil"), names)
    assert scores[0] == 1.0  # the name ends with exactly these sounds
    assert scores[0] > scores[1]  # the same words, but not where the name ends
    assert scores[2] < 0.5  # a short name leaves the query's sounds unexplained


def test_a_similar_sound_costs_less_than_another_one() -> None:
    pea, bee, see = (PRONOUNCER.phrase(word) for word in ("pea", "bee", "see"))
    by_pea = suffix_similarities(pea, [bee, see])
    assert 0.0 < by_pea[1] < by_pea[0] < 1.0


@given(PHONES, st.lists(PHONES, max_size=5))
def test_suffix_similarities_are_shares_and_a_name_ending_in_the_query_scores_one(query: str, names: list[str]) -> None:
    scores = suffix_similarities(query, [*names, f"{names[0] if names else ''}{query}"])
    assert scores.shape == (len(names) + 1,)
    assert ((scores >= 0.0) & (scores <= 1.0)).all()
    if query:
        assert scores[-1] == 1.0


def test_a_whole_name_heard_with_similar_sounds_aligns_better_than_one_with_others() -> None:
    pita = PRONOUNCER.phrase("pita bread")
    # "b" for "p" is a voicing pair, "e" for "i" a front vowel: cheap; a made-up consonant is a full edit.
    assert (
        phone_similarities(PRONOUNCER.phrase("beta bread"), [pita])[0]
        > phone_similarities(PRONOUNCER.phrase("sita bread"), [pita])[0]
    )
    # A lost weak vowel costs less than a lost consonant.
    assert (
        phone_similarities(PRONOUNCER.phrase("pta bread"), [pita])[0]
        > phone_similarities(PRONOUNCER.phrase("pia bread"), [pita])[0]
    )
    # The whole name counts, not its end: a query of its last word explains only part of it.
    by_bread = phone_similarities(PRONOUNCER.phrase("bread"), [pita, PRONOUNCER.phrase("bread")])
    assert by_bread[0] < 0.7 < by_bread[1] == 1.0


@given(PHONES, st.lists(PHONES, max_size=5))
def test_phone_similarities_are_shares_and_the_same_phones_score_one(query: str, names: list[str]) -> None:
    scores = phone_similarities(query, [*names, query])
    assert scores.shape == (len(names) + 1,)
    assert ((scores >= 0.0) & (scores <= 1.0)).all()
    if query:
        assert scores[-1] == 1.0
        # Nothing is explained by an empty name, and a longer name holding the query is not the query.
        assert phone_similarities(query, [""])[0] < 1e-9
        assert phone_similarities(query, [query + "mIlk"])[0] < 1.0
