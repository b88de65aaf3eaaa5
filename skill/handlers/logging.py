"""Request/response interceptors that log what a turn was about, never who: no tokens, no whole envelopes."""

from __future__ import annotations

import logging

from ask_sdk_core.dispatch_components import AbstractRequestInterceptor, AbstractResponseInterceptor
from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import Response

log = logging.getLogger("voicecart.turn")


class RequestLogger(AbstractRequestInterceptor):
    def process(self, handler_input: HandlerInput) -> None:
        request = handler_input.request_envelope.request
        intent = getattr(request, "intent", None)
        session = handler_input.request_envelope.session
        log.info(
            "turn started",
            extra={
                "request_id": getattr(request, "request_id", None),
                "request_type": getattr(request, "object_type", None),
                "intent": getattr(intent, "name", None),
                "locale": getattr(request, "locale", None),
                "new_session": bool(session and session.new),
            },
        )


class ResponseLogger(AbstractResponseInterceptor):
    def process(self, handler_input: HandlerInput, response: Response | None) -> None:
        log.info(
            "turn answered",
            extra={
                "request_id": getattr(handler_input.request_envelope.request, "request_id", None),
                "ends_session": bool(response and response.should_end_session),
            },
        )
