"""The life of a question: exactly one turn.

Before any handler runs, ``ExpireQuestion`` takes the question the skill asked last turn out of the session and
keeps it for this turn only (request attributes). The handler of an answer reads it there (``asked``) and says it
answered it (``answered``); a handler that asks something puts a new question in the session. So whatever else the
customer says - another intent, help, fallback, an error - the old question is gone at the end of the turn: a later
"yes" finds nothing to confirm, and a later "the first one" nothing to pick.

After the handler, ``CloseQuestion`` says so when something was at stake in the question dropped (an order, a
product, an emptied cart) and tells Alexa to forget the options' names it was given for a "which one?".
"""

from __future__ import annotations

import re

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.dialog import DynamicEntitiesDirective
from ask_sdk_model.er.dynamic import UpdateBehavior
from ask_sdk_model.ui import SsmlOutputSpeech

from backend.catalog import Catalog
from backend.resolver import parse_amount, spoken_form
from backend.shopping import MAX_QUANTITY, MIN_QUANTITY, LineAmount, canonical_unit, line_amount
from skill.handlers.pending import OFFERS_OPTIONS, Pending, Question, queue_of
from skill.speech import Speech
from skill.turn import speech_for

SESSION_KEY = "pending"
REPROMPT_KEY = "asked_reprompt"  # the reprompt of the question in SESSION_KEY (``asked_reprompt``)
_ASKED = "voicecart.asked"  # request attribute: the question of the turn before, taken out of the session
_ANSWERED = "voicecart.answered"  # request attribute: a handler used it as the answer it was waiting for

# What the customer is told when a question with something at stake is dropped by another request.
# A product question names what was not added (``_dropped_product``); this key is for when nothing names it.
DROPPED = {
    Question.CHECKOUT: "dialog.dropped_order",
    Question.CODE: "dialog.dropped_order",
    Question.OFFER_CART: "dialog.dropped_order",
    Question.CLEAR: "dialog.dropped_clear",
    Question.REORDER: "dialog.dropped_items",
    Question.USUAL: "dialog.dropped_items",
    Question.ADD: "dialog.dropped_product",
    Question.CHOOSE: "dialog.dropped_product",
    Question.OFFER_ADD: "dialog.dropped_product",
    Question.SWAP: "dialog.dropped_swap",
    Question.CANCEL_ORDER: "dialog.dropped_cancel",
}


def take_question(handler_input: HandlerInput) -> Pending | None:
    """The question asked last turn. The first call of the turn moves it out of the session; it is then this
    turn's alone (idempotent: later calls return the same)."""
    attributes = handler_input.attributes_manager.request_attributes
    if _ASKED not in attributes:
        session = handler_input.attributes_manager.session_attributes or {}
        attributes[_ASKED] = session.pop(SESSION_KEY, None)
    return Pending.from_session(attributes[_ASKED])


def mark_answered(handler_input: HandlerInput) -> None:
    handler_input.attributes_manager.request_attributes[_ANSWERED] = True


def question_now(handler_input: HandlerInput) -> Pending | None:
    """The question the response asks (put in the session this turn), if any."""
    return Pending.from_session((handler_input.attributes_manager.session_attributes or {}).get(SESSION_KEY))


