"""PRODUCT slot values from the catalog: one value per product (id = product id), spoken forms, short names.

When the catalog does not fit Amazon's limits the most bought products win: purchase counts come from the order
histories (``customers_sample.csv``), ties and never-bought products keep catalog order. A product left out of the
slot type can still be ordered: custom slot types are not enumerations, Alexa passes the heard words through and
the resolver finds the product (entity resolution then says ER_SUCCESS_NO_MATCH).
"""

from __future__ import annotations

import csv
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from backend.catalog import Product
from skill.models.source import TypeValue
from skill.models.spoken import spoken_form

# Our policy, below Amazon's (see limits.py): a few good short names beat many weak ones.
MAX_SYNONYMS = 4
_SIZE = re.compile(
    r"\b\d+(?:\.\d+)?\s*-?\s*(?:fl\.?\s*)?(?:oz|ounces?|lbs?|pounds?|ct|count|pk|pack|mg|mcg|ml|l|liters?|litres?"
    r"|gal|gallons?|qt|quarts?|g|grams?|kg|sheets?|rolls?)\b\.?",
    re.IGNORECASE,
)
_PARENTHESISED = re.compile(r"\([^)]*\)")
_LEADING_DESCRIPTORS = frozenset({"organic", "natural", "all", "original", "classic", "premium", "fresh"})
_WEAK_WORDS = frozenset({"and", "with", "of", "the", "a", "in", "for", "or", "to", "plus", "free"})


def purchase_counts(customers_csv: Path) -> Counter[str]:
    """Line items per product id in an Instacart-layout order history file."""
    counts: Counter[str] = Counter()
    with customers_csv.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            product_id = (row.get("product_id") or "").strip()
            if product_id:
                counts[product_id] += 1
    return counts


def rank_by_popularity(products: Iterable[Product], counts: Mapping[str, int]) -> list[Product]:
    """Most bought first; equal counts (and never bought) keep catalog order."""
    indexed = list(enumerate(products))
    indexed.sort(key=lambda pair: (-counts.get(pair[1].id, 0), pair[0]))
    return [product for _, product in indexed]


def _clip(text: str, max_chars: int) -> str:
    if len(text) <= max_chars:
        return text
    return text[: max_chars + 1].rsplit(" ", 1)[0].strip()


def _plural(phrase: str) -> str | None:
    head, _, last = phrase.rpartition(" ")
    if not last.isalpha() or last.endswith("s") or len(last) < 3:
        return None
    if last.endswith(("ch", "sh", "x")):
        plural = last + "es"
    elif last.endswith("y") and last[-2] not in "aeiou":
        plural = last[:-1] + "ies"
    else:
        plural = last + "s"
    return f"{head} {plural}".strip()


def folded(spoken: str) -> str:
    """A spoken phrase with plurals folded ("large eggs" -> "large egg"): two names that differ only so are one
    name to a listener, and to Alexa's entity resolution."""
    return " ".join(_singular(word) for word in spoken.split())


def _singular(word: str) -> str:
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _whole_spoken(product: Product) -> str:
    """The product's name as said, without sizes or parentheses, its parts joined ("Cheese, Provolone" -> "cheese
    provolone"); folded."""
    return folded(spoken_form(_SIZE.sub(" ", _PARENTHESISED.sub(" ", product.name)).replace(",", " ")))


# A word that ends what a product is and starts what goes with it ("Noodle Soup Mix with Chicken Broth" is no
# chicken broth; "Spaghetti Rings in Meat Sauce" no meat sauce).
_LINKING_WORDS = frozenset({"with", "in", "for", "of", "on", "without", "from", "plus", "over"})
_KIND_TAIL_WORDS = 4  # the longest shortened name the builder makes is a few words
KIND_OWNERS = 2  # a phrase that ends this many other products' names is a kind of product
# A first part names what the product is when its department holds at least 1 in this many of the names ending in
# it (departments are coarse and noisy: "Salsa" is in the deli, most salsas in the pantry), or holds the product
# named so.
KIND_DEPARTMENT_SHARE = 4


