"""Quantity, unit and product words, separated: "two pounds of apples" -> 2, pound, "apple".

A request names how many (a number word, "a", "a couple of", "a pair of", "a few"), sometimes a unit or pack size
("pounds", "a gallon", "a dozen", "a six pack", "three cans"), then the product. A number that
describes the product ("two percent milk", "seven grain bread") is part of its name, not a quantity:
it is followed by a word that qualifies the product, not by the product itself. Which reading is
right is finally up to the catalog, so the resolver scores the words both ways (``Amount.words`` and
the whole phrase) and keeps the quantity only when the product words won.

Everything works on spoken forms (``backend.spoken.spoken_form``), so "2 lbs", "two pounds" and
"2 pound" are the same request.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Final

from backend.number_words import ONES, TENS, number_to_words
from backend.spoken import spoken_form, without_carrier

# Words a request starts with before the amount ("please add", "i need", "can i get").
_REQUEST_WORDS: Final = frozenset(
    [
        "please",
        "okay",
        "ok",
        "alexa",
        "um",
        "uh",
        "also",
        "add",
        "put",
        "order",
        "buy",
        "get",
        "give",
        "me",
        "i",
        "we",
        "need",
        "want",
        "would",
        "like",
        "d",
        "ll",
        "take",
        "can",
        "could",
        "you",
        "will",
        "to",
        "my",
        "the",
        "and",
        "some",
    ]
)
_NUMBERS: Final = {word: value for value, word in enumerate(ONES) if value} | {
    word: value * 10 for value, word in enumerate(TENS) if word
}
_ARTICLES: Final = {"a": 1, "an": 1, "one": 1}
# Counts said without a number: "a couple of", "a pair of", "a few" (the article may be lost to the slot). "A few"
# is taken as 3, the number an assistant would say back to be corrected ("3 Limes, anything else?").
_COUNT_WORDS: Final = {"couple": 2, "pair": 2, "few": 3}
_COUNT_NEEDS_OF: Final = frozenset(["pair"])  # "a pair avocados" is no way to say it; "a couple lemons" is
# A number then "pack" as written, not "packs" (spoken forms fold plurals): "twelve pack", "12-pack", "6pk".
_SINGULAR_PACK: Final = re.compile(r"[a-z0-9][ -]?(?:pack|pk)\b(?!s)")
# Units of measure and containers a product is counted in; the spoken (singular) form.
MEASURES: Final = frozenset(
    [
        "pound",
        "ounce",
        "gallon",
        "quart",
        "pint",
        "liter",
        "litre",
        "kilogram",
        "kilo",
        "gram",
        "milliliter",
        "millilitre",
        "dozen",
    ]
)
# A part of a unit said before it ("half a pound", "a half gallon", "a quarter pound"): the unit is then that part,
# one of it ("half pound"), so a quantity stays a whole number.
FRACTIONS: Final = frozenset(["half", "quarter"])
CONTAINERS: Final = frozenset(
    [
        "can",
        "bottle",
        "box",
        "bag",
        "jar",
        "carton",
        "package",
        "pack",
        "packet",
        "loaf",
        "bunch",
        "case",
        "tub",
        "bar",
        "piece",
        "container",
        "head",
        "stick",
        "roll",
        "tray",
        "tin",
        "punnet",
        "multipack",
        "jug",
        "bucket",
        "cup",
        "pouch",
        "sleeve",
        "crate",
        "basket",
        "block",
        "wedge",
        "slice",
    ]
)
UNITS: Final = MEASURES | CONTAINERS
# After a number, these describe the product: the number belongs to its name ("two percent milk", "seven grain
# bread", "24 hour deodorant"). The words that follow numbers most in the catalog's names, less units and pack
# sizes; in spoken form, as the heard words are ("calories" -> "calory").
_NAME_AFTER_NUMBER: Final = frozenset(
    spoken_form(word)
    for word in (
        "percent",
        "grain",
        "bean",
        "cheese",
        "layer",
        "ply",
        "inch",
        "calorie",
        "minute",
        "step",
        "hour",
        "spice",
        "sheet",
        "seed",
        "blade",
        "watt",
        "month",
        "year",
    )
)


@dataclass(frozen=True, slots=True)
class Amount:
    """What a request said about how much, and the words left for the product.

    ``quantity`` is how many (``None`` when none was said), ``unit`` what was counted ("pound", "can",
    "dozen", "six pack", "half pound"; ``None`` for the products themselves), ``words`` the product words (spoken
    form). What the unit means for a product (a pack size its name states, one sold by the piece) is decided
    where the product is known: ``backend.shopping.measures``.
    """

    quantity: int | None
    unit: str | None
    words: str


def _number_at(words: list[str], at: int) -> tuple[int, int] | None:
    """The number spelled at ``words[at:]`` ("twenty four", "six", "a") and how many words it took."""
    if at >= len(words):
        return None
    word = words[at]
    counted = _count_words_at(words, at + 1 if word in {"a", "an"} else at)
    if counted is not None:
        value, used = counted
        return value, used + (1 if word in {"a", "an"} else 0)
    if word in _ARTICLES and words[at + 1 : at + 2] != ["hundred"]:
        return _ARTICLES[word], 1
    if word in _ARTICLES:
        word = "one"
    if word not in _NUMBERS:
        return None
    value = _NUMBERS[word]
    if value < 10 and words[at + 1 : at + 2] == ["hundred"]:  # "two hundred", "one hundred and fifty"
        after = at + 3 if words[at + 2 : at + 3] == ["and"] else at + 2
        rest = _number_at(words, after) if words[after : after + 1] not in (["a"], ["an"]) else None
        if rest is not None and rest[0] < 100:
            return value * 100 + rest[0], after - at + rest[1]
        return value * 100, 2
    if value >= 20 and value % 10 == 0 and at + 1 < len(words) and _NUMBERS.get(words[at + 1], 10) < 10:
        return value + _NUMBERS[words[at + 1]], 2
    return value, 1


def _count_words_at(words: list[str], at: int) -> tuple[int, int] | None:
    """A count said in words at ``words[at:]`` ("couple of", "pair of", "few"), with the words it took; ``None``
    when none is there, or nothing follows it (then it may be the product's own word)."""
    word = words[at] if at < len(words) else ""
    if word not in _COUNT_WORDS:
        return None
    used = 2 if words[at + 1 : at + 2] == ["of"] else 1
    if (word in _COUNT_NEEDS_OF and used == 1) or at + used >= len(words):
        return None
    return _COUNT_WORDS[word], used


def parse_amount(text: str) -> Amount:
    """Separate quantity, unit and product words. Never loses a product word: with nothing to separate,
    ``words`` is the whole phrase (without the request words it starts with)."""
    heard = without_carrier(spoken_form(text)).split()
    start = 0
    while start < len(heard) - 1 and heard[start] in _REQUEST_WORDS:
        start += 1
    words = heard[start:]
    part = _fraction_at(words, 0)
    if part is not None:  # "half a dozen eggs", "a half gallon of milk", "quarter pound of ham"
        unit, used = part
        return _product(1, unit, words[used:], words)
    number = _number_at(words, 0)
    if number is None and _more_of_a_unit(words):
        words = words[1:]  # "more cans of soup" (the quantity slot took the "two" of "two more cans")
    if number is None and len(words) > 4 and words[0] in MEASURES and _and_a_half_at(words, 1):
        return _mixed(1, words[0], words[1 + _and_a_half_at(words, 1) :], words)  # "pound and a half of beef"
    if number is None:
        # A unit with no number ("dozen eggs", "pound of apples", as a slot may carry it): one of that unit.
        if len(words) > 1 and (words[0] == "dozen" or (words[0] in UNITS and words[1] == "of")):
            return _product(1, words[0], words[1:], words)
        # No amount: the words stay as heard ("and" or "to" may be the start of a misheard name).
        return Amount(None, None, " ".join(heard))
    quantity, used = number
    rest = words[used:]
    if len(rest) > 1 and rest[0] == _MORE:
        rest = rest[1:]  # "two more cans of soup", "one more banana": more of what is counted
    if not rest:
        return Amount(None, None, " ".join(words))
    if rest[0] in _NAME_AFTER_NUMBER:
        return Amount(None, None, " ".join(words))
    half = _and_a_half_at(rest, 0)
    if half and rest[half : half + 1] and rest[half] in MEASURES:  # "one and a half pounds of ground beef"
        return _mixed(quantity, rest[half], rest[half + 1 :], words)
    half = _and_a_half_at(rest, 1)
    if half and rest[0] in MEASURES:  # "a pound and a half of ground beef", "two dozen and a half eggs"
        return _mixed(quantity, rest[0], rest[1 + half :], words)
    sized = _sized_at(rest, words[0] in _ARTICLES)
    if sized is not None:  # "a twelve ounce bottle of juice", "two five pound bags of rice", "a two liter of cola"
        unit, taken = sized
        return _product(quantity, unit, rest[taken:], words)
    if rest[0] in MEASURES and rest[0] != "dozen" and rest[1:2] and rest[1] in CONTAINERS:
        # "twelve ounce can of soda": the number is the container's size, and one container is asked for
        return _product(1, f"{' '.join(words[:used])} {rest[0]} {rest[1]}", rest[2:], words)
    # "a six pack of beer", "two twelve packs of soda": a number then "pack" is a pack size.
    size = _number_at(rest, 0)
    if size is not None and rest[0] not in _ARTICLES and rest[size[1] : size[1] + 1] == ["pack"]:
        unit = f"{' '.join(rest[: size[1]])} pack"
        return _product(quantity, unit, rest[size[1] + 1 :], words)
    if rest[0] == "pack" and quantity > 1 and words[0] not in _ARTICLES and _SINGULAR_PACK.search(text.lower()):
        # "twelve pack of sparkling water" (the slot took the "a"): a count says "packs", a pack size "pack"
        return _product(1, f"{' '.join(words[:used])} pack", rest[1:], words)
    part = _fraction_at(rest, 0) if rest[0] not in _ARTICLES else None
    if part is not None:  # "two half gallons of milk"
        return _product(quantity, part[0], rest[part[1] :], words)
    if rest[0] == "dozen":
        return _product(quantity, "dozen", rest[1:], words)
    if rest[0] in UNITS:
        return _product(quantity, rest[0], rest[1:], words)
    return Amount(quantity, None, " ".join(rest))


_MORE: Final = "more"
MIXED: Final = " and a half "  # in a unit, a whole number and a half of a measure: "one and a half pound"


def _and_a_half_at(words: list[str], at: int) -> int:
    """How many words "and a half" ("and half") takes at ``words[at:]``; 0 when it is not there."""
    if words[at : at + 3] == ["and", "a", "half"]:
        return 3
    return 2 if words[at : at + 2] == ["and", "half"] else 0


def _mixed(quantity: int, measure: str, rest: list[str], words: list[str]) -> Amount:
    """A whole number and a half of a measure, as one of a unit that says both ("one and a half pound"), so a
    quantity stays a whole number; the line says it back as said ("one and a half pounds of ...")."""
    return _product(1, f"{number_to_words(quantity)}{MIXED}{measure}", rest, words)


def _sized_at(rest: list[str], counted_by_article: bool) -> tuple[str, int] | None:
    """A container's size after the count ("twelve ounce bottle", "five pound bag"), or after "a" a measure that
    names a container by its size ("a two liter of cola"), as one unit, with the words it took."""
    size = _number_at(rest, 0)
    if size is None or rest[0] in _ARTICLES or rest[0] in _COUNT_WORDS:
        return None
    at = size[1]
    measure = rest[at] if at < len(rest) else ""
    if measure not in MEASURES or measure == "dozen":
        return None
    number = " ".join(rest[:at])
    if rest[at + 1 : at + 2] and rest[at + 1] in CONTAINERS:
        return f"{number} {measure} {rest[at + 1]}", at + 2
    if counted_by_article and rest[at + 1 : at + 2] == ["of"]:
        return f"{number} {measure}", at + 1
    return None


def _more_of_a_unit(words: list[str]) -> bool:
    """ "more cans of ...", "more pounds of ...": "more" before a unit is no product word (a name may start with it:
    "More Flavors Dog Treats", so only before a unit)."""
    return len(words) > 2 and words[0] == _MORE and (words[1] == "dozen" or (words[1] in UNITS and words[2] == "of"))


def _fraction_at(words: list[str], at: int) -> tuple[str, int] | None:
    """A part of a measure at ``words[at:]`` ("half a pound", "a half gallon", "half dozen", "a quarter pound")
    as one unit ("half pound"), with the words it took; ``None`` when there is none."""
    start = at + 1 if words[at : at + 1] in (["a"], ["an"]) else at
    part = words[start] if start < len(words) else ""
    if part not in FRACTIONS:
        return None
    after = start + 2 if words[start + 1 : start + 2] in (["a"], ["an"]) else start + 1
    unit = words[after] if after < len(words) else ""
    if unit not in MEASURES or (part == "quarter" and unit == "dozen"):
        return None
    return f"{part} {unit}", after + 1 - at


def _product(quantity: int, unit: str | None, rest: list[str], words: list[str]) -> Amount:
    if rest and rest[0] == "of":
        rest = rest[1:]
    if not rest:  # "two pounds": no product words, so the unit may be the product ("a can", "a six pack")
        return Amount(None, None, " ".join(words))
    return Amount(quantity, unit, " ".join(rest))


def name_with_number(quantity: str, words: str) -> str | None:
    """The product words with the number taken for a quantity put back, when it starts the name instead.

    A recogniser that fills a quantity slot takes "two" off "two percent milk" (quantity 2, product "percent
    milk"); a word that after a number describes the product ("percent", "grain") says the number was the
    name's. ``None`` when it was a quantity ("two" + "bananas").
    """
    number = spoken_form(quantity).split()
    product = spoken_form(words).split()
    if len(product) < 2 or product[0] not in _NAME_AFTER_NUMBER:  # "two cheese" are two cheeses
        return None
    parsed = _number_at(number, 0)
    if parsed is None or parsed[1] != len(number) or number[0] in {"a", "an"}:
        return None
    return " ".join((*number, *product))


# What a unit said says about the product: a weight is never poured, a volume never weighed out of a solid, a dozen
# never poured (a carton of egg whites is no dozen), a can never holds fresh food. Where the catalog keeps drinks and
# other liquids, and solids; in the aisles' own (spoken) names.
LIQUID_AISLES: Final = frozenset(
    [
        "milk",
        "cream",
        "soy lactosefree",
        "juice nectars",
        "refrigerated",
        "water seltzer sparkling water",
        "soft drinks",
        "energy sports drinks",
        "beers coolers",
        "red wines",
        "white wines",
        "specialty wines champagnes",
        "spirits",
        "oils vinegars",
        "soup broth bouillon",
        "frozen juice",
    ]
)
# ... of which these are sold by the can or bottle, so counted: "a dozen beers", "a six pack of cola".
COUNTED_LIQUID_AISLES: Final = frozenset(
    [
        "water seltzer sparkling water",
        "soft drinks",
        "energy sports drinks",
        "beers coolers",
        "red wines",
        "white wines",
        "specialty wines champagnes",
        "spirits",
        # sold by the bottle, box, can or cup: "a six pack of kombucha", "a dozen" juice boxes, soups
        "juice nectars",
        "refrigerated",
        "soup broth bouillon",
    ]
)
SOLID_AISLES: Final = frozenset(
    [
        "fresh fruits",
        "fresh vegetables",
        "packaged vegetables fruits",
        "fresh herbs",
        "packaged produce",
        "meat counter",
        "packaged meat",
        "poultry counter",
        "packaged poultry",
        "seafood counter",
        "packaged seafood",
        "frozen meat seafood",
        "lunch meat",
        "hot dogs bacon sausage",
        "bread",
        "buns rolls",
        "breakfast bakery",
        "eggs",
        "packaged cheese",
        "specialty cheeses",
        "butter",
        "tofu meat alternatives",
    ]
)
PRODUCE_AISLES: Final = frozenset(
    ["fresh fruits", "fresh vegetables", "packaged vegetables fruits", "packaged produce"]
)
BERRY_MEASURES: Final = frozenset(["pint", "half pint", "quart"])  # berries and cherry tomatoes come in pints
# Fresh food, baked goods and dairy cases: nothing there comes in a can or tin.
NEVER_CANNED_AISLES: Final = frozenset(
    [
        *(aisle for aisle in SOLID_AISLES if aisle not in ("packaged seafood", "packaged meat", "frozen meat seafood")),
        "bakery desserts",
        "milk",
        "yogurt",
        "other creams cheeses",
    ]
)
WEIGHT_MEASURES: Final = frozenset(["pound", "kilogram", "kilo", "gram"])
# An ounce weighs a solid and, as a fluid ounce, measures a drink ("a twelve ounce bottle of juice"): it fits either.
EITHER_MEASURES: Final = frozenset(["ounce"])
VOLUME_MEASURES: Final = frozenset(["gallon", "quart", "pint", "liter", "litre", "milliliter", "millilitre"])
# What a product's name says of its form beats where it is shelved: bouillon "Cubes", a creamer "Powder" and a drink
# "Mix" are not poured though their aisles hold liquids; "Liquid Gels" and "Liquid Capsules" are pills, not
# liquids; "Lemon Juice" shelved with produce is poured. In spoken form.
LIQUID_WORDS: Final = frozenset(["liquid"])
DRY_FORM_WORDS: Final = frozenset(
    spoken_form(word)
    for word in (
        "powder",
        "powdered",
        "cubes",
        "granules",
        "granulated",
        "tablets",
        "capsules",
        "caplets",
        "softgels",
        "gelcaps",
        "chews",
        "paste",
        "base",
        "slices",
        "sticks",
    )
)
# After "liquid", these say it is a pill filled with one ("Pain Reliever Liquid Gels").
PILL_AFTER_LIQUID: Final = frozenset(["gel", "cap", "filled"])
# "... Mix" is dry (soup, gravy, cocoa, drink mixes) but where mixers are shelved with the drinks they go into
# (a margarita mix).
MIX_WORD: Final = "mix"
POURED_MIX_AISLES: Final = frozenset(["frozen juice", "spirits", "beers coolers", "soft drinks", "juice nectars"])
# A name headed by these (its last word before a comma, "with", "in" or "for") is poured ("Organic Lemon Juice",
# "Beef Bone Broth", "Sheep Milk Plain Kefir"), wherever it is shelved; "Mixed Fruit in 100% Juice" is fruit.
LIQUID_HEADS: Final = frozenset(
    spoken_form(word)
    for word in (
        "juice",
        "water",
        "broth",
        "stock",
        "milk",
        "kefir",
        "drink",
        "beverage",
        "soda",
        "smoothie",
        "vinegar",
        "oil",
        "lemonade",
        "kombucha",
        "creamer",
    )
)
# Such a head that the word before it makes a solid ("Nonfat Dry Milk", "Baking Soda"; "Dry Oil" stays poured).
DRY_LIQUID_HEADS: Final = frozenset(spoken_form(words) for words in ("dry milk", "baking soda", "washing soda"))
# ... and by these, thick: sold by the jar's weight and by volume alike ("a pint of" cheese sauce, "a pound of"
# pasta sauce), so neither a weight nor a volume counts against them.
THICK_HEADS: Final = frozenset(spoken_form(word) for word in ("sauce", "dressing", "syrup", "dip", "salsa"))
# A "Stick" that is no form ("No-Stick Cooking Spray"): the word before it.
_NOT_A_FORM_BEFORE: Final = frozenset(["no", "non"])
_HEAD_END: Final = re.compile(r",| with | in | for ")
_CANS: Final = frozenset(["can", "tin"])
# A name that states a count of pieces ("Apple Juice 6 Pack", "Sparkling Water 12 Count") is sold counted.
_COUNT_WORDS_IN_NAME: Final = frozenset(["pack", "count", "ct", "multipack"])


def form_of(name: str, aisle: str) -> str | None:
    """What the product's ``name`` says of its form: ``"liquid"`` (poured), ``"dry"`` (a powder, cubes, pills, a
    dry mix, slices or sticks), ``"thick"`` (a sauce, weighed or measured), or ``None`` when it says nothing and the
    aisle decides. Words of form beat the head noun ("Chicken Bouillon Cubes" in soup and broth, "Powder Coffee
    Creamer")."""
    words = spoken_form(name).split()
    if any(
        word in DRY_FORM_WORDS and not (at > 0 and words[at - 1] in _NOT_A_FORM_BEFORE) for at, word in enumerate(words)
    ):
        return "dry"
    for at, word in enumerate(words):
        if word in LIQUID_WORDS:
            after = words[at + 1 : at + 3]
            if after[:1] and (after[0] in PILL_AFTER_LIQUID or after in (["soft", "gel"], [after[0], "cap"])):
                return "dry"  # "Liquid Gels", "Liquid Soft Gels", "Liquid Phyto-Caps", "Liquid V Caps": a pill
            return "liquid"
    if MIX_WORD in words and aisle.lower() not in POURED_MIX_AISLES:
        return "dry"
    head = spoken_form(_HEAD_END.split(f" {name.casefold()} ", maxsplit=1)[0]).split()
    if head and head[-1] in LIQUID_HEADS:
        return "dry" if " ".join(head[-2:]) in DRY_LIQUID_HEADS else "liquid"
    if head and head[-1] in THICK_HEADS:
        return "thick"
    return None


def unit_fits(unit: str, name: str, aisle: str) -> bool:
    """The product (its ``name`` and ``aisle``) can be sold in the ``unit`` said (``Amount.unit``, spoken form:
    "pound", "half gallon", "dozen", "six pack", "can"), as far as what it is tells: no weight of a liquid ("a pound
    of milk"), no volume of a solid but the pints berries come in ("a gallon of bananas"), no count of pieces of a
    liquid sold by the carton or jug ("a dozen" liquid egg whites, "a six pack of" oil; drinks sold by the can or
    bottle are counted, and so is a name that counts its containers, "Chocolate Milk Cartons", or states a count,
    "Apple Juice 6 Pack"), and no can of fresh food ("a can of" eggs). What the name says of its form (``form_of``)
    beats the aisle: "two pounds of" bouillon cubes fit. An ounce (weight or fluid) fits either; a unit this says
    nothing about (a bag, a box, a bunch) fits."""
    words = unit.split()
    if not words:
        return True
    measure = words[-1]
    aisle = aisle.lower()
    form = form_of(name, aisle)
    liquid = form == "liquid" or (form is None and aisle in LIQUID_AISLES)
    solid = form == "dry" or (form is None and aisle in SOLID_AISLES)
    if measure in WEIGHT_MEASURES:
        return not liquid
    if measure in VOLUME_MEASURES:
        return liquid or not solid or (aisle in PRODUCE_AISLES and unit in BERRY_MEASURES)
    if measure == "dozen" or (measure == "pack" and len(words) > 1):
        # Counted unless sold by the carton or jug: a drink its head names outside the liquids' aisles ("Probiotic
        # Drink" with the yogurts) comes by the bottle, so only the name's "liquid" or the aisle tells a carton.
        carton = form != "dry" and (aisle in LIQUID_AISLES or not LIQUID_WORDS.isdisjoint(spoken_form(name).split()))
        return not (carton and liquid) or aisle in COUNTED_LIQUID_AISLES or _counts_containers(name)
    if measure in _CANS:  # "a can", "a twelve ounce can"
        return aisle not in NEVER_CANNED_AISLES
    return True


def _counts_containers(name: str) -> bool:
    """The name counts containers: a container word in the plural ("Chocolate Milk Cartons 2%", "Juice Boxes"; in
    writing, as spoken forms fold plurals), or a count of pieces ("6 Pack", "12 Count")."""
    words = spoken_form(name).split()
    if any(word in _COUNT_WORDS_IN_NAME and at > 0 and words[at - 1] in _NUMBERS for at, word in enumerate(words)):
        return True
    return any(
        (spoken := spoken_form(word)) in CONTAINERS and spoken != word for word in re.findall(r"[a-z]+", name.lower())
    )
