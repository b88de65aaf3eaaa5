"""Reorder intents: "reorder my coffee" (their own version of it), "reorder my usual", "order my last order again".
The usual and the last order are read out first; nothing is added or placed before a yes (dialog.py)."""

from __future__ import annotations

from ask_sdk_model import Response

from backend.shopping import own_versions
from skill.handlers.shopping_base import ShoppingHandler, act_on_resolution, add_product, offer_items
from skill.handlers.turn_context import Turn


class ReorderProductHandler(ShoppingHandler):
    intent = "ReorderProductIntent"

    def respond(self, turn: Turn) -> Response:
        words = turn.slot_value("product") or ""
        ids = turn.slot_ids("product")
        resolution = turn.resolve(words, alexa_ids=ids)
        bought = own_versions(resolution)
        if not bought and ids and words:
            # Alexa matched the words to products this customer never bought ("coffee" -> a K-Cup); "reorder"
            # means their own version, so look for it among everything they bought.
            bought = own_versions(turn.resolve(words))
        if not bought:
            return act_on_resolution(turn, resolution, turn.quantity(), words)
        candidate = bought[0]
        history = turn.shopping.product_history(turn.caller.customer_id, candidate.product.id)
        quantity = turn.quantity(default=history.typical_quantity)
        return add_product(turn, candidate.product, quantity, heard=words, candidate=candidate)


class ReorderUsualHandler(ShoppingHandler):
    intent = "ReorderUsualIntent"

    def respond(self, turn: Turn) -> Response:
        basket = turn.shopping.usual(turn.state, turn.caller.person_id)
        if not basket:
            return turn.ask("reorder.no_usual")
        return offer_items(turn, [(item.product_id, item.quantity) for item in basket], key="reorder.usual")


class ReorderLastOrderHandler(ShoppingHandler):
    intent = "ReorderLastOrderIntent"

    def respond(self, turn: Turn) -> Response:
        orders = turn.shopping.recent_orders(turn.caller.customer_id, limit=1)
        if not orders:
            return turn.ask("history.no_orders")
        order = orders[0]
        items = [(line.product_id, line.quantity) for line in order.lines if line.product_id in turn.backend.catalog]
        return offer_items(turn, items, key="reorder.last", placed=turn.day(order.placed_on))
