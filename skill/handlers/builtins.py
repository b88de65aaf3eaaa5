"""Handlers for the requests every skill answers: launch, help, stop/cancel, fallback, navigate home, session end."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import is_intent_name, is_request_type
from ask_sdk_model import Response
from ask_sdk_model.canfulfill import (
    CanFulfillIntent,
    CanFulfillIntentValues,
    CanFulfillSlot,
    CanFulfillSlotValues,
    CanUnderstandSlotValues,
)
from ask_sdk_model.ui import SimpleCard

from skill.handlers.lifecycle import take_question
from skill.turn import speech_for

log = logging.getLogger(__name__)


class HelpHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.HelpIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = speech_for(handler_input)
        return (
            handler_input.response_builder.speak(speech.say("help.speech"))
            .ask(speech.say("help.reprompt"))
            .set_card(SimpleCard(title=speech.plain("help.card_title"), content=speech.plain("help.card_text")))
            .response
        )


class StopHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(
            is_intent_name("AMAZON.StopIntent")(handler_input) or is_intent_name("AMAZON.CancelIntent")(handler_input)
        )

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = speech_for(handler_input)
        if is_intent_name("AMAZON.CancelIntent")(handler_input) and take_question(handler_input) is not None:
            # "never mind" to a question cancels what was asked ("I didn't add that"), not the visit: the session
            # stays open for what else. With nothing asked, cancel ends it, as stop does.
            return (
                handler_input.response_builder.speak(speech.say("dialog.cancelled_what_else"))
                .ask(speech.say("dialog.cancelled_reprompt"))
                .response
            )
        handler_input.attributes_manager.session_attributes = {}
        return handler_input.response_builder.speak(speech.say("stop.goodbye")).set_should_end_session(True).response


class NavigateHomeHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.NavigateHomeIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        # The customer left for the device's home screen: drop any dialog in progress and end quietly.
        handler_input.attributes_manager.session_attributes = {}
        return handler_input.response_builder.set_should_end_session(True).response


class FallbackHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_intent_name("AMAZON.FallbackIntent")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        speech = speech_for(handler_input)
        return (
            handler_input.response_builder.speak(speech.say("fallback.speech"))
            .ask(speech.say("fallback.reprompt"))
            .response
        )


class SessionEndedHandler(AbstractRequestHandler):
    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("SessionEndedRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        request = handler_input.request_envelope.request
        reason = getattr(request, "reason", None)
        error = getattr(request, "error", None)
        log.info(
            "session ended",
            extra={"reason": str(getattr(reason, "value", reason)), "error": str(getattr(error, "message", ""))},
        )
        # Alexa ignores any speech here; an empty response is the correct answer.
        return handler_input.response_builder.response


class UnhandledIntentHandler(AbstractRequestHandler):
    """Last in line: an intent no other handler claims (a model newer than the code) gets the fallback answer."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return True

    def handle(self, handler_input: HandlerInput) -> Response:
        log.warning("no handler for this request; answering with the fallback")
        return FallbackHandler().handle(handler_input)


class ExceptionEncounteredHandler(AbstractRequestHandler):
    """Alexa reports that a directive of ours failed: log it; Alexa expects no speech and no session change."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("System.ExceptionEncountered")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        error = getattr(handler_input.request_envelope.request, "error", None)
        log.warning("Alexa reported an error", extra={"error": str(getattr(error, "message", ""))})
        return handler_input.response_builder.response


class PlayerEventHandler(AbstractRequestHandler):
    """AudioPlayer and PlaybackController events: the skill plays no audio, so it answers each with the empty
    response Alexa expects (no speech, no open microphone)."""

    def can_handle(self, handler_input: HandlerInput) -> bool:
        kind = str(getattr(handler_input.request_envelope.request, "object_type", "") or "")
        return kind.startswith(("AudioPlayer.", "PlaybackController."))

    def handle(self, handler_input: HandlerInput) -> Response:
        return handler_input.response_builder.response


class CanFulfillHandler(AbstractRequestHandler):
    """Name-free interaction: whether the skill can take the intent Alexa asks about. Nothing is said or changed."""

    def __init__(self, intents: frozenset[str]) -> None:
        self.intents = intents

    def can_handle(self, handler_input: HandlerInput) -> bool:
        return bool(is_request_type("CanFulfillIntentRequest")(handler_input))

    def handle(self, handler_input: HandlerInput) -> Response:
        intent = getattr(handler_input.request_envelope.request, "intent", None)
        name = getattr(intent, "name", None)
        ours = name in self.intents
        slots = {
            slot: CanFulfillSlot(
                can_understand=CanUnderstandSlotValues.MAYBE if ours else CanUnderstandSlotValues.NO,
                can_fulfill=CanFulfillSlotValues.YES if ours else CanFulfillSlotValues.NO,
            )
            for slot in (getattr(intent, "slots", None) or {})
        }
        verdict = CanFulfillIntentValues.YES if ours else CanFulfillIntentValues.NO
        return handler_input.response_builder.set_can_fulfill_intent(
            CanFulfillIntent(can_fulfill=verdict, slots=slots or None)
        ).response
