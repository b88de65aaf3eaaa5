"""The answers to a question the skill asked: yes, no, "the second one", the voice code. What they answer is the
question pending in the session (``skill.handlers.pending``), which also says which answers it accepts."""

from __future__ import annotations

from ask_sdk_model import Response

from backend.profile import Outcome
from backend.shopping import normalise_code
from skill.handlers.cart import clear_cart
from skill.handlers.pending import Answer, Question, accepts
from skill.handlers.shopping_base import (
    ShoppingHandler,
    add_pending_items_then_quote,
    add_product,
    place_order,
    read_quote,
)
from skill.handlers.turn_context import Turn

_ORDINALS = {"first": 1, "one": 1, "1": 1, "second": 2, "two": 2, "2": 2, "third": 3, "three": 3, "3": 3}


class YesHandler(ShoppingHandler):
    intent = "AMAZON.YesIntent"

    def respond(self, turn: Turn) -> Response:
        pending = turn.pending
        if pending is None or not pending.accepts(Answer.YES):
            return turn.ask("dialog.nothing_pending")
        kind = pending.kind
        if kind == Question.ADD:
            return add_product(
                turn,
                turn.product(str(pending.get("product"))),
                int(pending.get("quantity", 1)),
                heard=pending.get("heard"),
            )
        if kind == Question.CHOOSE:
            options = pending.get("options") or []
            return add_product(turn, turn.product(str(options[0])), int(pending.get("quantity", 1)), heard=None)
        if kind == Question.CLEAR:
            return clear_cart(turn)
        if kind == Question.REORDER:
            return add_pending_items_then_quote(turn)
        if kind == Question.CHECKOUT:
            return place_order(turn)
        if kind == Question.CODE:
            return turn.ask("code.ask", "code.reprompt")
        return read_quote(turn)  # Question.OFFER_CART


class NoHandler(ShoppingHandler):
    intent = "AMAZON.NoIntent"

    def respond(self, turn: Turn) -> Response:
        pending = turn.pending
        turn.clear_pending()
        if pending is None or not pending.accepts(Answer.NO):
            return turn.ask("dialog.nothing_pending")
        kind = pending.kind
        if kind in {Question.ADD, Question.CHOOSE}:
            turn.record(turn.event(Outcome.DECLINED, heard=pending.get("heard")))
            return turn.ask("dialog.nothing_added")
        if kind in {Question.CHECKOUT, Question.CODE, Question.OFFER_CART}:
            return turn.ask("checkout.declined")
        if kind == Question.REORDER:
            return turn.ask("reorder.declined")
        return turn.ask("cart.kept")  # Question.CLEAR


class SelectChoiceHandler(ShoppingHandler):
    intent = "SelectChoiceIntent"

    def respond(self, turn: Turn) -> Response:
        pending = turn.pending
        options = [str(option) for option in pending.get("options", [])] if pending is not None else []
        if pending is None or not pending.accepts(Answer.CHOICE) or not options:
            return turn.ask("dialog.nothing_pending")
        ids = turn.slot_ids("choice")
        heard = (turn.slot_value("choice") or "").lower().removeprefix("the ").removesuffix(" one").strip()
        number = int(ids[0]) if ids and ids[0].isdigit() else _ORDINALS.get(heard, 0)
        if not 1 <= number <= len(options):
            return turn.ask("resolve.choose_again", count=len(options))
        return add_product(
            turn, turn.product(options[number - 1]), int(pending.get("quantity", 1)), heard=pending.get("heard")
        )


class VoiceCodeHandler(ShoppingHandler):
    intent = "VoiceCodeIntent"

    def respond(self, turn: Turn) -> Response:
        if not accepts(turn.pending, Answer.CODE):
            if turn.state.voice_code.locked:
                return turn.ask("checkout.locked")  # a code said after the lock: refused, whatever it is
            return turn.ask("dialog.nothing_pending")
        code = normalise_code(turn.slot_value("code"))
        if code is None:
            return turn.ask("code.not_heard", "code.reprompt")
        return place_order(turn, code=code)
