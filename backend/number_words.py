"""English number words, shared by spoken-form normalisation, the slot-value generator and the simulator."""

from __future__ import annotations

from typing import Final

ONES: Final = (
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
)
# TENS[n] is the word for n * 10 (n >= 2); the first two places have no word of their own.
TENS: Final = ("", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety")
SCALES: Final = ((1_000_000_000, "billion"), (1_000_000, "million"), (1_000, "thousand"), (100, "hundred"))


def number_to_words(number: int) -> str:
    """Cardinal words for a non-negative integer: 42 -> "forty two", 1200 -> "one thousand two hundred"."""
    if number < 0:
        raise ValueError("negative numbers are not spoken here")
    if number < 20:
        return ONES[number]
    if number < 100:
        tens, ones = divmod(number, 10)
        return TENS[tens] + ("" if ones == 0 else " " + ONES[ones])
    for scale, word in SCALES:
        if number >= scale:
            high, rest = divmod(number, scale)
            head = f"{number_to_words(high)} {word}"
            return head if rest == 0 else f"{head} {number_to_words(rest)}"
    raise AssertionError("unreachable")  # pragma: no cover
