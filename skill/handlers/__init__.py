"""Every request handler, registered in one place, in dispatch order: the ASK SDK uses the first that matches,
so specific handlers come first and the catch-all ``UnhandledIntentHandler`` comes last."""

from __future__ import annotations

from ask_sdk_core.dispatch_components import AbstractExceptionHandler, AbstractRequestHandler

from backend.services import Backend
from skill.handlers.builtins import (
    FallbackHandler,
    HelpHandler,
    LaunchHandler,
    NavigateHomeHandler,
    SessionEndedHandler,
    StopHandler,
    UnhandledIntentHandler,
)
from skill.handlers.errors import CatchAllExceptionHandler, StoreErrorHandler


def request_handlers(backend: Backend) -> list[AbstractRequestHandler]:
    return [
        LaunchHandler(),
        HelpHandler(),
        StopHandler(),
        NavigateHomeHandler(),
        SessionEndedHandler(),
        FallbackHandler(),
        UnhandledIntentHandler(),
    ]


def exception_handlers(backend: Backend) -> list[AbstractExceptionHandler]:
    return [StoreErrorHandler(), CatchAllExceptionHandler()]
