"""The exception handlers: a domain error becomes a spoken apology fitting its kind; anything else is logged whole
and answered with the generic apology. Never a stack trace to the customer."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backend.errors import OutcomeUnknown, StoreError
from skill.turn import speech_for

log = logging.getLogger(__name__)


class StoreErrorHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, StoreError)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("store failure during a turn: %s", exception, exc_info=exception)
        speech = speech_for(handler_input)
        # "Nothing was changed" only when that is known: an unknown outcome may have been applied.
        key = "error.store_unknown" if isinstance(exception, OutcomeUnknown) else "error.store"
        return handler_input.response_builder.speak(speech.say(key)).ask(speech.say("error.reprompt")).response


class CatchAllExceptionHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return True

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.error("unhandled error during a turn: %s", type(exception).__name__, exc_info=exception)
        speech = speech_for(handler_input)
        return (
            handler_input.response_builder.speak(speech.say("error.generic")).ask(speech.say("error.reprompt")).response
        )
