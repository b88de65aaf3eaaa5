"""The base of every shopping handler, and the actions several intents share (add a product, offer choices,
read the checkout quote, place the order, reorder a list of products)."""

from __future__ import annotations

from typing import Any, ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from backend.catalog import Product
from backend.errors import (
    CartChangedSinceQuote,
    EmptyCart,
    PurchasingLocked,
    ValidationError,
    VoiceCodeRequired,
    WrongVoiceCode,
)
from backend.profile import Outcome
from backend.resolver import Candidate, Decision, ReasonCode, Resolution
from backend.services import Backend
from backend.shopping import delivery_date
from skill.handlers.pending import Question
from skill.handlers.turn_context import BadQuantity, Turn
from skill.identity import caller_of
from skill.turn import speech_for


class ShoppingHandler(AbstractRequestHandler):
    """Handles one intent for a linked customer. Subclasses implement ``respond(turn)``."""

    intent: ClassVar[str]

    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name(self.intent)(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        turn = self.start(handler_input)
        try:
            response = self.respond(turn)
        except BadQuantity as bad:
            response = turn.ask("quantity.bad", "quantity.reprompt", heard=bad.heard)
        turn.remember_alias()
        return response

    def start(self, handler_input: HandlerInput) -> Turn:
        caller = caller_of(handler_input, self.backend.tokens)  # AccountNotLinked -> the link-account answer
        return Turn(handler_input, self.backend, caller, speech_for(handler_input))

    def respond(self, turn: Turn) -> Response:
        raise NotImplementedError


# -- shared actions -----------------------------------------------------------------------------------------------
def add_product(
    turn: Turn, product: Product, quantity: int, *, heard: str | None, candidate: Candidate | None = None
) -> Response:
    """Add and say exactly what was added (and why this product, when history chose it)."""
    why = _why(turn, candidate)
    outcome = {"key": "cart.added", "quantity": quantity, "product": product.name, "why": why}
    event = turn.event(
        Outcome.ADDED,
        product=product,
        quantity=quantity,
        heard=heard,
        confidence=candidate.confidence if candidate else None,
    )
    cart = turn.state.cart if turn.state else None
    result = turn.shopping.add_items(
        turn.caller.customer_id,
        [(product.id, quantity)],
        request_id=turn.request_id,
        outcome=outcome,
        event=event,
        cart=cart,
    )
    turn.clear_pending()
    said = result.outcome or outcome
    return turn.ask(
        "cart.added",
        quantity=said.get("quantity", quantity),
        product=said.get("product", product.name),
        why=said.get("why", why),
    )


def _why(turn: Turn, candidate: Candidate | None) -> str:
    if candidate is None:
        return ""
    for reason in candidate.reasons:
        if reason.code == ReasonCode.BOUGHT_BEFORE:
            return turn.say("reason.bought_before")
    return ""


def act_on_resolution(turn: Turn, resolution: Resolution, quantity: int, heard: str) -> Response:
    """ACCEPT adds; CONFIRM asks "did you mean"; CHOOSE offers 2-3 distinct products; NOT_FOUND suggests."""
    best = resolution.best
    if resolution.decision == Decision.ACCEPT and best is not None:
        return add_product(turn, best.product, quantity, heard=heard, candidate=best)
    if resolution.decision == Decision.CONFIRM and best is not None:
        turn.set_pending(Question.ADD, product=best.product.id, quantity=quantity, heard=heard[:100])
        return turn.ask("resolve.confirm", "resolve.confirm_reprompt", quantity=quantity, product=best.product.name)
    if resolution.decision == Decision.CHOOSE and len(resolution.candidates) >= 2:
        options = _distinct(resolution.candidates)[:3]
        turn.set_pending(Question.CHOOSE, options=[c.product.id for c in options], quantity=quantity, heard=heard[:100])
        names = [c.product.name for c in options]
        return turn.ask("resolve.choose", "resolve.choose_reprompt", options=_or_list(turn, names))
    turn.clear_pending()
    turn.record(turn.event(Outcome.NOT_FOUND, heard=heard))
    if best is not None:
        return turn.ask("resolve.not_found_suggest", heard=heard, product=best.product.name)
    return turn.ask("resolve.not_found", heard=heard)


def _distinct(candidates: tuple[Candidate, ...]) -> list[Candidate]:
    seen: set[str] = set()
    distinct = []
    for candidate in candidates:
        name = candidate.product.name.casefold()
        if name not in seen:
            seen.add(name)
            distinct.append(candidate)
    return distinct


def _or_list(turn: Turn, names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {turn.say('list.or')} {names[-1]}"


def read_quote(turn: Turn, *, lead: str | None = None) -> Response:
    """Amazon's rule for physical goods: seller, products, delivery and total with tax, then an explicit yes."""
    state = turn.state
    if state.voice_code.locked:
        turn.clear_pending()
        return turn.ask("checkout.locked")
    try:
        quote = turn.shopping.quote(state.cart)
    except EmptyCart:
        turn.clear_pending()
        return turn.ask("checkout.empty")
    names = [turn.line(line.quantity, line.name) for line in quote.lines]
    turn.set_pending(Question.CHECKOUT, version=quote.cart_version)
    speech = turn.say(
        "checkout.summary",
        seller=quote.seller,
        items=turn.product_list(names),
        count=quote.item_count,
        subtotal=turn.money(quote.subtotal),
        tax=turn.money(quote.tax),
        delivery=turn.money(quote.delivery) if quote.delivery else turn.say("checkout.free"),
        total=turn.money(quote.total),
    )
    if lead:
        speech = f"{lead} {speech}"
    return turn.handler_input.response_builder.speak(speech).ask(turn.say("checkout.reprompt")).response


def place_order(turn: Turn, *, code: str | None = None) -> Response:
    pending = turn.pending
    version = pending.get("version") if pending is not None else None
    person = turn.caller.person_id
    try:
        placed = turn.shopping.place_order(
            turn.caller.customer_id,
            request_id=turn.request_id,
            expected_version=int(version) if version is not None else None,
            code=code,
            person_id=person,
            origin=turn.origin(),
            state=turn.state,
        )
    except VoiceCodeRequired:
        turn.set_pending(Question.CODE, version=version)
        return turn.ask("code.ask", "code.reprompt")
    except WrongVoiceCode as wrong:
        turn.set_pending(Question.CODE, version=version)
        return turn.ask("code.wrong", "code.reprompt", attempts=turn.counted("try", wrong.attempts_left))
    except PurchasingLocked:
        turn.clear_pending()
        return turn.ask("checkout.locked")
    except EmptyCart:
        turn.clear_pending()
        return turn.ask("checkout.empty")
    except CartChangedSinceQuote:
        turn.forget_state()  # read the changed cart afresh
        return read_quote(turn, lead=turn.say("checkout.changed"))
    turn.clear_pending()
    order = placed.order
    names = [turn.line(line.quantity, turn.product(line.product_id).name) for line in order.lines]
    when = delivery_date(order).strftime("%A")
    speech = turn.say(
        "checkout.placed",
        count=turn.counted("item", order.item_count),
        total=turn.money(order.total),
        seller=turn.backend.settings.seller_name,
        day=when,
    )
    card = turn.plain(
        "checkout.card_text",
        order_id=order.order_id,
        items="\n".join(names),
        subtotal=turn.money(order.subtotal),
        tax=turn.money(order.tax),
        delivery=turn.money(order.delivery),
        total=turn.money(order.total),
        day=when,
        seller=turn.backend.settings.seller_name,
    )
    return (
        turn.handler_input.response_builder.speak(speech)
        .set_card(SimpleCard(title=turn.plain("checkout.card_title"), content=card))
        .set_should_end_session(True)
        .response
    )


def offer_items(turn: Turn, items: list[tuple[str, int]], *, key: str, **values: Any) -> Response:
    """Say what would be reordered, and ask before anything is added or placed."""
    names = [turn.line(quantity, turn.product(pid).name) for pid, quantity in items]
    turn.set_pending(Question.REORDER, items=[[pid, quantity] for pid, quantity in items])
    return turn.ask(
        key, "reorder.reprompt", items=turn.product_list(names), count=turn.counted("product", len(items)), **values
    )


def add_pending_items_then_quote(turn: Turn) -> Response:
    """The yes to a reorder: put the products in the cart (one write), then read the checkout quote."""
    pending = turn.pending
    held = pending.get("items", []) if pending is not None else []
    items = [(str(pid), int(quantity)) for pid, quantity in held]
    items = [(pid, quantity) for pid, quantity in items if pid in turn.backend.catalog]
    if not items:
        turn.clear_pending()
        return turn.ask("reorder.nothing_left")
    # ONE event for the whole reorder, naming each product in its lines: the profile's summary item may be written
    # once per transaction, and every product added counts toward the favourites.
    count = sum(quantity for _, quantity in items)
    lines = [(turn.product(pid), quantity) for pid, quantity in items]
    event = turn.event(Outcome.ADDED, quantity=min(max(count, 1), 99), lines=lines)
    try:
        result = turn.shopping.add_items(
            turn.caller.customer_id,
            items,
            request_id=turn.request_id,
            outcome={"key": "reorder.added", "count": len(items)},
            event=event,
            cart=turn.state.cart,
        )
    except ValidationError:
        # The cart would pass its 60 products (or a line its 50 units): nothing was added.
        turn.clear_pending()
        return turn.ask("reorder.cart_full")
    turn.forget_state()  # the quote reads the cart as saved
    lead = turn.say("reorder.added", count=turn.counted("product", int(result.outcome.get("count", len(items)))))
    return read_quote(turn, lead=lead)
