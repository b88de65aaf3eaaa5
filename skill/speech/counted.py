"""Product names said after a count: "3 Bananas", not "3 Banana".

A catalog names fresh produce in the singular ("Banana", "Lime", "Hass Avocado") as often as in the plural
("Organic Bananas"). Said after a count above one, a singular name of a thing one counts is heard as a slip. Which
names are counted is not guessed from a word list: the fruit and vegetables sold loose (the catalog's fresh fruit
and fresh vegetable aisles, not packaged salads, herbs or bags) are things one counts, and the plural is one the
catalog itself writes at the end of a name in those aisles ("Limes", "Organic Bananas"). Every other name is
said as it is: "2 Whole Milk", "2 Sea Salt"; so is a name whose plural is another product's name ("Lime": "Limes"
is a product of its own, so "2 Lime").
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Final

from backend.catalog import Catalog, Product
from backend.resolver import UNITS, singular
from skill.speech.names import said_name

COUNTED_AISLES: Final = frozenset({"fresh fruits", "fresh vegetables"})
_VOWELS: Final = frozenset("aeiou")


@lru_cache(maxsize=2)
def counted_names_of(catalog: Catalog) -> Mapping[str, str]:
    """``counted_names`` of a catalog, worked out once per catalog (a process holds one)."""
    return counted_names(catalog)


def counted_names(products: Iterable[Product]) -> Mapping[str, str]:
    """Said name -> the name said after a count above one ("Banana" -> "Bananas"), for the products counted."""
    everything = list(products)
    # A plural that is another product's spoken name ("Lime" -> "Limes", a product of its own) would say that
    # product: the name is said as it is.
    spoken = frozenset(said_name(product.name).casefold() for product in everything)
    products = [product for product in everything if product.aisle.casefold() in COUNTED_AISLES]
    endings = frozenset(
        last
        for product in products
        if (words := product.name.split()) and (last := words[-1].casefold()).isalpha() and singular(last) != last
    )
    counted: dict[str, str] = {}
    for product in products:
        if "," in product.name:
            continue
        name = said_name(product.name)
        if any(singular(word) != word for word in name.casefold().split()[:-1]):
            continue  # "Seedless Grapes Green": the thing counted is not the last word
        plural = _plural_name(name, endings)
        if plural is not None and plural.casefold() not in spoken:
            counted[name] = plural
    return counted


def _plural_name(name: str, endings: frozenset[str]) -> str | None:
    head, _, last = name.rpartition(" ")
    folded = last.casefold()
    if len(folded) < 3 or not folded.isalpha() or singular(folded) != folded or folded in UNITS:
        return None
    for plural in _plurals(last):
        if plural.casefold() in endings:
            return f"{head} {plural}" if head else plural
    return None


def _plurals(word: str) -> list[str]:
    folded = word.casefold()
    if folded.endswith("y") and folded[-2:-1] not in _VOWELS:
        return [f"{word[:-1]}ies"]
    if folded.endswith(("o", "ch", "sh", "x")):
        return [f"{word}es", f"{word}s"]
    return [f"{word}s"]


@lru_cache(maxsize=2)
def single_names_of(catalog: Catalog) -> Mapping[str, str]:
    """``single_names`` of a catalog, worked out once per catalog (a process holds one)."""
    return single_names(catalog)


def single_names(products: Iterable[Product]) -> Mapping[str, str]:
    """Said name -> the name said after a count of one, for the products whose own name is a plural ("1 Limes",
    "1 Grade AA Large White Eggs" are no English). The value is empty: the name is said whole, as one pack of it
    ("1 pack of Limes", "1 pack of Organic Blueberries", "1 pack of ... Eggs"). Never its singular: the catalog
    does not say what is sold by the piece, and "1 Organic Blueberry", "1 Collard Green" or "1 Large Brown Egg" is
    one piece of a pint, a bunch or a carton, or another product's name ("1 Lime"). A name whose plural follows
    "of" agrees with its count as it is ("1 Bag of Gala Apples") and is left out."""
    single: dict[str, str] = {}
    for product in products:
        name = said_name(product.name)
        head, _, last = name.rpartition(" ")
        folded = last.casefold()
        if len(folded) < 3 or not folded.isalpha() or folded in UNITS or (one := singular(folded)) == folded:
            continue
        if singular(one) != one or one in UNITS:
            continue  # "Grits" -> "grit": no plural of a word a count would agree with
        if " of " in f" {head.casefold()} ":
            continue  # "1 Bag of Gala Apples": the count is of the bag
        single[name] = ""
    return single
