"""Cart intents: add, remove, change quantity, what's in my cart, clear (with confirmation)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Literal

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import Response
from ask_sdk_model.dialog import ElicitSlotDirective
from rapidfuzz import fuzz, process

from backend.errors import NotInCart, OtherUnitInCart, ValidationError
from backend.profile import Outcome
from backend.resolver import MIXED, UNITS, Decision, Resolution, name_with_number, parse_amount
from backend.shopping import (
    MAX_QUANTITY,
    Cart,
    LineAmount,
    canonical_unit,
    from_halves,
    in_halves,
    line_amount,
    mixed_measure,
    pack_of,
    parse_quantity,
    whole_number,
)
from skill.handlers.lifecycle import take_question
from skill.handlers.pending import Answer, Pending, Question, accepts
from skill.handlers.reorder import basket_named
from skill.handlers.replayed import (
    QUANTITY_CHANGED,
    REMOVED,
    REMOVED_SEVERAL,
    change_outcome,
    replayed_change,
    said_again,
)
from skill.handlers.several import add_then_continue, resolve_many
from skill.handlers.shopping_base import (
    ShoppingHandler,
    act_on_resolution,
    add_pending_items,
    added_said,
    ask_again,
    ask_with_amount,
    put_in_cart,
    quantity_changed,
    read_quote,
    shares_a_word,
)
from skill.handlers.turn_context import LAST_CHANGE, BadQuantity, Turn

_NAME_CUTOFF = 70  # rapidfuzz WRatio: "the bananas" vs "Banana" scores ~90; unrelated names stay under 60


# Words that name no product but the one the conversation talked about last ("remove it", "make that three").
PRONOUNS = frozenset(
    {"it", "that", "this", "them", "they", "those", "these", "that one", "this one", "one", "same", "the same"}
)
_LAST_ADDED = ("the last thing", "last thing", "the last item", "last item", "the last one", "what i just added")
_ANOTHER = frozenset({"another", "another one", "one more", "more", "one", "the same", "same", "more of those"})
# Words that, after a number, make it part of a product's name rather than a count of it ("two percent milk",
# "seven up"). Not "grain" or "bean": "two bean burritos" is a count as often as "three bean salad" is a name.


def refers_back(words: str | None) -> bool:
    """No product, or a pronoun for the one talked about: "it", "it again" ("how much is it again"), "that now",
    "of those" ("just two of those")."""
    if words is None:
        return True
    said = _WORDS.findall(words.lower())
    while said and said[0] in _BEFORE_PRONOUN:
        said = said[1:]
    while said and said[-1] in _AFTER_PRONOUN:
        said = said[:-1]
    return " ".join(said) in PRONOUNS


# Words said around a pronoun that name no product: "how much is it again", "how much are those then"
_BEFORE_PRONOUN = frozenset({"of", "all", "so"})
_AFTER_PRONOUN = frozenset({"again", "now", "then", "please", "altogether", "exactly", "today"})


def find_in_cart(turn: Turn) -> str | None:
    """The cart line the customer means: Alexa's ids or the resolver's candidates first, else the closest name.
    A pronoun (or no product at all) means the product the conversation named last; "the last thing I added" the
    newest one added this session."""
    cart = turn.state.cart
    in_cart = {line.product_id for line in cart.lines}
    words = turn.slot_value("product") or ""
    if words.lower().startswith(_LAST_ADDED):
        return turn.last_added
    if (refers_back(words or None) or _only_a_unit(words)) and not turn.slot_ids("product"):
        # "make it four pounds" heard with "pounds" as the product: the unit of the line named last
        last = turn.last_product
        return last if last in in_cart else None
    for product_id in turn.slot_ids("product"):
        if product_id in in_cart:
            return product_id
    return _line_named(turn, words)


_MORE = frozenset({"another", "more", "extra"})


def more_of_a_unit(turn: Turn, words: str | None) -> tuple[int, str] | None:
    """ "another half pound", "two more pounds", "a pound more": an amount in a unit and no product, more of one
    (quantity, unit); ``None`` when the words name a product, or say no "more"."""
    said = (words or "").lower().split()
    if not said or not _MORE & set(said):
        return None
    rest = " ".join(word for word in said if word not in _MORE)
    if _only_a_unit(rest):
        return turn.quantity() if turn.slot_value("quantity") is not None else 1, canonical_unit(rest)
    amount = parse_amount(rest)
    if amount.unit is None or amount.words.strip():
        return None
    return amount.quantity or 1, canonical_unit(amount.unit)


def _only_a_unit(words: str) -> bool:
    """The words are a unit and nothing else ("pounds", "half pound", "a quarter pound")."""
    unit = canonical_unit(words.removeprefix("a ")) if words else ""
    part, _, rest = unit.partition(" ")
    return unit in UNITS or (part in {"half", "quarter"} and rest in UNITS)


def names_last_product(turn: Turn, words: str) -> bool:
    """Whether ``words`` ask for another of the product the conversation named last ("another butter" after Pure
    Irish Butter): "another" and then only words of its name."""
    last = turn.last_product
    said = _WORDS.findall(words.lower())
    if last is None or not said or said[0] != "another":
        return False
    name = set(_WORDS.findall(turn.product(last).name.lower()))
    rest = [word for word in said[1:] if word not in _NOT_NAMES]
    return all(word in name or word.rstrip("s") in name for word in rest)


_WORDS = re.compile(r"[a-z0-9][a-z0-9']*")
_NOT_NAMES = frozenset({"the", "a", "an", "some", "more", "another", "one", "of", "those", "that"})


def quantity_and_words(turn: Turn, words: str | None) -> tuple[int, str | None]:
    """The quantity slot and the product words, with a number that belongs to the name given back to it: Alexa
    hears "add two percent milk" as quantity 2 and product "percent milk"."""
    heard = turn.slot_value("quantity")
    joined = name_with_number(heard, words) if heard is not None and words else None
    if joined is not None:
        return 1, joined
    return turn.quantity(), words


def pick_from_choices(turn: Turn) -> str | None:
    """While choices are on offer, "the organic one" / the name picks one of them."""
    pending = turn.pending
    if not accepts(pending, Answer.PRODUCT):
        return None
    assert pending is not None
    options = [str(option) for option in pending.get("options", [])]
    words = turn.slot_value("product")
    names = {pid: turn.product(pid).name for pid in options if pid in turn.backend.catalog}
    # A count word that is part of an option's name ("Half And Half") names that option.
    named_words = set().union(*(_name_words(name) for name in names.values()))
    if words and not _name_words(words) - _shared_words(list(names.values())) - (_COUNT_WORDS - named_words):
        return None  # "bread" again, to "which bread?": only words every option has, so it picks none of them
    matched = [pid for pid in turn.slot_ids("product") if pid in options]
    if len(matched) == 1:
        return matched[0]
    if turn.slot_ids("product") and not matched:
        return None  # "add two percent milk" to "which milk?": Alexa heard a product not on offer, a request of its own
    if not words or not options:
        return None
    found = process.extract(words, names, scorer=fuzz.WRatio, score_cutoff=_NAME_CUTOFF, limit=2)
    if not found or (len(found) > 1 and found[1][1] >= found[0][1] - _CLEAR_LEAD):
        return None  # as close to two options: asking again beats guessing
    return str(found[0][2])


# Words that say how many, not which: "a few avocados" to "which avocado?" names no option.
_COUNT_WORDS = frozenset({"few", "couple", "pair", "dozen", "half", "lot", "bunch"})
_CLEAR_LEAD = 5  # WRatio points the option picked by name must lead the next one by


def _name_words(text: str) -> set[str]:
    return {word.rstrip("s") for word in _WORDS.findall(text.lower()) if word not in _NOT_NAMES}


def _shared_words(names: list[str]) -> set[str]:
    words = [_name_words(name) for name in names]
    return set.intersection(*words) if words else set()


def repeats_the_question(pending: Pending, words: str) -> bool:
    """Whether the answer says nothing the question's own words ("bread") did not."""
    said = _name_words(words) - _COUNT_WORDS  # "a few bananas" to "which bananas?" asks the same, for 3
    return bool(said) and said <= _name_words(str(pending.get("heard") or ""))


