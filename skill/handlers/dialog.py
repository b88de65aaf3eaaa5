"""The answers to a question the skill asked: yes, no, "the second one" / "the last one" / "none of those" / a name,
the voice code. What they answer is the question of the turn before (``skill.handlers.lifecycle``: a question lives
one turn), which also says which answers it accepts (``skill.handlers.pending``)."""

from __future__ import annotations

import re

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response

from backend.profile import Outcome
from backend.resolver import spoken_options
from backend.shopping import normalise_code, whole_number
from skill.handlers.cancel_order import cancel_order
from skill.handlers.cart import clear_cart, undo_last_change
from skill.handlers.lifecycle import asked_reprompt, take_question
from skill.handlers.pending import OFFERS_OPTIONS, Answer, Pending, Question, accepts
from skill.handlers.several import add_then_continue, next_in_queue
from skill.handlers.shopping_base import (
    ShoppingHandler,
    act_on_resolution,
    add_pending_items,
    add_pending_items_then_quote,
    ask_again,
    choose_reprompt,
    offer_choices,
    option_names,
    or_list,
    place_order,
    read_quote,
    read_rest_of_quote,
    skip_rest_of_quote,
)
from skill.handlers.turn_context import Turn, with_question

_ORDINALS = {"first": 1, "one": 1, "1": 1, "second": 2, "two": 2, "2": 2, "third": 3, "three": 3, "3": 3}
LAST = "last"  # CHOICE id: the last of the options offered
NONE = "none"  # CHOICE id: none of them
CHEAPEST = "cheapest"  # CHOICE id: the option of the lowest price
USUAL = "usual"  # CHOICE id: the option the customer bought


class YesHandler(ShoppingHandler):
    intent = "AMAZON.YesIntent"

    def reads_summary(self, turn: Turn) -> bool:
        pending = turn.pending  # a yes to the quote places the order, which folds it into the summary; a yes to
        # "should I cancel it?" rebuilds the summary over the revision read
        return (
            pending is not None
            and pending.kind in {Question.CHECKOUT, Question.CANCEL_ORDER}
            and pending.accepts(Answer.YES)
        )

    def respond(self, turn: Turn) -> Response:
        pending = turn.pending
        if pending is None:
            # Every answer without a question ends in "Anything else?": a yes to that is a wish to go on, and
            # never an order or a product.
            return turn.ask("dialog.yes_what_else")
        if not pending.accepts(Answer.YES):
            return turn.ask("dialog.nothing_pending")
        turn.answered()
        kind = pending.kind
        if kind == Question.ADD:
            return add_then_continue(turn, pending, str(pending.get("product")))
        if kind in {Question.CHOOSE, Question.SWAP}:
            # "yes" to "X, Y or Z. Which one?" picks none of them: guessing would put a product in the cart that
            # the customer did not name, so the question is asked again.
            return ask_again(turn, pending)
        if kind == Question.OFFER_ADD:
            return offer_add_yes(turn, pending)
        if kind == Question.CLEAR:
            return clear_cart(turn)
        if kind == Question.CANCEL_ORDER:
            return cancel_order(turn, pending)
        if kind == Question.UNDO:
            return undo_last_change(turn)
        if kind == Question.REORDER:  # "should I add them and check out?"
            return add_pending_items_then_quote(turn)
        if kind == Question.USUAL:  # "want me to add them to your cart?": added, no quote nobody asked for
            return add_pending_items(turn)
        if kind == Question.CHECKOUT:
            return place_order(turn)
        if kind == Question.READ_REST:
            return read_rest_of_quote(turn)
        if kind == Question.CODE:
            turn.set_pending(Question.CODE, **dict(pending.data))
            return turn.ask("code.ask", "code.reprompt")
        return read_quote(turn)  # Question.OFFER_CART, Question.OFFER_CHECKOUT: the quote, never an order


class NoHandler(ShoppingHandler):
    intent = "AMAZON.NoIntent"

    def respond(self, turn: Turn) -> Response:
        pending = turn.pending
        turn.clear_pending()
        if pending is None or not pending.accepts(Answer.NO):
            # "no thanks" to "Anything else?": the customer is done.
            return (
                turn.handler_input.response_builder.speak(turn.say("stop.goodbye"))
                .set_should_end_session(True)
                .response
            )
        turn.answered()
        return say_no(turn, pending)


