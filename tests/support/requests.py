"""Alexa request envelopes for tests: JSON fixtures in ``tests/fixtures/requests`` plus builders for variations.

    envelope = load_request("launch")                                  # as stored
    envelope = build_request("launch", timestamp=now)                  # fresh timestamp, new request id
    envelope = intent_request("AddToCartIntent", {"product": "oat milk"}, timestamp=now)

Builders return new dicts; the fixtures are never mutated.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from backend.settings import DEMO_SKILL_ID

REQUESTS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "requests"
FIXTURE_SKILL_ID = DEMO_SKILL_ID  # what the JSON fixtures carry as applicationId


def load_request(name: str) -> dict[str, Any]:
    """The fixture ``tests/fixtures/requests/<name>.json``, freshly parsed."""
    envelope: dict[str, Any] = json.loads((REQUESTS_DIR / f"{name}.json").read_text(encoding="utf-8"))
    return envelope


def alexa_timestamp(when: datetime) -> str:
    """Alexa's format: UTC, second precision, ``Z`` suffix."""
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_request(
    name: str,
    *,
    timestamp: datetime | None = None,
    application_id: str | None = None,
    request_id: str | None = None,
    locale: str | None = None,
) -> dict[str, Any]:
    """A fixture with a fresh request id and the given variations applied."""
    envelope = load_request(name)
    request = envelope["request"]
    request["requestId"] = request_id or f"amzn1.echo-api.request.{uuid.uuid4()}"
    request["timestamp"] = alexa_timestamp(timestamp or datetime.now(UTC))
    if locale is not None:
        request["locale"] = locale
    if application_id is not None:
        set_application_id(envelope, application_id)
    return envelope


def intent_request(
    intent_name: str,
    slots: Mapping[str, str | None] | None = None,
    *,
    timestamp: datetime | None = None,
    application_id: str | None = None,
    session_attributes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An IntentRequest for ``intent_name`` with ``slots`` given as spoken values (``None`` = slot left empty)."""
    envelope = build_request("intent_add_to_cart", timestamp=timestamp, application_id=application_id)
    intent: dict[str, Any] = {"name": intent_name, "confirmationStatus": "NONE"}
    if slots:
        intent["slots"] = {slot: _slot(slot, value) for slot, value in slots.items()}
    envelope["request"]["intent"] = intent
    if session_attributes is not None:
        envelope["session"]["attributes"] = dict(session_attributes)
    return envelope


def set_application_id(envelope: dict[str, Any], application_id: str) -> dict[str, Any]:
    """Set the application id in both places Alexa sends it."""
    envelope["context"]["System"]["application"]["applicationId"] = application_id
    if "session" in envelope:
        envelope["session"]["application"]["applicationId"] = application_id
    return envelope


def _slot(name: str, value: str | None) -> dict[str, Any]:
    slot: dict[str, Any] = {"name": name, "confirmationStatus": "NONE"}
    if value is not None:
        slot["value"] = value
        slot["source"] = "USER"
    return slot
