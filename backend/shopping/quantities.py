"""A quantity as people say it: digits ("3") or words ("three", "twenty-five", "a dozen")."""

from __future__ import annotations

from backend.number_words import number_to_words
from backend.shopping.model import MAX_QUANTITY, MIN_QUANTITY

_WORDS = {number_to_words(n): n for n in range(MIN_QUANTITY, MAX_QUANTITY + 1)}
_WORDS.update({"a": 1, "an": 1, "a couple": 2, "a couple of": 2, "couple": 2, "a dozen": 12, "dozen": 12})


# More digits than any count or list position needs; int() of a 5,000-digit string raises instead of parsing.
MAX_DIGITS = 6


def whole_number(text: str) -> int | None:
    """``text`` as a whole number if it is ASCII digits only ("²" and "٣" are digits to ``str.isdigit`` but not to
    ``int``), of sane length; else ``None``."""
    if not (text.isascii() and text.isdigit() and len(text) <= MAX_DIGITS):
        return None
    return int(text)


def parse_quantity(heard: str) -> int | None:
    """The quantity ``heard`` says, or ``None`` if it is not one or is out of range (1 to 50 of a product)."""
    text = " ".join(heard.lower().replace("-", " ").split())
    value = whole_number(text) if text[:1].isdigit() else _WORDS.get(text)
    if value is None or not MIN_QUANTITY <= value <= MAX_QUANTITY:
        return None
    return value
