"""Who is calling and which customer they mean: the API key's client, and a customer reference checked against
what the client may do.

A key's client has a channel, a set of customers and scopes. Reading needs ``read``; any change needs ``write`` and
may only speak for the client's own channel (its events, its channel's linked ids); export and erasure need
``privacy``. Each is a 403 with its own code, checked before the customer is looked up."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask import g, request

from backend.api.errors import ApiError
from backend.api.inputs import bearer_key
from backend.errors import CustomerNotFound, ValidationError
from backend.identity.clients import READ, WRITE, ApiClient
from backend.identity.store import CHANNEL_KINDS, IdentityKind, parse_kind
from backend.profile.events import Channel, Event, check_customer_id

# Event types only the skill writes (a voice turn and its kin): never accepted from another channel's key.
VOICE_EVENT_PREFIX = "voice_"
_READ_METHODS = frozenset({"GET", "HEAD"})

if TYPE_CHECKING:
    from backend.services import Backend


def channel_kind(raw: object) -> IdentityKind:
    kind = parse_kind(raw)
    if kind not in CHANNEL_KINDS:
        raise ValidationError("only web, app, email and store ids can be used through the API", field="kind")
    return kind


class Access:
    def __init__(self, backend: Backend) -> None:
        self.backend = backend

    def authenticate(self) -> None:
        g.api_client = self.backend.clients.authenticate(bearer_key())

    @property
    def client(self) -> ApiClient:
        client: ApiClient = g.api_client
        return client

    def now(self) -> datetime:
        return self.backend.clock()

    def require(self, scope: str) -> None:
        if not self.client.has_scope(scope):
            raise ApiError(403, "scope_missing", f"this API key does not have the {scope} scope")

    def own_channel_kind(self, raw: object) -> IdentityKind:
        """A linked-id kind this client may change: its own channel's only (a web key links web ids)."""
        kind = channel_kind(raw)
        if kind.value != self.client.channel.value:
            raise ApiError(403, "channel_not_allowed", f"this API client changes {self.client.channel.value} ids only")
        return kind

    def check_event(self, event: Event) -> None:
        """A client writes its own channel's events, and never the skill's voice events."""
        channel = self.client.channel
        if event.channel != channel or (channel is not Channel.VOICE and event.type.startswith(VOICE_EVENT_PREFIX)):
            raise ApiError(403, "channel_not_allowed", f"this API client writes {channel.value} events")

    def customer(self, ref: str, *, scope: str | None = None) -> str:
        """The canonical customer id behind ``ref`` (an id, or ``web:``/``app:``/``email:``/``store:`` + a linked
        id), if this client holds ``scope`` (default: read for GET, write otherwise) and may see the customer
        (else 403), and it exists (else 404). A key scoped to some customers gets 403 alike for an unknown id, an
        unlinked linked-id and another customer's: whether someone else exists is not its business."""
        self.require(scope or (READ if request.method in _READ_METHODS else WRITE))
        if ":" in ref:
            raw_kind, _, value = ref.partition(":")
            kind = channel_kind(raw_kind)
            found = self.backend.identities.resolve(kind, value)
            if found is None or not self.client.can_see(found):
                # A scoped key gets the same answer for an id nobody has and another customer's id: no oracle.
                if not self.client.all_customers:
                    raise ApiError(403, "forbidden", "this API client may not access this customer")
                raise CustomerNotFound(f"no customer is linked to this {kind.value} id")
            customer_id = found
        else:
            customer_id = check_customer_id(ref)
        if not self.client.can_see(customer_id):
            raise ApiError(403, "forbidden", "this API client may not access this customer")
        if not self.backend.profiles.customer_exists(customer_id):
            raise CustomerNotFound("no such customer")
        return customer_id
