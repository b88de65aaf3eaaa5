"""Every voice turn is one profile event, recorded in one place: here, after the handler answered.

A handler that changes something writes its own event in the turn's transaction (an add, a removal, an order) or
records a miss or a decline itself; it builds that event with ``Turn.event``, which marks the request. For every
other turn (a launch, a cart read, a history answer, a question asked back, a checkout quote, help, stop, the end of
the session, an error answer) ``TurnRecorder`` writes the one event after the response is built, with the outcome
read off the turn:

* ``LaunchRequest`` -> ``opened``; ``SessionEndedRequest`` -> ``ended``;
* the turn asked a question (a question lives one turn, so one in the session was asked now): the checkout question
  -> ``quoted``, any other -> ``asked``;
* anything else answered -> ``answered`` (its intent tells a cart read from a history answer);
* an exception handler answered -> ``failed`` (``recording_errors`` wraps the exception handlers, because the
  ASK SDK runs response interceptors only after a handler that returned); not after a store failure, when the
  store would be asked again for nothing.

The event id comes from the request id (``Turn.origin``), the same id a handler's own event has: Alexa's retry of
a request writes nothing twice, and an error after a handler's event was written adds no second one (the
idempotency marker refuses it). A turn whose account is not linked has no customer and so no event. Recording is
best effort: the answer is already built, so a store failure is logged, never spoken.
See ``backend.profile.names`` for the names these outcomes take in Segment's spec.
"""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import (
    AbstractExceptionHandler,
    AbstractResponseInterceptor,
)
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

from backend.errors import StoreError, VoicecartError
from backend.profile import Outcome, new_event
from backend.services import Backend
from skill.handlers.lifecycle import question_now
from skill.handlers.pending import Question
from skill.handlers.turn_context import EVENT_ATTRIBUTE, TURN_ATTRIBUTE, Turn
from skill.identity import caller_of
from skill.turn import speech_for

log = logging.getLogger(__name__)


def _turn(handler_input: HandlerInput, backend: Backend) -> Turn | None:
    """The handler's turn, or one built here for a handler that needed none (help, stop, the end of a session)."""
    found = handler_input.attributes_manager.request_attributes.get(TURN_ATTRIBUTE)
    if isinstance(found, Turn):
        return found
    try:
        caller = caller_of(handler_input, backend.tokens)
    except VoicecartError:
        return None  # not linked: nobody to record the turn for
    return Turn(handler_input, backend, caller, speech_for(handler_input))


def outcome_of(handler_input: HandlerInput) -> Outcome:
    request_type = getattr(handler_input.request_envelope.request, "object_type", None)
    if request_type == "LaunchRequest":
        return Outcome.OPENED
    if request_type == "SessionEndedRequest":
        return Outcome.ENDED
    # A question lives one turn (skill/handlers/lifecycle.py): one in the session now was asked by this turn.
    pending = question_now(handler_input)
    if pending is not None:
        return Outcome.QUOTED if pending.kind == Question.CHECKOUT else Outcome.ASKED
    return Outcome.ANSWERED


def record_turn(handler_input: HandlerInput, backend: Backend, outcome: Outcome | None = None) -> None:
    """Write the turn's event unless its handler wrote one (``outcome`` given: the turn failed, write anyway; the
    event id makes a second write of the same turn a no-op)."""
    attributes = handler_input.attributes_manager.request_attributes
    if outcome is None and attributes.get(EVENT_ATTRIBUTE):
        return
    turn = _turn(handler_input, backend)
    if turn is None:
        return
    heard = None
    if outcome is None:
        outcome = outcome_of(handler_input)
        asked = question_now(handler_input)  # the question this turn asked (turn.pending is last turn's)
        if outcome is Outcome.ASKED and asked is not None:
            heard = asked.get("heard") or None
    try:
        event = new_event(turn.origin(), outcome, heard=turn.keep_heard(heard))
        backend.profiles.record_event(event)
    except VoicecartError:
        log.warning("the turn's event was not recorded", exc_info=True, extra={"request_id": turn.request_id})
    attributes[EVENT_ATTRIBUTE] = True


class TurnRecorder(AbstractResponseInterceptor):
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        record_turn(handler_input, self.backend)


class RecordingExceptionHandler(AbstractExceptionHandler):
    """An exception handler whose answer is recorded as the turn's ``failed`` event."""

    def __init__(self, inner: AbstractExceptionHandler, backend: Backend) -> None:
        self.inner = inner
        self.backend = backend

    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return bool(self.inner.can_handle(handler_input, exception))

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response | None:
        response: Response | None = self.inner.handle(handler_input, exception)
        if not isinstance(exception, StoreError):
            # After a store failure, recording would call the store again (the caller, then the event): against a
            # store that does not answer that adds its timeouts to the apology, past Alexa's 8 seconds.
            record_turn(handler_input, self.backend, Outcome.FAILED)
        return response


def recording_errors(handlers: list[AbstractExceptionHandler], backend: Backend) -> list[AbstractExceptionHandler]:
    return [RecordingExceptionHandler(handler, backend) for handler in handlers]
