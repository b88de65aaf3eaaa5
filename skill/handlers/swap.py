"""Swapping a cart line for another product: "swap the milk for almond milk", "get oat milk instead of the milk",
"actually make that the salted one instead". The line is the one named (or the product the conversation named
last); the new product is resolved as an add would resolve it, asked about when unsure; one cart write."""

from __future__ import annotations

from ask_sdk_model import Response

from backend.catalog import Product
from backend.profile import Outcome
from backend.resolver import Decision
from skill.handlers.cart import find_in_cart
from skill.handlers.pending import Pending, Question
from skill.handlers.several import add_then_continue
from skill.handlers.shopping_base import (
    ShoppingHandler,
    _distinct,
    act_on_resolution,
    choice_entities,
    choose_reprompt,
    offer_choices,
    or_list,
    swap_product,
)
from skill.handlers.turn_context import Turn

_ANSWERABLE = frozenset({Question.ADD, Question.CHOOSE, Question.OFFER_ADD})
_ONE = frozenset({"one", "ones", "kind", "type", "version"})


def narrowed_options(turn: Turn, pending: Pending, said: str) -> list[Product]:
    """The options on offer whose names hold every word that tells "the organic one" apart."""
    telling = {token.lower() for token in said.split()[:-1]} - {"the", "a", "an"}
    catalog = turn.backend.catalog
    options = [turn.product(str(pid)) for pid in pending.get("options", []) if str(pid) in catalog]
    return [product for product in options if telling <= set(product.name.lower().replace(",", " ").split())]


def qualified(words: str, about: str) -> str:
    """ "the organic one" said about Whole Milk (the product or the words the question is about): "organic whole
    milk", the words that tell it apart with what it is. Other words stay as said."""
    tokens = words.split()
    if len(tokens) < 2 or tokens[-1].lower() not in _ONE or not about:
        return words
    telling = [token for token in tokens[:-1] if token.lower() not in {"the", "a", "an"}]
    return " ".join([*telling, about]) if telling else words


class SwapProductHandler(ShoppingHandler):
    intent = "SwapProductIntent"

    def respond(self, turn: Turn) -> Response:
        pending = turn.pending
        if pending is not None and pending.kind in _ANSWERABLE and not turn.slot_value("product"):
            # "actually make that the organic one instead" while "did you mean / which one?" is open: an answer
            # naming another product, added as asked (nothing in the cart to swap yet)
            turn.answered()
            said = turn.slot_value("replacement") or ""
            words = qualified(said, str(pending.get("heard") or ""))
            ids = turn.slot_ids("replacement") if words == said else []
            unit = pending.get("unit")
            quantity = int(pending.get("quantity", 1))
            if pending.kind == Question.CHOOSE and words != said:
                narrowed = narrowed_options(turn, pending, said)
                if len(narrowed) == 1:  # "the organic one" of the options: that one
                    return add_then_continue(turn, pending, narrowed[0].id)
                if narrowed:
                    queue = pending.get("queue") or []
                    return offer_choices(turn, narrowed, quantity, words, queue=queue, unit=str(unit) if unit else None)
            resolution = turn.resolve(words, alexa_ids=ids)
            return act_on_resolution(turn, resolution, quantity, words, unit=str(unit) if unit else None)
        old_id = find_in_cart(turn)
        if old_id is None:
            return turn.ask("cart.not_in_cart", heard=turn.slot_value("product") or turn.say("word.that"))
        old = turn.product(old_id)
        turn.mention(old_id)
        said = turn.slot_value("replacement") or ""
        words = qualified(said, old.name)
        ids = turn.slot_ids("replacement") if words == said else []
        if not words and not ids:
            return turn.ask("swap.which", old=old.name)
        line = turn.state.cart.line_for(old_id)
        quantity = line.quantity if line is not None else 1
        resolution = turn.resolve(words, alexa_ids=ids)
        best = resolution.best
        if best is not None and best.product.id == old_id:
            return turn.ask("swap.same", product=old.name)
        if resolution.decision == Decision.ACCEPT and best is not None:
            return swap_product(turn, old_id, best.product, quantity, heard=words)
        if resolution.decision in {Decision.CONFIRM, Decision.CHOOSE} and best is not None:
            options = [c.product for c in _distinct(resolution.candidates)[:3] if c.product.id != old_id]
            if resolution.decision == Decision.CONFIRM or len(options) < 2:
                options = [best.product]
            turn.set_pending(
                Question.SWAP, replace=old_id, options=[p.id for p in options], quantity=quantity, heard=words[:100]
            )
            if len(options) == 1:
                return turn.ask("swap.confirm", "swap.confirm_reprompt", old=old.name, product=best.product.name)
            names = or_list(turn, [p.name for p in options])
            response = turn.ask("swap.choose", choose_reprompt(len(options)), old=old.name, options=names)
            response.directives = [*(response.directives or []), choice_entities(options)]
            return response
        turn.record(turn.event(Outcome.NOT_FOUND, heard=words))
        return turn.ask("swap.not_found", heard=words or turn.say("word.that"), old=old.name)
