"""No linked account (or a token nobody knows, or a customer erased while the turn ran): say the account must be
linked, send the LinkAccount card, and read or write nothing personal."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractExceptionHandler
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response
from ask_sdk_model.ui import LinkAccountCard

from backend.errors import AccountNotLinked, CustomerErased, UnknownAccessToken
from skill.turn import speech_for

log = logging.getLogger(__name__)


def link_account_response(handler_input: HandlerInput) -> Response:
    speech = speech_for(handler_input)
    return (
        handler_input.response_builder.speak(speech.say("account.link"))
        .set_card(LinkAccountCard())
        .set_should_end_session(True)
        .response
    )


class AccountNotLinkedHandler(AbstractExceptionHandler):
    def can_handle(self, handler_input: HandlerInput, exception: Exception) -> bool:
        return isinstance(exception, AccountNotLinked | UnknownAccessToken | CustomerErased)

    def handle(self, handler_input: HandlerInput, exception: Exception) -> Response:
        log.info("request without a usable account link: %s", type(exception).__name__)
        handler_input.attributes_manager.session_attributes = {}
        return link_account_response(handler_input)