def narrow_the_choice(turn: Turn, pending: Pending, words: str | None) -> Response | None:
    """ "Which bread: raisin, rye or sourdough?" - "whole wheat": a kind of what was asked about that was not
    offered. The answer with the words of the question ("whole wheat bread") is resolved as an add would be, when
    the product found has words of both; otherwise the answer is a product of its own (None here)."""
    heard = str(pending.get("heard") or "")
    if pending.kind != Question.CHOOSE or not heard or not words or shares_a_word(words, heard):
        return None
    combined = f"{words} {heard}"
    resolution = turn.resolve(combined)
    best = resolution.best
    if best is None or resolution.decision not in {Decision.ACCEPT, Decision.CONFIRM, Decision.CHOOSE}:
        return None
    if not (shares_a_word(heard, best.product.name) and shares_a_word(words, best.product.name)):
        return None
    turn.answered()
    quantity = int(pending.get("quantity", 1))
    unit = pending.get("unit")  # "two pounds of apples" - "which?" - "fuji": still two pounds
    return act_on_resolution(
        turn, resolution, quantity, combined, queue=pending.get("queue") or [], unit=str(unit) if unit else None
    )


class AddToCartHandler(ShoppingHandler):
    intent = "AddToCartIntent"

    def respond(self, turn: Turn) -> Response:
        words = turn.slot_value("product")
        ids = turn.slot_ids("product")
        pending = turn.pending
        if pending is not None and accepts(pending, Answer.PRODUCT):
            chosen = pick_from_choices(turn)
            if chosen is not None:
                # "the organic one" / "I'll take three of the organic ones": the pick answers the question, with
                # the amount it says, if any (the question's own amount otherwise)
                turn.answered()
                said = amount_said_again(turn, words) if words else {}
                picked = Pending(pending.kind, {**dict(pending.data), **said}) if said else pending
                return add_then_continue(turn, picked, chosen)
            if pending.kind == Question.CHOOSE and words and repeats_the_question(pending, words):
                # "bread" again, to "which bread?": the same question, not a guess among the options; an amount
                # said with it is what the answer adds ("a pound of bananas", "which?", "two bananas": two)
                turn.answered()
                return ask_again(turn, pending, **amount_said_again(turn, words))
            narrowed = narrow_the_choice(turn, pending, words)
            if narrowed is not None:
                return narrowed
        if pending is not None and pending.kind in _OFFERS_ITEMS and adds_them(words):
            # "just add them" to "should I add them and check out?": added, without the quote
            turn.answered()
            return add_pending_items(turn)
        basket = basket_named(turn, words)
        if basket is not None:
            return basket
        refers = (not words and not ids and turn.slot_value("quantity") is not None) or (
            bool(words) and not ids and (words or "").lower().strip() in _ANOTHER | PRONOUNS
        )
        last = turn.last_product
        more = more_of_a_unit(turn, words) if last is not None and not ids else None
        if last is not None and more is not None and turn.state.cart.line_for(last) is not None:
            # "another half pound", "two more pounds": that much more of the line named last, in the unit said
            fit = line_amount(more[0], more[1], turn.product(last))
            if isinstance(fit, LineAmount):
                turn.clear_pending()
                return turn.ask_text(put_in_cart(turn, turn.product(last), fit.quantity, heard=words, amount=fit))
        if last is not None and (refers or (words and names_last_product(turn, words))):
            # "add another one", "three more of those", "one more", "add another butter": the product the
            # conversation named last. To "did you mean Limes?", "put two of those in" names the product offered:
            # it answers the question (nothing is said to be dropped).
            offered = pending.get("product") if pending is not None and pending.kind in _OFFERS_ONE else None
            if offered is not None and str(offered) == last:
                turn.answered()
            turn.clear_pending()
            return turn.ask_text(put_in_cart(turn, turn.product(last), turn.quantity(), heard=words, say_total=True))
        if (not words and not ids) or (refers and last is None):
            # "add another one" with no product talked about yet: which product is asked, not guessed from "one"
            intent = turn.request.intent
            if intent.name != AddToCartHandler.intent:
                return turn.ask("add.which", "add.which_reprompt")  # elicited only in the dialog model's intent
            return (
                turn.handler_input.response_builder.speak(turn.say("add.which"))
                .ask(turn.say("add.which_reprompt"))
                .add_directive(ElicitSlotDirective(updated_intent=intent, slot_to_elicit="product"))
                .response
            )
        quantity, joined = quantity_and_words(turn, words)
        if joined != words:  # the number starts the name: Alexa's ids were for the words without it
            words, ids = joined, []
        if words and words.lower().startswith("another "):
            # "another cheese" when the last product was not a cheese; "another can of soup" is a can of soup
            words = f"a {words[len('another ') :]}"
        resolution = turn.resolve(words or "", alexa_ids=ids)
        several = several_said(turn, words, resolution) if not ids else None
        if several is not None:
            return resolve_many(turn, several)
        counted = resolution.amount.quantity if resolution.amount is not None else None
        if turn.slot_value("quantity") is None and counted is not None:
            # A count the product words carry ("a couple of limes", "a few peppers"): the quantity slot missed it.
            if counted > MAX_QUANTITY:
                raise BadQuantity(str(counted))
            quantity = counted
        quantity, unit = unit_said(turn, resolution, quantity)
        return act_on_resolution(turn, resolution, quantity, words or (ids[0] if ids else ""), unit=unit)


