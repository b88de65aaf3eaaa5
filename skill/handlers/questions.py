"""Questions shoppers ask without buying: what the cart comes to, whether a product is in it, what they usually
buy, what a product costs. Each answers, then asks a plain question whose yes does the next natural thing (the
quote, an add) and never places an order."""

from __future__ import annotations

from decimal import Decimal

from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from backend.errors import EmptyCart
from backend.resolver import Decision
from skill.handlers.cart import find_in_cart, refers_back
from skill.handlers.pending import Pending, Question
from skill.handlers.shopping_base import (
    ShoppingHandler,
    _distinct,
    act_on_resolution,
    choose_reprompt,
    offer_choices,
    read_quote,
)
from skill.handlers.turn_context import Turn


class CartTotalHandler(ShoppingHandler):
    intent = "CartTotalIntent"

    def respond(self, turn: Turn) -> Response:
        return cart_total(turn)


def cart_total(turn: Turn) -> Response:
    """What the cart comes to (the checkout quote's figures), then "want to check out?" whose yes reads the quote."""
    try:
        quote = turn.shopping.quote(turn.state.cart)  # the same calculation the checkout quote reads
    except EmptyCart:
        return turn.ask("cart.empty")
    turn.set_pending(Question.OFFER_CHECKOUT, version=quote.cart_version)
    return turn.ask(
        "cart.total",
        "cart.total_reprompt",
        count=turn.counted("item", quote.item_count),
        subtotal=turn.money(quote.subtotal),
        tax=turn.money(quote.tax),
        delivery=turn.money(quote.delivery) if quote.delivery else turn.say("checkout.free"),
        total=turn.money(quote.total),
    )


class CartContainsHandler(ShoppingHandler):
    intent = "CartContainsIntent"

    def respond(self, turn: Turn) -> Response:
        words = turn.slot_value("product")
        if not words and not turn.slot_ids("product"):
            return turn.ask("add.which", "add.which_reprompt")
        product_id = find_in_cart(turn)
        if product_id is not None:
            line = turn.state.cart.line_for(product_id)
            turn.mention(product_id)
            quantity = line.quantity if line is not None else 1
            name = turn.product(product_id).name
            if line is not None and line.unit:  # "2 pounds of Banana", never "2 Banana"
                return turn.ask("cart.has_amount", amount=turn.line(quantity, name, line.unit))
            return turn.ask("cart.has", quantity=quantity, product=name)
        heard = words or turn.say("word.that")
        ids = turn.slot_ids("product")
        turn.set_pending(Question.OFFER_ADD, heard=heard[:100], quantity=1, product=ids[0] if ids else None)
        return turn.ask("cart.has_not", "cart.has_not_reprompt", heard=heard)


class UsualProductsHandler(ShoppingHandler):
    intent = "UsualProductsIntent"

    def reads_summary(self, turn: Turn) -> bool:
        return True

    def respond(self, turn: Turn) -> Response:
        basket = turn.shopping.usual(turn.state, turn.caller.person_id)
        if not basket:
            return turn.ask("reorder.no_usual")
        items = [(item.product_id, item.quantity) for item in basket if item.product_id in turn.backend.catalog]
        names = [turn.product(pid).name for pid, _ in items]
        turn.set_pending(Question.USUAL, items=[[pid, quantity] for pid, quantity in items])
        card = "\n".join(turn.line(quantity, turn.product(pid).name) for pid, quantity in items)
        # read as the reorder offer reads it (at most five names, then "and 10 more"); the card holds them all
        response = turn.ask("usual.products", "usual.reprompt", items=turn.product_list(names))
        response.card = SimpleCard(title=turn.plain("usual.card_title"), content=card)
        return response


