"""The customer's most likely products as Alexa dynamic entities, so recognition itself is biased toward them.

A recogniser that keeps no word of a name cannot be fixed from the words alone; Alexa lets a skill
send, per customer, slot values that its own recognition and entity resolution then favour
(``Dialog.UpdateDynamicEntities``). Those matches come back in the request under their own
authority; the resolver takes them first (``Resolver.resolve(..., dynamic_ids=...)``).

Limits kept (Alexa's current ones): at most ``MAX_VALUES`` values per request, each value and
synonym at most ``MAX_CHARS`` characters; ids are catalog ids. The directive must be sent on its
own, never in a response that carries another ``Dialog.*`` directive: that is the skill's part.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Container, Mapping
from dataclasses import dataclass
from typing import Final, Protocol

from backend.catalog import Catalog, Product
from backend.spoken import spoken_form

MAX_VALUES: Final = 100
MAX_CHARS: Final = 140
MAX_SYNONYMS: Final = 5
RECENCY_DAYS: Final = 60.0  # a purchase this many days ago weighs 1/e of one today, besides its count

_SPOKEN_TEXT: Final = re.compile(r"[^\w\s'&%.-]+")
# Words a shortened name cannot start with: the cut fell inside a phrase ("& Blueberry", "with Sea Salt").
_NOT_A_START: Final = frozenset({"&", "and", "with", "of", "in", "for", "the", "a", "an", "de", "-", "or", "plus"})


class _Stats(Protocol):
    @property
    def count(self) -> int: ...

    @property
    def days_since_last(self) -> float: ...


@dataclass(frozen=True, slots=True)
class DynamicValue:
    """One slot value: a catalog id, the name Alexa should hear, and the shorter ways the customer says it."""

    id: str
    name: str
    synonyms: tuple[str, ...] = ()

    def as_directive_value(self) -> dict[str, object]:
        name: dict[str, object] = {"value": self.name}
        if self.synonyms:
            name["synonyms"] = list(self.synonyms)
        return {"id": self.id, "name": name}


def _clip(text: str) -> str:
    """At most ``MAX_CHARS`` characters, cut at a word boundary."""
    text = " ".join(_SPOKEN_TEXT.sub(" ", text).split())
    if len(text) <= MAX_CHARS:
        return text
    return text[:MAX_CHARS].rsplit(" ", 1)[0]


def _synonyms(name: str, taken: Container[str] = frozenset()) -> tuple[str, ...]:
    """How people shorten a product they know: the end of its name (its last two and three words), and the name
    as spoken ("2% Milk" -> "two percent milk"). An end that starts mid-phrase ("& Blueberry", "2 Baby Food")
    is no way to say it; one that is another product's whole name (``taken``, casefolded: "Organic Blueberries"
    of "Frozen Organic Blueberries") would steer the words said to the wrong product."""
    words = _clip(name).split()
    options = [" ".join(words[-2:]), " ".join(words[-3:]), spoken_form(name)]
    seen = {_clip(name).casefold()}
    result: list[str] = []
    for option in map(_clip, options):
        first = option.split()[0].casefold() if option else ""
        if len(option.split()) < 2 or first in _NOT_A_START or first[:1].isdigit():
            continue
        if option.casefold() not in seen and option.casefold() not in taken:
            seen.add(option.casefold())
            result.append(option)
    return tuple(result[:MAX_SYNONYMS])


def likely_products(history: Mapping[str, _Stats], catalog: Catalog, *, limit: int = MAX_VALUES) -> list[str]:
    """The customer's product ids, most likely to be asked for first: how often, and how lately, bought."""

    def weight(product_id: str) -> float:
        stats = history[product_id]
        return math.log1p(stats.count) + math.exp(-max(stats.days_since_last, 0.0) / RECENCY_DAYS)

    known = [product_id for product_id in history if product_id in catalog]
    known.sort(key=lambda product_id: (-weight(product_id), product_id))
    return known[: min(limit, MAX_VALUES)]


def catalog_names(catalog: Catalog) -> frozenset[str]:
    """Every product's name, casefolded, words single-spaced: what a synonym must not be (see ``_synonyms``)."""
    return frozenset(" ".join(product.name.casefold().split()) for product in catalog)


def dynamic_entities(
    history: Mapping[str, _Stats],
    catalog: Catalog,
    *,
    limit: int = MAX_VALUES,
    names: Container[str] | None = None,
) -> tuple[DynamicValue, ...]:
    """The customer's most likely products as dynamic-entity values (at most ``MAX_VALUES``). ``names`` are the
    catalog's names (``catalog_names``; a caller that asks often keeps them), computed here when not given."""
    ids = likely_products(history, catalog, limit=limit)
    taken = catalog_names(catalog) if names is None and ids else names or frozenset()
    values = (entity_value(catalog.get(product_id), taken) for product_id in ids)
    return tuple(value for value in values if value is not None)


def entity_value(product: Product, names: Container[str]) -> DynamicValue | None:
    """One product as a dynamic-entity value (``None`` for a name with nothing to say); ``names`` as above."""
    name = _clip(product.name)
    return DynamicValue(product.id, name, _synonyms(product.name, names)) if name else None


def update_directive(slot_type: str, values: tuple[DynamicValue, ...]) -> dict[str, object]:
    """The ``Dialog.UpdateDynamicEntities`` directive (REPLACE) for one slot type, as plain JSON data."""
    return {
        "type": "Dialog.UpdateDynamicEntities",
        "updateBehavior": "REPLACE",
        "types": [{"name": slot_type, "values": [value.as_directive_value() for value in values]}],
    }


def fingerprint(values: tuple[DynamicValue, ...]) -> str:
    """A short digest of the values: send the directive again only when it changes."""
    data = json.dumps([value.as_directive_value() for value in values], sort_keys=True).encode()
    return hashlib.sha256(data).hexdigest()[:16]