_OFFERS_ITEMS = frozenset({Question.REORDER, Question.USUAL})  # questions offering several products to add
_ADD_WORDS = frozenset({"just", "add", "please", "go", "ahead", "and", "yes", "yeah", "okay", "ok"})
_TO_CART = re.compile(r"\s+(?:to|in|into)\s+(?:my|the)\s+(?:cart|basket|list)$")


def adds_them(words: str | None) -> bool:
    """The products an open question offers, named back with a pronoun: "them", "add them", "just add those to my
    cart" (an add's own words around the pronoun, no product)."""
    if not words:
        return False
    said = _TO_CART.sub("", words.lower().strip()).split()
    while said and said[0] in _ADD_WORDS:
        said = said[1:]
    return bool(said) and refers_back(" ".join(said))


_AND = re.compile(r"\s+and\s+")
_AMOUNT_STARTS = frozenset({"a", "an", "some"})  # not "half": "half and half" is a name


def several_said(turn: Turn, words: str | None, resolution: Resolution) -> list[tuple[str, int]] | None:
    """ "two pounds of apples and a gallon of milk" heard as one product: several products, when the words are no
    product's name and every part after an "and" starts with an amount of its own (so "macaroni and cheese" or
    "salt and pepper" stay one name). The quantity and unit slots belong to the first part."""
    if not words or resolution.decision == Decision.ACCEPT:
        return None
    if resolution.amount is not None and resolution.amount.unit is not None and MIXED in resolution.amount.unit:
        return None  # "a pound and a half of apples": its "and" is the amount's, one product is asked about
    parts = [part for part in _AND.split(words.strip()) if part]
    if len(parts) < 2 or not all(_starts_with_amount(part) for part in parts[1:]):
        return None
    unit = turn.slot_value("unit")
    first = " ".join(x for x in (turn.slot_value("quantity"), unit, "of" if unit else None, parts[0]) if x)
    return [(first, 1), *((part, 1) for part in parts[1:])]


def _starts_with_amount(words: str) -> bool:
    first = words.split(maxsplit=1)[0].lower()
    return first in _AMOUNT_STARTS or parse_quantity(first) is not None


def amount_said_again(turn: Turn, words: str) -> dict[str, Any]:
    """The quantity and unit of a request said again while its "which one?" is open, as the question keeps them;
    nothing when it said no amount (the first request's stands)."""
    resolution = turn.resolve(words)
    counted = resolution.amount.quantity if resolution.amount is not None else None
    said = turn.slot_value("quantity") is not None or turn.slot_value("unit") is not None or counted is not None
    if not said:
        return {}
    quantity, _ = quantity_and_words(turn, words)
    if turn.slot_value("quantity") is None and counted is not None:
        if counted > MAX_QUANTITY:
            raise BadQuantity(str(counted))
        quantity = counted
    quantity, unit = unit_said(turn, resolution, quantity)
    return {"quantity": quantity, "unit": unit}


def unit_said(turn: Turn, resolution: Resolution, quantity: int) -> tuple[int, str | None]:
    """The quantity and the unit the customer said: in the product words ("a dozen eggs" heard whole), else in
    the unit slot ("two {unit} of {product}"); one spelling per unit ("lbs" -> "pound"). "twelve pack" with the
    unit slot's "pack" singular is one twelve-pack, not twelve packs."""
    amount = resolution.amount
    if amount is not None and amount.unit is not None and amount.quantity is not None:
        return quantity, canonical_unit(amount.unit)
    heard = turn.slot_value("unit")
    if heard is None:
        return quantity, None
    if heard.lower() == "pack" and quantity > 1:
        return 1, pack_of(quantity)
    return quantity, canonical_unit(heard)


class PutBackHandler(AddToCartHandler):
    """ "Put it back in": what the last removal of this session took out, in the amount it took out (never the
    product talked about last); with nothing removed, which product is asked. "Put the bananas back in" is an add
    of the bananas."""

    intent = "PutBackIntent"

    def respond(self, turn: Turn) -> Response:
        words = (turn.slot_value("product") or "").lower().strip()
        everything = words in _ALL_OF_THEM
        if not (everything or refers_back(words or None)):
            named = _removed_line_named(turn, words)
            if named is not None:  # "put the cups back": the Clear Cups just taken out, in the amount taken out
                return put_back(turn, run=True, only=named)
            return super().respond(turn)
        if turn.slot_ids("product"):
            return super().respond(turn)
        # "put them back": what the removals just made one after another took out; "put it back": the last one's
        return put_back(turn, run=everything)


def _removed_line_named(turn: Turn, words: str) -> tuple[str, int, str | None] | None:
    """The one line the removals just made took out whose name holds every word said, if one does."""
    said = _name_words(words)
    if not said:
        return None
    named = [
        line
        for line in turn.peek_removed(run=True)
        if said <= _name_words(turn.product(line[0]).name.replace("&", " and "))
    ]
    return named[0] if len(named) == 1 else None