class ProductPriceHandler(ShoppingHandler):
    intent = "ProductPriceIntent"

    def respond(self, turn: Turn) -> Response:
        words = turn.slot_value("product") or ""
        ids = turn.slot_ids("product")
        if words and refers_back(words):
            # "how much is that": what the question just asked was about, else the product named last, else the
            # cart; never the word resolved as a product name.
            return price_of_what_was_said(turn)
        if not words and not ids:
            return turn.ask("price.which", "add.which_reprompt")
        resolution = turn.resolve(words, alexa_ids=ids)
        best = resolution.best
        if resolution.decision in {Decision.ACCEPT, Decision.CONFIRM} and best is not None:
            product = best.product
            turn.mention(product.id)
            if turn.state.cart.line_for(product.id) is not None:
                # already in the cart: the price, and no offer to add what is there
                return turn.ask("price.each_in_cart", product=product.name, price=turn.money(product.price))
            turn.set_pending(Question.OFFER_ADD, product=product.id, quantity=1, heard=words[:100])
            return turn.ask("price.each", "price.reprompt", product=product.name, price=turn.money(product.price))
        if resolution.decision == Decision.CHOOSE and len(resolution.candidates) >= 2:
            options = [c.product for c in _distinct(resolution.candidates)[:3]]
            prices = [turn.say("price.option", product=p.name, price=turn.money(p.price)) for p in options]
            lead = turn.say("price.options", prices=turn.speech.join(prices))
            return offer_choices(turn, options, 1, words, lead=lead)
        return act_on_resolution(turn, resolution, 1, words)  # not found: says so, adds nothing


def price_of_what_was_said(turn: Turn) -> Response:
    pending = turn.pending
    if pending is not None:
        answered = _price_keeping_question(turn, pending)
        if answered is not None:
            return answered
    last = turn.last_product
    if last is not None:
        product = turn.product(last)
        line = turn.state.cart.line_for(last)
        if line is not None:
            return turn.ask("price.each_in_cart", product=product.name, price=turn.money(product.price))
        turn.set_pending(Question.OFFER_ADD, product=last, quantity=1, heard=product.name[:100])
        return turn.ask("price.each", "price.reprompt", product=product.name, price=turn.money(product.price))
    if turn.state.cart.is_empty:
        return turn.ask("price.which", "add.which_reprompt")
    return cart_total(turn)


def _price_keeping_question(turn: Turn, pending: Pending) -> Response | None:
    """The price of what the open question is about, and the same question again (it stays open one more turn).
    ``None`` when the question is about no price."""
    kind = pending.kind
    catalog = turn.backend.catalog
    if kind in {Question.ADD, Question.OFFER_ADD} and str(pending.get("product")) in catalog:
        product = turn.product(str(pending.get("product")))
        quantity = int(pending.get("quantity", 1))
        turn.set_pending(kind, **dict(pending.data))
        speech = turn.say("price.each_only", product=product.name, price=turn.money(product.price))
        return turn.ask_text(speech, "resolve.confirm_reprompt", quantity=quantity, product=product.name)
    if kind in {Question.CHOOSE, Question.SWAP}:
        options = [turn.product(str(pid)) for pid in pending.get("options", []) if str(pid) in catalog]
        if not options:
            return None
        prices = [turn.say("price.option", product=p.name, price=turn.money(p.price)) for p in options]
        turn.set_pending(kind, **dict(pending.data))
        speech = f"{turn.say('price.options', prices=turn.speech.join(prices))} {turn.say('price.which_one')}"
        return turn.ask_text(speech, choose_reprompt(len(options)))
    if kind in {Question.REORDER, Question.USUAL}:
        items = [(str(pid), int(quantity)) for pid, quantity in pending.get("items", []) if str(pid) in catalog]
        total = sum((turn.product(pid).price * quantity for pid, quantity in items), Decimal(0))
        turn.set_pending(kind, **dict(pending.data))
        speech = turn.say("price.items", total=turn.money(total))
        return turn.ask_text(speech, "reorder.reprompt" if kind == Question.REORDER else "usual.reprompt")
    if kind in {Question.CHECKOUT, Question.READ_REST, Question.CODE}:
        # The whole quote again: the question whose yes orders names what is ordered and its total.
        turn.forget_state()
        return read_quote(turn)
    if kind in {Question.OFFER_CHECKOUT, Question.OFFER_CART}:
        return cart_total(turn)
    if kind == Question.CLEAR:
        try:
            quote = turn.shopping.quote(turn.state.cart)
        except EmptyCart:
            return None
        turn.set_pending(kind, **dict(pending.data))
        speech = turn.say("price.cart_now", total=turn.money(quote.total))
        return turn.ask_text(speech, "cart.clear_reprompt")
    return None
