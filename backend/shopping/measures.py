"""What a unit said means for the product found: the cart line's quantity and unit, or a reason to ask.

The catalog states no unit of sale; a name sometimes states a pack size ("Kiwi 2 Lbs", "Lemon-Lime 12 Pack Soda",
"Half Dozen Grade A White Eggs Large", "2% Milk Gallon"). A shopper who says how much expects exactly that, so:

- a pack size the name states in the unit said turns the amount into packs: "four pounds of kiwi" is 2 of
  "Kiwi 2 Lbs", "a dozen eggs" 2 of a half-dozen pack. An amount that is no whole number of packs is a question.
- a count of pieces ("a dozen", "a six pack", "half a dozen") of produce, sold by the piece, is that many pieces:
  "a dozen bananas" is 12 Bananas. Of anything else (eggs, bagels, beer) the line keeps the unit: a carton of
  eggs is sold as "a dozen", and a line of 12 cartons would be a silent wrong quantity.
- a measure ("two pounds", "a gallon", "half a pound") stays on the line as said: the product is weighed or
  poured to it. A unit the product cannot be sold in (``backend.resolver.amounts.unit_fits``: a weight of a drink,
  a volume of a solid, a dozen of a liquid sold by the carton, a can of fresh food: "half a pound of milk", "seven
  gallons of bananas", "a dozen" liquid egg whites) is no reading at all: a question, never a guess.
- a container ("three cans", "a bag") is one of the product each; the line keeps the word to say it back.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Final

from backend.catalog import Product
from backend.number_words import ONES, TENS, number_to_words
from backend.resolver.amounts import CONTAINERS, MIXED, PRODUCE_AISLES, unit_fits
from backend.spoken import spoken_form

# Pieces a counting unit stands for.
COUNTS: Final = {"dozen": 12, "half dozen": 6}
# Measures, each in a base unit of its dimension (ounces of weight, fluid ounces of volume), so a pack size in
# another unit of the same dimension still counts packs ("a pound of" two "8 oz" packs).
WEIGHTS: Final = {
    "pound": 16.0,
    "half pound": 8.0,
    "quarter pound": 4.0,
    "ounce": 1.0,
    "kilo": 35.274,
    "kilogram": 35.274,
    "half kilo": 17.637,
    "gram": 0.035274,
}
VOLUMES: Final = {
    "gallon": 128.0,
    "half gallon": 64.0,
    "quarter gallon": 32.0,
    "quart": 32.0,
    "half quart": 16.0,
    "pint": 16.0,
    "half pint": 8.0,
    "liter": 33.814,
    "litre": 33.814,
    "half liter": 16.907,
    "half litre": 16.907,
    "milliliter": 0.033814,
    "millilitre": 0.033814,
}
_PACK_SLACK: Final = 0.05  # of one pack: unit conversions round ("a pound" of two "8 oz" packs is 2.0000x)
_PACK_WORDS: Final = frozenset(["pack", "count", "ct", "piece"])
_NUMBERS: Final = {word: value for value, word in enumerate(ONES) if value} | {
    word: value * 10 for value, word in enumerate(TENS) if word
}


@dataclass(frozen=True, slots=True)
class LineAmount:
    """How much of a product goes on its cart line: ``quantity`` of ``unit`` (``None``: of the product itself)."""

    quantity: int
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Unfit:
    """The unit said does not fit the product ("half a pound of milk"): ask, do not guess. ``reason`` is
    ``"measure"`` (a unit the product is not sold in: a weight of a liquid, a volume of a solid) or ``"pack"`` (no
    whole number of the packs its
    name states)."""

    reason: str
    unit: str
    proposal: int  # what to offer instead: as many of the product as were said, or the packs that hold the amount


def line_amount(quantity: int, unit: str | None, product: Product) -> LineAmount | Unfit:
    """The cart line for ``quantity`` of ``unit`` (as said) of ``product``; see the module docstring."""
    if unit is None:
        return LineAmount(quantity)
    unit = canonical_unit(unit)
    pack = pack_size(product.name)
    said = _in_base(unit)
    if pack is not None and said is not None and pack[0] == said[0]:
        packs = quantity * said[1] / pack[1]
        whole = round(packs)
        if whole >= 1 and abs(packs - whole) < _PACK_SLACK:
            return LineAmount(whole)
        return Unfit("pack", unit, max(1, math.ceil(packs - _PACK_SLACK)))
    if not unit_fits(unit, product.name, product.aisle):
        return Unfit("measure", unit, quantity)
    count = _pieces(unit)
    if count is not None and product.aisle.lower() in PRODUCE_AISLES:
        return LineAmount(quantity * count)
    return LineAmount(quantity, unit)


def canonical_unit(unit: str) -> str:
    """One spelling per unit: the singular spoken form ("Pounds" -> "pound", "lbs" -> "pound", "six packs" ->
    "six pack")."""
    return spoken_form(unit)


def pack_of(count: int) -> str:
    """The unit of one pack of ``count`` pieces, spelt as ``canonical_unit`` spells it: 12 -> "twelve pack"."""
    return f"{number_to_words(count)} pack"


def _pieces(unit: str) -> int | None:
    if unit in COUNTS:
        return COUNTS[unit]
    whole, mixed, measure = unit.partition(MIXED)
    if mixed and measure == "dozen" and (number := _number(whole.split())) is not None:
        return number * 12 + 6  # "one and a half dozen": 18
    words = unit.split()
    if len(words) >= 2 and words[-1] == "pack":
        return _number(words[:-1])
    return None


def _in_base(unit: str) -> tuple[str, float] | None:
    """``unit`` as (dimension, size in the dimension's base unit): pieces, weight (ounces) or volume (fl oz)."""
    if unit in WEIGHTS:
        return "weight", WEIGHTS[unit]
    if unit in VOLUMES:
        return "volume", VOLUMES[unit]
    whole, mixed, measure = unit.partition(MIXED)
    if mixed and measure in WEIGHTS | VOLUMES and (number := _number(whole.split())) is not None:
        return _in_measure(measure, number + 0.5)  # "one and a half pound": 24 ounces
    words = unit.split()
    if len(words) >= 2 and words[-1] in CONTAINERS and words[-2] in WEIGHTS | VOLUMES:
        words = words[:-1]  # "five pound bag" holds five pounds; "two liter": a bottle of two liters
    if len(words) >= 2 and words[-1] in WEIGHTS | VOLUMES and (number := _number(words[:-1])) is not None:
        return _in_measure(words[-1], float(number))
    pieces = _pieces(unit)
    return ("pieces", float(pieces)) if pieces is not None else None


def _in_measure(measure: str, times: float) -> tuple[str, float]:
    if measure in WEIGHTS:
        return "weight", WEIGHTS[measure] * times
    return "volume", VOLUMES[measure] * times


def pack_size(name: str) -> tuple[str, float] | None:
    """The pack size a product's name states, as (dimension, size in its base unit): "Kiwi 2 Lbs" is 32 ounces of
    weight, "Lemon-Lime 12 Pack Soda" 12 pieces, "Half Dozen ... Eggs" 6, "2% Milk Gallon" 128 fl oz. ``None``
    when the name states none (or a number that is no pack size, "2%")."""
    words = spoken_form(name).split()
    for at, word in enumerate(words):
        if word == "dozen":
            half = at > 0 and words[at - 1] == "half"
            return "pieces", 6.0 if half else 12.0
        number = _number_before(words, at)
        if word in _PACK_WORDS and number is not None:
            return "pieces", float(number)
        two = " ".join(words[at : at + 2])
        for unit in (two, word):
            if unit in WEIGHTS or unit in VOLUMES:
                dimension = "weight" if unit in WEIGHTS else "volume"
                size = (WEIGHTS | VOLUMES)[unit]
                if number is not None:
                    return dimension, size * number
                if unit == word and _states_unit_alone(words, at):
                    return dimension, size
    return None


def _states_unit_alone(words: list[str], at: int) -> bool:
    """A unit word with no number is a pack size only when it closes the name ("2% Milk Gallon"), not when it names
    the product ("Pound Cake", "Quart Size Bags")."""
    return at == len(words) - 1 and at > 0 and words[at - 1] not in _NOT_A_PACK_BEFORE


_NOT_A_PACK_BEFORE: Final = frozenset(["percent", "half", "quarter"])  # "Beef Patties, Quarter Pound": each patty


def _number_before(words: list[str], at: int) -> int | None:
    """The number said just before ``words[at]`` ("two pound", "twenty four count")."""
    if at == 0:
        return None
    if at >= 2:
        both = _number(words[at - 2 : at])
        if both is not None:
            return both
    return _number(words[at - 1 : at])


def _number(words: list[str]) -> int | None:
    if len(words) == 1:
        return _NUMBERS.get(words[0])
    if len(words) == 2 and words[0] in _NUMBERS and words[1] in _NUMBERS:
        tens, ones = _NUMBERS[words[0]], _NUMBERS[words[1]]
        return tens + ones if tens >= 20 and tens % 10 == 0 and ones < 10 else None
    return None


def in_halves(quantity: int, unit: str | None) -> tuple[str, int] | None:
    """A line of a measure weighed or poured, as (the measure, how many halves of it): 2 "pound" is ("pound", 4),
    1 "one and a half pound" ("pound", 3), 1 "half pound" ("pound", 1). ``None`` for anything else: pieces,
    containers, packs, dozens, quarters and parts of a volume ("half gallon" is a carton)."""
    if unit is None:
        return None
    whole, mixed, measure = unit.partition(MIXED)
    if mixed:
        number = _number(whole.split())
        if number is None or measure not in WEIGHTS | VOLUMES or measure.startswith(_PARTS):
            return None
        return measure, quantity * (2 * number + 1)
    if unit in WEIGHTS | VOLUMES and not unit.startswith(_PARTS):
        return unit, quantity * 2
    half = unit.removeprefix("half ")
    if half != unit and half in WEIGHTS and not half.startswith(_PARTS):
        return half, quantity  # "half pound": weighed, as a pound is (a "half gallon" is a carton)
    return None


_PARTS: Final = ("half ", "quarter ")


def from_halves(measure: str, halves: int) -> tuple[int, str]:
    """The line (quantity, unit) that holds ``halves`` halves of ``measure``: 7 of "pound" is 1 "three and a half
    pound", 6 is 3 "pound"."""
    whole, half = divmod(halves, 2)
    if not half:
        return whole, measure
    if not whole:
        return 1, f"half {measure}"
    return 1, f"{number_to_words(whole)}{MIXED}{measure}"


def mixed_measure(unit: str | None) -> str | None:
    """The measure of a whole number and a half of it ("one and a half pound": "pound"), else ``None``."""
    if unit is None:
        return None
    _, mixed, measure = unit.partition(MIXED)
    return measure if mixed and in_halves(1, unit) is not None else None
