"""History questions: "what did I order last time", "when did I last buy X", "how often do I buy X"."""

from __future__ import annotations

from datetime import date

from ask_sdk_model import Response

from backend.shopping import ProductHistory
from skill.handlers.shopping_base import ShoppingHandler
from skill.handlers.turn_context import Turn


class LastOrderHandler(ShoppingHandler):
    intent = "LastOrderIntent"

    def reads_summary(self, turn: Turn) -> bool:
        return True

    def respond(self, turn: Turn) -> Response:
        orders = turn.shopping.recent_orders(turn.caller.customer_id, limit=1, state=turn.read_so_far)
        if not orders:
            return turn.ask("history.no_orders")
        order = orders[0]
        names = [turn.line(line.quantity, turn.product(line.product_id).name, line.unit) for line in order.lines]
        return turn.ask(
            "history.last_order",
            placed=turn.day(order.placed_on),
            count=turn.counted("item", order.item_count),
            items=turn.product_list(names),
            total=turn.money(order.total),
        )


class _ProductHistoryHandler(ShoppingHandler):
    def reads_summary(self, turn: Turn) -> bool:
        return True

    def product_and_history(self, turn: Turn) -> tuple[str, ProductHistory] | Response:
        words = turn.slot_value("product")
        if not words and not turn.slot_ids("product"):
            return turn.ask("history.which_product")
        resolution = turn.resolve(words or "", alexa_ids=turn.slot_ids("product"))
        ids = [candidate.product.id for candidate in resolution.candidates]
        histories = turn.shopping.product_histories(turn.caller.customer_id, ids, state=turn.read_so_far)
        bought = [c for c in resolution.candidates if histories[c.product.id].times]
        if not bought and words:
            # None of the products the words match was bought, but the words may name a kind of theirs ("wine" of
            # a customer whose wines are a Pinot Noir and a Rose, none named "wine"): their own of that kind.
            kind = turn.shopping.bought_of_kind(turn.state, words)
            if kind:
                own = turn.shopping.product_histories(turn.caller.customer_id, kind, state=turn.read_so_far)
                chosen = self.of_kind([own[product_id] for product_id in kind])
                return turn.product(chosen.product_id).name, chosen
        best = bought[0] if bought else resolution.best
        if best is None:
            return turn.ask("resolve.not_found", heard=words or "")
        history = histories.get(best.product.id) or turn.shopping.product_history(
            turn.caller.customer_id, best.product.id, state=turn.read_so_far
        )
        # Never bought: the catalog's closest guess is not what they asked about ("eggs" is not an egg burrito),
        # so the answer names what they said.
        name = best.product.name if bought or not words else words
        return name, history

    def of_kind(self, histories: list[ProductHistory]) -> ProductHistory:
        """Which of their products of the kind asked about the answer is about (the most bought first)."""
        return histories[0]


class LastPurchaseHandler(_ProductHistoryHandler):
    intent = "LastPurchaseIntent"

    def respond(self, turn: Turn) -> Response:
        found = self.product_and_history(turn)
        if not isinstance(found, tuple):
            return found
        name, history = found
        if history.last_on is None:
            return turn.ask("history.never", product=name)
        return turn.ask("history.last_bought", product=name, day=turn.day(history.last_on))

    def of_kind(self, histories: list[ProductHistory]) -> ProductHistory:
        """The one of the kind bought last: "when did I last buy wine" is the last time they bought any."""
        return max(histories, key=lambda history: history.last_on or date.min)


class PurchaseFrequencyHandler(_ProductHistoryHandler):
    intent = "PurchaseFrequencyIntent"

    def respond(self, turn: Turn) -> Response:
        found = self.product_and_history(turn)
        if not isinstance(found, tuple):
            return found
        name, history = found
        if history.times == 0:
            return turn.ask("history.never", product=name)
        if history.typical_days_between is None:
            return turn.ask("history.bought_once", product=name, orders=turn.counted("order", history.orders))
        return turn.ask(
            "history.frequency",
            product=name,
            times=history.times,
            orders=turn.counted("order", history.orders),
            days=round(history.typical_days_between),
        )