def say_no(turn: Turn, pending: Pending) -> Response:
    kind = pending.kind
    if kind in {Question.ADD, Question.CHOOSE, Question.OFFER_ADD}:
        turn.record(turn.event(Outcome.DECLINED, heard=pending.get("heard")))
        return next_in_queue(turn, pending, lead=turn.say("dialog.nothing_added"))
    if kind == Question.SWAP:
        turn.record(turn.event(Outcome.DECLINED, heard=pending.get("heard")))
        return turn.ask("swap.kept")
    if kind == Question.CANCEL_ORDER:
        return turn.ask("cancel.kept")
    if kind == Question.READ_REST:
        return skip_rest_of_quote(turn)
    if kind in {Question.CHECKOUT, Question.CODE, Question.OFFER_CART}:
        return turn.ask("checkout.declined")
    if kind == Question.OFFER_CHECKOUT:
        return turn.ask("cart.total_kept")
    if kind in {Question.REORDER, Question.USUAL}:
        return turn.ask("reorder.declined")
    if kind == Question.UNDO:
        # The change stands: the next "cancel" or "never mind" means leave, not the same question again.
        turn.forget_add()
    return turn.ask("cart.kept")  # Question.CLEAR, Question.UNDO


class SelectChoiceHandler(ShoppingHandler):
    intent = "SelectChoiceIntent"

    def respond(self, turn: Turn) -> Response:
        pending = turn.pending
        options = [str(option) for option in pending.get("options", [])] if pending is not None else []
        if pending is None or not pending.accepts(Answer.CHOICE) or not options:
            return turn.ask("dialog.nothing_pending")
        turn.answered()
        ids = turn.slot_ids("choice")
        if NONE in ids:
            return say_no(turn, pending)
        named = [pid for pid in dict.fromkeys(ids) if pid in options]  # a name, under the dynamic entities
        if len(named) > 1:
            # "plain" to "Honey, Plain Non-Fat or Plain Greek Yogurt?": a word two options share picks neither;
            # the question is asked again between those two
            return ask_between(turn, pending, named)
        chosen = named[0] if named else None
        if chosen is None and CHEAPEST in ids:
            return add_cheapest(turn, pending, options)
        if chosen is None and USUAL in ids:
            return add_usual(turn, pending, options)
        if chosen is None:
            chosen = _by_position(turn, ids, options)
        if chosen is None:
            return ask_again(turn, pending)
        return add_then_continue(turn, pending, chosen)


def ask_between(turn: Turn, pending: Pending, named: list[str]) -> Response:
    """The same question, now between the options the answer fits (what else it holds kept)."""
    products = [turn.product(pid) for pid in named]
    unit = pending.get("unit")
    if pending.kind == Question.SWAP:
        turn.set_pending(pending.kind, **{**dict(pending.data), "options": named})
        return ask_again(turn, Pending(pending.kind, {**dict(pending.data), "options": named}))
    return offer_choices(
        turn,
        products,
        int(pending.get("quantity", 1)),
        str(pending.get("heard") or ""),
        queue=pending.get("queue") or [],
        unit=str(unit) if unit else None,
    )


def add_cheapest(turn: Turn, pending: Pending, options: list[str]) -> Response:
    """ "The cheaper one": the option of the lowest price, said back with its price."""
    offered = [turn.product(pid) for pid in options if pid in turn.backend.catalog]
    if not offered:
        return ask_again(turn, pending)
    cheapest = min(offered, key=lambda product: product.price)
    lead = turn.say("resolve.cheapest", product=cheapest.name, price=turn.money(cheapest.price))
    return add_then_continue(turn, pending, cheapest.id, lead=lead)


def add_usual(turn: Turn, pending: Pending, options: list[str]) -> Response:
    """ "The one I usually get": the option the customer bought (most often, of several); none bought, they are
    told so and the question stays open."""
    purchases = turn.shopping.purchases(turn.state)
    bought = [pid for pid in options if pid in purchases and purchases[pid].count > 0]
    if not bought:
        turn.set_pending(pending.kind, **dict(pending.data))
        names = option_names(turn, spoken_options([turn.product(pid) for pid in options]))
        return turn.ask("resolve.none_bought", choose_reprompt(len(names)), options=or_list(turn, names))
    usual = max(bought, key=lambda pid: (purchases[pid].count, -purchases[pid].days_since_last))
    lead = turn.say("resolve.usual_pick", product=turn.product(usual).name)
    return add_then_continue(turn, pending, usual, lead=lead)


