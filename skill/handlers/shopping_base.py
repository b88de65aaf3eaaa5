"""The base of every shopping handler, and the actions several intents share (add a product, offer choices,
read the checkout quote, place the order, reorder a list of products)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.response_helper import ResponseFactory
from ask_sdk_core.utils import is_intent_name
from ask_sdk_model import Response
from ask_sdk_model.dialog import DynamicEntitiesDirective
from ask_sdk_model.er.dynamic import Entity, EntityListItem, EntityValueAndSynonyms, UpdateBehavior
from ask_sdk_model.ui import SimpleCard

from backend.catalog import Product
from backend.errors import (
    CartChangedSinceQuote,
    EmptyCart,
    OtherUnitInCart,
    PurchasingLocked,
    ValidationError,
    VoiceCodeRequired,
    WrongVoiceCode,
)
from backend.profile import Outcome
from backend.resolver import (
    Candidate,
    Decision,
    Option,
    ReasonCode,
    Resolution,
    query_form,
    spoken_form,
    spoken_options,
)
from backend.services import Backend
from backend.shopping import Cart, LineAmount, Quote, Unfit, delivery_date, line_amount
from skill.handlers.pending import Pending, Question
from skill.handlers.turn_context import BadQuantity, Turn
from skill.identity import access_token_of, caller_as, caller_of
from skill.speech.names import said_name
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
        """The turn of a linked caller. A token this process resolved before is confirmed by the turn's state read
        (its lookup item is one more key of it), before anything else: no GetItem of its own, and a token revoked
        since is looked up afresh (``backend.identity.remembered``)."""
        token = access_token_of(handler_input)
        remembered = self.backend.remembered_tokens
        guess = remembered.guess(token) if remembered is not None else None
        if remembered is not None and guess is not None and token:
            turn = Turn(handler_input, self.backend, caller_as(handler_input, guess), speech_for(handler_input))
            turn.wants_summary = self.reads_summary(turn)
            try:
                confirmed = turn.confirm_token(token)
            except BaseException:
                turn.discard()  # unconfirmed: a failed read records nothing for the guessed customer
                raise
            if confirmed:
                return turn
            turn.discard()  # not this customer's any more: nothing of that turn may be recorded
            remembered.forget(token)
        caller = caller_of(handler_input, self.backend.tokens)  # AccountNotLinked -> the link-account answer
        if remembered is not None:
            remembered.remember(token, caller.customer_id)
        turn = Turn(handler_input, self.backend, caller, speech_for(handler_input))
        turn.wants_summary = self.reads_summary(turn)
        return turn

    def reads_summary(self, turn: Turn) -> bool:
        """Whether this turn will read the order summary (then the turn's state read brings it along). Asked
        before anything is read; a wrong False costs one read more, a wrong True ~10 KB read for nothing."""
        return False

    def respond(self, turn: Turn) -> Response:
        raise NotImplementedError


# -- shared actions -----------------------------------------------------------------------------------------------
def add_product(
    turn: Turn, product: Product, quantity: int, *, heard: str | None, candidate: Candidate | None = None
) -> Response:
    """Add and say exactly what was added (and why this product, when history chose it)."""
    turn.clear_pending()
    return turn.ask_text(put_in_cart(turn, product, quantity, heard=heard, candidate=candidate))


def put_in_cart(
    turn: Turn,
    product: Product,
    quantity: int,
    *,
    heard: str | None,
    candidate: Candidate | None = None,
    part: str = "",
    say_total: bool = False,
    amount: LineAmount | None = None,
) -> str:
    """Add one product (one write, one profile event); returns the sentence that says what was added (or, with
    ``say_total``, how many are in the cart now). ``part`` tells apart several writes of one request: each has its
    own retry marker and event id, so a retried request repeats none of them. ``amount`` is the line's quantity
    and unit worked out from a unit the customer said (``fitted``): then ``quantity`` is ignored."""
    if amount is not None:
        quantity = amount.quantity
    unit = amount.unit if amount is not None else None
    why = _why(turn, candidate)
    added: dict[str, Any] = {"key": "cart.added", "quantity": quantity, "product": product.name, "why": why}
    if unit:
        added["unit"] = unit

    def outcome(before: Cart, after: Cart) -> dict[str, Any]:
        # More of a line already in the cart: the answer says the line's new total ("that makes 4 cans"), and the
        # request's marker keeps it, so a retry says the same.
        held, line = before.line_for(product.id), after.line_for(product.id)
        if line is None or (held is None and not say_total):
            return added
        total: dict[str, Any] = {"total": line.quantity}
        if line.unit:
            total["total_unit"] = line.unit
        return {**added, **total}

    event = turn.event(
        Outcome.ADDED,
        product=product,
        quantity=quantity,
        heard=heard,
        confidence=candidate.confidence if candidate else None,
        part=part,
    )
    try:
        result = turn.shopping.add_items(
            turn.caller.customer_id,
            [(product.id, quantity)],
            request_id=f"{turn.request_id}#{part}" if part else turn.request_id,
            outcome=outcome,
            event=event,
            cart=turn.state.cart,
            units={product.id: unit} if unit else None,
            more_of_line=say_total and amount is None,  # "another one": more of the line, in its unit
        )
    except OtherUnitInCart:
        held = turn.state.cart.line_for(product.id)
        held_said = turn.line(held.quantity, product.name, held.unit) if held is not None else product.name
        return turn.say("cart.other_unit", held=held_said, said=turn.line(quantity, product.name, unit))
    before = turn.state.cart.line_for(product.id)
    turn.forget_state()
    turn.added([product.id])
    if result.cart is not None:
        line = result.cart.line_for(product.id)
        if before is not None and line is not None and line.unit != before.unit:
            # a pound and a half and two pounds made one amount ("three and a half pound"): "scratch that" sets
            # the line back to what it held, not a count of it taken out
            turn.record_quantity_set(product.id, before.quantity, result.cart.version, previous_unit=before.unit)
        else:
            turn.record_add(product.id, quantity, result.cart.version)
    return added_said(turn, result.outcome or added, say_total=say_total)


def added_said(turn: Turn, said: Mapping[str, Any], *, say_total: bool = False) -> str:
    """The sentence for one product added, from the outcome the add kept (``put_in_cart``'s: product, quantity,
    unit, why, and the line's new total when it was in the cart already), so a retried request says the same."""
    product, quantity, why = str(said.get("product", "")), int(said.get("quantity", 1)), str(said.get("why", ""))
    total = said.get("total")
    if total is not None:
        unit_held = said.get("total_unit")
        if say_total:
            return quantity_changed(turn, product, int(total), str(unit_held) if unit_held else None)
        amount_held = turn.line(int(total), product, str(unit_held) if unit_held else None)
        return turn.say("cart.added_to_line", amount=amount_held, why=why)
    said_unit = said.get("unit")
    if said_unit:
        return turn.say("cart.added_amount", amount=turn.line(quantity, product, str(said_unit)), why=why)
    return turn.say("cart.added", quantity=quantity, product=product, why=why)


def quantity_changed(turn: Turn, name: str, quantity: int, unit: str | None) -> str:
    """ "You now have 3 Limes" / "You now have 3 pounds of Honeycrisp Apples in your cart"."""
    if unit:
        return turn.say("cart.quantity_changed_amount", amount=turn.line(quantity, name, unit))
    return turn.say("cart.quantity_changed", product=name, quantity=quantity)


def fitted(turn: Turn, product: Product, quantity: int, unit: str | None) -> LineAmount | Unfit | None:
    """The line a unit said makes for ``product`` (``backend.shopping.measures``); ``None`` when none was said."""
    return None if unit is None else line_amount(quantity, unit, product)


def ask_unfit(
    turn: Turn,
    product: Product,
    unfit: Unfit,
    quantity: int,
    heard: str,
    *,
    lead: str = "",
    queue: Sequence[Sequence[Any]] = (),
) -> Response:
    """The unit said does not fit the product ("half a pound of milk", "seven gallons of bananas"): nothing is
    added; the question offers the product by its own count, and a yes adds that."""
    turn.mention(product.id)
    offered = unfit.proposal
    turn.set_pending(
        Question.ADD, product=product.id, quantity=offered, heard=heard[:100], queue=[list(item) for item in queue]
    )
    values = {"product": product.name, "quantity": offered}
    if unfit.reason == "pack":
        speech = turn.say("resolve.unfit_pack", said=turn.line(quantity, product.name, unfit.unit), **values)
    else:
        speech = turn.say("resolve.unfit_measure", unit=turn.speech.unit_name(unfit.unit, 1), **values)
    return turn.ask_text(_joined(lead, speech), "resolve.confirm_reprompt", **values)


def swap_product(turn: Turn, old_id: str, new: Product, quantity: int, *, heard: str | None) -> Response:
    """One cart line for another product, in one write (the line's quantity kept); the profile learns the new
    product was added."""
    turn.clear_pending()
    old = turn.product(old_id)
    at = turn.now().isoformat()
    event = turn.event(Outcome.ADDED, product=new, quantity=quantity, heard=heard)
    turn.shopping.change_cart(
        turn.caller.customer_id,
        lambda cart: cart.without(old_id).with_added(new.id, quantity, channel="voice", at=at),
        request_id=turn.request_id,
        outcome={"swapped": old.name, "product": new.name, "quantity": quantity},
        event=event,
        cart=turn.state.cart,
    )
    turn.forget_state()
    turn.added([new.id])
    return turn.ask("swap.done", old=old.name, quantity=quantity, product=new.name)


def _why(turn: Turn, candidate: Candidate | None) -> str:
    """What is true about the customer's history with this product: "usually" only when the resolver says so
    (bought in several of their orders), else how often they bought it."""
    if candidate is None:
        return ""
    codes = {reason.code: reason for reason in candidate.reasons}
    if ReasonCode.USUALLY_BOUGHT in codes:
        return turn.say("reason.usually_bought")
    before = codes.get(ReasonCode.BOUGHT_BEFORE)
    if before is None:
        return ""
    if before.count is not None and before.count > 1:
        return turn.say("reason.bought_times", count=before.count)
    return turn.say("reason.bought_once")


def act_on_resolution(
    turn: Turn,
    resolution: Resolution,
    quantity: int,
    heard: str,
    *,
    lead: str = "",
    queue: Sequence[Sequence[Any]] = (),
    unit: str | None = None,
) -> Response:
    """ACCEPT adds; CONFIRM asks "did you mean"; CHOOSE offers 2-3 distinct products; NOT_FOUND suggests.
    ``queue`` is what the customer asked for after this product (several in one breath): carried by the question,
    handled after its answer. ``lead`` is said first (what was already done this turn). ``unit`` is the unit said
    with ``quantity`` ("pound"): kept on the line, by the question, or asked about when it does not fit."""
    best = resolution.best
    held = [list(item) for item in queue]
    fit = fitted(turn, best.product, quantity, unit) if best is not None else None
    if isinstance(fit, Unfit) and best is not None and resolution.decision in {Decision.ACCEPT, Decision.CONFIRM}:
        return ask_unfit(turn, best.product, fit, quantity, heard, lead=lead, queue=held)
    if resolution.decision == Decision.ACCEPT and best is not None:
        amount = fit if isinstance(fit, LineAmount) else None
        said = put_in_cart(turn, best.product, quantity, heard=heard, candidate=best, amount=amount)
        return turn.ask_text(_joined(lead, said))
    if resolution.decision == Decision.CONFIRM and best is not None:
        turn.mention(best.product.id)
        turn.set_pending(
            Question.ADD, product=best.product.id, quantity=quantity, heard=heard[:100], queue=held, unit=unit
        )
        # When none of the words said is in the name, the closest product is a guess: say that nothing matched
        # before offering it ("not sold is not added"; a yes still adds it).
        closest = (
            resolution.closest
            or not shares_a_word(heard, best.product.name)
            or bool(unsold_words(said_of(resolution, heard), [best]))
        )
        speech = confirm_speech(turn, best.product, quantity, fit, heard=heard, closest=closest)
        return _confirm_response(turn, _joined(lead, speech), best.product, quantity, fit)
    if resolution.decision == Decision.CHOOSE and len(resolution.candidates) >= 2:
        options = [c.product for c in _named_or_bought(_distinct(resolution.candidates)[:3], heard)]
        if isinstance(fit, Unfit) and fit.reason == "measure":
            # "half a pound of milk": no product of the kind is sold so; said first, and the choice is of the
            # products by their own count
            words = resolution.amount.words if resolution.amount is not None else heard
            unsold = turn.say("resolve.unfit_kind", heard=words, unit=turn.speech.unit_name(fit.unit, 1))
            return offer_choices(turn, options, fit.proposal, heard, lead=_joined(lead, unsold), queue=held)
        if resolution.closest or unsold_words(said_of(resolution, heard), resolution.candidates[:3]):
            # "oat milk", none sold: said so before the closest of the kind are offered, not as if they were it
            # (the resolver found none holding every word heard, or a word said is in none of the names)
            lead = _joined(lead, turn.say("resolve.not_sold", heard=heard))
            key = "resolve.choose_closest"
        else:
            key = "resolve.choose"
        return offer_choices(turn, options, quantity, heard, lead=lead, queue=held, unit=unit, key=key)
    turn.clear_pending()
    turn.record(turn.event(Outcome.NOT_FOUND, heard=heard))
    if best is not None and shares_a_word(heard, best.product.name):
        # Only a product the words name is suggested; not one the customer's history guessed ("phone charger":
        # their coffee creamer)
        speech = turn.say("resolve.not_found_suggest", heard=heard, product=best.product.name)
    else:
        # Nothing to offer: what was asked for may have another name here
        speech = turn.say("resolve.not_found_other_name", heard=heard)
    return turn.ask_text(_joined(lead, speech))


_WORD = re.compile(r"[a-z0-9]+")


def _name_words(text: str) -> set[str]:
    # Plurals folded ("eggs" / "egg"); words of one or two letters ("a", "of", "aa") tell nothing apart.
    return {word.removesuffix("s") for word in _WORD.findall(text.lower()) if len(word) > 2}


def shares_a_word(heard: str, name: str) -> bool:
    """Whether a word said is a word of the product's name."""
    return bool(_name_words(heard) & _name_words(name))


# Words that say which or how many of a thing, not what it is ("some quail eggs", "the oat milk").
_NOT_WHAT = frozenset({"the", "and", "some", "any", "please", "our", "your", "more", "another"})


def said_of(resolution: Resolution, heard: str) -> str:
    """The words that name the product (the amount said with them taken off: "a dozen eggs" is eggs)."""
    return resolution.amount.words if resolution.amount is not None and resolution.amount.words else heard


def unsold_words(heard: str, candidates: Sequence[Candidate]) -> set[str]:
    """The words said that no candidate's name holds, when another word said is in theirs: "oat" of "oat milk"
    offered almond, goat and whole milk. Empty when every word said is in one of the names, or none is (a guess
    the question says is one already)."""
    # As spoken, on both sides: "two percent milk" is in "2 Percent Milk"
    said = _name_words(query_form(heard)) - _NOT_WHAT
    named: set[str] = set()
    for candidate in candidates:
        named |= _name_words(spoken_form(candidate.product.name))
    return said - named if said & named else set()


def amount_of(turn: Turn, product: Product, quantity: int, fit: LineAmount | Unfit | None) -> str | None:
    """What a yes would add, as said ("2 pounds of Bananas", "3 Limes"); ``None`` for one of the product's own."""
    if isinstance(fit, LineAmount):
        return turn.line(fit.quantity, product.name, fit.unit)
    return turn.line(quantity, product.name) if quantity != 1 else None


def confirm_speech(
    turn: Turn,
    product: Product,
    quantity: int,
    fit: LineAmount | Unfit | None,
    *,
    heard: str,
    closest: bool = False,
) -> str:
    """ "Did you mean 2 pounds of Bananas?": the question names the amount said, so the customer hears what a yes
    adds (a bare "Did you mean Bananas?" answered yes to would add an amount they never heard back)."""
    amount = amount_of(turn, product, quantity, fit)
    if closest:
        key = "resolve.confirm_closest" if amount is None else "resolve.confirm_closest_amount"
    elif _WORD.findall(spoken_form(product.name).lower()) == _WORD.findall(heard.lower()):
        # The product is named by exactly the words said ("reorder coffee", never bought: Coffee): "Did you mean
        # Coffee?" asks back what was said; the question is whether to add it.
        key = "resolve.confirm_named" if amount is None else "resolve.confirm_named_amount"
    else:
        key = "resolve.confirm" if amount is None else "resolve.confirm_amount"
    return turn.say(key, product=product.name, heard=heard, amount=amount or product.name)


def _confirm_response(
    turn: Turn, speech: str, product: Product, quantity: int, fit: LineAmount | Unfit | None
) -> Response:
    """The "did you mean" question; its reprompt says the amount that a yes adds ("2 pounds of ...")."""
    if isinstance(fit, LineAmount):
        amount = turn.line(fit.quantity, product.name, fit.unit)
        return turn.ask_text(speech, "resolve.confirm_amount_reprompt", amount=amount)
    return turn.ask_text(speech, "resolve.confirm_reprompt", quantity=quantity, product=product.name)


def offer_choices(
    turn: Turn,
    options: Sequence[Product],
    quantity: int,
    heard: str,
    *,
    lead: str = "",
    queue: Sequence[Sequence[Any]] = (),
    unit: str | None = None,
    key: str = "resolve.choose",
) -> Response:
    """ "I found X, Y or Z. Which one?": the answer may be an ordinal, "the last one", "none of those" or a name,
    which Alexa resolves from the options sent as dynamic entities (words that tell them apart). ``unit`` (said
    with ``quantity``) is kept by the question for the answer's line."""
    offered = _said_apart(turn, spoken_options(options))
    if len(offered) == 1:
        # The others sound the same and nothing tells them apart: one option is a question about it.
        product = offered[0].product
        fit = fitted(turn, product, quantity, unit)
        if isinstance(fit, Unfit):
            return ask_unfit(turn, product, fit, quantity, heard, lead=lead, queue=queue)
        turn.mention(product.id)
        turn.set_pending(
            Question.ADD,
            product=product.id,
            quantity=quantity,
            heard=heard[:100],
            queue=[list(item) for item in queue],
            unit=unit,
        )
        speech = confirm_speech(turn, product, quantity, fit, heard=heard)
        return _confirm_response(turn, _joined(lead, speech), product, quantity, fit)
    turn.mention_several()
    turn.set_pending(
        Question.CHOOSE,
        options=[option.product.id for option in offered],
        quantity=quantity,
        heard=heard[:100],
        queue=[list(item) for item in queue],
        unit=unit,
    )
    names = option_names(turn, offered)
    purchases = turn.shopping.purchases(turn.state)
    bought = [name for option, name in zip(offered, names, strict=True) if option.product.id in purchases]
    if key == "resolve.choose" and bought and len(bought) < len(names):
        # those they have bought are said, so "the one I usually get" is an answer they know the meaning of
        question = turn.say("resolve.choose_bought", options=or_list(turn, names), bought=turn.speech.join(bought))
    else:
        question = turn.say(key, options=or_list(turn, names))
    speech = _joined(lead, question)
    response = turn.ask_text(speech, choose_reprompt(len(offered)))
    products = [option.product for option in offered]
    response.directives = [*(response.directives or []), choice_entities(products, offered)]
    return response


def ask_again(turn: Turn, pending: Pending, **changes: Any) -> Response:
    """An answer that picks none of the options: the same question once more, naming them. ``changes`` replace
    what the question holds (the amount of a request said again)."""
    options = [str(option) for option in pending.get("options", []) if str(option) in turn.backend.catalog]
    quantity = changes.get("quantity")
    if quantity is not None and (quantity != pending.get("quantity", 1) or changes.get("unit") != pending.get("unit")):
        # the amount said with it is new: said back with the question ("Okay, 3. Which one: ...?")
        turn.set_pending(pending.kind, **{**dict(pending.data), **changes})
        asked = ask_with_amount(turn, Pending(pending.kind, {**dict(pending.data), **changes}), int(quantity))
        if asked is not None:
            return asked
    names = option_names(turn, spoken_options([turn.product(pid) for pid in options]))
    turn.set_pending(pending.kind, **{**dict(pending.data), **changes})
    return turn.ask("resolve.choose_again", choose_reprompt(len(names)), options=or_list(turn, names))


def ask_with_amount(turn: Turn, pending: Pending, quantity: int) -> Response | None:
    """ "Make that four" while a question about a product not yet added is open: the same question, now for that
    many (the unit it kept stays: "two pounds of apples", "which one?", "make it three": three pounds), said back
    so a yes or a pick adds what the customer heard. ``None`` when the question is about no one product's amount."""
    unit = str(pending.get("unit") or "") or None
    catalog = turn.backend.catalog
    if pending.kind in {Question.CHOOSE, Question.SWAP}:
        options = [str(option) for option in pending.get("options", []) if str(option) in catalog]
        if not options:
            return None
        names = option_names(turn, spoken_options([turn.product(pid) for pid in options]))
        turn.set_pending(pending.kind, **{**dict(pending.data), "quantity": quantity})
        amount = f"{quantity} {turn.speech.unit_name(unit, quantity)}" if unit else str(quantity)
        return turn.ask(
            "resolve.choose_amount", choose_reprompt(len(names)), amount=amount, options=or_list(turn, names)
        )
    if pending.kind in {Question.ADD, Question.OFFER_ADD} and str(pending.get("product")) in catalog:
        product = turn.product(str(pending.get("product")))
        fit = fitted(turn, product, quantity, unit)
        if isinstance(fit, Unfit):
            return ask_unfit(
                turn, product, fit, quantity, str(pending.get("heard") or ""), queue=pending.get("queue") or []
            )
        turn.set_pending(pending.kind, **{**dict(pending.data), "quantity": quantity})
        said = turn.line(quantity, product.name, unit if isinstance(fit, LineAmount) else None)
        return turn.ask("resolve.confirm_new_amount", "resolve.confirm_amount_reprompt", amount=said)
    return None


def _said_apart(turn: Turn, offered: Sequence[Option]) -> list[Option]:
    """The options a listener can tell apart: of two said the same ("Provolone Cheese, Provolone Cheese", nothing
    telling them apart), the first only."""
    kept: dict[str, Option] = {}
    for option, said in zip(offered, option_names(turn, offered), strict=True):
        kept.setdefault(said.casefold(), option)
    return list(kept.values())


def choose_reprompt(options: int) -> str:
    """The reprompt of a "which one?": it names as many ordinals as there are options ("the third one" of two
    options is an answer the question cannot take)."""
    return "resolve.choose_reprompt_two" if options == 2 else "resolve.choose_reprompt"


def option_names(turn: Turn, offered: Sequence[Option]) -> list[str]:
    """The options as said: a name that sounds like another option's with what tells it apart ("Egg from the
    breakfast bakery aisle", "Honey Crisp Apples by Orchard Farms")."""
    names = []
    for option in offered:
        name = option.product.name
        # Plain text: the list is escaped once, by the sentence it goes into ("Mac & Cheese", not "Mac &amp;amp;").
        if option.brand:
            names.append(turn.plain("resolve.option_brand", product=name, brand=option.brand))
        elif option.size:
            names.append(turn.plain("resolve.option_size", product=name, size=option.size))
        elif option.aisle:
            names.append(turn.plain("resolve.option_aisle", product=name, aisle=option.aisle))
        else:
            names.append(said_name(name))
    return names


def choice_entities(options: Sequence[Product], offered: Sequence[Option] = ()) -> DynamicEntitiesDirective:
    """The CHOICE slot's values: each option's name, with the words of it (or, for one sounding like another,
    of its brand, size or aisle: ``offered``) that tell it apart as synonyms ("the bakery one")."""
    words = [set(_WORD.findall(product.name.lower())) for product in options]
    shared = set.intersection(*words) if words else set()
    apart = {option.product.id: option.brand or option.size or option.aisle or "" for option in offered}
    values = []
    for product, own in zip(options, words, strict=True):
        telling = sorted(word for word in own - shared if len(word) > 2 and word not in _FILLER)
        telling += sorted(set(_WORD.findall(apart.get(product.id, "").lower())) - _FILLER - set(telling))
        # two telling words side by side in the name are said together ("the ultra soft one", "the non fat one")
        said = _WORD.findall(product.name.lower())
        pairs = [f"{a} {b}" for a, b in itertools.pairwise(said) if not {a, b} & (shared | _FILLER)]
        synonyms = list(
            dict.fromkeys([*telling, *pairs, *(f"{word} {noun}" for word in telling for noun in sorted(shared)[:1])])
        )[:20]
        values.append(Entity(id=product.id, name=EntityValueAndSynonyms(value=product.name[:140], synonyms=synonyms)))
    return DynamicEntitiesDirective(
        update_behavior=UpdateBehavior.REPLACE, types=[EntityListItem(name="CHOICE", values=values)]
    )


_WORD = re.compile(r"[a-z][a-z']+")
_FILLER = frozenset({"and", "the", "with", "for", "pack", "count", "oz"})


def _joined(lead: str, speech: str) -> str:
    """``lead`` then ``speech``; after a lead that ends mid-sentence ("For the limes,") the sentence goes on in lower
    case ("did you mean 2 Limes?"), a product name's capitals kept."""
    if not lead:
        return speech
    if lead.rstrip().endswith(",") and speech[:1].isupper() and speech[1:2].islower():
        speech = speech[0].lower() + speech[1:]
    return f"{lead} {speech}"


_BOUGHT = frozenset({ReasonCode.BOUGHT_BEFORE, ReasonCode.BOUGHT_RECENTLY, ReasonCode.USUALLY_BOUGHT})


def _named_or_bought(options: list[Candidate], heard: str) -> list[Candidate]:
    """ "Black Beans", said whole, by a customer who once bought Organic Black Beans: the question is between the
    product named and those they bought, not also a third that is neither (Low Sodium Black Beans). Any other
    choice (no product named whole, or none of the others bought) stays as offered."""
    said = query_form(heard)
    exact = [c for c in options if said and spoken_form(c.product.name) == said]
    if len(exact) != 1:
        return options
    kept = [c for c in options if c is exact[0] or any(reason.code in _BOUGHT for reason in c.reasons)]
    return kept if len(kept) >= 2 else options  # none bought: the choice the resolver made stays as it is


def _distinct(candidates: tuple[Candidate, ...]) -> list[Candidate]:
    seen: set[str] = set()
    distinct = []
    for candidate in candidates:
        name = candidate.product.name.casefold()
        if name not in seen:
            seen.add(name)
            distinct.append(candidate)
    return distinct


def or_list(turn: Turn, names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {turn.say('list.or')} {names[-1]}"


LONG_QUOTE_LINES = 8  # a quote with more lines than this offers to read the rest before asking for the yes
FIRST_LINES = 5  # ... after reading this many


def read_quote(turn: Turn, *, lead: str | None = None) -> Response:
    """Amazon's rule for physical goods: seller, every product, delivery and total with tax, then an explicit yes.
    A long cart is read in two parts: the first lines, "want me to read the rest?", then the rest and the totals.
    The card carries every line either way."""
    state = turn.state
    if state.voice_code.locked:
        turn.clear_pending()
        return turn.ask("checkout.locked")
    try:
        quote = turn.shopping.quote(state.cart)
    except EmptyCart:
        turn.clear_pending()
        return turn.ask("checkout.empty")
    lines = [(line.quantity, line.name, line.unit) for line in quote.lines]
    if len(lines) > LONG_QUOTE_LINES:
        turn.set_pending(Question.READ_REST, version=quote.cart_version, quote=quote.fingerprint)
        speech = turn.say(
            "checkout.summary_start",
            seller=quote.seller,
            count=turn.counted("item", quote.item_count),
            items=grouped_lines(turn, lines[:FIRST_LINES]),
            more=turn.counted("product", len(lines) - FIRST_LINES),
        )
        reprompt = turn.say("checkout.rest_reprompt")
    else:
        turn.set_pending(Question.CHECKOUT, version=quote.cart_version, quote=quote.fingerprint)
        speech = turn.say(
            "checkout.summary", seller=quote.seller, items=grouped_lines(turn, lines), **_totals(turn, quote)
        )
        reprompt = turn.say("checkout.reprompt")
    if lead:
        speech = f"{lead} {speech}"
    return _with_quote_card(turn, quote, turn.handler_input.response_builder.speak(speech).ask(reprompt)).response


def read_rest_of_quote(turn: Turn) -> Response:
    """The yes (or no) to "want me to read the rest?": the remaining lines (unless declined), the totals, and the
    question whose yes places the order - for the quote that was started, if the cart still reads the same."""
    pending = turn.pending
    quote = turn.shopping.quote(turn.state.cart) if not turn.state.cart.is_empty else None
    if quote is None or pending is None or quote.fingerprint != pending.get("quote"):
        turn.forget_state()
        return read_quote(turn, lead=turn.say("checkout.changed"))
    rest = [(line.quantity, line.name, line.unit) for line in quote.lines[FIRST_LINES:]]
    turn.set_pending(Question.CHECKOUT, version=quote.cart_version, quote=quote.fingerprint)
    speech = turn.say("checkout.summary_rest", items=grouped_lines(turn, rest), **_totals(turn, quote))
    return (
        _with_quote_card(turn, quote, turn.handler_input.response_builder.speak(speech))
        .ask(turn.say("checkout.reprompt"))
        .response
    )


def skip_rest_of_quote(turn: Turn) -> Response:
    pending = turn.pending
    quote = turn.shopping.quote(turn.state.cart) if not turn.state.cart.is_empty else None
    if quote is None or pending is None or quote.fingerprint != pending.get("quote"):
        turn.forget_state()
        return read_quote(turn, lead=turn.say("checkout.changed"))
    turn.set_pending(Question.CHECKOUT, version=quote.cart_version, quote=quote.fingerprint)
    speech = turn.say("checkout.summary_totals", **_totals(turn, quote))
    return turn.handler_input.response_builder.speak(speech).ask(turn.say("checkout.reprompt")).response


def _totals(turn: Turn, quote: Quote) -> dict[str, str]:
    return {
        "subtotal": turn.money(quote.subtotal),
        "tax": turn.money(quote.tax),
        "delivery": turn.money(quote.delivery) if quote.delivery else turn.say("checkout.free"),
        "total": turn.money(quote.total),
    }


def _with_quote_card(turn: Turn, quote: Quote, builder: ResponseFactory) -> ResponseFactory:
    every_line = "\n".join(turn.line(line.quantity, line.name, line.unit) for line in quote.lines)
    card = turn.plain("checkout.quote_card_text", items=every_line, **_totals(turn, quote))
    return builder.set_card(SimpleCard(title=turn.plain("checkout.quote_card_title"), content=card))


def grouped_lines(turn: Turn, lines: list[tuple[int, str, str | None]]) -> str:
    """Every line, those of equal quantity said together: "Bananas, Eggs, 2 each of Milk and Bread"; a line in a
    unit said on its own ("2 pounds of Honeycrisp Apples")."""
    groups: dict[int, list[str]] = {}
    parts: list[str] = []
    for quantity, name, unit in lines:
        if unit:
            parts.append(turn.line(quantity, name, unit))
        else:
            groups.setdefault(quantity, []).append(name)
    for quantity, names in groups.items():
        if len(names) == 1:
            parts.append(turn.line(quantity, names[0]))
        elif quantity == 1:
            parts.extend(turn.line(1, name) for name in names)
        else:
            parts.append(turn.say("checkout.each_of", quantity=quantity, items=turn.speech.join(names)))
    return turn.speech.join(parts)


def place_order(turn: Turn, *, code: str | None = None) -> Response:
    pending = turn.pending
    version = pending.get("version") if pending is not None else None
    fingerprint = pending.get("quote") if pending is not None else None
    if version is None or fingerprint is None:
        # Only the answer to a quote read out the turn before places an order.
        turn.clear_pending()
        return read_quote(turn)
    person = turn.caller.person_id
    try:
        placed = turn.shopping.place_order(
            turn.caller.customer_id,
            request_id=turn.request_id,
            expected_version=int(version),
            expected_quote=str(fingerprint),
            code=code,
            person_id=person,
            origin=turn.origin(),
            state=turn.state,
        )
    except VoiceCodeRequired:
        turn.set_pending(Question.CODE, version=version, quote=fingerprint)
        return turn.ask("code.ask", "code.reprompt")
    except WrongVoiceCode as wrong:
        turn.set_pending(Question.CODE, version=version, quote=fingerprint)
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
    turn.wrote_event()  # the "ordered" event went in the order's transaction
    turn.clear_pending()
    order = placed.order
    names = [turn.line(line.quantity, turn.product(line.product_id).name, line.unit) for line in order.lines]
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
    speech = turn.say(key, items=turn.product_list(names), count=turn.counted("product", len(items)), **values)
    cart = turn.state.cart
    if not cart.is_empty:
        # Said before the yes: the reorder goes into a cart that already holds these.
        there = [turn.line(line.quantity, turn.product(line.product_id).name, line.unit) for line in cart.lines]
        speech = f"{turn.say('reorder.cart_has', items=turn.speech.join(there))} {speech}"
    return turn.ask_text(speech, "reorder.reprompt")


def add_pending_items_then_quote(turn: Turn) -> Response:
    """The yes to a reorder ("... and check out?"): put the products in the cart (one write), then read the
    checkout quote."""
    added = _add_pending_items(turn)
    if isinstance(added, Response):
        return added
    turn.forget_state()  # the quote reads the cart as saved
    return read_quote(turn, lead=added)


def add_pending_items(turn: Turn) -> Response:
    """The products offered put in the cart (one write) and said so, with no quote: the yes to "want me to add
    them?", or "just add them" to a reorder's "add them and check out?"."""
    added = _add_pending_items(turn)
    if isinstance(added, Response):
        return added
    turn.clear_pending()
    return turn.ask_text(added)


def _add_pending_items(turn: Turn) -> str | Response:
    """The open question's products added in one write: what to say of it, or the answer when none was added."""
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
    return turn.say("reorder.added", count=turn.counted("product", int(result.outcome.get("count", len(items)))))
