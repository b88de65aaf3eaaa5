"""The launch: a shopping handler like any other. A linked customer is greeted and offered what they left in the
cart on another channel ("you left oat milk in your cart on the website, want me to place the order?"); without a linked
account the ``AccountNotLinked`` it raises is answered by the link-account handler, as for every intent."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_request_type
from ask_sdk_model import Response

from skill.handlers.pending import Question
from skill.handlers.shopping_base import ShoppingHandler
from skill.handlers.turn_context import Turn

CHANNEL_WORDS = {"web": "channel.web", "app": "channel.app", "store": "channel.store", "email": "channel.email"}


class LaunchHandler(ShoppingHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("LaunchRequest")(handler_input))

    def respond(self, turn: Turn) -> Response:
        return _welcome(turn)


def _welcome(turn: Turn) -> Response:
    backend = turn.backend
    cart = turn.state.cart
    elsewhere = [line for line in cart.lines if line.channel in CHANNEL_WORDS]
    if elsewhere:
        # With their amounts, as the other channel left them: the yes places the order of exactly these.
        names = [
            turn.line(line.quantity, turn.product(line.product_id).name, line.unit)
            for line in elsewhere
            if line.product_id in backend.catalog
        ]
        channel = turn.say(CHANNEL_WORDS[elsewhere[-1].channel])
        turn.set_pending(Question.OFFER_CART, version=cart.version)
        return turn.ask(
            "launch.left_in_cart", "launch.left_in_cart_reprompt", items=turn.product_list(names), channel=channel
        )
    if not cart.is_empty:
        return turn.ask("launch.cart_waiting", "launch.reprompt", count=turn.counted("item", cart.item_count))
    return turn.ask("launch.welcome_back", "launch.reprompt")
