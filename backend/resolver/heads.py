"""Which department a product word names, learnt from the catalog's own names.

English product names end in what the product is ("Oat Milk *Soap*", "White Wine *Vinegar*"): the
head noun, the last word before any comma, "with" or "in". Counting, for every head word, the
departments of the products it heads tells what a request ending in that word asks for: "milk" heads
dairy products, "wine" alcohol. A product from another department that merely contains the word is
another kind of thing, so it may be offered as a question but never put in the cart unasked.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Final

from backend.catalog import Product
from backend.spoken import spoken_form

MIN_PRODUCTS: Final = 5  # a head word needs this many products before it says anything about departments
MIN_SHARE: Final = 0.1  # departments with at least this share of the word's products are what it names
# After "with", "in" or "for" a name says what the product has, is packed in or is for ("Light Butter with Canola
# *Oil*", "Peach Slices in Heavy *Syrup*"), yet some names put what the product is after it too ("Albacore in Water
# *Tuna*", "... with Chia Granola *Bars*"). The last word of such a name is what the product is when it is what the
# names of its aisle say their products are: at least this share of the aisle's products are headed by it ("bar"
# 0.7 of energy granola bars, "tuna" 0.06 of canned seafood; "oil" none of butter, "honey" 0.004 of yogurt).
AISLE_HEAD_SHARE: Final = 0.02

_HEAD_END: Final = re.compile(r",| with | in | for ")
_QUALIFIERS_START: Final = re.compile(r" with | in | for ")


def head_word(spoken_name: str) -> str:
    """The head noun of a name in spoken form: the last word before a comma, "with", "in" or "for"."""
    words = spoken_name.split()
    return words[-1] if words else ""


def head_of(name: str) -> str:
    """The head noun of a written product name, or of heard words."""
    return head_word(spoken_form(_HEAD_END.split(f" {name.casefold()} ", maxsplit=1)[0]))


def heads_of(name: str) -> frozenset[str]:
    """What a name may say it is: its head noun, and its last word (catalogs also write "Ale, Belgian Blend")."""
    return frozenset(word for word in (head_of(name), head_word(spoken_form(name))) if word)


def catalog_heads(products: Sequence[Product]) -> list[frozenset[str]]:
    """``heads_of`` each product, except that the last word of a name with a "with", "in" or "for" phrase is one of
    its heads only when it heads ``AISLE_HEAD_SHARE`` of its aisle's products (counted over the names without such
    a phrase): a spread "with Flaxseed Oil" is no oil, a tuna "in Water Tuna" is a tuna."""
    heads = [heads_of(product.name) for product in products]
    qualified = [_QUALIFIERS_START.search(f" {product.name.casefold()} ") is not None for product in products]
    aisle_sizes: Counter[str] = Counter(product.aisle for product in products)
    aisle_heads: dict[str, Counter[str]] = defaultdict(Counter)
    for product, own, has_phrase in zip(products, heads, qualified, strict=True):
        if not has_phrase:
            aisle_heads[product.aisle].update(own)
    result: list[frozenset[str]] = []
    for product, own, has_phrase in zip(products, heads, qualified, strict=True):
        if has_phrase:
            noun, names = head_of(product.name), aisle_heads[product.aisle]
            limit = AISLE_HEAD_SHARE * aisle_sizes[product.aisle]
            result.append(frozenset(word for word in own if word == noun or names[word] >= limit))
        else:
            result.append(own)
    return result


def kind_shares(spoken_names: Iterable[str], heads: Iterable[str]) -> dict[str, float]:
    """For each word heading at least ``MIN_PRODUCTS`` products, the share of the names holding it that it heads.

    ``spoken_names`` and ``heads`` run in step, one product each (``heads`` as ``HeadDepartments.heads``). A
    word most names end in is what products are ("yogurt" 0.69, "bar" 0.85); one that mostly qualifies
    ("classic" 0.06, "organic" 0.02) is not, and one heading almost nothing is no kind at all.
    """
    held, headed = word_counts(spoken_names, heads)
    return {word: count / held[word] for word, count in headed.items() if count >= MIN_PRODUCTS and held[word]}


def word_counts(spoken_names: Iterable[str], heads: Iterable[str]) -> tuple[Counter[str], Counter[str]]:
    """How many names hold each word, and how many products each word heads."""
    held: Counter[str] = Counter()
    headed: Counter[str] = Counter()
    for name, head in zip(spoken_names, heads, strict=True):
        held.update(set(name.split()))
        headed.update(set(head.split()))
    return held, headed


def head_aisles(heads: Iterable[str], aisles: Iterable[str]) -> dict[str, dict[str, float]]:
    """For each word heading at least ``MIN_PRODUCTS`` products, the share of those products in each aisle.

    ``heads`` and ``aisles`` run in step, one product each (``heads`` as ``HeadDepartments.heads``). Finer than
    the departments: "butter" heads products in spreads and butter, a few in snacks, hardly any in crackers.
    """
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for head, aisle in zip(heads, aisles, strict=True):
        for word in head.split():
            counts[word][aisle] += 1
    shares: dict[str, dict[str, float]] = {}
    for word, by_aisle in counts.items():
        total = sum(by_aisle.values())
        if total >= MIN_PRODUCTS:
            shares[word] = {aisle: count / total for aisle, count in by_aisle.items()}
    return shares


class HeadDepartments:
    """For each head word, the departments whose products it heads."""

    def __init__(self, heads: list[str], named: dict[str, frozenset[str]]) -> None:
        self.heads = heads  # per catalog position: what the product's name says it is (words, space-separated)
        self._named = named  # head word -> the departments it names

    @classmethod
    def build(cls, products: Iterable[Product]) -> HeadDepartments:
        counts: dict[str, Counter[str]] = defaultdict(Counter)
        listed = list(products)
        heads = [" ".join(sorted(own)) for own in catalog_heads(listed)]
        for product in listed:
            counts[head_of(product.name)][product.department] += 1
        named: dict[str, frozenset[str]] = {}
        for head, departments in counts.items():
            total = sum(departments.values())
            if total >= MIN_PRODUCTS:
                named[head] = frozenset(name for name, count in departments.items() if count >= MIN_SHARE * total)
        return cls(heads, named)

    @classmethod
    def from_lists(cls, heads: list[str], named: dict[str, frozenset[str]]) -> HeadDepartments:
        return cls(heads, named)

    def named_lists(self) -> dict[str, list[str]]:
        """The head -> departments table as JSON data."""
        return {head: sorted(departments) for head, departments in self._named.items()}

    def names(self, head: str, department: str) -> bool | None:
        """Whether ``head`` heads products of ``department`` ("oil": pantry, personal care; not snacks); ``None``
        for a word heading too few products to say."""
        named = self._named.get(head)
        return None if named is None else department in named

    def other_kind(
        self, query_head: str, product_spoken: str, product_heads: str, department: str, said: str = ""
    ) -> bool:
        """The words ask for one kind of product and this is another that only shares the word: the words' head
        is in its name but is not what it is, and it is in a department that head never names. Unknown head
        words, and heads the name does not hold (a misheard ending), say nothing; nor do several words ``said``
        (spoken form) that end the name: the last words of a name are how a customer names it ("meat sauce" for
        their Lasagna with Meat Sauce), where one word ("oil") asks for a kind."""
        if query_head in product_heads.split() or query_head not in product_spoken.split():
            return False
        if " " in said and f" {product_spoken}".endswith(f" {said}"):
            return False
        named = self._named.get(query_head)
        return named is not None and department not in named
