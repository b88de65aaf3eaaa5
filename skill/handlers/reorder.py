"""Reorder intents: "reorder my coffee" (their own version of it), "reorder my usual", "order my last order again".
The usual and the last order are read out first; nothing is added or placed before a yes (dialog.py)."""

from __future__ import annotations

import re
from dataclasses import replace

from ask_sdk_model import Response

from backend.resolver import Decision
from backend.shopping import own_versions
from skill.handlers.shopping_base import ShoppingHandler, act_on_resolution, add_product, offer_choices, offer_items
from skill.handlers.turn_context import Turn


class ReorderProductHandler(ShoppingHandler):
    intent = "ReorderProductIntent"

    def reads_summary(self, turn: Turn) -> bool:
        return True  # the product's own history (its typical quantity) is read from the summary

    def respond(self, turn: Turn) -> Response:
        words = turn.slot_value("product") or ""
        ids = turn.slot_ids("product")
        resolution = turn.resolve(words, alexa_ids=ids)
        bought = own_versions(resolution)
        if not bought and ids and words:
            # Alexa matched the words to products this customer never bought ("coffee" -> a K-Cup); "reorder"
            # means their own version, so look for it among everything they bought.
            bought = own_versions(turn.resolve(words))
        if not bought and words:
            # None of the products the words match was bought, but the words may name a kind of theirs ("reorder
            # wine": their Pinot Noir and Rose, none named "wine"): their own of that kind, never the catalog's.
            kind = turn.shopping.bought_of_kind(turn.state, words)
            if len(kind) == 1:
                product = turn.product(kind[0])
                history = turn.shopping.product_history(turn.caller.customer_id, product.id, state=turn.read_so_far)
                return add_product(turn, product, turn.quantity(default=history.typical_quantity), heard=words)
            if kind:
                options = [turn.product(product_id) for product_id in kind[:3]]
                return offer_choices(turn, options, turn.quantity(), words)
        if not bought:
            # Nothing of theirs: "reorder" (or "my usual") is no order to add what they never bought unasked. Said
            # so, and what the words match is at most offered (a question).
            lead = turn.say("reorder.never_bought", heard=words) if words and resolution.best is not None else ""
            if resolution.decision is Decision.ACCEPT:
                resolution = replace(resolution, decision=Decision.CONFIRM)
            return act_on_resolution(turn, resolution, turn.quantity(), words, lead=lead)
        candidate = bought[0]
        history = turn.shopping.product_history(turn.caller.customer_id, candidate.product.id, state=turn.read_so_far)
        quantity = turn.quantity(default=history.typical_quantity)
        return add_product(turn, candidate.product, quantity, heard=words, candidate=candidate)


class ReorderUsualHandler(ShoppingHandler):
    intent = "ReorderUsualIntent"

    def reads_summary(self, turn: Turn) -> bool:
        return True

    def respond(self, turn: Turn) -> Response:
        return offer_usual(turn)


def offer_usual(turn: Turn) -> Response:
    basket = turn.shopping.usual(turn.state, turn.caller.person_id)
    if not basket:
        return turn.ask("reorder.no_usual")
    return offer_items(turn, [(item.product_id, item.quantity) for item in basket], key="reorder.usual")


class ReorderLastOrderHandler(ShoppingHandler):
    intent = "ReorderLastOrderIntent"

    def reads_summary(self, turn: Turn) -> bool:
        return True

    def respond(self, turn: Turn) -> Response:
        return offer_last_order(turn)


def offer_last_order(turn: Turn) -> Response:
    orders = turn.shopping.recent_orders(turn.caller.customer_id, limit=1, state=turn.read_so_far)
    if not orders:
        return turn.ask("history.no_orders")
    order = orders[0]
    items = [(line.product_id, line.quantity) for line in order.lines if line.product_id in turn.backend.catalog]
    return offer_items(turn, items, key="reorder.last", placed=turn.day(order.placed_on))


# Product words that name no product but a whole earlier basket: "get me the same as last time", "I'd like my
# usual". Heard in an add's product slot, they are the reorder's offer (read out, added only after a yes).
_SAME_AS_LAST = re.compile(
    r"^(the )?same( (thing|things|stuff|order|groceries|shopping))?( again)?"
    r"( (as|like) (last time|last week|the last time|before|my last order|the last order|last order))?( again)?$"
)
_USUAL = re.compile(r"^(my|the|our) (usual|regular)( (order|groceries|shopping|stuff|things|shop))?$")


def basket_named(turn: Turn, words: str | None) -> Response | None:
    """The reorder offer when the product words name a basket ("the same as last time", "my usual"); else None."""
    said = " ".join((words or "").lower().split())
    same = _SAME_AS_LAST.match(said)
    if same is not None and (same.group(2) or same.group(5)):  # a basket named: not "the same" (more of it)
        return offer_last_order(turn)
    if _USUAL.match(said):
        return offer_usual(turn)
    return None
