"""Request envelopes exactly as Alexa sends them (JSON-ready dicts), for LaunchRequest, IntentRequest and
SessionEndedRequest. Ids, clock and identity are given by the caller, so tests can pin them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from skill.simulator.matcher import Heard, HeardSlot
from skill.simulator.model import ResolvedValue

ER_AUTHORITY_PREFIX = "amzn1.er-authority.echo-sdk"
API_ENDPOINTS = {"en-GB": "https://api.eu.amazonalexa.com"}
DEFAULT_API_ENDPOINT = "https://api.amazonalexa.com"


@dataclass(frozen=True, slots=True)
class Identity:
    """Who is talking, on which device: fixed for a conversation."""

    user_id: str
    device_id: str
    access_token: str | None = None
    person_id: str | None = None
    api_access_token: str = "simulated-api-access-token"  # noqa: S105 - a placeholder, not a secret


@dataclass(frozen=True, slots=True)
class SessionInfo:
    session_id: str
    new: bool
    attributes: Mapping[str, Any]


def timestamp(moment: datetime) -> str:
    """ISO 8601 in UTC with a 'Z', to the second, as Alexa writes it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _authority(name: str, values: Sequence[ResolvedValue]) -> dict[str, Any]:
    authority: dict[str, Any] = {
        "authority": name,
        "status": {"code": "ER_SUCCESS_MATCH" if values else "ER_SUCCESS_NO_MATCH"},
    }
    if values:
        authority["values"] = [{"value": {"name": v.name, "id": v.id}} for v in values]
    return authority


def slot_json(slot: HeardSlot, skill_id: str) -> dict[str, Any]:
    body: dict[str, Any] = {
        "name": slot.name,
        "value": slot.value,
        "confirmationStatus": "NONE",
        "source": "USER",
    }
    simple: dict[str, Any] = {"type": "Simple", "value": slot.value}
    if slot.resolutions is not None:
        authorities = [_authority(f"{ER_AUTHORITY_PREFIX}.{skill_id}.{slot.type}", slot.resolutions)]
        if slot.dynamic is not None:  # Alexa lists the session's dynamic entities first
            authorities.insert(0, _authority(f"{ER_AUTHORITY_PREFIX}.dynamic.{skill_id}.{slot.type}", slot.dynamic))
        body["resolutions"] = {"resolutionsPerAuthority": authorities}
        simple["resolutions"] = body["resolutions"]
    body["slotValue"] = simple
    return body


def intent_json(heard: Heard, declared_slots: Mapping[str, str], skill_id: str) -> dict[str, Any]:
    """The ``intent`` object: every declared slot present, the heard ones with values and resolutions."""
    slots: dict[str, Any] = {}
    for name in declared_slots:
        if name in heard.slots:
            slots[name] = slot_json(heard.slots[name], skill_id)
        else:
            slots[name] = {"name": name, "confirmationStatus": "NONE"}
    intent: dict[str, Any] = {"name": heard.intent, "confirmationStatus": "NONE"}
    if slots:
        intent["slots"] = slots
    return intent


def envelope(
    request: dict[str, Any],
    *,
    skill_id: str,
    identity: Identity,
    session: SessionInfo,
) -> dict[str, Any]:
    """Wrap a ``request`` object in the session and context Alexa adds."""
    user: dict[str, Any] = {"userId": identity.user_id}
    if identity.access_token:
        user["accessToken"] = identity.access_token
    system: dict[str, Any] = {
        "application": {"applicationId": skill_id},
        "user": dict(user),
        "device": {"deviceId": identity.device_id, "supportedInterfaces": {}},
        "apiEndpoint": API_ENDPOINTS.get(request.get("locale", ""), DEFAULT_API_ENDPOINT),
        "apiAccessToken": identity.api_access_token,
    }
    if identity.person_id:
        system["person"] = {"personId": identity.person_id}
    return {
        "version": "1.0",
        "session": {
            "new": session.new,
            "sessionId": session.session_id,
            "application": {"applicationId": skill_id},
            "attributes": dict(session.attributes),
            "user": user,
        },
        "context": {"System": system},
        "request": request,
    }


def launch_request(request_id: str, moment: datetime, locale: str) -> dict[str, Any]:
    return {"type": "LaunchRequest", "requestId": request_id, "timestamp": timestamp(moment), "locale": locale}


def intent_request(
    request_id: str, moment: datetime, locale: str, intent: dict[str, Any], dialog_state: str | None
) -> dict[str, Any]:
    request: dict[str, Any] = {
        "type": "IntentRequest",
        "requestId": request_id,
        "timestamp": timestamp(moment),
        "locale": locale,
        "intent": intent,
    }
    if dialog_state:
        request["dialogState"] = dialog_state
    return request


def session_ended_request(request_id: str, moment: datetime, locale: str, reason: str) -> dict[str, Any]:
    return {
        "type": "SessionEndedRequest",
        "requestId": request_id,
        "timestamp": timestamp(moment),
        "locale": locale,
        "reason": reason,
    }
