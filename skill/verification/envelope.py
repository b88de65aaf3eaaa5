"""The request envelope as the edges see it: parsed from bytes, checked for shape, handed to a runtime."""

from __future__ import annotations

import json
import re
from typing import Any, Protocol

from skill.verification.errors import MalformedRequest
from skill.verification.shape import MAX_DEPTH, check_shape


class EnvelopeHandler(Protocol):
    """What the web adapter and the Lambda entry need from the skill (``skill.runtime.SkillRuntime``)."""

    def handle(self, envelope: dict[str, Any]) -> dict[str, Any]: ...


def parse_envelope(body: bytes) -> dict[str, Any]:
    """Parse and check a raw body. Nesting is bounded before the parser runs: a 100,000-deep body would otherwise
    exhaust the recursion limit inside ``json.loads``."""
    check_nesting(body)
    try:
        document = json.loads(body, parse_constant=_no_constants, object_pairs_hook=_one_value_per_key)
    except DuplicateKey as exc:
        raise MalformedRequest("body repeats a key in one object") from exc
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise MalformedRequest("body is not JSON") from exc
    return checked_envelope(document)


def checked_envelope(document: object) -> dict[str, Any]:
    """Return ``document`` if it has the shape of an Alexa request envelope (see ``shape.check_shape``)."""
    if not isinstance(document, dict):
        raise MalformedRequest("body is not an Alexa request envelope")
    request = document.get("request")
    if not isinstance(request, dict) or not isinstance(request.get("type"), str):
        raise MalformedRequest("body is not an Alexa request envelope")
    check_shape(document)
    return document


# A JSON string (escapes included), or an unterminated one running to the end: matched in one linear pass, so
# no input makes the scan quadratic.
_JSON_STRING = re.compile(rb'"(?:[^"\\]++|\\.)*+(?:"|\Z)', re.DOTALL)
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[]{}")


def check_nesting(body: bytes, *, max_depth: int = MAX_DEPTH) -> None:
    """Refuse a body whose arrays and objects nest deeper than ``max_depth`` (brackets inside strings ignored)."""
    if body.count(b"[") + body.count(b"{") <= max_depth:
        return
    brackets = _JSON_STRING.sub(b"", body).translate(None, _NOT_BRACKETS)
    depth = 0
    for byte in brackets:
        if byte in _OPENERS:
            depth += 1
            if depth > max_depth:
                raise MalformedRequest("body is nested too deeply")
        else:
            depth -= 1


_OPENERS = frozenset(b"[{")


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


class DuplicateKey(ValueError):
    """A JSON object names the same key twice."""


def _one_value_per_key(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Alexa never repeats a key; a body that does means one thing to us (the last value) and another to anything
    # that reads the first, so it is refused.
    document = dict(pairs)
    if len(document) != len(pairs):
        raise DuplicateKey("a key appears twice in one object")
    return document


def request_id_of(envelope: dict[str, Any]) -> str | None:
    """The request id is safe to log (it identifies a request, not a person)."""
    request = envelope.get("request")
    request_id = request.get("requestId") if isinstance(request, dict) else None
    return request_id if isinstance(request_id, str) else None