# What names every product the last removals took out ("put them back in", "put everything back").
_ALL_OF_THEM = frozenset(
    {"them", "they", "those", "these", "them all", "all of them", "everything", "it all", "all of it", "all", "both"}
)


def put_back(turn: Turn, *, run: bool, only: tuple[str, int, str | None] | None = None) -> Response:
    """What a removal (with ``run``: the removals one after another) took out, in the amounts it took out, added
    again (each line said). A line whose product is in the cart in another unit now cannot go back: it is said by
    name and why, and the others go back in one cart write (all of them or none: a store fault writes nothing).
    Only what was written is forgotten; what did not go back can be put back later. With ``only``, just that one
    of the lines taken out."""
    removed = turn.peek_removed(run=run)
    if not removed:
        return turn.ask("add.which", "add.which_reprompt")
    turn.clear_pending()
    if only is not None or len(removed) == 1:
        chosen = only or removed[0]
        product_id, quantity, unit = chosen
        amount = LineAmount(quantity, unit) if unit else None
        said = put_in_cart(turn, turn.product(product_id), quantity, heard=turn.slot_value("product"), amount=amount)
        if turn.read_so_far is None:  # the add wrote (it forgets the state it read); not when another unit is held
            turn.put_back_done(removed, [chosen])
        return turn.ask_text(said)
    at = turn.now().isoformat()
    held_now = turn.state.cart
    fits, refused = _fit_in(turn, held_now, removed, at)
    if not fits:
        return turn.ask_text(" ".join(refused))
    lines = [(turn.product(product_id), quantity, unit) for product_id, quantity, unit in fits]

    def outcome(before: Cart, after: Cart) -> dict[str, Any]:
        said: list[dict[str, Any]] = []
        for product, quantity, unit in lines:
            entry: dict[str, Any] = {"product": product.name, "quantity": quantity, "why": ""}
            if unit:
                entry["unit"] = unit
            held, line = before.line_for(product.id), after.line_for(product.id)
            if held is not None and line is not None:  # more of a line that is in the cart: its new total is said
                entry["total"] = line.quantity
                if line.unit:
                    entry["total_unit"] = line.unit
            said.append(entry)
        return {"key": PUT_BACK, "lines": said}

    count = sum(quantity for _, quantity, _ in lines)
    event = turn.event(
        Outcome.ADDED, quantity=min(max(count, 1), 99), lines=[(product, quantity) for product, quantity, _ in lines]
    )
    try:
        result = turn.shopping.add_items(
            turn.caller.customer_id,
            [(product_id, quantity) for product_id, quantity, _ in fits],
            units={product_id: unit for product_id, _, unit in fits if unit},
            request_id=turn.request_id,
            outcome=outcome,
            event=event,
            cart=held_now,
        )
    except (OtherUnitInCart, ValidationError):
        # a line held in another unit since the read, or a cart or a line that would be too full: nothing went back
        names = [turn.line(quantity, product.name, unit) for product, quantity, unit in lines]
        return turn.ask("cart.put_back_failed", items=turn.product_list(names))
    turn.put_back_done(removed, fits)
    turn.forget_state()
    turn.added([product.id for product, _, _ in lines])
    turn.forget_add()  # several lines at once: no one add that "scratch that" could take back whole
    sentences = [added_said(turn, entry) for entry in (result.outcome or {}).get("lines", [])]
    return turn.ask_text(" ".join([*sentences, *refused]))


def _fit_in(
    turn: Turn, cart: Cart, removed: list[tuple[str, int, str | None]], at: str
) -> tuple[list[tuple[str, int, str | None]], list[str]]:
    """The removed lines that can go back in ``cart``, and a sentence for each that cannot (its product is in the
    cart in another unit now): "You have 1 pound of Coffee in your cart already, so I didn't add 1 Coffee"."""
    fits: list[tuple[str, int, str | None]] = []
    refused: list[str] = []
    for product_id, quantity, unit in removed:
        try:
            cart.with_added(product_id, quantity, channel="voice", at=at, unit=unit)
        except OtherUnitInCart:
            name, held = turn.product(product_id).name, cart.line_for(product_id)
            held_said = turn.line(held.quantity, name, held.unit) if held is not None else name
            refused.append(turn.say("cart.other_unit", held=held_said, said=turn.line(quantity, name, unit)))
            continue
        except ValidationError:
            pass  # too many of it: the write refuses it, and nothing goes back
        fits.append((product_id, quantity, unit))
    return fits, refused


PUT_BACK = "cart.put_back"  # the outcome a put-back of several lines keeps: each line as ``added_said`` says it


class ProductOnlyHandler(AddToCartHandler):
    """A product said alone ("bananas", "three limes", "half a dozen bananas") outside an elicitation: an add, or
    the answer to "which one?"."""

    intent = "ProductOnlyIntent"

    def respond(self, turn: Turn) -> Response:
        hear_amount_with_product(turn)
        return super().respond(turn)


def hear_amount_with_product(turn: Turn) -> None:
    """Count words said before a bare product ("half a dozen", "a couple of") come in a slot of their own (a sample
    of the product slot alone is heard only for a product's own words): the product slot then holds them before
    the product words, with the unit ("half a pound of butter"), as "add half a dozen bananas" is heard. Alexa's
    ids for the product words stay theirs."""
    amount = turn.slot_value("amount")
    slot = get_slot(turn.handler_input, "product")
    if amount is None or slot is None or not slot.value:
        return
    unit = turn.slot_value("unit")
    slot.value = " ".join(part for part in (amount, unit, "of" if unit else None, str(slot.value)) if part)


# Questions that offer one product by name ("did you mean Limes?", "no butter in your cart; add it?").
_OFFERS_ONE = frozenset({Question.ADD, Question.OFFER_ADD})
# Questions about a product not yet added: "scratch that" while one is open declines it.
_UNDONE_BY_A_NO = frozenset({Question.ADD, Question.CHOOSE, Question.OFFER_ADD, Question.SWAP})


