"""Sentences joined in one answer: what was done, then the question."""

from __future__ import annotations

from skill.handlers.shopping_base import _joined


def test_a_sentence_after_a_lead_ending_mid_sentence_goes_on_in_lower_case() -> None:
    assert _joined("For the limes,", "Did you mean 2 Limes?") == "For the limes, did you mean 2 Limes?"


def test_a_sentence_after_a_whole_sentence_keeps_its_capital() -> None:
    assert _joined("Added 1 Cilantro.", "Did you mean 2 Limes?") == "Added 1 Cilantro. Did you mean 2 Limes?"


def test_a_word_in_capitals_and_i_keep_theirs() -> None:
    assert _joined("For the soup,", "I found A, B or C. Which one?") == "For the soup, I found A, B or C. Which one?"
    assert _joined("For the tea,", "TAZO Chai?") == "For the tea, TAZO Chai?"
    assert _joined("", "Did you mean Tea?") == "Did you mean Tea?"
