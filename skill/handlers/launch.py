"""The launch of a linked customer: a greeting, and the cart left on another channel offered for checkout."""

from __future__ import annotations

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backend.errors import AccountNotLinked, UnknownAccessToken
from backend.services import Backend
from skill.handlers.account import link_account_response
from skill.handlers.turn_context import Turn
from skill.identity import caller_of
from skill.turn import speech_for

CHANNEL_WORDS = {"web": "channel.web", "app": "channel.app", "store": "channel.store", "email": "channel.email"}


def greet(handler_input: HandlerInput, backend: Backend) -> Response:
    try:
        caller = caller_of(handler_input, backend.tokens)
    except (AccountNotLinked, UnknownAccessToken):
        return link_account_response(handler_input)
    turn = Turn(handler_input, backend, caller, speech_for(handler_input))
    response = _welcome(turn)
    turn.remember_alias()
    return response


def _welcome(turn: Turn) -> Response:
    backend = turn.backend
    cart = turn.state.cart
    elsewhere = [line for line in cart.lines if line.channel in CHANNEL_WORDS]
    if elsewhere:
        names = [turn.product(line.product_id).name for line in elsewhere if line.product_id in backend.catalog]
        channel = turn.say(CHANNEL_WORDS[elsewhere[-1].channel])
        turn.set_pending("offer_cart", version=cart.version)
        return turn.ask(
            "launch.left_in_cart", "launch.left_in_cart_reprompt", items=turn.product_list(names), channel=channel
        )
    if not cart.is_empty:
        return turn.ask("launch.cart_waiting", "launch.reprompt", count=turn.counted("item", cart.item_count))
    return turn.ask("launch.welcome_back", "launch.reprompt")