class CatalogNames:
    """Every catalog name said whole, and how many names (by department) end in each short phrase.

    A synonym is a shortened name. When it says what the product is (the end of its name: "ice cream" for French
    Vanilla Ice Cream; the first part of a name written kind first, "cheese" for "Cheese, Provolone") it is a kind
    word, and it must stay: "cheese" then reaches every cheese that has it, entity resolution matches several,
    and the customer is asked which one. When it does not (the first of a list, "eggs" for "Eggs, Cheese & Turkey
    Sausage Breakfast Burrito"; what goes with the product, "chicken broth" for "Noodle Soup Mix with Chicken
    Broth"), it must not be another product's whole name nor a kind of other products: entity resolution would
    send those words to this product.
    """

    __slots__ = ("_department", "_owners", "_tail_departments", "_tails")

    def __init__(self, products: Iterable[Product]) -> None:
        owners: dict[str, set[str]] = {}
        self._department: dict[str, str] = {}
        tails: Counter[str] = Counter()
        departments: Counter[tuple[str, str]] = Counter()
        for product in products:
            words = _whole_spoken(product).split()
            owners.setdefault(" ".join(words), set()).add(product.id)
            self._department[product.id] = product.department
            for size in range(1, min(len(words), _KIND_TAIL_WORDS) + 1):
                tail = " ".join(words[-size:])
                tails[tail] += 1
                departments[(tail, product.department)] += 1
        self._owners = {name: frozenset(ids) for name, ids in owners.items()}
        self._tails = tails
        self._tail_departments = departments

    def says_what_it_is(self, synonym: str, product: Product, *, first_part: bool) -> bool:
        """Whether ``synonym`` names the kind of thing ``product`` is: its name said another way, the end of its
        name (not after a linking word), or, for the part of a name before its first comma (``first_part``), a
        kind whose products are mostly in ``product``'s department ("bread" for "Bread, Raisin"; not "eggs" for a
        frozen burrito, nor "cheese" for "Cheese, Sausage & Pepperoni Mini Bagels")."""
        phrase, whole = folded(synonym), _whole_spoken(product)
        if phrase == whole:
            return True
        if whole.endswith(f" {phrase}"):
            before = whole[: -len(phrase) - 1].split()
            return not before or before[-1] not in _LINKING_WORDS
        if not first_part:
            return False
        named = self._tails.get(phrase, 0)
        mine = self._tail_departments.get((phrase, product.department), 0)
        return named > 0 and (
            mine * KIND_DEPARTMENT_SHARE >= named or product.department in self._departments_named(phrase)
        )

    def _departments_named(self, phrase: str) -> set[str]:
        """The departments of the products whose whole name is ``phrase``."""
        return {self._department[product_id] for product_id in self._owners.get(phrase, frozenset())}

    def takes_another(self, synonym: str, product: Product) -> bool:
        """Whether ``synonym`` is another product's whole name, or ends ``KIND_OWNERS`` other products' names."""
        phrase = folded(synonym)
        if self._owners.get(phrase, frozenset()) - {product.id}:
            return True
        whole = _whole_spoken(product)
        mine = 1 if whole == phrase or whole.endswith(f" {phrase}") else 0
        return self._tails.get(phrase, 0) - mine >= KIND_OWNERS


def short_names(product: Product, value: str, *, max_chars: int, names: CatalogNames | None = None) -> tuple[str, ...]:
    """Short names a customer may say for ``product``: without size, brand, descriptors; its last two words.
    With ``names`` (the catalog's), none that would take another product's words: see ``CatalogNames``."""
    written = _PARENTHESISED.sub(" ", product.name)
    before_comma = written.split(",")[0]
    without_size = _SIZE.sub(" ", before_comma)
    if product.brand and without_size.lower().startswith(product.brand.lower()):
        without_size = without_size[len(product.brand) :]
    core = spoken_form(without_size)
    words = core.split()
    while words and words[0] in _LEADING_DESCRIPTORS:
        words = words[1:]
    plain = " ".join(word for word in words if word != "organic")
    has_comma = "," in written
    candidates = [(core, has_comma), (plain, has_comma), *((spoken_form(s), False) for s in product.synonyms)]
    plain_words = plain.split()
    if len(plain_words) >= 3:
        candidates.append((" ".join(plain_words[-2:]), has_comma))
    if len(plain_words) == 1:
        candidates.append((_plural(plain) or "", has_comma))
    chosen: dict[str, None] = {}
    for raw, first_part in candidates:
        candidate = _clip(raw, max_chars)
        tokens = candidate.split()
        if not tokens or candidate == value or tokens[0] in _WEAK_WORDS or tokens[-1] in _WEAK_WORDS:
            continue
        if len(tokens) == 1 and len(candidate) < 3:
            continue
        if (
            names is not None
            and not names.says_what_it_is(candidate, product, first_part=first_part)
            and names.takes_another(candidate, product)
        ):
            continue
        chosen.setdefault(candidate, None)
    return tuple(chosen)[:MAX_SYNONYMS]


def product_value(product: Product, *, max_chars: int, names: CatalogNames | None = None) -> TypeValue:
    value = _clip(spoken_form(product.name), max_chars) or product.id
    synonyms = short_names(product, value, max_chars=max_chars, names=names)
    return TypeValue(id=product.id, value=value, synonyms=synonyms)


def _id_key(product_id: str) -> tuple[int, int, str]:
    return (0, int(product_id), "") if product_id.isdigit() else (1, 0, product_id)


@dataclass(frozen=True, slots=True)
class ProductSelection:
    values: tuple[TypeValue, ...]  # sorted by product id
    catalog_size: int
    policy: str


def select_product_values(ranked: Sequence[TypeValue], catalog_size: int) -> ProductSelection:
    """``ranked`` (the chosen values, most popular first) as a selection in product-id order."""
    count = len(ranked)
    values = sorted(ranked, key=lambda v: _id_key(v.id))
    if count >= catalog_size:
        policy = "every catalog product"
    else:
        policy = (
            f"the {count} most bought of {catalog_size} catalog products (purchase line items in the order "
            "histories, then catalog order), to fit Amazon's limits"
        )
    return ProductSelection(values=tuple(values), catalog_size=catalog_size, policy=policy)