def _by_position(turn: Turn, ids: list[str], options: list[str]) -> str | None:
    if LAST in ids:
        return options[-1]
    heard = (turn.slot_value("choice") or "").lower().removeprefix("the ").removesuffix(" one").strip()
    number = next((n for pid in ids if (n := whole_number(pid)) is not None), 0) or _ORDINALS.get(heard, 0)
    return options[number - 1] if 1 <= number <= len(options) else None


def offer_add_yes(turn: Turn, pending: Pending) -> Response:
    """The yes to "want me to add it?": the product named, or the words resolved as an add would."""
    product = pending.get("product")
    if product and str(product) in turn.backend.catalog:
        return add_then_continue(turn, pending, str(product))
    heard = str(pending.get("heard") or "")
    return act_on_resolution(turn, turn.resolve(heard), int(pending.get("quantity", 1)), heard)


class VoiceCodeHandler(ShoppingHandler):
    intent = "VoiceCodeIntent"

    def reads_summary(self, turn: Turn) -> bool:
        return accepts(turn.pending, Answer.CODE)  # the code places the order (see ``YesHandler``)

    def respond(self, turn: Turn) -> Response:
        if not accepts(turn.pending, Answer.CODE):
            if turn.state.voice_code.locked:
                return turn.ask("checkout.locked")  # a code said after the lock: refused, whatever it is
            return turn.ask("dialog.nothing_pending")
        pending = turn.answered()
        code = normalise_code(turn.slot_value("code"))
        if code is None:
            assert pending is not None
            turn.set_pending(Question.CODE, **dict(pending.data))
            return turn.ask("code.not_heard", "code.reprompt")
        return place_order(turn, code=code)


class UnclearAnswerHandler(ShoppingHandler):
    """A reply the skill did not understand (the fallback), or "help", while a question is open: the question stays
    open and is asked again, help first saying how to answer it. Nothing is placed, added or dropped: only a clear
    answer does that (a muddle such as "no wait yes" is no answer)."""

    intent = "AMAZON.FallbackIntent"

    def can_handle(self, handler_input: HandlerInput) -> bool:
        unclear = is_intent_name("AMAZON.FallbackIntent")(handler_input) or is_intent_name("AMAZON.HelpIntent")(
            handler_input
        )
        return bool(unclear) and take_question(handler_input) is not None

    def respond(self, turn: Turn) -> Response:
        pending = turn.pending
        assert pending is not None  # can_handle
        helping = turn.intent_name == "AMAZON.HelpIntent"
        catalog = turn.backend.catalog
        options = [str(pid) for pid in pending.get("options", []) if str(pid) in catalog]
        turn.set_pending(pending.kind, **dict(pending.data))
        if pending.kind in OFFERS_OPTIONS and options:
            names = option_names(turn, spoken_options([turn.product(pid) for pid in options]))
            lead = turn.say("help.choose" if helping else "dialog.not_understood")
            question = turn.say("resolve.which_one", options=or_list(turn, names))
            return turn.ask_text(f"{lead} {question}", choose_reprompt(len(names)))
        reprompt = asked_reprompt(turn.handler_input) or turn.say("help.yes_or_no")
        lead = turn.say("dialog.not_understood")
        if helping and pending.accepts(Answer.YES) and pending.kind != Question.CODE:
            lead = turn.say("help.yes_or_no")
        return turn.handler_input.response_builder.speak(question_last(lead, reprompt, turn)).ask(reprompt).response


_SENTENCE = re.compile(r"[^.?!]+[.?!]+")


def question_last(lead: str, reprompt: str, turn: Turn) -> str:
    """``lead``, then the reprompt with its question said last ("Say yes to order, or no. Should I place the
    order?"): the speech of an open microphone ends on what it asks."""
    sentences = [part.strip() for part in _SENTENCE.findall(reprompt)] or [reprompt]
    told = [part for part in sentences if not part.endswith("?")]
    asked = [part for part in sentences if part.endswith("?")]
    return with_question(" ".join([lead, *told, *asked]), reprompt, turn)
