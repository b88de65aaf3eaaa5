"""A conversation with the skill, turn by turn, the way Alexa runs one.

``say("ask my grocer to add milk")`` finds the invocation phrasing, matches the words against the model, builds
the request envelope, sends it and reads the response: session attributes carry over to the next turn, a
``Dialog.ElicitSlot`` makes the next answer fill that slot of that intent, ``Dialog.UpdateDynamicEntities`` adds
values to a slot type for the rest of the session (REPLACE) or drops them (CLEAR), ``shouldEndSession`` closes the
session (the next utterance opens a new one), "exit" sends SessionEndedRequest.
"""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from skill.models.spoken import normalise_heard
from skill.simulator import envelope as env
from skill.simulator.builtins import (
    CONNECTING_WORDS,
    EXIT_PHRASES,
    LAUNCH_WORDS,
    ONE_SHOT_WORDS,
    TRAILING_WORDS,
)
from skill.simulator.matcher import FALLBACK_INTENT, Heard, HeardSlot, Matcher
from skill.simulator.model import LoadedModel, SlotType, slot_type_from_values
from skill.simulator.transport import Transport

_TAGS = re.compile(r"<[^>]+>")
_ENTITIES = {"&amp;": "&", "&lt;": "<", "&gt;": ">", "&quot;": '"', "&apos;": "'"}


def new_identity(*, access_token: str | None = None, person_id: str | None = None) -> env.Identity:
    """A fresh user on a fresh device (Alexa's id shapes, random parts)."""
    return env.Identity(
        user_id="amzn1.ask.account." + secrets.token_hex(16).upper(),
        device_id="amzn1.ask.device." + secrets.token_hex(16).upper(),
        access_token=access_token,
        person_id=person_id,
    )


def plain_speech(output_speech: Any) -> str:
    """The words of an ``outputSpeech`` object, SSML tags removed."""
    if not isinstance(output_speech, dict):
        return ""
    if output_speech.get("type") == "SSML":
        text = _TAGS.sub(" ", str(output_speech.get("ssml", "")))
        for entity, char in _ENTITIES.items():
            text = text.replace(entity, char)
        return " ".join(text.split())
    return " ".join(str(output_speech.get("text", "")).split())


@dataclass(frozen=True, slots=True)
class Turn:
    """One exchange: what was said, what Alexa sent, what the skill answered."""

    said: str
    heard: str  # the intent name, or the request type for LaunchRequest / SessionEndedRequest
    slots: dict[str, HeardSlot]
    request: dict[str, Any]
    response: dict[str, Any]
    session_ended: bool

    @property
    def body(self) -> dict[str, Any]:
        body = self.response.get("response")
        return body if isinstance(body, dict) else {}

    @property
    def speech(self) -> str:
        return plain_speech(self.body.get("outputSpeech"))

    @property
    def reprompt(self) -> str:
        reprompt = self.body.get("reprompt")
        return plain_speech(reprompt.get("outputSpeech")) if isinstance(reprompt, dict) else ""

    @property
    def card(self) -> dict[str, Any] | None:
        card = self.body.get("card")
        return card if isinstance(card, dict) else None

    @property
    def directives(self) -> list[dict[str, Any]]:
        directives = self.body.get("directives")
        return [d for d in directives if isinstance(d, dict)] if isinstance(directives, list) else []

    @property
    def session_attributes(self) -> dict[str, Any]:
        attributes = self.response.get("sessionAttributes")
        return attributes if isinstance(attributes, dict) else {}


@dataclass(slots=True)
class _Pending:
    intent: str
    slot: str
    updated_intent: dict[str, Any]


@dataclass(slots=True)
class _Session:
    session_id: str
    attributes: dict[str, Any] = field(default_factory=dict)
    requests: int = 0
    pending: _Pending | None = None
    current_intent: str | None = None
    dynamic: dict[str, SlotType] = field(default_factory=dict)


