"""Who is calling and which customer they mean: the API key's client, and a customer reference checked against
the client's scope."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from flask import g

from backend.api.errors import ApiError
from backend.api.inputs import bearer_key
from backend.errors import CustomerNotFound, ValidationError
from backend.identity.clients import ApiClient
from backend.identity.store import CHANNEL_KINDS, IdentityKind, parse_kind
from backend.profile.events import check_customer_id

if TYPE_CHECKING:
    from backend.services import Backend


def channel_kind(raw: object) -> IdentityKind:
    kind = parse_kind(raw)
    if kind not in CHANNEL_KINDS:
        raise ValidationError("only web, email and store ids can be used through the API", field="kind")
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

    def customer(self, ref: str) -> str:
        """The canonical customer id behind ``ref`` (an id, or ``web:``/``email:``/``store:`` + a linked id), if
        this client may see it (else 403) and it exists (else 404)."""
        if ":" in ref:
            raw_kind, _, value = ref.partition(":")
            kind = channel_kind(raw_kind)
            customer_id = self.backend.identities.resolve(kind, value)
            if customer_id is None:
                raise CustomerNotFound(f"no customer is linked to this {kind.value} id")
        else:
            customer_id = check_customer_id(ref)
        if not self.client.can_see(customer_id):
            raise ApiError(403, "forbidden", "this API client may not access this customer")
        if not self.backend.profiles.customer_exists(customer_id):
            raise CustomerNotFound("no such customer")
        return customer_id
