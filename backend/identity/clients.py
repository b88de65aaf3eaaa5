"""API clients of the cross-channel API: one per channel system (web shop, email, store), keys stored hashed.

A client item is ``pk = APIKEY#<sha256 of the key>, sk = APIKEY``: authenticating is one GetItem of the hash; the
plaintext key is shown once, when the client is created, and never stored. A client sees either every customer of
the tenant (``all_customers``) or a list of customer ids; each listed customer also gets a reverse ``GRANT#`` item
in its partition, so deleting a customer removes it from every client's list.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from backend.clock import Clock, utc_now
from backend.errors import InvalidApiKey, ValidationError
from backend.identity.store import sha256_hex
from backend.profile.events import Channel, check_customer_id, format_timestamp
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.transaction import MAX_ITEMS, Transaction

CLIENT_KIND = "api_client"
GRANT_KIND = "api_grant"
KEY_PREFIX = "vck_"
_KEY = re.compile(r"[A-Za-z0-9_\-]{16,128}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._\-]{0,63}")
MAX_LISTED_CUSTOMERS = MAX_ITEMS - 1  # the client item and one grant per customer fit one transaction


@dataclass(frozen=True, slots=True)
class ApiClient:
    client_id: str
    name: str
    channel: Channel
    all_customers: bool
    customer_ids: frozenset[str]
    created_at: str

    def can_see(self, customer_id: str) -> bool:
        return self.all_customers or customer_id in self.customer_ids

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "name": self.name,
            "channel": self.channel.value,
            "all_customers": self.all_customers,
            "customer_ids": sorted(self.customer_ids),
            "created_at": self.created_at,
        }


@dataclass(frozen=True, slots=True)
class IssuedApiKey:
    client: ApiClient
    key: str  # plaintext: shown once, stored nowhere


def _client_from_item(item: dict[str, Any]) -> ApiClient:
    return ApiClient(
        client_id=str(item["client_id"]),
        name=str(item["name"]),
        channel=Channel(item["channel"]),
        all_customers=bool(item.get("all_customers")),
        customer_ids=frozenset(item.get("customer_ids") or ()),
        created_at=str(item["created_at"]),
    )


class ApiClientStore:
    def __init__(self, table: Table, *, clock: Clock = utc_now) -> None:
        self.table = table
        self.clock = clock

    def create(self, *, name: str, channel: Channel | str, customers: Iterable[str] | None = None) -> IssuedApiKey:
        """Create a client; ``customers=None`` means every customer of the tenant. Returns the key, once."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValidationError("client name must be 1..64 letters, digits, spaces, . _ -", field="name")
        try:
            channel = Channel(channel)
        except ValueError as exc:
            raise ValidationError("unknown channel", field="channel") from exc
        listed = None if customers is None else sorted({check_customer_id(c) for c in customers})
        if listed is not None and len(listed) > MAX_LISTED_CUSTOMERS:
            raise ValidationError(f"at most {MAX_LISTED_CUSTOMERS} listed customers per client", field="customers")
        key = KEY_PREFIX + secrets.token_urlsafe(32)
        key_hash = sha256_hex(key)
        client_pk = keys.api_key_pk(key_hash)
        client = ApiClient(
            client_id="cli_" + secrets.token_hex(8),
            name=name,
            channel=channel,
            all_customers=listed is None,
            customer_ids=frozenset(listed or ()),
            created_at=format_timestamp(self.clock()),
        )
        item: dict[str, Any] = {
            "pk": client_pk,
            "sk": keys.APIKEY,
            "kind": CLIENT_KIND,
            "client_id": client.client_id,
            "name": client.name,
            "channel": channel.value,
            "all_customers": client.all_customers,
            "created_at": client.created_at,
        }
        if listed:
            item["customer_ids"] = set(listed)  # a string set: a customer's deletion DELETEs its id from it
        tx = Transaction(self.table)
        tx.put(item, condition="attribute_not_exists(pk)")
        for customer_id in listed or ():
            tx.put(
                {"pk": keys.customer_pk(customer_id), "sk": keys.grant_sk(client.client_id), "kind": GRANT_KIND,
                 "client_id": client.client_id, "client_pk": client_pk},
            )  # fmt: skip
        tx.commit()
        return IssuedApiKey(client=client, key=key)

    def authenticate(self, key: str | None) -> ApiClient:
        """The client a presented key belongs to: one GetItem of its hash. ``InvalidApiKey`` otherwise."""
        if not key or not _KEY.fullmatch(key):
            raise InvalidApiKey("missing or malformed API key")
        item = self.table.get({"pk": keys.api_key_pk(sha256_hex(key)), "sk": keys.APIKEY}, consistent=False)
        if item is None or item.get("kind") != CLIENT_KIND or item.get("revoked"):
            raise InvalidApiKey("unknown API key")
        return _client_from_item(item)

    def revoke(self, key: str) -> None:
        self.table.update(
            {"pk": keys.api_key_pk(sha256_hex(key)), "sk": keys.APIKEY},
            "SET revoked = :t",
            condition="attribute_exists(pk)",
            values={":t": format_timestamp(self.clock())},
        )


def create_api_client(
    table: Table, *, name: str, channel: str, customers: Iterable[str] | None = None
) -> dict[str, Any]:
    """For a CLI command: create a client and return what to print, including the plaintext key (shown once)."""
    issued = ApiClientStore(table).create(name=name, channel=channel, customers=customers)
    return {**issued.client.to_json(), "api_key": issued.key}
