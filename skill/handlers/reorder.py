"""Reorder intents: "reorder my coffee" (their own version of it), "reorder my usual", "order my last order again".
The usual and the last order are read out first; nothing is added or placed before a yes (dialog.py)."""

from __future__ import annotations

from ask_sdk_model import Response

from backend.resolver import ReasonCode
from backend.shopping.orders import orders_of_person, product_history
from backend.shopping.usual import usual_basket
from skill.handlers.shopping_base import ShoppingHandler, act_on_resolution, add_product, offer_items
from skill.handlers.turn_context import Turn


class ReorderProductHandler(ShoppingHandler):
    intent = "ReorderProductIntent"

    def respond(self, turn: Turn) -> Response:
        words = turn.slot_value("product") or ""
        resolution = turn.resolve(words, alexa_ids=turn.slot_ids("product"))
        bought = [
            candidate
            for candidate in resolution.candidates
            if any(reason.code == ReasonCode.BOUGHT_BEFORE for reason in candidate.reasons)
        ]
        if not bought:
            return act_on_resolution(turn, resolution, turn.quantity(), words)
        candidate = bought[0]
        orders = turn.shopping.orders(turn.caller.customer_id)
        quantity = turn.quantity(default=product_history(orders, candidate.product.id).typical_quantity)
        return add_product(turn, candidate.product, quantity, heard=words, candidate=candidate)


class ReorderUsualHandler(ShoppingHandler):
    intent = "ReorderUsualIntent"

    def respond(self, turn: Turn) -> Response:
        orders = orders_of_person(turn.shopping.orders(turn.caller.customer_id), turn.caller.person_id)
        basket = [item for item in usual_basket(orders) if item.product_id in turn.backend.catalog]
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
        return offer_items(turn, items, key="reorder.last", placed=order.placed_on.strftime("%B %d").replace(" 0", " "))