class ExpireQuestion(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        take_question(handler_input)


class CloseQuestion(AbstractResponseInterceptor):
    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        if response is None:
            return
        asked = take_question(handler_input)
        now = question_now(handler_input)
        choosing = now is not None and now.kind in OFFERS_OPTIONS
        if asked is not None and asked.kind in OFFERS_OPTIONS and not choosing and response.output_speech is not None:
            response.directives = [*(response.directives or []), _clear_choices()]
        _keep_reprompt(handler_input, now, response)
        answered = bool(handler_input.attributes_manager.request_attributes.get(_ANSWERED))
        if asked is None or answered or _asked_again(asked, now):
            return
        key = DROPPED.get(asked.kind)
        if key is not None and isinstance(response.output_speech, SsmlOutputSpeech):
            speech = speech_for(handler_input)
            product = _dropped_product(asked, self.catalog, speech) if key == "dialog.dropped_product" else None
            if product:
                # what was still to come after it in the same breath ("two onions, a cucumber and ...") goes too
                later = [
                    speech.product_line(quantity, words) if quantity != 1 else words
                    for words, quantity in queue_of(asked)
                ]
                if later:
                    product = f"{', '.join([product, *later[:-1]])} {speech.say('list.or')} {later[-1]}"
                note = speech.say("dialog.dropped_named", product=product)
            else:
                note = speech.say(key, cart=speech.say("word.cart"))
            response.output_speech = SsmlOutputSpeech(ssml=_prepend(response.output_speech.ssml or "", note))


def _keep_reprompt(handler_input: HandlerInput, now: Pending | None, response: Response) -> None:
    """The reprompt of the question the response asks, kept with it: a reply the skill does not understand asks
    the question again in these words (``asked_reprompt``)."""
    session = handler_input.attributes_manager.session_attributes
    if session is None:
        return
    reprompt = getattr(getattr(response.reprompt, "output_speech", None), "ssml", None)
    if now is None or not reprompt:
        session.pop(REPROMPT_KEY, None)
        return
    session[REPROMPT_KEY] = _SPEAK_TAGS.sub("", str(reprompt)).strip()


def asked_reprompt(handler_input: HandlerInput) -> str | None:
    """The reprompt of the question asked last turn (SSML without ``<speak>``), if it was kept."""
    session = handler_input.attributes_manager.session_attributes or {}
    reprompt = session.get(REPROMPT_KEY)
    return str(reprompt) if reprompt else None


_SPEAK_TAGS = re.compile(r"</?speak>", re.IGNORECASE)


def _asked_again(asked: Pending, now: Pending | None) -> bool:
    """The response asks the same question again (a price asked in between, an answer that picked nothing), not a
    question of the same kind about another request ("add black beans" - "which one?" - "add eggs": nothing was
    added of the black beans)."""
    return now is not None and now.kind == asked.kind and now.get("heard") == asked.get("heard")


def _dropped_product(asked: Pending, catalog: Catalog | None, speech: Speech) -> str | None:
    """What a dropped product question was about, as the customer would recognise it: the product it offered
    ("did you mean Oat Milk?"), else the words they said for it ("oat milk", when it asked which one); with the
    amount it would have added, as understood ("one and a half pounds of apples", never the words as heard,
    "pound and a half of apples")."""
    product = str(asked.get("product") or "")
    found = catalog.find(product) if catalog is not None and asked.kind != Question.CHOOSE else None
    quantity = _whole(asked.get("quantity"))
    unit = str(asked.get("unit") or "") or None
    if found is not None:
        fit = line_amount(quantity, unit, found) if unit is not None else None
        if isinstance(fit, LineAmount):
            return speech.product_line(fit.quantity, found.name, fit.unit)
        return speech.product_line(quantity, found.name) if quantity != 1 and fit is None else found.name
    heard = str(asked.get("heard") or "").strip()
    words = _product_words(heard)
    if words and (unit is not None or quantity != 1):
        return speech.product_line(quantity, words, canonical_unit(unit) if unit is not None else None)
    return heard or None


def _product_words(heard: str) -> str:
    """The words said for the product, as said ("avocados"), with the amount said before them left out ("pound
    and a half of apples": "apples")."""
    wanted = parse_amount(heard).words.strip() if heard else ""
    said = heard.split()
    for at in range(len(said)):
        if spoken_form(" ".join(said[at:])) == wanted:
            return " ".join(said[at:])
    return wanted


def _whole(value: object) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return 1
    return number if MIN_QUANTITY <= number <= MAX_QUANTITY else 1


def _clear_choices() -> DynamicEntitiesDirective:
    return DynamicEntitiesDirective(update_behavior=UpdateBehavior.CLEAR)


_SPEAK = re.compile(r"^\s*<speak>", re.IGNORECASE)


def _prepend(ssml: str, note: str) -> str:
    if _SPEAK.match(ssml):
        return _SPEAK.sub(lambda match: f"{match.group(0)}{note} ", ssml, count=1)
    return f"<speak>{note} {ssml}</speak>"
