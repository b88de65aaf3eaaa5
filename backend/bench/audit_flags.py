"""Rules that flag an accepted product as likely not what the words asked for.

Each rule reads only the words said and the product's name and aisle, with what the catalog's names tell about
words (``backend.resolver.heads``): it never looks at the resolver's scores, so it checks the resolver from the
outside. The rules are deliberately narrow, so a flag is usually a real defect:

- ``kind_missing``: the word for what was asked ("bread", the last word said, a word that heads products) is
  not in the product's name at all, however it is spelt or run together: "bread" for Corn Tortillas shelved in
  bread, "pasta" for Pesto.
- ``kind_as_qualifier``: the kind word is in the name only before another kind the product is ("tuna" in
  "Tuna Cat Food", "bananas" in "Banana Yogurt"), and that product's aisle holds few of the products the kind
  word heads (``OTHER_AISLE_SHARE``): a tuna steak is shelved with tuna, cat food is not.
- ``other_aisle``: the kind word is in the name but the product is shelved where hardly any product of that
  kind is (``OTHER_AISLE_SHARE``) and it is not what its name's head noun says was asked: "bananas" for a
  fruit pouch in baby food; or it is what one head of the name says, and the aisle shelves another head's kind
  ("sandwich cookies" for an ice cream sandwich "Snickerdoodle Cookie with ... Ice Cream Sandwich").
- ``word_missing``: a word said before the kind ("organic", "oat", "chocolate"), a word many names hold so
  it tells products apart, is not in the name (nor in the aisle's name: Orzo Pasta is "dry pasta"): "organic
  milk" for Whole Milk, "body lotion" for Baby Lotion.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final

from backend.catalog import Catalog, Product
from backend.resolver.habits import FUNCTION_WORDS, NameWords, asked_kind
from backend.resolver.heads import head_aisles, head_of, heads_of, kind_shares, word_counts
from backend.spoken import spoken_form

RULES: Final = ("kind_missing", "kind_as_qualifier", "other_aisle", "word_missing")
# An aisle holding under this share of the products a word heads does not shelve that kind of thing ("banana"
# heads about 0.5 % of its products in baby food). Lower than the resolver's own line, so a flag stays rare.
OTHER_AISLE_SHARE: Final = 0.03
# ... and one holding this share of the products a head of the name heads shelves that kind ("sandwich" heads 0.31
# of its products in ice cream).
SHELVED_SHARE: Final = 0.1
DISTINGUISHING_NAMES: Final = 20  # a said word this many names hold tells products apart ("organic", "oat")


@dataclass(frozen=True, slots=True)
class Flag:
    rule: str
    detail: str


class AuditRules:
    """The catalog-wide word facts the rules read, computed once."""

    def __init__(self, catalog: Catalog, pronounce: Callable[[str], str] | None = None) -> None:
        self._pronounce = pronounce
        products = list(catalog)
        spoken = [spoken_form(product.name) for product in products]
        heads = [" ".join(sorted(heads_of(product.name))) for product in products]
        self._shares = kind_shares(spoken, heads)
        held, _ = word_counts(spoken, heads)
        self._held = held
        self._aisles = head_aisles(heads, [product.aisle for product in products])

    def kind_share(self, word: str) -> float:
        return self._shares.get(word, 0.0)

    def flags(self, said: Sequence[str], product: Product) -> tuple[Flag, ...]:
        """What looks wrong about ``product`` accepted for the words ``said`` (spoken form, split)."""
        kind = asked_kind(said)
        if not kind:
            return ()
        name = spoken_form(product.name).split()
        words = NameWords.of(name, heads_of(product.name), pronounce=self._pronounce)
        found: list[Flag] = []
        named = _named_in(words, said, len(said) - 1)
        if named is None:
            if self.kind_share(kind):
                found.append(Flag("kind_missing", f"'{kind}' is not in the name"))
        else:
            shelved = self._aisle_share(named, product)
            primary = head_of(product.name)
            if not words.kind_of(named, self.kind_share) and shelved is not None and shelved < OTHER_AISLE_SHARE:
                found.append(Flag("kind_as_qualifier", f"'{named}' qualifies '{primary}' ({product.aisle})"))
            elif shelved is not None and shelved < OTHER_AISLE_SHARE:
                other = primary if primary != named else self._shelved_head(heads_of(product.name) - {named}, product)
                if other:
                    detail = f"{product.aisle} holds {shelved:.3f} of '{named}' products; it is '{other}'"
                    found.append(Flag("other_aisle", detail))
        shelf = set(spoken_form(product.aisle).split())
        for at, word in enumerate(said[:-1]):
            if word in FUNCTION_WORDS or self._held[word] < DISTINGUISHING_NAMES or word in shelf:
                continue  # a word of the aisle's own name says what the shelf is ("dry" pasta), not which product
            if word == "free" and not {"non", "nonfat", "no"}.isdisjoint(name):
                continue  # "fat free" is "non fat"
            if _named_in(words, said, at) is None and not words.near(word):
                found.append(Flag("word_missing", f"'{word}' is not in the name"))
                break
        return tuple(found)

    def _shelved_head(self, heads: Iterable[str], product: Product) -> str:
        """A head of the name whose products the aisle shelves (``SHELVED_SHARE``): what the product is when the
        word asked for is its other head ("Snickerdoodle Cookie with ... Ice Cream Sandwich": a sandwich)."""
        return next((head for head in sorted(heads) if (self._aisle_share(head, product) or 0.0) >= SHELVED_SHARE), "")

    def _aisle_share(self, word: str, product: Product) -> float | None:
        shares: Mapping[str, float] | None = self._aisles.get(word)
        return None if shares is None else shares.get(product.aisle, 0.0)


def _named_in(words: NameWords, said: Sequence[str], at: int) -> str | None:
    """The name's word for the said word at ``at``: itself, a spelling of its sound, or run together with a
    neighbour ("almond milk" / "almondmilk"); ``None`` when the name lacks it."""
    word = said[at]
    if word in words.words:
        return word
    if words.has(word):  # another spelling of its sound ("yoghurt"): the name's own word
        return next((named for named in words.name if NameWords.of([named]).has(word)), word)
    for pair in (said[at - 1] + word if at else "", word + said[at + 1] if at + 1 < len(said) else ""):
        if pair and pair in words.words:
            return pair
    return None