class RemoveFromCartHandler(ShoppingHandler):
    intent = "RemoveFromCartIntent"

    def respond(self, turn: Turn) -> Response:
        words = (turn.slot_value("product") or "").lower()
        every = turn.slot_value("every")
        if every and words:
            words = f"{every.lower()} {words}"  # "clear {it all except} {the lemons}": read as one request
        pending = turn.pending
        if refers_back(words or None) and not turn.slot_ids("product") and turn.slot_value("quantity") is None:
            # "scratch that" / "take that out" to "did you mean X?" or "which one?": nothing was added to take
            # out, so it is the question's no (and never the removal of a product added before the question)
            no = no_to_open_question(turn)
            if no is not None:
                return no
        if turn.slot_value("undo") is not None and not words:
            return undo_last_change(turn)
        kept = _ALL_BUT.match(words)
        if kept is not None:
            return remove_all_but(turn, kept.group(1))
        if not turn.slot_ids("product") and not _is_one_line(turn, words):
            if _ALL.match(words):
                return ask_to_clear(turn)  # "clear all of it": asked first, as "clear my cart" is
            if _KEEPING.search(words):
                # what goes and what stays is not clear: a close name must not take out what was to be kept
                return turn.ask("cart.keep_unclear", "cart.nothing_to_undo_reprompt")
        several = several_in_cart(turn, words)
        if several is not None:
            return remove_several(turn, several)
        if turn.slot_value("quantity") is not None:
            # "take one cucumber out", "remove two of those": that many fewer
            return remove_some(turn, find_in_cart(turn), turn.quantity(), said_count=True)
        if words == "one" or words.startswith("one "):
            return remove_one(turn, words.removeprefix("one").strip())
        less = remove_measure(turn, words)
        if less is not None:
            return less
        product_id = find_in_cart(turn)
        if product_id is None:
            heard = turn.slot_value("product") or turn.say("word.that")
            return replayed_change(turn) or turn.ask("cart.not_in_cart", heard=heard)
        product = turn.product(product_id)
        turn.mention(product_id)
        held = turn.state.cart.line_for(product_id)
        before = turn.state.cart.version
        event = turn.event(Outcome.REMOVED, product=product, heard=turn.slot_value("product"))
        try:
            result = turn.shopping.change_cart(
                turn.caller.customer_id,
                lambda cart: cart.without(product_id),
                request_id=turn.request_id,
                outcome={"key": REMOVED, "product": product.name},
                event=event,
                cart=turn.state.cart,
            )
        except NotInCart:
            return turn.ask("cart.not_in_cart", heard=product.name)
        if held is not None and not result.repeated:
            after = result.cart.version if result.cart is not None else None
            turn.record_removed([(product_id, held.quantity, held.unit)], before=before, after=after)
        if result.repeated and (again := said_again(turn, result.outcome)):
            return again
        if pending is not None and pending.kind in _ORDER_QUESTIONS:
            # "yes but take the eggs off first", to "should I place the order?": the order question again, for
            # the cart as it is now (its new total), never an order placed on it
            turn.answered()
            turn.forget_state()
            return read_quote(turn, lead=turn.say(REMOVED, product=product.name))
        return turn.ask(REMOVED, product=product.name)


_ORDER_QUESTIONS = frozenset({Question.CHECKOUT, Question.READ_REST, Question.CODE})


@dataclass(frozen=True, slots=True)
class Undoable:
    """The change of this session that "scratch that" can take back: the last one, while no other change of the
    cart came after it. ``add``: ``amount`` of the product it put in (at most what the line holds now);
    ``quantity``: the line held ``amount`` before; ``removed``: what the removal took out."""

    kind: Literal["add", "quantity", "removed"]
    product_id: str = ""
    amount: int = 0
    unit: str | None = None
    removed: tuple[tuple[str, int, str | None], ...] = ()


class UndoHandler(ShoppingHandler):
    """ "undo" said alone: what "undo that" does (``RemoveFromCartIntent`` with only its undo slot), the question's
    no while a "did you mean" or "which one?" is open."""

    intent = "UndoIntent"

    def respond(self, turn: Turn) -> Response:
        return no_to_open_question(turn) or undo_last_change(turn)


def no_to_open_question(turn: Turn) -> Response | None:
    """The no of an open "did you mean X?" or "which one?" that an undo is (nothing was added to take back), else
    ``None``."""
    pending = turn.pending
    if pending is None or pending.kind not in _UNDONE_BY_A_NO:
        return None
    from skill.handlers.dialog import say_no  # dialog answers build on the cart handlers

    turn.clear_pending()
    turn.answered()
    return say_no(turn, pending)


def undoable_change(turn: Turn) -> Undoable | None:
    """The change "scratch that" would take back, or ``None`` when there is none (the cart changed since, or the
    session made none)."""
    cart = turn.state.cart
    last = turn.last_add
    if last is not None and last[2] == cart.version and (line := cart.line_for(last[0])) is not None and last[1] > 0:
        return Undoable("add", last[0], min(last[1], line.quantity), line.unit)
    changed = turn.last_quantity_set
    if changed is not None and changed[2] == cart.version and (line := cart.line_for(changed[0])) is not None:
        return Undoable("quantity", changed[0], changed[1], changed[3] or line.unit)
    if turn.last_removal_version == cart.version and (removed := turn.peek_removed()):
        return Undoable("removed", removed=tuple(removed))
    return None


def undo_last_change(turn: Turn) -> Response:
    """ "Scratch that" / "undo that": the last change of this session taken back (``undoable_change``): an add takes
    out only the amount it put in ("one more" to 3 and "scratch that": 3 again), a quantity set goes back to what
    the line held ("make it five", "scratch that": 1 again), a removal puts back what it took out. Otherwise
    nothing changes and the customer is asked what to change. What is undone is always said."""
    change = undoable_change(turn)
    if change is None:
        return replayed_change(turn) or turn.ask("cart.nothing_to_undo", "cart.nothing_to_undo_reprompt")
    if change.kind == "add":
        heard = turn.product(change.product_id).name
        return _undone(turn, remove_some(turn, change.product_id, change.amount, heard=heard))
    if change.kind == "quantity":
        return _undone(turn, set_quantity(turn, change.product_id, change.amount, unit=change.unit))
    return _undone(turn, put_back(turn, run=False))


