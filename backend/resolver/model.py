"""What a resolution returns: ranked candidates, a decision, and the reasons as data (spoken by key)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from backend.catalog import Product
from backend.resolver.amounts import Amount


class Decision(StrEnum):
    """What the skill should do with a resolution."""

    ACCEPT = "accept"  # put the best candidate in the cart without asking
    CONFIRM = "confirm"  # ask "did you mean X?"
    CHOOSE = "choose"  # offer the 2-3 distinct candidates
    NOT_FOUND = "not_found"  # nothing close enough


class ReasonCode(StrEnum):
    ALEXA_MATCH = "alexa_match"  # Alexa's entity resolution named this catalog id
    DYNAMIC_MATCH = "dynamic_match"  # ... from the customer's dynamic entities (their own products)
    EXACT_NAME = "exact_name"  # the words heard are this product's name
    SOUNDS_LIKE = "sounds_like"  # matched on sound more than on spelling
    PARTIAL_NAME = "partial_name"  # the words heard are part of this product's name
    BOUGHT_BEFORE = "bought_before"  # the customer bought it ``count`` times
    BOUGHT_RECENTLY = "bought_recently"  # the customer bought it ``days`` days ago
    # "the one you usually buy": in ``count`` of their ``orders`` orders, at least 3 or a third of them (never on one
    # purchase). Without it, say what is true: BOUGHT_BEFORE's count and BOUGHT_RECENTLY's days.
    USUALLY_BOUGHT = "usually_bought"


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a candidate ranks where it does; ``count``/``days``/``orders`` fill the spoken sentence."""

    code: ReasonCode
    count: int | None = None  # orders containing the product
    days: int | None = None  # days since it was last bought
    orders: int | None = None  # the customer's orders in all, when the caller knows them


@dataclass(frozen=True, slots=True)
class Candidate:
    """A product that may be the one meant, with a calibrated probability of being right."""

    product: Product
    confidence: float
    reasons: tuple[Reason, ...] = ()
    score: float = 0.0  # the ranking score (match plus personal bonus; not a probability)
    match: float = 0.0  # how well the words match this product's name, 0..1
    # When offered beside others: the words of its name (or its brand, size, aisle) that tell it apart from them.
    tells_apart: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Resolution:
    """The outcome of resolving one spoken product phrase."""

    query: str
    decision: Decision
    candidates: tuple[Candidate, ...]
    # How much was asked for ("two pounds of"), as understood with the product found; ``None`` only when built
    # without one. A number the product's name holds ("two percent milk") is not a quantity.
    amount: Amount | None = None
    # Nothing matched the words well (``backend.resolver.evidence``): the candidates are only the closest products of
    # the kind asked for, to be offered as a question after saying that what was asked for was not found.
    closest: bool = False

    @property
    def best(self) -> Candidate | None:
        return self.candidates[0] if self.candidates else None
