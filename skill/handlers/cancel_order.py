"""Cancelling the latest order: "cancel my order", "call off my delivery". While it can still be cancelled, the skill
reads what it is and until when it can be cancelled, and asks; only a yes in the next turn cancels it (a question
of one turn, like the checkout quote). Too late, delivered or cancelled already: said plainly, with where to go."""

from __future__ import annotations

from datetime import datetime, timedelta

from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from backend.shopping import CancelCheck, CancelState, delivery_date
from skill.handlers.pending import Pending, Question
from skill.handlers.shopping_base import ShoppingHandler
from skill.handlers.turn_context import Turn

_SAID = {
    CancelState.TOO_LATE: "cancel.too_late",
    CancelState.DELIVERED: "cancel.delivered",
    CancelState.CANCELLED: "cancel.already",
}


class CancelOrderHandler(ShoppingHandler):
    intent = "CancelOrderIntent"

    def respond(self, turn: Turn) -> Response:
        check = turn.shopping.cancellations.latest(turn.caller.customer_id)
        if check is None:
            return turn.ask("cancel.no_orders")
        if check.state is not CancelState.CANCELLABLE:
            return turn.ask(_SAID[check.state], **_about(turn, check))
        turn.set_pending(Question.CANCEL_ORDER, order_id=check.order.order_id)
        return turn.ask("cancel.ask", "cancel.reprompt", until=_until(turn, check.deadline), **_about(turn, check))


def cancel_order(turn: Turn, pending: Pending) -> Response:
    """The yes to "should I cancel it?": the order that question read, if it can still be cancelled now."""
    turn.clear_pending()
    order_id = str(pending.get("order_id") or "")
    read = turn.read_so_far  # the yes's batch read brought the order summary along (``YesHandler.reads_summary``)
    summary = read.order_summary if read is not None and read.customer_id == turn.caller.customer_id else None
    check = turn.shopping.cancellations.cancel(
        turn.caller.customer_id, order_id, request_id=turn.request_id, origin=turn.origin(), summary=summary
    )
    if check is None:
        return turn.ask("cancel.no_orders")
    if check.state is not CancelState.CANCELLED:
        return turn.ask(_SAID[check.state], **_about(turn, check))
    order = check.order
    values = _about(turn, check)
    response = turn.ask("cancel.done", **values)
    items = "\n".join(turn.line(line.quantity, turn.product(line.product_id).name, line.unit) for line in order.lines)
    text = turn.plain("cancel.card_text", order_id=order.order_id, items=items, total=values["total"])
    response.card = SimpleCard(title=turn.plain("cancel.card_title"), content=text)
    return response


def _about(turn: Turn, check: CancelCheck) -> dict[str, str]:
    order = check.order
    return {
        "placed": turn.day(order.placed_on),
        "count": turn.counted("item", order.item_count),
        "total": turn.money(order.total),
        "day": _relative_day(turn, datetime.combine(delivery_date(order), datetime.min.time())),
    }


def _until(turn: Turn, deadline: datetime) -> str:
    return turn.say("cancel.until", time=turn.speech.time_of_day(deadline.time()), day=_relative_day(turn, deadline))


def _relative_day(turn: Turn, moment: datetime) -> str:
    """ "today", "tomorrow", or "on Thursday November 26"."""
    today = turn.now().date()
    if moment.date() == today:
        return turn.say("day.today")
    if moment.date() == today + timedelta(days=1):
        return turn.say("day.tomorrow")
    return turn.say("day.on", day=turn.day(moment.date(), weekday=True))
