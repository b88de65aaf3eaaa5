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


def short_names(product: Product, value: str, *, max_chars: int) -> tuple[str, ...]:
    """Short names a customer may say for ``product``: without size, brand, descriptors; its last two words."""
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
    candidates = [core, plain, *(spoken_form(s) for s in product.synonyms)]
    plain_words = plain.split()
    if len(plain_words) >= 3:
        candidates.append(" ".join(plain_words[-2:]))
    if len(plain_words) == 1:
        candidates.append(_plural(plain) or "")
    chosen: dict[str, None] = {}
    for raw in candidates:
        candidate = _clip(raw, max_chars)
        tokens = candidate.split()
        if not tokens or candidate == value or tokens[0] in _WEAK_WORDS or tokens[-1] in _WEAK_WORDS:
            continue
        if len(tokens) == 1 and len(candidate) < 3:
            continue
        chosen.setdefault(candidate, None)
    return tuple(chosen)[:MAX_SYNONYMS]


def product_value(product: Product, *, max_chars: int) -> TypeValue:
    value = _clip(spoken_form(product.name), max_chars) or product.id
    return TypeValue(id=product.id, value=value, synonyms=short_names(product, value, max_chars=max_chars))


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
