"""Identity at the edge: the request envelope becomes a plain customer id, through the linked account only.

- ``context.System.user.accessToken`` (account linking) is the customer: the token store maps it to a customer id.
  No token: ``AccountNotLinked`` (the skill asks to link and sends a LinkAccount card; nothing personal is read or
  written). An unknown token: ``UnknownAccessToken`` (same answer).
- ``userId`` changes when the skill is re-enabled, so it never identifies anyone; it is kept only as an alias
  (``alexa_user`` identity of the customer), for other channels and for support to see which enablements spoke
  for the account.
- ``personId`` (a recognised speaker of the household) lets each person have their own "usual".

Cost of keeping the alias. A linked customer's turn never writes it blindly: on a NEW session only, the turn's one
``BatchGetItem`` (``backend.shopping.state``) also asks whether the user id is linked to the customer (one more
key in the same call: no extra round trip, ~1 read unit). Only
when it is missing (the first session after the skill is enabled or the account linked) is the alias linked: one
small transaction of 2 items (lookup + reverse item). Every other turn: nothing. A user id already linked to another
customer (the account was re-linked to someone else) is left as it is, and logged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from ask_sdk_core.handler_input import HandlerInput

from backend.errors import IdentityConflict, StoreError, ValidationError
from backend.identity import AccessTokenStore, IdentityKind, IdentityStore

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Caller:
    customer_id: str
    user_id: str | None  # Alexa's per-enablement id: an alias, never the key
    person_id: str | None  # the recognised speaker, when Alexa knows them
    device_id: str | None


def access_token_of(handler_input: HandlerInput) -> str | None:
    """The request's access token: the recognised speaker's when Alexa gives one, else the account's."""
    system = handler_input.request_envelope.context.system if handler_input.request_envelope.context else None
    person = getattr(system, "person", None)
    user = getattr(system, "user", None)
    return getattr(person, "access_token", None) or getattr(user, "access_token", None)


def caller_of(handler_input: HandlerInput, tokens: AccessTokenStore) -> Caller:
    """The linked customer making this request; raises AccountNotLinked / UnknownAccessToken."""
    return caller_as(handler_input, tokens.customer_for_token(access_token_of(handler_input)))


def caller_as(handler_input: HandlerInput, customer_id: str) -> Caller:
    """The caller of this request, as ``customer_id`` (whom its token was found to belong to)."""
    system = handler_input.request_envelope.context.system if handler_input.request_envelope.context else None
    user = getattr(system, "user", None)
    person = getattr(system, "person", None)
    device = getattr(system, "device", None)
    return Caller(
        customer_id=customer_id,
        user_id=getattr(user, "user_id", None),
        person_id=getattr(person, "person_id", None),
        device_id=getattr(device, "device_id", None),
    )


def remember_alias(identities: IdentityStore, caller: Caller) -> bool:
    """Link the caller's Alexa user id to the customer (True if linked). Best effort: the turn has been answered
    already, so a conflict or a store failure is logged, never spoken."""
    if not caller.user_id:
        return False
    try:
        identities.link(caller.customer_id, IdentityKind.ALEXA_USER, caller.user_id)
    except IdentityConflict:
        log.info("this Alexa user id is linked to another customer; left as it is")
        return False
    except ValidationError:
        log.info("this Alexa user id cannot be stored as an identity; not linked")
        return False
    except StoreError:
        log.warning("could not link the Alexa user id alias; will try on the next new session", exc_info=True)
        return False
    return True
