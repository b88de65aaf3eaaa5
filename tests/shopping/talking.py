"""A customer talking to the real skill: the simulator's Alexa request envelopes, sent through ``SkillRuntime.handle``
(the path the HTTP endpoint and the Lambda entry share), session attributes carried from turn to turn."""

from __future__ import annotations

import html
import re
import uuid
from typing import Any

from backend.settings import DEMO_SKILL_ID
from skill.runtime import SkillRuntime
from skill.simulator.envelope import Identity, SessionInfo, envelope

SKILL_ID = DEMO_SKILL_ID  # the one skill id of the tests: the settings fixture verifies it
_TAGS = re.compile(r"<[^>]+>")


class Conversation:
    def __init__(
        self,
        runtime: SkillRuntime,
        token: str | None,
        *,
        user_id: str = "amzn1.ask.account.TEST",
        device_id: str = "amzn1.ask.device.TEST",
        person_id: str | None = None,
    ) -> None:
        self.runtime = runtime
        self.token = token
        self.user_id = user_id
        self.device_id = device_id
        self.person_id = person_id
        self.session: dict[str, Any] = {}
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        self.requests = 0
        self.last: dict[str, Any] = {}

    def new_session(self) -> None:
        self.session = {}
        self.session_id = f"amzn1.echo-api.session.{uuid.uuid4()}"
        self.requests = 0

    def envelope(self, request: dict[str, Any], request_id: str | None = None) -> dict[str, Any]:
        """The simulator's envelope (the one builder of Alexa envelopes) around ``request``."""
        body = {
            "requestId": request_id or f"amzn1.echo-api.request.{uuid.uuid4()}",
            "timestamp": "2026-11-20T15:30:00Z",
            "locale": "en-US",
            **request,
        }
        identity = Identity(
            user_id=self.user_id, device_id=self.device_id, access_token=self.token, person_id=self.person_id
        )
        session = SessionInfo(session_id=self.session_id, new=self.requests == 0, attributes=self.session)
        return envelope(body, skill_id=SKILL_ID, identity=identity, session=session)

    def send(self, envelope: dict[str, Any]) -> str:
        """Send one envelope; returns the speech as plain words (SSML tags removed)."""
        self.requests += 1
        self.last = self.runtime.handle(envelope)
        self.session = dict(self.last.get("sessionAttributes") or {})
        if self.last["response"].get("shouldEndSession"):
            self.new_session()
        speech = self.last["response"].get("outputSpeech") or {}
        return " ".join(html.unescape(_TAGS.sub(" ", str(speech.get("ssml", "")))).split())

    def launch(self) -> str:
        return self.send(self.envelope({"type": "LaunchRequest"}))

    def intent(
        self, name: str, request_id: str | None = None, *, ids: dict[str, str] | None = None, **slots: str
    ) -> str:
        """An intent with slot values as Alexa heard them; ``ids`` adds an entity-resolution match for a slot."""
        body: dict[str, Any] = {}
        for slot, value in slots.items():
            body[slot] = {"name": slot, "value": value, "confirmationStatus": "NONE"}
        for slot, value_id in (ids or {}).items():
            body.setdefault(slot, {"name": slot, "confirmationStatus": "NONE"})["resolutions"] = {
                "resolutionsPerAuthority": [
                    {
                        "authority": f"amzn1.er-authority.echo-sdk.{SKILL_ID}.{slot.upper()}",
                        "status": {"code": "ER_SUCCESS_MATCH"},
                        "values": [{"value": {"name": body[slot].get("value", value_id), "id": value_id}}],
                    }
                ]
            }
        request = {
            "type": "IntentRequest",
            "intent": {"name": name, "confirmationStatus": "NONE", "slots": body},
        }
        return self.send(self.envelope(request, request_id))

    @property
    def pending(self) -> dict[str, Any]:
        pending = self.session.get("pending")
        return pending if isinstance(pending, dict) else {}

    @property
    def card(self) -> dict[str, Any] | None:
        card = self.last["response"].get("card")
        return card if isinstance(card, dict) else None
