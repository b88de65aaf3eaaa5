"""What tells products offered together apart, when their names sound alike ("Banana" / "Bananas")."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from backend.catalog import Product
from backend.spoken import singular, spoken_form


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


def last_word_plural(written: str, spoken: str) -> bool | None:
    """Whether the word of ``written`` (a name in ``written_form``) that the spoken form's last word comes from is a
    plural (None: not found)."""
    last = spoken.rsplit(" ", 1)[-1]
    for word in reversed(written.split()):
        if singular(word) == last:
            return word != last
    return None


def heard_number_first(
    positions: Sequence[int],
    *,
    spoken_of: Callable[[int], str],
    plural: Callable[[int], bool | None],
    heard: bool | None,
) -> list[int]:
    """``positions`` in their order, except that names of one spoken form ("Peanut Butter Bar" / "... Bars") trade
    places so that the one whose last word agrees in number with the heard words (``heard``: plural or not, ``None``
    when unknown) takes the first place any of them holds. Spoken forms are singular, but a recogniser mostly
    hears the "s": it is the one thing that tells such twins apart by voice, whatever else put them in this order.
    """
    if heard is None:
        return list(positions)
    groups: dict[str, list[int]] = {}
    for position in positions:
        groups.setdefault(spoken_of(position), []).append(position)
    ordered = {form: sorted(group, key=lambda p: plural(p) is not heard) for form, group in groups.items()}
    taken = {form: 0 for form in groups}
    result: list[int] = []
    for position in positions:
        form = spoken_of(position)
        result.append(ordered[form][taken[form]])
        taken[form] += 1
    return result


def _said(name: str) -> str:
    """A name as it sounds: its spoken form with the spaces gone ("Honey Crisp Apples" / "Honeycrisp Apple")."""
    return spoken_form(name).replace(" ", "")


@dataclass(frozen=True, slots=True)
class Option:
    """A product offered in a choice, and, when another option sounds the same, what tells it apart by voice:
    its ``brand``, ``size`` or ``aisle`` (the first of them that differs; ``None`` when no option sounds like it)."""

    product: Product
    brand: str | None = None
    size: str | None = None
    aisle: str | None = None


def spoken_options(products: Sequence[Product]) -> list[Option]:
    """The products to offer as options, in order: identical and spoken-identical names that nothing a customer
    could hear tells apart (the same brand, size and aisle: "Banana" / "Bananas" in fresh fruits) are one option,
    the first of them; spoken-identical names that differ in brand, size or aisle are each offered with it.

    Counting what is left tells whether there is a choice at all: one option is a question about it, never a
    "which one?".
    """
    kept: list[Product] = []
    for product in products:
        same = (
            other
            for other in kept
            if _said(other.name) == _said(product.name)
            and (other.brand, other.size, other.aisle) == (product.brand, product.size, product.aisle)
        )
        if next(same, None) is None:
            kept.append(product)
    options: list[Option] = []
    for product in kept:
        twins = [other for other in kept if other is not product and _said(other.name) == _said(product.name)]
        if not twins:
            options.append(Option(product))
        elif any(other.brand != product.brand for other in twins) and product.brand:
            options.append(Option(product, brand=product.brand))
        elif any(other.size != product.size for other in twins) and product.size:
            options.append(Option(product, size=product.size))
        else:
            options.append(Option(product, aisle=product.aisle))
    return options
