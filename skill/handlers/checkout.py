"""Checkout: read seller, products, delivery and total with tax, and wait for an explicit yes (dialog.py)."""

from __future__ import annotations

from ask_sdk_model import Response

from skill.handlers.shopping_base import ShoppingHandler, read_quote
from skill.handlers.turn_context import Turn


class CheckoutHandler(ShoppingHandler):
    intent = "CheckoutIntent"

    def respond(self, turn: Turn) -> Response:
        return read_quote(turn)
