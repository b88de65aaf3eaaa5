"""The shape of an Alexa request envelope, checked before anything reads it.

The SDK's deserialiser trusts the document: an intent that is a number, a session that is a string or a slot map
that is a list fails deep inside it (or in a handler) as a 500. Alexa never sends such a thing, so it is refused
here as a 400 with a short reason. Checked: every field the skill or the SDK reads, by type; the request type
against the SDK's known types; a request id (each applied request is marked by it); every string in the document
free of lone surrogates (they cannot be encoded, stored or logged). Unknown extra fields pass: Alexa adds fields.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from ask_sdk_model.request import Request

from skill.verification.errors import MalformedRequest

MAX_DEPTH = 32
MAX_NODES = 20_000
MAX_REQUEST_ID_CHARS = 256
KNOWN_REQUEST_TYPES = frozenset(Request.discriminator_value_class_map)
CONFIRMATION_STATUSES = frozenset({"NONE", "CONFIRMED", "DENIED"})
SESSION_REQUEST_TYPES = frozenset({"LaunchRequest", "IntentRequest", "SessionEndedRequest", "CanFulfillIntentRequest"})
DIALOG_STATES = frozenset({"STARTED", "IN_PROGRESS", "COMPLETED"})
# Amazon's request ids are "amzn1.echo-api.request." + a UUID; any printable ASCII id of sane length is accepted.
_REQUEST_ID = re.compile(rf"[\x21-\x7e]{{1,{MAX_REQUEST_ID_CHARS}}}")
# A language tag as Alexa sends them ("en-US", "es-419"): the skill picks its speech by it.
_LOCALE = re.compile(r"[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8}){0,3}")


def check_shape(document: Mapping[str, Any]) -> None:
    """Raise :class:`MalformedRequest` unless ``document`` has the shape of an Alexa request envelope."""
    _check_strings_and_size(document)
    _optional(document, "version", str)
    request = _required(document, "request", dict)
    kind = _required(request, "type", str)
    if kind not in KNOWN_REQUEST_TYPES:
        raise MalformedRequest("unknown request type")
    request_id = request.get("requestId")
    if not isinstance(request_id, str) or not _REQUEST_ID.fullmatch(request_id):
        raise MalformedRequest("request has no usable requestId")
    _optional(request, "timestamp", str)
    locale = _optional(request, "locale", str)
    if locale and not _LOCALE.fullmatch(locale):
        raise MalformedRequest("locale is not a language tag")
    # Custom-skill requests always come in a session (audio and system events may not); handlers rely on it.
    in_session = kind in SESSION_REQUEST_TYPES
    session = _required(document, "session", dict) if in_session else _optional(document, "session", dict)
    if in_session:
        _required(session, "sessionId", str)
        _required(_required(session, "user", dict), "userId", str)
    if session is not None:
        _optional(session, "new", bool)
        _optional(session, "sessionId", str)
        _optional(session, "attributes", dict)
        _application(session)
        _user(session)
    # Alexa always sends context.System with the application and the user; the SDK reads them unguarded.
    system = _required(_required(document, "context", dict), "System", dict)
    _required(_required(system, "application", dict), "applicationId", str)
    _required(_required(system, "user", dict), "userId", str)
    _optional(system["user"], "accessToken", str)
    device = _optional(system, "device", dict)
    if device is not None:
        _optional(device, "deviceId", str)
        _optional(device, "supportedInterfaces", dict)
    _optional(system, "apiEndpoint", str)
    _optional(system, "apiAccessToken", str)
    person = _optional(system, "person", dict)
    if person is not None:
        _optional(person, "personId", str)
    if kind == "IntentRequest":
        _intent(request)
    elif kind == "SessionEndedRequest":
        _optional(request, "reason", str)
        _optional(request, "error", dict)


def _intent(request: Mapping[str, Any]) -> None:
    dialog_state = _optional(request, "dialogState", str)
    if dialog_state is not None and dialog_state not in DIALOG_STATES:
        raise MalformedRequest("unknown dialogState")
    intent = _required(request, "intent", dict)
    name = _required(intent, "name", str)
    if not name:
        raise MalformedRequest("intent has no name")
    _confirmation(intent)
    slots = _optional(intent, "slots", dict)
    for slot in (slots or {}).values():
        if not isinstance(slot, dict):
            raise MalformedRequest("a slot is not an object")
        _optional(slot, "name", str)
        _optional(slot, "value", str)
        _confirmation(slot)
        _optional(slot, "resolutions", dict)
        _optional(slot, "slotValue", dict)


def _confirmation(node: Mapping[str, Any]) -> None:
    status = _optional(node, "confirmationStatus", str)
    if status is not None and status not in CONFIRMATION_STATUSES:
        raise MalformedRequest("unknown confirmationStatus")


def _application(node: Mapping[str, Any]) -> None:
    application = _optional(node, "application", dict)
    if application is not None:
        _optional(application, "applicationId", str)


def _user(node: Mapping[str, Any]) -> None:
    user = _optional(node, "user", dict)
    if user is not None:
        _optional(user, "userId", str)
        _optional(user, "accessToken", str)


def _required(node: Mapping[str, Any], key: str, kind: type) -> Any:
    value = node.get(key)
    if not isinstance(value, kind):
        raise MalformedRequest(f"{key} is missing or not {_NAMES[kind]}")
    return value


def _optional(node: Mapping[str, Any], key: str, kind: type) -> Any:
    value = node.get(key)
    # bool is an int in Python; JSON keeps them apart, so do we.
    if value is not None and (not isinstance(value, kind) or (kind is not bool and isinstance(value, bool))):
        raise MalformedRequest(f"{key} is not {_NAMES[kind]}")
    return value


_NAMES = {dict: "an object", str: "a string", bool: "a boolean", list: "a list"}


def _check_strings_and_size(document: Any) -> None:
    """One pass over the whole document, without recursion: bounded nesting and size, no lone surrogates."""
    stack: list[tuple[Any, int]] = [(document, 1)]
    nodes = 0
    while stack:
        node, depth = stack.pop()
        nodes += 1
        if nodes > MAX_NODES:
            raise MalformedRequest("request envelope is too large")
        if depth > MAX_DEPTH:
            raise MalformedRequest("request envelope is nested too deeply")
        if isinstance(node, str):
            _check_text(node)
        elif isinstance(node, dict):
            for key, value in node.items():
                _check_text(key)
                stack.append((value, depth + 1))
        elif isinstance(node, list):
            stack.extend((value, depth + 1) for value in node)


def _check_text(text: str) -> None:
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError as exc:
            raise MalformedRequest("request envelope holds text that is not Unicode") from exc
