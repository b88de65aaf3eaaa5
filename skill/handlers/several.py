"""Several products in one breath ("add milk, eggs and bread"): each resolved; every confident one added in one
write; those that need a question asked one at a time, the rest carried by that question to the next turn."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import replace
from itertools import pairwise
from typing import Any

from ask_sdk_model import Response

from backend.catalog import Product
from backend.profile import Outcome
from backend.resolver import MIXED, Decision, ReasonCode, Resolution, query_form, spoken_form
from backend.shopping import LineAmount, Unfit, canonical_unit, parse_quantity
from skill.handlers.pending import Pending, Question, queue_of
from skill.handlers.shopping_base import (
    ShoppingHandler,
    _joined,
    act_on_resolution,
    ask_unfit,
    fitted,
    put_in_cart,
    swap_product,
)
from skill.handlers.turn_context import BadQuantity, Turn

_SLOTS = (("product", "quantity"), ("productTwo", "quantityTwo"), ("productThree", "quantityThree"))


class AddProductsHandler(ShoppingHandler):
    intent = "AddProductsIntent"

    def respond(self, turn: Turn) -> Response:
        heard: list[tuple[str, int, list[str]]] = []
        for product_slot, quantity_slot in _SLOTS:
            words = turn.slot_value(product_slot)
            if words:
                heard.append((words, _quantity(turn, quantity_slot), turn.slot_ids(product_slot)))
        if not heard:
            return turn.ask("add.which", "add.which_reprompt")
        fraction = _fraction_cut(heard)
        if fraction is not None:
            mixed = _mixed_amount(turn, heard)
            if mixed is not None:  # "one and a half pounds of ground beef": one product, a measure and a half
                quantity, unit = _amount_in(mixed, 1)
                return act_on_resolution(turn, mixed, quantity, " and ".join(w for w, _, _ in heard), unit=unit)
            raise BadQuantity(fraction)
        groups = _names_with_and(turn, heard)
        whole = groups[0][3] if len(groups) == 1 else None
        if whole is not None:
            # the whole is a product's name, or the names of several alike ("Half and Half", "Half & Half"):
            # a question about them, never one about "half"
            return act_on_resolution(turn, whole, groups[0][1], groups[0][0])
        items: list[tuple[str, int, list[str]]] = []
        for words, quantity, ids, named in groups:
            if named is not None:
                items.append((words, quantity, []))
            else:
                # the amount heard goes with the first product of the slot; a later one says its own ("apples two
                # pears") or is one
                parts = _split(turn, words, ids)
                items.extend((part, quantity if at == 0 else 1, part_ids) for at, (part, part_ids) in enumerate(parts))
        return resolve_many(turn, [(words, quantity) for words, quantity, _ in items], ids=[i for _, _, i in items])


_FRACTION_START = re.compile(r"^(?:an? )?(half|quarter)\b", re.IGNORECASE)


def _fraction_cut(heard: list[tuple[str, int, list[str]]]) -> str | None:
    """ "three and a half pounds of apples" heard as the products "three" and "a half pounds of apples": a number
    with a fraction, which no line holds; the amount as said ("three and a half"), to say so."""
    for (words, _, _), (after, _, _) in pairwise(heard):
        fraction = _FRACTION_START.match(after.strip())
        if parse_quantity(words) is not None and fraction is not None:
            return f"{words} and {fraction.group(0)}"
    return None


def _mixed_amount(turn: Turn, heard: list[tuple[str, int, list[str]]]) -> Resolution | None:
    """The resolution of two parts cut at a fraction's "and" ("one" + "a half pounds of beef"), joined back, when the
    whole says a whole number and a half of a measure of one product; else ``None``."""
    if len(heard) != 2:
        return None
    resolution = turn.resolve(" and ".join(words for words, _, _ in heard))
    amount = resolution.amount
    return resolution if amount is not None and amount.unit is not None and MIXED in amount.unit else None


def _names_with_and(
    turn: Turn, heard: list[tuple[str, int, list[str]]]
) -> list[tuple[str, int, list[str], Resolution | None]]:
    """Products heard apart whose words, joined back by "and", are one product's whole name ("macaroni and cheese
    and milk": Macaroni and Cheese, then milk; "bread and butter pickles"): those parts are one product, with the
    resolution of the whole. A quantity said before a later part ("2 macaroni and 3 cheese") keeps them apart."""
    groups: list[tuple[str, int, list[str], Resolution | None]] = []
    start = 0
    while start < len(heard):
        for end in range(len(heard), start + 1, -1):  # the longest name first
            group = heard[start:end]
            if any(quantity != 1 for _, quantity, _ in group[1:]):
                continue
            whole = " and ".join(words for words, _, _ in group)
            resolution = turn.resolve(whole)
            if _is_a_name(resolution) or _says_a_name(resolution, whole):
                groups.append((whole, group[0][1], [], resolution))
                start = end
                break
        else:
            words, quantity, ids = heard[start]
            groups.append((words, quantity, ids, None))
            start += 1
    return groups


def _quantity(turn: Turn, slot: str) -> int:
    heard = turn.slot_value(slot)
    if heard is None:
        return 1
    value = parse_quantity(heard)
    if value is None:
        raise BadQuantity(heard)
    return value


def _is_a_name(resolution: Resolution) -> bool:
    best = resolution.best
    return best is not None and any(reason.code is ReasonCode.EXACT_NAME for reason in best.reasons)


def _says_a_name(resolution: Resolution, words: str) -> bool:
    """The words are, but for "&" / "n'" for "and" and plurals, the whole name of a product found: no word of the
    name left out ("chicken and rice" is not Chicken Fried Rice, "apples and bananas" not Tiny Fruits Apple &
    Banana), none added."""
    said = _name_words(query_form(words))
    return any(_name_words(spoken_form(candidate.product.name)) == said for candidate in resolution.candidates)


def _name_words(spoken: str) -> frozenset[str]:
    return frozenset("and" if word == "n" else word for word in spoken.split())


def _split(turn: Turn, words: str, ids: list[str]) -> list[tuple[str, list[str]]]:
    """ "milk eggs", "apples two pears" (speech recognition writes no commas, and a list said without its first
    "and" lands in one slot): the names of several products where no one product's name explains the words and
    each part names a product well; otherwise one name ("milk chocolate", "organic two percent milk")."""
    tokens = words.split()
    if len(tokens) < 2 or ids or len(tokens) > _MOST_SPLIT_WORDS:
        return [(words, ids)]
    if _one_name(turn.resolve(words), words):
        return [(words, ids)]
    best: tuple[tuple[bool, float], str, str] | None = None
    for cut in range(1, len(tokens)):
        left, right = " ".join(tokens[:cut]), " ".join(tokens[cut:])
        strengths = [_names_a_product(turn.resolve(part), part) for part in (left, right)]
        if None in strengths:
            continue
        # a cut before an amount ("cucumbers | a lime") first, then the one whose weaker part is named best
        rank = (_says_an_amount_first(right), min(s for s in strengths if s is not None))
        if best is None or rank > best[0]:
            best = (rank, left, right)
    if best is None:
        return [(words, ids)]
    _, left, right = best
    return [*_split(turn, left, []), *_split(turn, right, [])]


_MOST_SPLIT_WORDS = 8  # longer than any two or three product names said in one breath
_NAMED_WHOLE = 0.85  # the whole matched this well, every word said in the name: one product, never cut
_NAMED_PART = 0.9  # a part matched this well names a product ("milk chocolate": Milk Chocolate Candies)


def _says_an_amount_first(words: str) -> bool:
    first = words.split(maxsplit=1)[0]
    return first.lower() in {"some", "another"} or parse_quantity(first) is not None


def _one_name(whole: Resolution, words: str) -> bool:
    """The words are one product's: accepted or matched well with no word said that the name lacks, or its whole
    name said."""
    best = whole.best
    if best is None:
        return False
    said = whole.amount.words if whole.amount is not None else words
    if _holds_every_word(said, best.product) and (whole.decision == Decision.ACCEPT or best.match >= _NAMED_WHOLE):
        return True
    return _is_a_name(whole) or _says_a_name(whole, words)


def _names_a_product(part: Resolution, words: str) -> float | None:
    """How well a part of a slot names a product by itself (its match), or ``None`` when it names none: accepted,
    or matched nearly in full with every word said in the name."""
    best = part.best
    if best is None or part.decision == Decision.NOT_FOUND:
        return None
    if part.decision == Decision.ACCEPT:
        return max(best.match, _NAMED_PART)
    said = part.amount.words if part.amount is not None else words
    return best.match if best.match >= _NAMED_PART and _holds_every_word(said, best.product) else None


def resolve_many(
    turn: Turn, items: Sequence[tuple[str, int]], *, ids: Sequence[Sequence[str]] = (), lead: str = ""
) -> Response:
    """Add what resolves confidently, say it, then ask about the first that needs a question, carrying the rest."""
    said: list[str] = [lead] if lead else []
    asking: list[tuple[Resolution, int, str, str | None]] = []
    missing: list[str] = []
    for index, (words, counted) in enumerate(items):
        alexa_ids = list(ids[index]) if index < len(ids) else []
        resolution = turn.resolve(words, alexa_ids=alexa_ids)
        best = resolution.best
        quantity, unit = _amount_in(resolution, counted)
        fit = fitted(turn, best.product, quantity, unit) if best is not None else None
        product_words = resolution.amount.words if resolution.amount is not None else words  # "12 eggs": "egg"
        if (
            resolution.decision == Decision.ACCEPT
            and best is not None
            and not _holds_every_word(product_words, best.product)
        ):
            # One of several, with a word said that its name lacks ("jerry's ice cream" for Churro Ice Cream, "ben"
            # for a Vanilla Bean shake): the words may be a piece of another name cut at its "and", so a question,
            # never an add unasked.
            resolution = replace(resolution, decision=Decision.CONFIRM)
        if resolution.decision == Decision.ACCEPT and best is not None and not isinstance(fit, Unfit):
            part = f"{len(said) + 1}-{index}"
            amount = fit if isinstance(fit, LineAmount) else None
            said.append(
                put_in_cart(turn, best.product, quantity, heard=words, candidate=best, part=part, amount=amount)
            )
        elif resolution.decision in {Decision.ACCEPT, Decision.CONFIRM, Decision.CHOOSE} and best is not None:
            asking.append((resolution, quantity, words, unit))
        else:
            turn.record(turn.event(Outcome.NOT_FOUND, heard=words))
            missing.append(words)
    if missing:
        said.append(turn.say("several.not_found", items=turn.speech.join(missing)))
    lead_text = " ".join(said)
    if not asking:
        turn.clear_pending()
        return turn.ask_text(lead_text or turn.say("dialog.nothing_added"))
    resolution, quantity, words, unit = asking[0]
    queue: list[list[Any]] = [[w, q] for _, q, w, _ in asking[1:]]
    intro = turn.say("several.for", heard=_ARTICLE.sub("", words)) if len(items) > 1 or lead else ""
    lead_all = _joined(lead_text, intro)
    return act_on_resolution(turn, resolution, quantity, words, lead=lead_all, queue=queue, unit=unit)


_ARTICLE = re.compile(r"^(?:a|an|some|the)\s+", re.IGNORECASE)  # "For the a dozen eggs" is "For the dozen eggs"


def _holds_every_word(words: str, product: Product) -> bool:
    return set(query_form(words).split()) <= set(spoken_form(product.name).split())


def _amount_in(resolution: Resolution, quantity: int) -> tuple[int, str | None]:
    """The quantity and unit of one of several products: a unit said in its words ("a bunch of cilantro", "two
    pounds of apples") is kept on its line, as a single add keeps it; a count in the words ("a couple of limes")
    stands when no quantity was heard for it."""
    amount = resolution.amount
    if amount is None or amount.quantity is None:
        return quantity, None
    counted = amount.quantity if quantity == 1 else quantity
    return counted, canonical_unit(amount.unit) if amount.unit else None


def add_then_continue(turn: Turn, pending: Pending, product_id: str, *, lead: str = "") -> Response:
    """The answer picked a product: add it (or swap it in, when the question was which product to swap to), then
    go on with what the customer asked for after it. ``lead``: said first (why this option: "The cheapest is ...")."""
    quantity = int(pending.get("quantity", 1))
    replace = str(pending.get("replace") or "")
    if pending.kind == Question.SWAP:
        if turn.state.cart.line_for(replace) is None:
            turn.clear_pending()
            return turn.ask("cart.not_in_cart", heard=turn.say("word.that"))
        return swap_product(turn, replace, turn.product(product_id), quantity, heard=pending.get("heard"))
    product = turn.product(product_id)
    unit = pending.get("unit")
    fit = fitted(turn, product, quantity, str(unit)) if unit else None
    if isinstance(fit, Unfit):  # the unit the question kept does not fit the product picked: ask, never guess
        return ask_unfit(turn, product, fit, quantity, str(pending.get("heard") or ""), queue=queue_of(pending))
    amount = fit if isinstance(fit, LineAmount) else None
    said = put_in_cart(turn, product, quantity, heard=pending.get("heard"), part="answer", amount=amount)
    return next_in_queue(turn, pending, lead=f"{lead} {said}" if lead else said)


def next_in_queue(turn: Turn, pending: Pending, *, lead: str) -> Response:
    queue = queue_of(pending)
    if not queue:
        turn.clear_pending()
        return turn.ask_text(lead)
    return resolve_many(turn, queue, lead=lead)
