"""Cart intents: add, remove, change quantity, what's in my cart, clear (with confirmation)."""

from __future__ import annotations

from ask_sdk_model import Response
from ask_sdk_model.dialog import ElicitSlotDirective
from rapidfuzz import fuzz, process

from backend.errors import NotInCart
from backend.profile import Outcome
from backend.resolver import name_with_number
from skill.handlers.pending import Answer, Question, accepts
from skill.handlers.shopping_base import ShoppingHandler, act_on_resolution, add_product, put_in_cart
from skill.handlers.turn_context import Turn

_NAME_CUTOFF = 70  # rapidfuzz WRatio: "the bananas" vs "Banana" scores ~90; unrelated names stay under 60


# Words that name no product but the one the conversation talked about last ("remove it", "make that three").
PRONOUNS = frozenset(
    {"it", "that", "this", "them", "those", "these", "that one", "this one", "one", "same", "the same"}
)
_LAST_ADDED = ("the last thing", "last thing", "the last item", "last item", "the last one", "what i just added")
_ANOTHER = frozenset({"another", "another one", "one more", "more", "one", "the same", "same", "more of those"})


def refers_back(words: str | None) -> bool:
    return words is None or words.lower().strip() in PRONOUNS


def find_in_cart(turn: Turn) -> str | None:
    """The cart line the customer means: Alexa's ids or the resolver's candidates first, else the closest name.
    A pronoun (or no product at all) means the product the conversation named last; "the last thing I added" the
    newest one added this session."""
    cart = turn.state.cart
    in_cart = {line.product_id for line in cart.lines}
    words = turn.slot_value("product") or ""
    if words.lower().startswith(_LAST_ADDED):
        return turn.last_added
    if refers_back(words or None) and not turn.slot_ids("product"):
        last = turn.last_product
        return last if last in in_cart else None
    for product_id in turn.slot_ids("product"):
        if product_id in in_cart:
            return product_id
    names = {line.product_id: turn.product(line.product_id).name for line in cart.lines}
    if words and names:
        match = process.extractOne(words, names, scorer=fuzz.WRatio, score_cutoff=_NAME_CUTOFF)
        if match is not None:
            return str(match[2])
        for candidate in turn.resolve(words).candidates:
            if candidate.product.id in in_cart:
                return candidate.product.id
    return None


def pick_from_choices(turn: Turn) -> str | None:
    """While choices are on offer, "the organic one" / the name picks one of them."""
    pending = turn.pending
    if not accepts(pending, Answer.PRODUCT):
        return None
    assert pending is not None
    options = [str(option) for option in pending.get("options", [])]
    for product_id in turn.slot_ids("product"):
        if product_id in options:
            return product_id
    words = turn.slot_value("product")
    if not words or not options:
        return None
    names = {pid: turn.product(pid).name for pid in options if pid in turn.backend.catalog}
    match = process.extractOne(words, names, scorer=fuzz.WRatio, score_cutoff=_NAME_CUTOFF)
    return str(match[2]) if match is not None else None


class AddToCartHandler(ShoppingHandler):
    intent = "AddToCartIntent"

    def respond(self, turn: Turn) -> Response:
        words = turn.slot_value("product")
        ids = turn.slot_ids("product")
        pending = turn.pending
        if pending is not None and accepts(pending, Answer.PRODUCT):
            chosen = pick_from_choices(turn)
            if chosen is not None:
                quantity = int(pending.get("quantity", 1))
                return add_product(turn, turn.product(chosen), quantity, heard=words)
        if words and words.lower().strip() in _ANOTHER | PRONOUNS and turn.last_product and not ids:
            # "add another one", "three more of those": the product the conversation named last
            product = turn.product(turn.last_product)
            turn.clear_pending()
            return turn.ask_text(put_in_cart(turn, product, turn.quantity(), heard=words, say_total=True))
        if not words and not ids:
            intent = turn.request.intent
            return (
                turn.handler_input.response_builder.speak(turn.say("add.which"))
                .ask(turn.say("add.which_reprompt"))
                .add_directive(ElicitSlotDirective(updated_intent=intent, slot_to_elicit="product"))
                .response
            )
        quantity = turn.quantity()
        joined = name_with_number(turn.slot_value("quantity") or "", words or "")
        if joined is not None:  # "two percent milk": the number Alexa took for a quantity starts the name
            words, ids, quantity = joined, [], 1
        resolution = turn.resolve(words or "", alexa_ids=ids)
        return act_on_resolution(turn, resolution, quantity, words or (ids[0] if ids else ""))


