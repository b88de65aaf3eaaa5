"""Reorder intents: "reorder my coffee" (their own version of it), "reorder my usual", "order my last order again".
The usual and the last order are read out first; nothing is added or placed before a yes (dialog.py)."""

from __future__ import annotations

from ask_sdk_model import Response

from backend.resolver import Candidate, Resolution
from backend.shopping.orders import orders_of_person, product_history
from backend.shopping.purchases import bought_elsewhere
from backend.shopping.usual import usual_basket
from skill.handlers.shopping_base import ShoppingHandler, act_on_resolution, add_product, offer_items
from skill.handlers.turn_context import Turn, bought_before


class ReorderProductHandler(ShoppingHandler):
    intent = "ReorderProductIntent"

    def respond(self, turn: Turn) -> Response:
        words = turn.slot_value("product") or ""
        ids = turn.slot_ids("product")
        resolution = turn.resolve(words, alexa_ids=ids)
        bought = _bought(resolution)
        if not bought and ids and words:
            # Alexa matched the words to products this customer never bought ("coffee" -> a K-Cup); "reorder"
            # means their own version, so look for it among everything they bought.
            bought = _bought(turn.resolve(words))
        if not bought:
            return act_on_resolution(turn, resolution, turn.quantity(), words)
        candidate = bought[0]
        orders = turn.shopping.orders(turn.caller.customer_id)
        quantity = turn.quantity(default=product_history(orders, candidate.product.id).typical_quantity)
        return add_product(turn, candidate.product, quantity, heard=words, candidate=candidate)


def _bought(resolution: Resolution) -> list[Candidate]:
    return [candidate for candidate in resolution.candidates if bought_before(candidate)]


class ReorderUsualHandler(ShoppingHandler):
    intent = "ReorderUsualIntent"

    def respond(self, turn: Turn) -> Response:
        every_order = turn.shopping.orders(turn.caller.customer_id)
        orders = orders_of_person(every_order, turn.caller.person_id)
        # Store and web purchases count too (from the profile summary, read with the turn's state).
        now = turn.now()
        elsewhere = bought_elsewhere(turn.state.profile, turn.caller.customer_id, every_order, now)
        basket = [
            item
            for item in usual_basket(orders, elsewhere=elsewhere, today=now.date())
            if item.product_id in turn.backend.catalog
        ]
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
