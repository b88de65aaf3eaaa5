"""The simulator hears yes and no the way Alexa's built-ins do: Amazon lists a few common words per intent and
trains many more, so a reply made only of yes words (or only of no words), with polite words, is the built-in;
a reply that mixes them, or says something else too, is not."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from skill.simulator.builtins import AFFIRMATIVE, MAX_PARTS, NEGATIVE, POLITE, yes_or_no


@pytest.mark.parametrize(
    ("said", "intent"),
    [
        ("yeah sure", "AMAZON.YesIntent"),
        ("okay yes please", "AMAZON.YesIntent"),
        ("sure thing thanks", "AMAZON.YesIntent"),
        ("oh yeah of course", "AMAZON.YesIntent"),
        ("nah thanks", "AMAZON.NoIntent"),
        ("no no", "AMAZON.NoIntent"),
        ("not really thank you", "AMAZON.NoIntent"),
    ],
)
def test_strung_together_yes_and_no_words_are_the_built_ins(said: str, intent: str) -> None:
    assert yes_or_no(said) == intent


@pytest.mark.parametrize(
    "said", ["yes no", "okay no", "no yes please", "thanks", "please", "yeah add milk", "sure the second one", ""]
)
def test_a_muddle_a_polite_word_alone_or_more_than_a_yes_is_neither(said: str) -> None:
    assert yes_or_no(said) is None


_words = st.sampled_from


@given(
    st.lists(_words(AFFIRMATIVE), min_size=1, max_size=2),
    st.lists(_words(NEGATIVE), min_size=1, max_size=2),
    st.lists(_words(POLITE), max_size=1),
    st.randoms(use_true_random=False),
)
def test_a_reply_with_both_a_yes_and_a_no_is_never_a_yes(
    yes: list[str], no: list[str], polite: list[str], order: object
) -> None:
    parts = [*yes, *no, *polite]
    order.shuffle(parts)  # type: ignore[attr-defined]
    assert yes_or_no(" ".join(parts)) != "AMAZON.YesIntent"


@given(st.lists(_words(AFFIRMATIVE), min_size=1, max_size=2), st.lists(_words(POLITE), max_size=MAX_PARTS - 2))
def test_yes_words_with_polite_words_are_a_yes(yes: list[str], polite: list[str]) -> None:
    assert yes_or_no(" ".join([*yes, *polite])) == "AMAZON.YesIntent"