class CancelAfterChangeHandler(ShoppingHandler):
    """ "Never mind (that)" / "cancel that" right after a change of the cart, with no question open: the customer
    may mean the change, or the visit. Never undone unasked: the change is named and a yes takes it back; with the
    cart changed since, cancel is the goodbye it is elsewhere (the next handler)."""

    intent = "AMAZON.CancelIntent"

    def can_handle(self, handler_input: HandlerInput) -> bool:
        if not super().can_handle(handler_input) or take_question(handler_input) is not None:
            return False
        session = handler_input.attributes_manager.session_attributes or {}
        return isinstance(session.get(LAST_CHANGE), dict)

    def respond(self, turn: Turn) -> Response:
        asked = ask_to_undo(turn)
        if asked is not None:
            return asked
        turn.handler_input.attributes_manager.session_attributes = {}
        return turn.handler_input.response_builder.speak(turn.say("stop.goodbye")).set_should_end_session(True).response


def ask_to_undo(turn: Turn) -> Response | None:
    """ "Should I take the 1 Lime back out?": the change ``undoable_change`` finds, named; ``None`` when none."""
    change = undoable_change(turn)
    if change is None:
        return None
    turn.set_pending(Question.UNDO, version=turn.state.cart.version)
    if change.kind == "removed":
        names = [turn.line(quantity, turn.product(pid).name, unit) for pid, quantity, unit in change.removed]
        return turn.ask("undo.ask_removed", "undo.reprompt", items=turn.product_list(names))
    amount = turn.line(change.amount, turn.product(change.product_id).name, change.unit)
    key = "undo.ask_add" if change.kind == "add" else "undo.ask_quantity"
    return turn.ask(key, "undo.reprompt", amount=amount)


def _undone(turn: Turn, response: Response) -> Response:
    """An undo is not itself undone by the next "scratch that" (which would redo what the customer took back)."""
    turn.forget_add()
    return response


# What names every line of the cart: "everything", "it all", "all of it", "the rest", "my whole cart".
_EVERY_LINE = (
    r"(?:everything|all|all of it|it all|the lot|the whole (?:lot|thing)|(?:all )?the rest"
    r"|all (?:the |my )?(?:items|things|stuff)|(?:my|the) (?:whole |entire )?(?:shopping )?(?:cart|basket|list))"
    r"(?: else| of it)?(?: (?:in|from|out of|on) (?:my|the) (?:shopping )?(?:cart|basket|list))?"
)
# "everything except the bananas", "all but the milk and the eggs", "it all except the lemons": the lines named
# stay, every other goes
_ALL_BUT = re.compile(
    rf"^{_EVERY_LINE} (?:except|but|other than|apart from|aside from|besides|save|excluding) (?:for )?(.+)$"
)
# "clear all of it", "take out the whole cart": every line, nothing kept (the yes to emptying the cart is asked)
_ALL = re.compile(rf"^{_EVERY_LINE}(?: (?:out|off|away))?$")
# Words that keep some lines while others go ("the fruit except the lemons"): no line is picked by a close name then
_KEEPING = re.compile(r"\b(?:except|other than|apart from|aside from|besides|excluding)\b|\bbut (?:the|my|for)\b")


def remove_all_but(turn: Turn, kept_words: str) -> Response:
    """Every line but those named, in one write; nothing when a line named is not in the cart (what stays must be
    what the customer meant, or nothing goes)."""
    parts = [part.strip() for part in _AND.split(kept_words) if part.strip()]
    kept = [_line_kept(turn, part) if not refers_back(part) else _last_in_cart(turn) for part in parts]
    if not parts or any(product_id is None for product_id in kept):
        return turn.ask("cart.not_in_cart", heard=_kept_said(turn, kept_words))
    gone = [line.product_id for line in turn.state.cart.lines if line.product_id not in kept]
    if not gone:
        names = [
            turn.line(line.quantity, turn.product(line.product_id).name, line.unit) for line in turn.state.cart.lines
        ]
        return turn.ask(
            "cart.contents", count=turn.counted("item", turn.state.cart.item_count), items=turn.product_list(names)
        )
    return remove_several(turn, gone)


def _line_kept(turn: Turn, words: str) -> str | None:
    """The one cart line that ``words`` name strictly, for what is to stay while every other line goes: every word
    said is a word of the line's name ("the bananas" for Banana), or the resolver accepts a product that is a line.
    A close name is not enough ("the oat milk" is not Whole Milk); two lines that fit are none (nothing goes)."""
    cart = turn.state.cart
    said = _name_words(words)
    if said:
        held = [
            line.product_id
            for line in cart.lines
            if said <= _name_words(turn.product(line.product_id).name.replace("&", " and "))
        ]
        if len(held) == 1:
            return held[0]
        if len(held) > 1:
            return None
    resolution = turn.resolve(words)
    best = resolution.best
    if resolution.decision == Decision.ACCEPT and best is not None and cart.line_for(best.product.id) is not None:
        return best.product.id
    return None


def _last_in_cart(turn: Turn) -> str | None:
    """The product the conversation named last, when it is a cart line ("everything except that" after asking the
    price of lemons that are not in the cart keeps nothing, so nothing may go)."""
    last = turn.last_product
    return last if last is not None and turn.state.cart.line_for(last) is not None else None


def _kept_said(turn: Turn, kept_words: str) -> str:
    """What the customer asked to keep, said back: the product's name for "that"."""
    last = turn.last_product
    if refers_back(kept_words) and last is not None:
        return turn.product(last).name
    return kept_words


def several_in_cart(turn: Turn, words: str) -> list[str] | None:
    """ "remove the bananas and the eggs": the cart lines the parts around each "and" name, when there are two or
    more and they are different lines; ``None`` when the words are one line's name ("macaroni and cheese": every
    word said is a word of a line's name) or a part names no line (the one-product removal says what it missed)."""
    if not _AND.search(words) or _is_one_line(turn, words):
        return None
    parts = [part.strip() for part in _AND.split(words) if part.strip()]
    if len(parts) < 2 or any(refers_back(part) for part in parts):
        return None
    found = [_line_named(turn, part) for part in parts]
    if any(product_id is None for product_id in found) or len(set(found)) != len(found):
        return None
    return [str(product_id) for product_id in found]


