"""The exception handlers: every domain error becomes the spoken answer fitting it (``DOMAIN_ERROR_SPEECH``); a
store failure is its own apology; anything else is logged whole and answered with the generic apology. Never a
stack trace to the customer, and never the generic apology for a rule the customer can understand.

Handlers catch the errors they can answer better in context (a wrong voice code, an empty cart at checkout); what
escapes them lands here, after the turn's transaction was refused whole, so "nothing was changed" is true.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backend.errors import (
    CartChangedSinceQuote,
    CartError,
    CatalogError,
    CheckoutError,
    ConcurrentUpdate,
    CustomerNotFound,
    EmptyCart,
    IdentityError,
    NotInCart,
    OtherUnitInCart,
    OutcomeUnknown,
    ProductNotFound,
    PurchasingLocked,
    StoreError,
    ValidationError,
    VoicecartError,
    VoiceCodeRequired,
    WrongVoiceCode,
)
from skill.speech import Speech
from skill.turn import speech_for

log = logging.getLogger(__name__)

# Most specific first: the first class the error is an instance of names its speech key. Store errors and a missing
# account link have their own handlers (registered before this one).
DOMAIN_ERROR_SPEECH: tuple[tuple[type[VoicecartError], str], ...] = (
    (ProductNotFound, "error.product_gone"),
    (CatalogError, "error.product_gone"),
    (NotInCart, "error.not_in_cart"),
    (OtherUnitInCart, "error.other_unit"),
    (EmptyCart, "checkout.empty"),
    (CartError, "error.invalid"),
    (PurchasingLocked, "checkout.locked"),
    (VoiceCodeRequired, "code.ask"),
    (WrongVoiceCode, "code.ask"),
    (CartChangedSinceQuote, "error.cart_changed"),
    (CheckoutError, "error.invalid"),
    (CustomerNotFound, "error.account"),
    (IdentityError, "error.account"),
    (ValidationError, "error.invalid"),
)

# A ValidationError from the cart's own rules names the rule by its field: a line's quantity (50 of one product)
# or the cart's products (60 of them).
CART_LIMIT_SPEECH = {"quantity": "error.line_full", "product": "error.cart_full"}

# After these the question in progress cannot be answered any more: asking it again would fail the same way.
_ENDS_THE_QUESTION = {
    "error.line_full",
    "error.cart_full",
    "error.product_gone",
    "error.not_in_cart",
    "checkout.locked",
}


def speech_key_for(error: VoicecartError) -> str:
    if isinstance(error, ValidationError) and not isinstance(error, CartError | CheckoutError):
        return CART_LIMIT_SPEECH.get(error.field or "", "error.invalid")
    for kind, key in DOMAIN_ERROR_SPEECH:
        if isinstance(error, kind):
            return key
    return "error.generic"


def _by_unit(speech: Speech, unit: str | None) -> str:
    """How a line is counted, as said: "by the pound", "by the six pack"; no unit is "by the piece"."""
    if not unit:
        return speech.plain("error.by_the_piece")
    return speech.plain("error.by_the_unit", unit=speech.unit_name(unit, 1))


def speech_values_for(error: VoicecartError, speech: Speech) -> dict[str, str]:
    """What the answer to ``error`` names besides the cart: a line held in another unit says both units."""
    if isinstance(error, OtherUnitInCart):
        return {"held": _by_unit(speech, error.held), "said": _by_unit(speech, error.said)}
    return {}


def _answer(handler_input: HandlerInput, speech: Speech, key: str, **values: str) -> Response:
    cart = speech.say("word.cart")
    spoken = speech.say(key, cart=cart, **values)
    return handler_input.response_builder.speak(spoken).ask(speech.say("error.reprompt")).response


class DomainErrorHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, VoicecartError) and not isinstance(exception, StoreError)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        assert isinstance(exception, VoicecartError)
        key = speech_key_for(exception)
        log.info("domain error answered", extra={"error": type(exception).__name__, "speech": key})
        if key in _ENDS_THE_QUESTION:
            (handler_input.attributes_manager.session_attributes or {}).pop("pending", None)
        speech = speech_for(handler_input)
        return _answer(handler_input, speech, key, **speech_values_for(exception, speech))


class StoreErrorHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, StoreError)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        if isinstance(exception, ConcurrentUpdate):
            # Another writer kept winning the same cart: an outcome the store reports truthfully and the customer
            # hears as an apology, not a fault to debug. One line, no traceback (under contention there are many).
            log.warning("write refused after retries: %s", exception, extra={"error": type(exception).__name__})
        else:
            log.error("store failure during a turn: %s", exception, exc_info=exception)
        # "Nothing was changed" only when that is known: an unknown outcome may have been applied.
        key = "error.store_unknown" if isinstance(exception, OutcomeUnknown) else "error.store"
        return _answer(handler_input, speech_for(handler_input), key)


class CatchAllExceptionHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled error during a turn: %s", type(exception).__name__, exc_info=exception)
        return _answer(handler_input, speech_for(handler_input), "error.generic")
