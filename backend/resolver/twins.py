"""What tells products offered together apart, when their names sound alike ("Banana" / "Bananas")."""

from __future__ import annotations

from collections.abc import Sequence

from backend.catalog import Product


def _words(name: str) -> list[str]:
    return [word for word in (part.strip(",.!()'\"").casefold() for part in name.split()) if word]


def tells_apart(products: Sequence[Product]) -> list[tuple[str, ...]]:
    """For each product, the words of its name that none of the others has, in name order.

    When the names have no word of their own (one is the other's plural, or they differ only in how a
    number is written), the product's brand, size, or else its aisle is what a customer can tell apart.
    A single product needs nothing to tell it apart.
    """
    if len(products) < 2:
        return [() for _ in products]
    word_lists = [_words(product.name) for product in products]
    result: list[tuple[str, ...]] = []
    for number, product in enumerate(products):
        others = {word for other, words in enumerate(word_lists) if other != number for word in words}
        own = tuple(dict.fromkeys(word for word in word_lists[number] if word not in others))
        if not own:
            own = tuple(value for value in (product.brand, product.size) if value) or (product.aisle,)
        result.append(own)
    return result
