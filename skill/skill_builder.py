"""Build the skill from a backend: no globals, one function, called once per process (or per test)."""

from __future__ import annotations

from ask_sdk_core.skill import CustomSkill
from ask_sdk_core.skill_builder import SkillBuilder

from backend.services import Backend
from skill.handlers import exception_handlers, request_handlers
from skill.handlers.entities import KeepProductEntities
from skill.handlers.lifecycle import CloseQuestion, ExpireQuestion
from skill.handlers.logging import RequestLogger, ResponseLogger
from skill.handlers.turn_events import TurnRecorder, recording_errors
from skill.speech.counted import counted_names_of, single_names_of


def build_skill(backend: Backend) -> CustomSkill:
    builder = SkillBuilder()
    builder.skill_id = backend.settings.skill_id  # type: ignore[assignment]  # the SDK annotates it as None
    for handler in request_handlers(backend):
        builder.add_request_handler(handler)
    for exception_handler in recording_errors(exception_handlers(backend), backend):
        builder.add_exception_handler(exception_handler)
    builder.add_global_request_interceptor(RequestLogger())
    builder.add_global_request_interceptor(ExpireQuestion())  # a question lives one turn: see lifecycle
    builder.add_global_response_interceptor(CloseQuestion(backend.catalog))
    builder.add_global_response_interceptor(KeepProductEntities())  # after CloseQuestion: it may CLEAR choices
    builder.add_global_response_interceptor(TurnRecorder(backend))  # every turn one event
    builder.add_global_response_interceptor(ResponseLogger())
    counted_names_of(backend.catalog)  # worked out with the rest of start-up, not in the first customer's turn
    single_names_of(backend.catalog)
    skill: CustomSkill = builder.create()
    return skill