class RemoveFromCartHandler(ShoppingHandler):
    intent = "RemoveFromCartIntent"

    def respond(self, turn: Turn) -> Response:
        words = (turn.slot_value("product") or "").lower()
        if words == "one" or words.startswith("one "):
            return remove_one(turn, words.removeprefix("one").strip())
        product_id = find_in_cart(turn)
        if product_id is None:
            return turn.ask("cart.not_in_cart", heard=turn.slot_value("product") or turn.say("word.that"))
        product = turn.product(product_id)
        turn.mention(product_id)
        event = turn.event(Outcome.REMOVED, product=product, heard=turn.slot_value("product"))
        try:
            turn.shopping.change_cart(
                turn.caller.customer_id,
                lambda cart: cart.without(product_id),
                request_id=turn.request_id,
                outcome={"product": product.name},
                event=event,
                cart=turn.state.cart,
            )
        except NotInCart:
            return turn.ask("cart.not_in_cart", heard=product.name)
        return turn.ask("cart.removed", product=product.name)


def remove_one(turn: Turn, words: str) -> Response:
    """ "remove one" (of the product named last) or "remove one banana": one fewer, the line gone at zero."""
    cart = turn.state.cart
    if words and not refers_back(words):
        names = {line.product_id: turn.product(line.product_id).name for line in cart.lines}
        match = process.extractOne(words, names, scorer=fuzz.WRatio, score_cutoff=_NAME_CUTOFF) if names else None
        product_id = str(match[2]) if match is not None else None
    else:
        product_id = turn.last_product
    line = cart.line_for(product_id) if product_id else None
    if product_id is None or line is None:
        return turn.ask("cart.not_in_cart", heard=words or turn.say("word.that"))
    product = turn.product(product_id)
    turn.mention(product_id)
    left = line.quantity - 1
    if left <= 0:
        change = lambda current: current.without(product_id)  # noqa: E731
        event = turn.event(Outcome.REMOVED, product=product, heard=words or None)
    else:
        at = turn.now().isoformat()
        change = lambda current: current.with_quantity(product_id, left, channel="voice", at=at)  # noqa: E731
        event = turn.event(Outcome.QUANTITY_CHANGED, product=product, quantity=left)
    turn.shopping.change_cart(
        turn.caller.customer_id,
        change,
        request_id=turn.request_id,
        outcome={"product": product.name, "quantity": left},
        event=event,
        cart=cart,
    )
    if left <= 0:
        return turn.ask("cart.removed", product=product.name)
    return turn.ask("cart.quantity_changed", product=product.name, quantity=left)


class ChangeQuantityHandler(ShoppingHandler):
    intent = "ChangeQuantityIntent"

    def respond(self, turn: Turn) -> Response:
        if turn.slot_value("quantity") is None:
            return turn.ask("quantity.missing", "quantity.reprompt")
        quantity = turn.quantity()
        product_id = find_in_cart(turn)
        if product_id is None:
            return turn.ask("cart.not_in_cart", heard=turn.slot_value("product") or turn.say("word.that"))
        product = turn.product(product_id)
        turn.mention(product_id)
        event = turn.event(Outcome.QUANTITY_CHANGED, product=product, quantity=quantity)
        turn.shopping.change_cart(
            turn.caller.customer_id,
            lambda cart: cart.with_quantity(product_id, quantity, channel="voice", at=turn.now().isoformat()),
            request_id=turn.request_id,
            outcome={"product": product.name, "quantity": quantity},
            event=event,
            cart=turn.state.cart,
        )
        return turn.ask("cart.quantity_changed", product=product.name, quantity=quantity)


class ReadCartHandler(ShoppingHandler):
    intent = "ReadCartIntent"

    def respond(self, turn: Turn) -> Response:
        cart = turn.state.cart
        if cart.is_empty:
            return turn.ask("cart.empty")
        names = [turn.line(line.quantity, turn.product(line.product_id).name) for line in cart.lines]
        return turn.ask("cart.contents", count=turn.counted("item", cart.item_count), items=turn.product_list(names))


class ClearCartHandler(ShoppingHandler):
    intent = "ClearCartIntent"

    def respond(self, turn: Turn) -> Response:
        cart = turn.state.cart
        if cart.is_empty:
            return turn.ask("cart.empty")
        turn.set_pending(Question.CLEAR, version=cart.version)
        return turn.ask("cart.clear_confirm", "cart.clear_reprompt", count=turn.counted("item", cart.item_count))


def clear_cart(turn: Turn) -> Response:
    """The yes to "clear my cart"."""
    event = turn.event(Outcome.CLEARED)
    turn.shopping.change_cart(
        turn.caller.customer_id,
        lambda cart: cart.cleared(),
        request_id=turn.request_id,
        outcome={"cleared": True},
        event=event,
        cart=turn.state.cart,
    )
    turn.clear_pending()
    return turn.ask("cart.cleared")