def _is_one_line(turn: Turn, words: str) -> bool:
    said = _name_words(words)
    return any(
        said <= _name_words(turn.product(line.product_id).name.replace("&", " and ")) for line in turn.state.cart.lines
    )


def _line_named(turn: Turn, words: str) -> str | None:
    """The cart line whose name is closest to ``words``, else the first of the resolver's candidates in the cart."""
    cart = turn.state.cart
    names = {line.product_id: turn.product(line.product_id).name for line in cart.lines}
    if not words or not names:
        return None
    match = process.extractOne(words, names, scorer=fuzz.WRatio, score_cutoff=_NAME_CUTOFF)
    if match is not None:
        return str(match[2])
    return next((c.product.id for c in turn.resolve(words).candidates if c.product.id in names), None)


def remove_several(turn: Turn, product_ids: list[str]) -> Response:
    """Several lines out of the cart in one write, one event naming them all."""
    products = [turn.product(product_id) for product_id in product_ids]
    cart = turn.state.cart
    held = [(product, line.quantity, line.unit) for product in products if (line := cart.line_for(product.id))]
    lines = [(product, quantity) for product, quantity, _ in held]
    said = turn.product_list([product.name for product in products])
    event = turn.event(Outcome.REMOVED, lines=lines, heard=turn.slot_value("product"))

    def change(current: Any) -> Any:
        for product_id in product_ids:
            current = current.without(product_id)
        return current

    try:
        result = turn.shopping.change_cart(
            turn.caller.customer_id,
            change,
            request_id=turn.request_id,
            outcome={"key": REMOVED_SEVERAL, "products": said},
            event=event,
            cart=cart,
        )
    except NotInCart:
        return replayed_change(turn) or turn.ask("cart.not_in_cart", heard=turn.slot_value("product") or said)
    if not result.repeated:
        after = result.cart.version if result.cart is not None else None
        lines_out = [(product.id, quantity, unit) for product, quantity, unit in held]
        turn.record_removed(lines_out, before=cart.version, after=after)
    if result.repeated and (again := said_again(turn, result.outcome)):
        return again
    turn.clear_pending()
    return turn.ask(REMOVED_SEVERAL, products=said)


def remove_one(turn: Turn, words: str) -> Response:
    """ "remove one" (of the product named last) or "remove one banana": one fewer, the line gone at zero."""
    cart = turn.state.cart
    if words and not refers_back(words):
        names = {line.product_id: turn.product(line.product_id).name for line in cart.lines}
        match = process.extractOne(words, names, scorer=fuzz.WRatio, score_cutoff=_NAME_CUTOFF) if names else None
        product_id = str(match[2]) if match is not None else None
    else:
        product_id = turn.last_product
    return remove_some(turn, product_id, 1, heard=words or None, said_count=True)


def remove_measure(turn: Turn, words: str) -> Response | None:
    """ "Take a pound of the ground beef out" of a line weighed in pounds: that much less (three and a half pounds
    are two and a half), never the whole line. ``None`` when the words say no measure of a line held in it, or at
    least all it holds (the line goes, as any removal of it)."""
    amount = parse_amount(words)
    said = in_halves(amount.quantity or 1, canonical_unit(amount.unit)) if amount.unit else None
    product_id = _line_named(turn, amount.words) if said is not None else None
    line = turn.state.cart.line_for(product_id) if product_id is not None else None
    held = in_halves(line.quantity, line.unit) if line is not None else None
    if product_id is None or said is None or held is None or held[0] != said[0] or held[1] <= said[1]:
        return None
    quantity, unit = from_halves(held[0], held[1] - said[1])
    return set_quantity(turn, product_id, quantity, unit=unit)


def remove_some(
    turn: Turn, product_id: str | None, count: int, *, heard: str | None = None, said_count: bool = False
) -> Response:
    """``count`` fewer of a cart line (one write); the line goes when none are left. ``said_count``: the count is
    the customer's ("take one out"), so of a measure and a half it counts the measure; an undo's count is the line's
    own (its add took out all of it)."""
    cart = turn.state.cart
    words = heard if heard is not None else turn.slot_value("product")
    line = cart.line_for(product_id) if product_id else None
    if product_id is None or line is None:
        return replayed_change(turn) or turn.ask("cart.not_in_cart", heard=words or turn.say("word.that"))
    halves = in_halves(line.quantity, line.unit) if said_count and line.unit and MIXED in line.unit else None
    if halves is not None and halves[1] > 2 * count:
        # "take one out" of one and a half pounds: a pound of it (the line holds one of its unit, which is not
        # the count said), half a pound left
        quantity, unit = from_halves(halves[0], halves[1] - 2 * count)
        return set_quantity(turn, product_id, quantity, unit=unit)
    product = turn.product(product_id)
    turn.mention(product_id)
    left = line.quantity - count
    if left <= 0:
        change = lambda current: current.without(product_id)  # noqa: E731
        event = turn.event(Outcome.REMOVED, product=product, heard=words)
    else:
        at = turn.now().isoformat()
        change = lambda current: current.with_quantity(product_id, left, channel="voice", at=at)  # noqa: E731
        event = turn.event(Outcome.QUANTITY_CHANGED, product=product, quantity=left)
    result = turn.shopping.change_cart(
        turn.caller.customer_id,
        change,
        request_id=turn.request_id,
        outcome=change_outcome(REMOVED if left <= 0 else QUANTITY_CHANGED, product.name, left, line.unit),
        event=event,
        cart=cart,
    )
    if not result.repeated:
        after = result.cart.version if result.cart is not None else None
        turn.record_removed([(product_id, min(count, line.quantity), line.unit)], before=cart.version, after=after)
    if result.repeated and (again := said_again(turn, result.outcome)):
        return again
    if left <= 0:
        return turn.ask("cart.removed", product=product.name)
    return turn.ask_text(quantity_changed(turn, product.name, left, line.unit))