class Conversation:
    def __init__(
        self,
        transport: Transport,
        model: LoadedModel,
        *,
        locale: str = "en-US",
        skill_id: str,
        identity: env.Identity | None = None,
        clock: Callable[[], datetime] | None = None,
        new_id: Callable[[], str] | None = None,
    ) -> None:
        self.transport = transport
        self.model = model
        self.matcher = Matcher(model)
        self.locale = locale
        self.skill_id = skill_id
        self.identity = identity or new_identity()
        self._clock = clock or (lambda: datetime.now(UTC))
        self._new_id = new_id or (lambda: str(uuid.uuid4()))
        self._session: _Session | None = None
        self._last_envelope: dict[str, Any] = {}
        self.history: list[Turn] = []

    # -- state ----------------------------------------------------------------------------------------------

    @property
    def in_session(self) -> bool:
        return self._session is not None

    @property
    def session_attributes(self) -> dict[str, Any]:
        return dict(self._session.attributes) if self._session else {}

    def set_access_token(self, token: str | None) -> None:
        """Link (or unlink, with None) an account: used from the next request on."""
        self.identity = env.Identity(
            user_id=self.identity.user_id,
            device_id=self.identity.device_id,
            access_token=token or None,
            person_id=self.identity.person_id,
            api_access_token=self.identity.api_access_token,
        )

    def forget_session(self) -> None:
        """Drop the session without telling the skill (as when Alexa times a session out silently)."""
        self._session = None

    # -- turns ----------------------------------------------------------------------------------------------

    def say(self, text: str) -> Turn:
        words = normalise_heard(text)
        if words.startswith("alexa "):
            words = words[len("alexa ") :]
        if words in EXIT_PHRASES and self._session is not None:
            return self.end_session(said=text)
        invocation = normalise_heard(self.model.invocation_name)
        kind, rest = _invocation(words, invocation)
        if kind == "launch":
            return self._launch(text)
        return self._intent(text, rest)

    def end_session(self, *, said: str = ":quit", reason: str = "USER_INITIATED") -> Turn:
        """Send SessionEndedRequest for the open session (there must be one) and close it."""
        session = self._require_session()
        request = env.session_ended_request(self._request_id(), self._clock(), self.locale, reason)
        response = self._send(request, session)
        self._session = None
        turn = Turn(said, "SessionEndedRequest", {}, self._last_envelope, response, True)
        self.history.append(turn)
        return turn

    # -- internals ------------------------------------------------------------------------------------------

    _last_envelope: dict[str, Any] = {}

    def _require_session(self) -> _Session:
        if self._session is None:
            raise RuntimeError("no open session")
        return self._session

    def _request_id(self) -> str:
        return f"amzn1.echo-api.request.{self._new_id()}"

    def _open_session(self) -> _Session:
        if self._session is None:
            self._session = _Session(session_id=f"amzn1.echo-api.session.{self._new_id()}")
        return self._session

    def _launch(self, said: str) -> Turn:
        session = self._open_session()
        request = env.launch_request(self._request_id(), self._clock(), self.locale)
        return self._exchange(said, "LaunchRequest", {}, request, session)

    def _intent(self, said: str, words: str) -> Turn:
        session = self._open_session()
        pending = session.pending
        self.matcher.dynamic = session.dynamic
        heard: Heard | None = None
        intent_body: dict[str, Any] | None = None
        dialog_state: str | None = None
        if pending is not None and self.matcher.builtin(words) is None:
            answer = self.matcher.match_slot_answer(words, pending.intent, pending.slot)
            if answer is not None:
                heard = answer
                intent_body = self._merge_updated_intent(pending, answer)
                dialog_state = "IN_PROGRESS"
        if heard is None:
            heard = self.matcher.match(words)
            if not heard.intent:
                heard = Heard(intent=FALLBACK_INTENT)
            info = self.model.intents.get(heard.intent)
            declared = info.slots if info else {}
            intent_body = env.intent_json(heard, declared, self.skill_id)
            if info is not None and info.in_dialog_model:
                same = session.current_intent == heard.intent and pending is not None
                dialog_state = "IN_PROGRESS" if same else "STARTED"
        assert intent_body is not None
        request = env.intent_request(self._request_id(), self._clock(), self.locale, intent_body, dialog_state)
        session.current_intent = heard.intent
        return self._exchange(said, heard.intent, heard.slots, request, session)

    def _merge_updated_intent(self, pending: _Pending, answer: Heard) -> dict[str, Any]:
        """The intent the skill asked about, its slots as the skill left them, plus the words just heard."""
        info = self.model.intents[pending.intent]
        base = env.intent_json(Heard(intent=pending.intent), info.slots, self.skill_id)
        updated_slots = pending.updated_intent.get("slots")
        if isinstance(updated_slots, dict):
            for name, slot in updated_slots.items():
                if name in info.slots and isinstance(slot, dict):
                    base.setdefault("slots", {})[name] = {k: v for k, v in slot.items() if v is not None}
        for name, slot in answer.slots.items():
            base.setdefault("slots", {})[name] = env.slot_json(slot, self.skill_id)
        return base

    def _send(self, request: dict[str, Any], session: _Session) -> dict[str, Any]:
        envelope = env.envelope(
            request,
            skill_id=self.skill_id,
            identity=self.identity,
            session=env.SessionInfo(session.session_id, session.requests == 0, session.attributes),
        )
        session.requests += 1
        self._last_envelope = envelope
        return self.transport.send(envelope)

    def _exchange(
        self, said: str, heard: str, slots: dict[str, HeardSlot], request: dict[str, Any], session: _Session
    ) -> Turn:
        response = self._send(request, session)
        body = response.get("response") if isinstance(response.get("response"), dict) else {}
        assert isinstance(body, dict)
        directives = [d for d in body.get("directives") or [] if isinstance(d, dict)]
        ended = _ends_session(body, directives)
        attributes = response.get("sessionAttributes")
        session.attributes = dict(attributes) if isinstance(attributes, dict) else {}
        session.pending = None
        for directive in directives:
            if directive.get("type") == "Dialog.UpdateDynamicEntities":
                session.dynamic = _dynamic_entities(directive)
            if directive.get("type") == "Dialog.ElicitSlot":
                updated = directive.get("updatedIntent") or {"name": session.current_intent}
                intent_name = str(updated.get("name") or session.current_intent or "")
                slot = str(directive.get("slotToElicit", ""))
                if intent_name in self.model.intents and slot:
                    session.pending = _Pending(intent_name, slot, updated)
                    session.current_intent = intent_name
        if ended:
            self._session = None
        turn = Turn(said, heard, dict(slots), self._last_envelope, response, ended)
        self.history.append(turn)
        return turn


