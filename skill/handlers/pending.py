"""The question the skill asked and is waiting an answer to: its kind, what it holds, and which answers it accepts.

A question lives exactly one turn (``skill.handlers.lifecycle``): the answer must come in the next request.
The session keeps it under ``pending`` as ``{"kind": <Question>, **data}`` (product ids, quantities, a cart
version: never the cart or history). A kind this version does not know (a session from an older deployment) reads
as no question at all.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any


class Question(StrEnum):
    ADD = "add"  # "did you mean X?": data product, quantity, heard
    CHOOSE = "choose"  # "X, Y or Z?": data options, quantity, heard
    CLEAR = "clear"  # "empty your cart?": data version
    REORDER = "reorder"  # "your usual is ... add them?": data items [[product id, quantity], ...]
    CHECKOUT = "checkout"  # the quote was read: data version
    CODE = "code"  # "what is your voice code?": data version
    OFFER_CART = "offer_cart"  # "you left X in your cart on the web; check out?": data version
    OFFER_CHECKOUT = "offer_checkout"  # "your total is ...; want to check out?": yes reads the quote, never orders
    READ_REST = "read_rest"  # a long quote: "want me to read the rest?": data version
    USUAL = "usual"  # "you usually buy ...; add them?": data items [[product id, quantity], ...]
    OFFER_ADD = "offer_add"  # "there's no butter in your cart; add it?" / "... $2.99; add some?": data heard, product
    SWAP = "swap"  # "swap the milk for Almond Milk?" / "... for A, B or C?": data replace, options, quantity, heard
    CANCEL_ORDER = "cancel_order"  # "your order of ...; should I cancel it?": data order_id
    UNDO = "undo"  # "never mind" after a change: "should I take the 1 Lime back out?": data version


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    CHOICE = "choice"  # "the second one"
    PRODUCT = "product"  # naming one of the options ("the organic one")
    CODE = "code"  # four digits


ACCEPTS: Mapping[Question, frozenset[Answer]] = {
    Question.ADD: frozenset({Answer.YES, Answer.NO}),
    Question.CHOOSE: frozenset({Answer.YES, Answer.NO, Answer.CHOICE, Answer.PRODUCT}),
    Question.CLEAR: frozenset({Answer.YES, Answer.NO}),
    Question.REORDER: frozenset({Answer.YES, Answer.NO}),
    Question.CHECKOUT: frozenset({Answer.YES, Answer.NO, Answer.CODE}),
    Question.CODE: frozenset({Answer.YES, Answer.NO, Answer.CODE}),
    Question.OFFER_CART: frozenset({Answer.YES, Answer.NO}),
    Question.OFFER_CHECKOUT: frozenset({Answer.YES, Answer.NO}),
    Question.READ_REST: frozenset({Answer.YES, Answer.NO}),
    Question.USUAL: frozenset({Answer.YES, Answer.NO}),
    Question.OFFER_ADD: frozenset({Answer.YES, Answer.NO}),
    Question.SWAP: frozenset({Answer.YES, Answer.NO, Answer.CHOICE, Answer.PRODUCT}),
    Question.CANCEL_ORDER: frozenset({Answer.YES, Answer.NO}),
    Question.UNDO: frozenset({Answer.YES, Answer.NO}),
}
# Questions that offer options by name (sent to Alexa as dynamic entities while the question is open).
OFFERS_OPTIONS = frozenset({Question.CHOOSE, Question.SWAP})


@dataclass(frozen=True)
class Pending:
    kind: Question
    data: Mapping[str, Any] = field(default_factory=dict)

    def accepts(self, answer: Answer) -> bool:
        return answer in ACCEPTS[self.kind]

    def get(self, name: str, default: Any = None) -> Any:
        return self.data.get(name, default)

    def to_session(self) -> dict[str, Any]:
        return {"kind": self.kind.value, **self.data}

    @classmethod
    def from_session(cls, raw: object) -> Pending | None:
        if not isinstance(raw, dict):
            return None
        try:
            kind = Question(str(raw.get("kind")))
        except ValueError:
            return None
        return cls(kind, {name: value for name, value in raw.items() if name != "kind"})


def accepts(pending: Pending | None, answer: Answer) -> bool:
    return pending is not None and pending.accepts(answer)


def queue_of(pending: Pending) -> list[tuple[str, int]]:
    """What the customer asked for after the question's own product in one request (its ``queue``: words, count)."""
    raw = pending.get("queue") or []
    return [(str(item[0]), int(item[1])) for item in raw if isinstance(item, list) and len(item) == 2]