class ChangeQuantityHandler(ShoppingHandler):
    intent = "ChangeQuantityIntent"

    def respond(self, turn: Turn) -> Response:
        factor = next((n for pid in turn.slot_ids("factor") if (n := whole_number(pid)) is not None), None)
        if turn.slot_value("quantity") is None and factor is None:
            return turn.ask("quantity.missing", "quantity.reprompt")
        pending = turn.pending
        words = turn.slot_value("product")
        if (
            pending is not None
            and factor is None
            and not turn.slot_ids("product")
            and (refers_back(words) or repeats_the_question(pending, words or ""))
        ):
            # "make that four" to "which one?" / "did you mean Limes?": the amount of what the question offers,
            # asked again with it (the product named before the question is not what "that" means now)
            asked = ask_with_amount(turn, pending, turn.quantity())
            if asked is not None:
                return asked
        product_id = find_in_cart(turn)
        if product_id is None and factor is None and words and not refers_back(words):
            # "just two limes" with no limes in the cart: that many of them is what is wanted, so they are added
            return replayed_change(turn) or add_that_many(turn, words)
        if product_id is None:
            heard = turn.slot_value("product") or turn.say("word.that")
            return replayed_change(turn) or turn.ask("cart.not_in_cart", heard=heard)
        if factor is not None:
            # "double the eggs": the line times the factor, within what one line may hold
            line = turn.state.cart.line_for(product_id)
            quantity = (line.quantity if line is not None else 1) * factor
            if quantity > MAX_QUANTITY and mixed_measure(line.unit if line is not None else None) is None:
                raise BadQuantity(str(quantity))
            return set_quantity(turn, product_id, quantity, factor=factor)
        return set_quantity(turn, product_id, turn.quantity())


def add_that_many(turn: Turn, words: str) -> Response:
    """A quantity asked for a product the cart does not hold: an add of that many (its question when the words
    need one)."""
    quantity, joined = quantity_and_words(turn, words)
    said = joined or words
    resolution = turn.resolve(said, alexa_ids=turn.slot_ids("product") if joined == words else ())
    quantity, unit = unit_said(turn, resolution, quantity)
    return act_on_resolution(turn, resolution, quantity, said, unit=unit)


def set_quantity(
    turn: Turn, product_id: str, quantity: int, *, factor: int | None = None, unit: str | None = None
) -> Response:
    """A cart line set to ``quantity`` (one write), said back; "scratch that" next sets it back. A line of a
    measure and a half ("one and a half pound") set to a number is that many of its measure ("make that two": 2
    pounds, the measure the customer was talking about, never 2 times one and a half pounds); ``factor`` ("double
    it") is the line's amount times it. ``unit`` sets the line's unit too (an undo of such a change)."""
    product = turn.product(product_id)
    turn.mention(product_id)
    cart = turn.state.cart
    held = cart.line_for(product_id)
    new_unit = held.unit if held is not None else None
    if held is not None and unit is not None:
        new_unit = unit
    elif held is not None and (measure := mixed_measure(held.unit)) is not None:
        halves = in_halves(held.quantity, held.unit)
        if factor is not None and halves is not None:
            if (halves[1] * factor + 1) // 2 > MAX_QUANTITY:
                raise BadQuantity(str(halves[1] * factor // 2))  # "triple it" past what a line may hold, as a count
            quantity, new_unit = from_halves(measure, halves[1] * factor)
        else:
            new_unit = measure
    event = turn.event(Outcome.QUANTITY_CHANGED, product=product, quantity=quantity)
    at = turn.now().isoformat()
    result = turn.shopping.change_cart(
        turn.caller.customer_id,
        lambda current: current.with_line(product_id, quantity, new_unit, channel="voice", at=at),
        request_id=turn.request_id,
        outcome=change_outcome(QUANTITY_CHANGED, product.name, quantity, new_unit),
        event=event,
        cart=cart,
    )
    if result.repeated and (again := said_again(turn, result.outcome)):
        return again
    if held is not None and result.cart is not None and (held.quantity, held.unit) != (quantity, new_unit):
        previous_unit = held.unit if held.unit != new_unit else None
        turn.record_quantity_set(product_id, held.quantity, result.cart.version, previous_unit=previous_unit)
    return turn.ask_text(quantity_changed(turn, product.name, quantity, new_unit))


class ReadCartHandler(ShoppingHandler):
    intent = "ReadCartIntent"

    def respond(self, turn: Turn) -> Response:
        cart = turn.state.cart
        if cart.is_empty:
            return turn.ask("cart.empty")
        names = [turn.line(line.quantity, turn.product(line.product_id).name, line.unit) for line in cart.lines]
        if len(cart.lines) == 1:
            turn.mention(cart.lines[0].product_id)  # the one line read out is what "make that two" then means
        return turn.ask("cart.contents", count=turn.counted("item", cart.item_count), items=turn.product_list(names))


class ClearCartHandler(ShoppingHandler):
    intent = "ClearCartIntent"

    def respond(self, turn: Turn) -> Response:
        return ask_to_clear(turn)


def ask_to_clear(turn: Turn) -> Response:
    """ "Empty your cart of 5 items?": nothing goes before the yes."""
    cart = turn.state.cart
    if cart.is_empty:
        return turn.ask("cart.empty")
    turn.set_pending(Question.CLEAR, version=cart.version)
    return turn.ask("cart.clear_confirm", "cart.clear_reprompt", count=turn.counted("item", cart.item_count))


def clear_cart(turn: Turn) -> Response:
    """The yes to "clear my cart"."""
    event = turn.event(Outcome.CLEARED)
    cart = turn.state.cart
    result = turn.shopping.change_cart(
        turn.caller.customer_id,
        lambda current: current.cleared(),
        request_id=turn.request_id,
        outcome={"cleared": True},
        event=event,
        cart=cart,
    )
    if not result.repeated and result.cart is not None:
        # "put it all back" / "scratch that": the lines it emptied, as they were
        lines_out = [(line.product_id, line.quantity, line.unit) for line in cart.lines]
        turn.record_removed(lines_out, before=cart.version, after=result.cart.version)
    turn.clear_pending()
    return turn.ask("cart.cleared")
