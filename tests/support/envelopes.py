"""The Alexa requests the endpoint, verification, Lambda and hostile-input tests send, made by the simulator's
envelope builder (``skill.simulator.envelope``, the one place that knows how Alexa shapes a request); this module
only pins who is talking and names the four requests those tests start from.

    envelope = alexa_request("launch")                                  # fresh timestamp, new request id
    envelope = alexa_request("launch", timestamp=moment, application_id="amzn1.ask.skill.other")
    envelope = intent_envelope("AddToCartIntent", {"product": "oat milk"})

Every call returns a new dict.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from backend.settings import DEMO_SKILL_ID
from skill.simulator.envelope import (
    Identity,
    SessionInfo,
    envelope,
    intent_json,
    intent_request,
    launch_request,
    session_ended_request,
    timestamp,
)
from skill.simulator.matcher import Heard, HeardSlot

SKILL_ID = DEMO_SKILL_ID  # the one skill id of the tests: the settings fixture verifies it
# Secrets a request carries; the logging tests check that neither ever reaches a log line.
LINKED_TOKEN = "fixture-linked-access-token-never-log-me"
API_ACCESS_TOKEN = "fixture-api-access-token-never-log-me"
USER_ID = "amzn1.ask.account.TESTUSER"
DEVICE_ID = "amzn1.ask.device.TESTDEVICE"
# The add-to-cart request comes from a linked account; the others from an unlinked one.
BASES = ("launch", "intent_add_to_cart", "help_intent", "session_ended")
alexa_timestamp = timestamp


def alexa_request(
    base: str,
    *,
    timestamp: datetime | None = None,
    application_id: str | None = None,
    request_id: str | None = None,
    locale: str | None = None,
) -> dict[str, Any]:
    """One of ``BASES`` with a fresh request id and timestamp (unless given) and the given variations."""
    if base == "intent_add_to_cart":
        slots = {"product": "oat milk", "quantity": None, "unit": None}
        intent = _intent("AddToCartIntent", slots)
        return _build(base, intent, dialog_state="STARTED", linked=True, timestamp=timestamp, locale=locale,
                      application_id=application_id, request_id=request_id)  # fmt: skip
    if base == "help_intent":
        return _build(base, _intent("AMAZON.HelpIntent", None), timestamp=timestamp, locale=locale,
                      application_id=application_id, request_id=request_id)  # fmt: skip
    if base not in BASES:
        raise KeyError(f"no request named {base!r}: one of {BASES}")
    return _build(base, None, timestamp=timestamp, locale=locale, application_id=application_id, request_id=request_id)


def intent_envelope(
    intent_name: str,
    slots: Mapping[str, str | None] | None = None,
    *,
    timestamp: datetime | None = None,
    application_id: str | None = None,
    session_attributes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    """An IntentRequest for ``intent_name`` from the linked account, ``slots`` as spoken values (``None``: empty)."""
    return _build(
        "intent",
        _intent(intent_name, slots),
        dialog_state="STARTED",
        linked=True,
        timestamp=timestamp,
        application_id=application_id,
        attributes=session_attributes,
    )


def _build(
    base: str,
    intent: dict[str, Any] | None,
    *,
    dialog_state: str | None = None,
    linked: bool = False,
    timestamp: datetime | None = None,
    application_id: str | None = None,
    request_id: str | None = None,
    locale: str | None = None,
    attributes: Mapping[str, Any] | None = None,
) -> dict[str, Any]:
    moment = timestamp or datetime.now(UTC)
    request_id = request_id or f"amzn1.echo-api.request.{uuid.uuid4()}"
    locale = locale or "en-US"
    if base == "launch":
        request = launch_request(request_id, moment, locale)
    elif base == "session_ended":
        request = session_ended_request(request_id, moment, locale, "USER_INITIATED")
    else:
        assert intent is not None
        request = intent_request(request_id, moment, locale, intent, dialog_state)
    identity = Identity(
        user_id=USER_ID,
        device_id=DEVICE_ID,
        access_token=LINKED_TOKEN if linked else None,
        api_access_token=API_ACCESS_TOKEN,
    )
    session = SessionInfo(
        session_id=f"amzn1.echo-api.session.0000-{base}", new=base == "launch", attributes=dict(attributes or {})
    )
    return envelope(request, skill_id=application_id or SKILL_ID, identity=identity, session=session)


def _intent(name: str, slots: Mapping[str, str | None] | None) -> dict[str, Any]:
    """The simulator's intent object: every named slot present, the ones with a value heard as said."""
    heard = Heard(name, {slot: HeardSlot(slot, "", value, None) for slot, value in (slots or {}).items() if value})
    return intent_json(heard, dict.fromkeys(slots or {}, ""), SKILL_ID)
