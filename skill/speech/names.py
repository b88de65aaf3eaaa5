"""Product names as a person says them.

Catalogs often write a name kind first, for sorting: "Cheese, Mozzarella", "Mustard, Dijon", "Bagel Chips,
Everything". Read aloud as written, that is a list ("cheese... mozzarella"), not a name; a person says
"Mozzarella Cheese". ``said_name`` turns such a name around, and leaves every other name as written: only a short
kind and a few short descriptions, no numbers (a size or a vintage after a comma is no description, and a longer
name is not reordered on a guess).
"""

from __future__ import annotations

import re
from functools import lru_cache
from typing import Final

from backend.resolver import UNITS, singular

MAX_KIND_WORDS: Final = 3  # "Cheese", "Bagel Chips", "Refried Black Beans"
MAX_DESCRIPTION_WORDS: Final = 4  # "Dijon", "Mint Chocolate Chip"
MAX_DESCRIPTIONS: Final = 3  # "Olives, Organic, Kalamata, Pitted"
# A description that begins with one of these goes after the kind, as said: "Refried Beans with Jalapenos".
_GOES_AFTER: Final = frozenset(
    {"with", "without", "in", "for", "and", "or", "by", "from", "made", "no", "plus", "on", "of", "&", "w/"}
)
_DIGIT: Final = re.compile(r"\d")


@lru_cache(maxsize=8192)
def said_name(name: str) -> str:
    """ "Cheese, Mozzarella" -> "Mozzarella Cheese"; "Rice, Jasmine, Organic Brown" -> "Organic Brown Jasmine Rice"
    (the most particular first, as said); "Refried Beans, with Jalapenos" -> "Refried Beans with Jalapenos";
    "Triphala, Vegetarian Capsules" -> "Triphala Vegetarian Capsules" (a description ending in a plural is itself
    the kind of thing); any other name unchanged."""
    kind, *descriptions = (part.strip() for part in name.split(","))
    if not descriptions or not kind or not all(descriptions) or _DIGIT.search(name):
        return name
    if len(kind.split()) > MAX_KIND_WORDS or len(descriptions) > MAX_DESCRIPTIONS:
        return name
    if any(len(description.split()) > MAX_DESCRIPTION_WORDS for description in descriptions):
        return name
    if any(singular(description.split()[-1].casefold()) in UNITS for description in descriptions):
        return name  # "Organic Gala Apples, Bag": what it comes in, said after the name
    head = kind.split()[-1].casefold()
    if any(head in description.casefold().split() for description in descriptions):
        return name  # "Cheese, Whole Milk Cheese, Cremoso": turned around, the kind would be said twice
    if len(descriptions) == 1 and _goes_after(descriptions[0]):
        return f"{kind} {descriptions[0]}"
    if any(_goes_after(description) for description in descriptions):
        return name  # "Yogurt, Greek, with Honey": no order a person would say is certain
    return " ".join([*reversed(descriptions), kind])


def _goes_after(description: str) -> bool:
    words = description.split()
    return words[0].lower() in _GOES_AFTER or _is_plural(words[-1])


def _is_plural(word: str) -> bool:
    folded = word.lower()
    return folded.isalpha() and singular(folded) != folded
