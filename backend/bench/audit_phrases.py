"""Generic shopping phrasings for the wrong-product audit, made from the catalog's own vocabulary.

What a customer says for something they have not named before is mostly the word for what it is: a kind
("bread", "yogurt"), a kind with the word that commonly comes before it ("peanut butter", "cat food"), or
either with an everyday qualifier ("organic milk", "low fat yogurt"). Those are learnt here from the product
names (their head nouns, ``backend.resolver.heads``) and the aisles, so the audit covers the catalog's whole
vocabulary instead of the phrasings someone thought of; a short hand-written list adds the brand-less requests
people make for household staples. No evaluation row or product is used.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Final

from backend.catalog import Catalog
from backend.number_words import ONES, TENS
from backend.resolver.amounts import MEASURES
from backend.resolver.habits import FUNCTION_WORDS
from backend.resolver.heads import head_of, heads_of, kind_shares
from backend.spoken import query_form, spoken_form

KIND_PRODUCTS: Final = 25  # a head word heading this many products is a kind people ask for by that word
KIND_SHARE: Final = 0.25  # ... when it mostly heads the names holding it (not a flavour: "vanilla")
PAIR_PRODUCTS: Final = 8  # a word before a kind, in this many names, makes a two-word kind ("peanut butter")
QUALIFIED_PRODUCTS: Final = 3  # "organic" + kind is a phrasing when this many products are both
QUALIFIED_KINDS: Final = 60  # the largest kinds get the everyday qualifiers
# Qualifiers people say of many kinds of product; "low fat" and "fat free" are one request written two ways.
QUALIFIERS: Final = (
    "organic",
    "low fat",
    "fat free",
    "gluten free",
    "sugar free",
    "unsweetened",
    "whole wheat",
    "plain",
    "vanilla",
    "chocolate",
    "strawberry",
    "frozen",
    "spicy",
    "unsalted",
)
# Head nouns that say how a product is counted or sold, not what it is ("pack", "count", "milligram").
NOT_KINDS: Final = MEASURES | frozenset(["count", "pack", "bag", "packet", "flavor", "scent", "variety", "milligram"])
# The word before a two-word kind is itself the end of a set phrase when this share of its names hold the same
# word before it ("low" before "fat yogurt", "hot" before "dog bun"): the kind is then those three words.
SET_PHRASE_SHARE: Final = 0.6
# Household staples asked for without a brand, in everyday words.
EVERYDAY: Final = (
    "dish soap",
    "dishwasher detergent",
    "laundry detergent",
    "paper towels",
    "toilet paper",
    "trash bags",
    "aluminum foil",
    "hand soap",
    "shampoo",
    "toothpaste",
    "cat food",
    "dog food",
    "cat litter",
    "baby wipes",
    "diapers",
    "ice cream",
    "orange juice",
    "apple juice",
    "sparkling water",
    "bottled water",
    "coffee",
    "ground coffee",
    "tea",
    "green tea",
    "cereal",
    "oatmeal",
    "granola",
    "peanut butter",
    "jam",
    "honey",
    "olive oil",
    "vegetable oil",
    "flour",
    "sugar",
    "brown sugar",
    "salt",
    "black pepper",
    "ketchup",
    "mustard",
    "mayonnaise",
    "salsa",
    "hummus",
    "tortilla chips",
    "potato chips",
    "crackers",
    "cookies",
    "chocolate sandwich cookies",
    "sandwich bread",
    "bagels",
    "tortillas",
    "eggs",
    "butter",
    "milk",
    "cream cheese",
    "sour cream",
    "shredded cheese",
    "sliced cheese",
    "ground beef",
    "chicken breast",
    "bacon",
    "lunch meat",
    "frozen pizza",
    "frozen vegetables",
    "bananas",
    "apples",
    "lemons",
    "avocados",
    "onions",
    "potatoes",
    "carrots",
    "tomatoes",
    "spinach",
    "lettuce",
    "garlic",
    "rice",
    "pasta",
    "spaghetti",
    "pasta sauce",
    "canned tuna",
    "tuna",
    "soup",
    "chicken soup",
    "chicken broth",
    "beans",
    "black beans",
    "wine",
    "beer",
    "soda",
    "bread",
)


@dataclass(frozen=True, slots=True)
class Phrase:
    """A phrasing and where it came from: ``kind`` (a head noun), ``pair`` (a two-word kind), ``qualified``
    (an everyday qualifier and a kind), ``aisle`` (an aisle's name) or ``everyday`` (the hand-written list)."""

    words: str
    source: str


def audit_phrases(catalog: Catalog, *, kinds: int = 150, pairs: int = 150, qualified: int = 100) -> list[Phrase]:
    """The audit's phrasings: the ``kinds`` largest kinds, ``pairs`` commonest two-word kinds, ``qualified``
    qualified kinds, the aisles named by a kind, and the everyday list; one phrasing per spoken request."""
    names = [product.name for product in catalog]
    spoken = [spoken_form(name) for name in names]
    primary = [head_of(name) for name in names]
    shares = kind_shares(spoken, [" ".join(sorted(heads_of(name))) for name in names])
    headed = Counter(primary)
    kind_words = [
        word for word, count in headed.most_common() if count >= KIND_PRODUCTS and _is_kind(word, shares) and count
    ]
    phrases = [Phrase(word, "kind") for word in kind_words[:kinds]]
    phrases += [Phrase(words, "pair") for words in _pairs(spoken, primary, shares)[:pairs]]
    phrases += [Phrase(words, "qualified") for words in _qualified(spoken, primary, kind_words)[:qualified]]
    phrases += [Phrase(words, "aisle") for words in _aisles((product.aisle for product in catalog), shares)]
    phrases += [Phrase(words, "everyday") for words in EVERYDAY]
    unique: dict[str, Phrase] = {}
    for phrase in phrases:
        unique.setdefault(query_form(phrase.words), phrase)
    return list(unique.values())


def _is_kind(word: str, shares: dict[str, float]) -> bool:
    return _is_word(word) and word not in NOT_KINDS and shares.get(word, 0.0) >= KIND_SHARE


def _is_word(word: str) -> bool:
    """A word that may say what a product is or is like: no number, no function word."""
    return word.isalpha() and len(word) > 2 and word not in FUNCTION_WORDS and word not in _NUMBER_WORDS


_NUMBER_WORDS: Final = frozenset([*ONES, *TENS, "hundred", "thousand", "percent"])


def _pairs(spoken: Sequence[str], primary: Sequence[str], shares: dict[str, float]) -> list[str]:
    """Two-word kinds: a kind and the word right before it in the name, commonest first ("peanut butter")."""
    counts: Counter[str] = Counter()
    earlier: dict[str, Counter[str]] = {}
    for name, head in zip(spoken, primary, strict=True):
        if not _is_kind(head, shares):
            continue
        words = name.split()
        # The head noun's place: the last time it is said (before "with", "in": head_of cut there).
        at = max((place for place, word in enumerate(words) if word == head), default=-1)
        if at <= 0:
            continue
        before = words[at - 1]
        if before != head and (_is_word(before) or before == "fat"):
            pair = f"{before} {head}"
            counts[pair] += 1
            earlier.setdefault(pair, Counter())[words[at - 2] if at > 1 else ""] += 1
    found: list[str] = []
    for pair, count in counts.most_common():
        if count < PAIR_PRODUCTS:
            break
        word, times = earlier[pair].most_common(1)[0]
        if times < SET_PHRASE_SHARE * count:
            found.append(pair)
        elif _is_word(word) or word in ("low", "non"):
            found.append(f"{word} {pair}")  # "low fat yogurt", "hot dog bun"
    return found


def _qualified(spoken: Sequence[str], primary: Sequence[str], kind_words: Sequence[str]) -> list[str]:
    """Everyday qualifiers with the largest kinds, where the catalog sells a few products that are both."""
    counts: Counter[str] = Counter()
    largest = set(kind_words[:QUALIFIED_KINDS])
    for name, head in zip(spoken, primary, strict=True):
        if head not in largest:
            continue
        padded = f" {name} "
        for qualifier in QUALIFIERS:
            if f" {qualifier} " in padded:
                counts[f"{qualifier} {head}"] += 1
    return [words for words, count in counts.most_common() if count >= QUALIFIED_PRODUCTS]


def _aisles(aisles: Iterable[str], shares: dict[str, float]) -> list[str]:
    """Aisle names of one or two words that end in a kind, said as a request ("packaged cheese", "frozen pizza"):
    not two kinds side by side ("chips pretzels", "buns rolls")."""
    found: list[str] = []
    for aisle in dict.fromkeys(aisles):
        words = spoken_form(aisle).split()
        if 0 < len(words) <= 2 and _is_kind(words[-1], shares) and not _is_kind(words[0], shares):
            found.append(" ".join(words))
    return found