def _dynamic_entities(directive: dict[str, Any]) -> dict[str, SlotType]:
    """The session's dynamic entities after an UpdateDynamicEntities directive: REPLACE sets them, CLEAR drops them."""
    if directive.get("updateBehavior") != "REPLACE":
        return {}
    types = directive.get("types")
    return {
        str(entry["name"]): slot_type_from_values(str(entry["name"]), list(entry.get("values") or []))
        for entry in (types if isinstance(types, list) else [])
        if isinstance(entry, dict) and entry.get("name")
    }


def _ends_session(body: dict[str, Any], directives: list[dict[str, Any]]) -> bool:
    """True closes the session. Omitted: a voice-only device closes it unless the skill waits for an answer
    (a reprompt, or a Dialog directive, which keeps the microphone open)."""
    flag = body.get("shouldEndSession")
    if flag is not None:
        return bool(flag)
    waits = bool(body.get("reprompt")) or any(str(d.get("type", "")).startswith("Dialog.") for d in directives)
    return not waits


def _invocation(words: str, invocation: str) -> tuple[str, str]:
    """("launch", "") for "open my grocer"; ("intent", rest) for "ask my grocer to <rest>" and for plain words."""
    for launch in (*LAUNCH_WORDS, *ONE_SHOT_WORDS):
        prefix = f"{launch} {invocation}"
        if words == prefix:
            return "launch", ""
        if words.startswith(prefix + " "):
            rest = words[len(prefix) + 1 :]
            first, _, tail = rest.partition(" ")
            if first in CONNECTING_WORDS and tail:
                rest = tail
            return "intent", rest
    for trailing in TRAILING_WORDS:
        suffix = f" {trailing} {invocation}"
        if words.endswith(suffix) and len(words) > len(suffix):
            return "intent", words[: -len(suffix)]
    if words == invocation:
        return "launch", ""
    return "intent", words
