"""Identity at the edge: the request envelope becomes a plain customer id, through the linked account only.

- ``context.System.user.accessToken`` (account linking) is the customer: the token store maps it to a customer id.
  No token: ``AccountNotLinked`` (the skill asks to link and sends a LinkAccount card; nothing personal is read or
  written). An unknown token: ``UnknownAccessToken`` (same answer).
- ``userId`` changes when the skill is re-enabled, so it never identifies anyone; it is carried only as an alias.
- ``personId`` (a recognised speaker of the household) lets each person have their own "usual".
"""

from __future__ import annotations

from dataclasses import dataclass

from ask_sdk_core.handler_input import HandlerInput

from backend.identity.tokens import AccessTokenStore


@dataclass(frozen=True)
class Caller:
    customer_id: str
    user_id: str | None  # Alexa's per-enablement id: an alias, never the key
    person_id: str | None  # the recognised speaker, when Alexa knows them
    device_id: str | None


def caller_of(handler_input: HandlerInput, tokens: AccessTokenStore) -> Caller:
    """The linked customer making this request; raises AccountNotLinked / UnknownAccessToken."""
    system = handler_input.request_envelope.context.system if handler_input.request_envelope.context else None
    user = getattr(system, "user", None)
    person = getattr(system, "person", None)
    device = getattr(system, "device", None)
    token = getattr(person, "access_token", None) or getattr(user, "access_token", None)
    customer_id = tokens.customer_for_token(token)
    return Caller(
        customer_id=customer_id,
        user_id=getattr(user, "user_id", None),
        person_id=getattr(person, "person_id", None),
        device_id=getattr(device, "device_id", None),
    )
