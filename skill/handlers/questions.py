"""Questions shoppers ask without buying: what the cart comes to, whether a product is in it, what they usually
buy, what a product costs. Each answers, then asks a plain question whose yes does the next natural thing (the
quote, an add) and never places an order."""

from __future__ import annotations

from ask_sdk_model import Response
from ask_sdk_model.ui import SimpleCard

from backend.errors import EmptyCart
from backend.resolver import Decision
from skill.handlers.cart import find_in_cart
from skill.handlers.pending import Question
from skill.handlers.shopping_base import ShoppingHandler, _distinct, act_on_resolution, offer_choices
from skill.handlers.turn_context import Turn


class CartTotalHandler(ShoppingHandler):
    intent = "CartTotalIntent"

    def respond(self, turn: Turn) -> Response:
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
            return turn.ask("cart.has", quantity=quantity, product=turn.product(product_id).name)
        heard = words or turn.say("word.that")
        ids = turn.slot_ids("product")
        turn.set_pending(Question.OFFER_ADD, heard=heard[:100], quantity=1, product=ids[0] if ids else None)
        return turn.ask("cart.has_not", "cart.has_not_reprompt", heard=heard)


class UsualProductsHandler(ShoppingHandler):
    intent = "UsualProductsIntent"

    def respond(self, turn: Turn) -> Response:
        basket = turn.shopping.usual(turn.state, turn.caller.person_id)
        if not basket:
            return turn.ask("reorder.no_usual")
        items = [(item.product_id, item.quantity) for item in basket if item.product_id in turn.backend.catalog]
        names = [turn.product(pid).name for pid, _ in items]
        turn.set_pending(Question.USUAL, items=[[pid, quantity] for pid, quantity in items])
        card = "\n".join(turn.line(quantity, turn.product(pid).name) for pid, quantity in items)
        response = turn.ask("usual.products", "usual.reprompt", items=turn.speech.join(names))
        response.card = SimpleCard(title=turn.plain("usual.card_title"), content=card)
        return response


class ProductPriceHandler(ShoppingHandler):
    intent = "ProductPriceIntent"

    def respond(self, turn: Turn) -> Response:
        words = turn.slot_value("product") or ""
        ids = turn.slot_ids("product")
        if not words and not ids:
            return turn.ask("price.which", "add.which_reprompt")
        resolution = turn.resolve(words, alexa_ids=ids)
        best = resolution.best
        if resolution.decision in {Decision.ACCEPT, Decision.CONFIRM} and best is not None:
            product = best.product
            turn.mention(product.id)
            turn.set_pending(Question.OFFER_ADD, product=product.id, quantity=1, heard=words[:100])
            return turn.ask("price.each", "price.reprompt", product=product.name, price=turn.money(product.price))
        if resolution.decision == Decision.CHOOSE and len(resolution.candidates) >= 2:
            options = [c.product for c in _distinct(resolution.candidates)[:3]]
            prices = [turn.say("price.option", product=p.name, price=turn.money(p.price)) for p in options]
            lead = turn.say("price.options", prices=turn.speech.join(prices))
            return offer_choices(turn, options, 1, words, lead=lead)
        return act_on_resolution(turn, resolution, 1, words)  # not found: says so, adds nothing
