"""A "did you mean" whose product shares no word with what was said first says that nothing matched."""

from __future__ import annotations

import pytest

from skill.handlers.shopping_base import shares_a_word


@pytest.mark.parametrize(
    ("heard", "name", "shared"),
    [
        ("coffee beans", "French Roast Ground Coffee", True),
        ("a dozen eggs", "Large Grade AA Eggs", True),  # plural folded
        ("egg", "Large Grade AA Eggs", True),
        ("flux capacitor", "Flex Wand Lighter", False),
        ("low seven", "Lasagne", False),
        ("a of aa", "AA Batteries", False),  # one- and two-letter words tell nothing apart
    ],
)
def test_a_word_said_is_a_word_of_the_name(heard: str, name: str, shared: bool) -> None:
    assert shares_a_word(heard, name) is shared
