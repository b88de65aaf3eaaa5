"""The request envelope as the edges see it: parsed from bytes, checked for shape, handed to a runtime."""

from __future__ import annotations

import json
from typing import Any, Protocol

from skill.verification.errors import MalformedRequest


class EnvelopeHandler(Protocol):
    """What the web adapter and the Lambda entry need from the skill (``skill.runtime.SkillRuntime``)."""

    def handle(self, envelope: dict[str, Any]) -> dict[str, Any]: ...


def parse_envelope(body: bytes) -> dict[str, Any]:
    try:
        document = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedRequest("body is not JSON") from exc
    return checked_envelope(document)


def checked_envelope(document: object) -> dict[str, Any]:
    """Return ``document`` if it looks like an Alexa request envelope (an object with a typed ``request``)."""
    if not isinstance(document, dict):
        raise MalformedRequest("body is not an Alexa request envelope")
    request = document.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise MalformedRequest("body is not an Alexa request envelope")
    return document


def request_id_of(envelope: dict[str, Any]) -> str | None:
    """The request id is safe to log (it identifies a request, not a person)."""
    request = envelope.get("request")
    request_id = request.get("requestId") if isinstance(request, dict) else None
    return request_id if isinstance(request_id, str) else None
