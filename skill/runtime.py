"""Run one Alexa request envelope through the skill: the single entry the web adapter and Lambda both use."""

from __future__ import annotations

import json
from typing import Any, cast

from ask_sdk_core.exceptions import SerializationException
from ask_sdk_core.serialize import DefaultSerializer
from ask_sdk_core.skill import CustomSkill
from ask_sdk_model import RequestEnvelope, ResponseEnvelope

from backend.store.budget import store_budget
from skill.envelope_codec import FastSerializer
from skill.verification.errors import MalformedRequest


class SkillRuntime:
    def __init__(self, skill: CustomSkill) -> None:
        self.skill = skill
        # The SDK's serializer, read once per type (skill.envelope_codec): the same objects, a fraction of the CPU.
        self._serializer = FastSerializer() if type(skill.serializer) is DefaultSerializer else skill.serializer

    def handle(self, envelope: dict[str, Any], context: object | None = None) -> dict[str, Any]:
        """Deserialize, dispatch, serialize. The envelope must already be verified (or not need it). ``context``
        (the Lambda context, under Lambda) reaches the handlers as ``handler_input.context``.

        An envelope the SDK's model cannot read is :class:`MalformedRequest` (a 400 at the web edge), never an
        error inside the skill: the shape check catches what Alexa would never send, this catches the rest.
        """
        try:
            # Through JSON text, as the SDK's serializer reads it: the model shares nothing with the caller's dict
            # (a handler changing the session's attributes changes the model's, never the envelope a retry resends).
            request_envelope = self._serializer.deserialize(payload=json.dumps(envelope), obj_type=RequestEnvelope)
        except (SerializationException, ValueError, TypeError, AttributeError, KeyError, RecursionError) as exc:
            raise MalformedRequest("request does not match the Alexa request model") from exc
        if not isinstance(request_envelope, RequestEnvelope) or request_envelope.request is None:
            raise MalformedRequest("request does not match the Alexa request model")
        # Every store call of the turn shares one deadline, so the answer (or the apology) beats Alexa's 8 s.
        with store_budget():
            response: ResponseEnvelope = self.skill.invoke(request_envelope=request_envelope, context=context)
        return cast("dict[str, Any]", self._serializer.serialize(response))
