"""Order status: "where is my order" for the latest order."""

from __future__ import annotations

from ask_sdk_model import Response

from backend.shopping import delivery_date, order_status
from skill.handlers.shopping_base import ShoppingHandler
from skill.handlers.turn_context import Turn


class OrderStatusHandler(ShoppingHandler):
    intent = "OrderStatusIntent"

    def reads_summary(self, turn: Turn) -> bool:
        return True

    def respond(self, turn: Turn) -> Response:
        orders = turn.shopping.recent_orders(turn.caller.customer_id, limit=1, state=turn.read_so_far)
        if not orders:
            return turn.ask("status.none")
        order = orders[0]
        status = order_status(order, turn.now().date())
        return turn.ask(
            f"status.{status}" if turn.speech.has(f"status.{status}") else "status.other",
            placed=turn.day(order.placed_on),
            count=turn.counted("item", order.item_count),
            total=turn.money(order.total),
            day=turn.day(delivery_date(order), weekday=True),
            status=status,
        )
