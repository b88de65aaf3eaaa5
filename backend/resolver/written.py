"""Names as written, for exact-name matches: case, spacing and separating punctuation ignored."""

from __future__ import annotations

import string

# Punctuation that only separates words ("100%, Colombian, Coffee!"); symbols said aloud (& % +) stay.
_SEPARATORS = str.maketrans({char: " " for char in string.punctuation if char not in "&%+@#$"})


def written_form(text: str) -> str:
    """The words as written, ignoring case, spacing and separating punctuation (for exact-name matches)."""
    return " ".join(text.casefold().translate(_SEPARATORS).split())
