"""API clients of the cross-channel API: one per channel system (web shop, email, store), keys stored hashed.

A client item is ``pk = APIKEY#<sha256 of the key>, sk = APIKEY``: authenticating is one GetItem of the hash; the
plaintext key is shown once, when the client is created, and never stored. A client sees either every customer of
the tenant (``all_customers``) or a list of customer ids; each listed customer also gets a reverse ``GRANT#`` item
in its partition, so deleting a customer removes it from every client's list.

Each client holds scopes: ``read`` (carts, profiles, events, orders, linked ids), ``write`` (its own channel's events,
cart changes, linking its own channel's ids) and ``privacy`` (export and erase a customer: the GDPR/CCPA requests,
given only on purpose) and ``voice_code`` (set, change, remove and unlock the customer's voice purchase code: for
the channel where the account holder signs in, the website). Every client item is also on gsi1 under
``APICLIENT`` so an operator can list and revoke clients by id (``voicecart keys``) without ever seeing a key again.
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
from backend.profile.erasure import stage_not_erased
from backend.profile.events import Channel, check_customer_id, format_timestamp
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.transaction import MAX_ITEMS, Transaction

CLIENT_KIND = "api_client"
CLIENTS_GSI1PK = "APICLIENT"
READ, WRITE, PRIVACY, VOICE_CODE = "read", "write", "privacy", "voice_code"
SCOPES = (READ, WRITE, PRIVACY, VOICE_CODE)
DEFAULT_SCOPES = (READ, WRITE)
# The key `voicecart serve` prints for the demo web shop: reads, writes and the voice code (the skill sends a locked
# customer to the website), no export or erasure.
DEMO_KEY_SCOPES = (READ, WRITE, VOICE_CODE)
# Voice events come from the skill itself, support events from support's own tools: never through the API.
API_CHANNELS = tuple(channel for channel in Channel if channel not in (Channel.VOICE, Channel.SUPPORT))
GRANT_KIND = "api_grant"
KEY_PREFIX = "vck_"
_KEY = re.compile(r"[A-Za-z0-9_\-]{16,128}")
_HASH = re.compile(r"[0-9a-f]{64}")
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9 ._\-]{0,63}")
# The client item, and per customer its grant and the not-erased check, fit one transaction.
MAX_LISTED_CUSTOMERS = (MAX_ITEMS - 1) // 2


@dataclass(frozen=True, slots=True)
class ApiClient:
    client_id: str
    name: str
    channel: Channel
    all_customers: bool
    customer_ids: frozenset[str]
    created_at: str
    scopes: frozenset[str] = frozenset(DEFAULT_SCOPES)
    revoked_at: str | None = None

    def can_see(self, customer_id: str) -> bool:
        return self.all_customers or customer_id in self.customer_ids

    def has_scope(self, scope: str) -> bool:
        return scope in self.scopes

    def to_json(self) -> dict[str, Any]:
        return {
            "client_id": self.client_id,
            "name": self.name,
            "channel": self.channel.value,
            "all_customers": self.all_customers,
            "customer_ids": sorted(self.customer_ids),
            "created_at": self.created_at,
            "scopes": [scope for scope in SCOPES if scope in self.scopes],
            "revoked_at": self.revoked_at,
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
        # Clients created before scopes existed read and write, as they did then.
        scopes=frozenset(item.get("scopes") or DEFAULT_SCOPES),
        revoked_at=str(item["revoked"]) if item.get("revoked") else None,
    )


def check_scopes(scopes: Iterable[str]) -> frozenset[str]:
    chosen = frozenset(scopes)
    unknown = chosen - set(SCOPES)
    if unknown or not chosen:
        raise ValidationError(f"scopes must be some of {', '.join(SCOPES)}", field="scopes")
    return chosen


class ApiClientStore:
    def __init__(self, table: Table, *, clock: Clock = utc_now) -> None:
        self.table = table
        self.clock = clock

    def create(
        self,
        *,
        name: str,
        channel: Channel | str,
        customers: Iterable[str] | None = None,
        scopes: Iterable[str] = DEFAULT_SCOPES,
    ) -> IssuedApiKey:
        """Create a client; ``customers=None`` means every customer of the tenant. Returns the key, once."""
        if not isinstance(name, str) or not _NAME.fullmatch(name):
            raise ValidationError("client name must be 1..64 letters, digits, spaces, . _ -", field="name")
        try:
            channel = Channel(channel)
        except ValueError as exc:
            raise ValidationError("unknown channel", field="channel") from exc
        if channel not in API_CHANNELS:
            raise ValidationError(
                f"API clients are for {', '.join(API_CHANNELS)}; voice events come from the skill", field="channel"
            )
        chosen_scopes = check_scopes(scopes)
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
            scopes=chosen_scopes,
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
            "scopes": set(chosen_scopes),
            "gsi1pk": CLIENTS_GSI1PK,
            "gsi1sk": client.client_id,
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
            stage_not_erased(tx, customer_id)  # a grant is an item in the customer's partition: never after an erase
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
        self._revoke_pk(keys.api_key_pk(sha256_hex(key)))

    def session_handle(self, key: str) -> str:
        """What a signed-in page session keeps instead of the key: the key's hash, which finds the client with one
        GetItem and is no key itself (the API takes keys, never hashes)."""
        return sha256_hex(key)

    def by_session_handle(self, handle: str) -> ApiClient | None:
        """The client behind a session handle, unless it was revoked since: one consistent GetItem."""
        if not _HASH.fullmatch(handle):
            return None
        item = self.table.get({"pk": keys.api_key_pk(handle), "sk": keys.APIKEY})
        if item is None or item.get("kind") != CLIENT_KIND or item.get("revoked"):
            return None
        return _client_from_item(item)

    def clients(self, *, include_revoked: bool = False) -> list[ApiClient]:
        """Every client (never a key: only hashes are stored), oldest first."""
        items = self.table.query_all("gsi1pk = :p", values={":p": CLIENTS_GSI1PK}, index="gsi1")
        clients = [_client_from_item(item) for item in items if item.get("kind") == CLIENT_KIND]
        return sorted(
            (client for client in clients if include_revoked or client.revoked_at is None),
            key=lambda client: (client.created_at, client.client_id),
        )

    def revoke_client(self, client_id: str) -> ApiClient:
        """Revoke by client id (what ``keys list`` shows). ``InvalidApiKey`` when no such client exists."""
        items = self.table.query_all(
            "gsi1pk = :p AND gsi1sk = :c", values={":p": CLIENTS_GSI1PK, ":c": client_id}, index="gsi1"
        )
        if not items:
            raise InvalidApiKey(f"no API client {client_id!r}")
        self._revoke_pk(str(items[0]["pk"]))
        return _client_from_item({**items[0], "revoked": format_timestamp(self.clock())})

    def _revoke_pk(self, pk: str) -> None:
        self.table.update(
            {"pk": pk, "sk": keys.APIKEY},
            "SET revoked = if_not_exists(revoked, :t)",
            condition="attribute_exists(pk)",
            values={":t": format_timestamp(self.clock())},
        )


def create_api_client(
    table: Table,
    *,
    name: str,
    channel: str,
    customers: Iterable[str] | None = None,
    scopes: Iterable[str] = DEFAULT_SCOPES,
) -> dict[str, Any]:
    """For a CLI command: create a client and return what to print, including the plaintext key (shown once)."""
    issued = ApiClientStore(table).create(name=name, channel=channel, customers=customers, scopes=scopes)
    return {**issued.client.to_json(), "api_key": issued.key}
