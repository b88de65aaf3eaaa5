"""Webhook subscriptions: who wants which events at which URL, owned by the API client that created them.

A subscription lives in its owner's partition (``WHCLIENT#<client id>``), so listing a client's subscriptions is
one query, and is indexed on gsi1 under one of eight shard keys (``WHSUBS#<n>``), so the consumer can read all of
them with eight queries and no one partition takes every write. It delivers only events about customers its
owner may see, and nothing once the owner's API key is revoked.

URLs must be https. Plain http, and any URL on a loopback host, is accepted only when loopback delivery is allowed
(local development). Literal private, link-local, multicast and reserved addresses are refused, so a
subscriber cannot aim deliveries at the network the sender runs in; names are not resolved here. A malformed URL
is ``WebhookRejected`` (bad input); a well-formed one aimed where webhooks may not go is ``WebhookTargetRefused``.
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from backend.errors import ConcurrentUpdate
from backend.outbound.errors import SubscriptionLimit, WebhookRejected, WebhookTargetRefused
from backend.outbound.signing import new_secret
from backend.outbound.translate import SUBSCRIPTION_KIND
from backend.profile.events import format_timestamp
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.schema import GSI1
from backend.store.transaction import Transaction

MAX_PER_CLIENT = 20
MAX_FILTERS = 20
MAX_URL = 2048
_FILTER = re.compile(r"\*|[a-z][a-z0-9_]{0,31}(\.[a-z][a-z0-9_]{0,31}){0,3}(\.\*)?")
_LOOPBACK_NAMES = frozenset({"localhost", "localhost.localdomain"})


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    client_id: str
    client_pk: str
    url: str
    events: tuple[str, ...]
    secret: str
    created_at: str

    def wants(self, event_type: str) -> bool:
        for pattern in self.events:
            if pattern in ("*", event_type):
                return True
            if pattern.endswith(".*") and event_type.startswith(pattern[:-1]):
                return True
        return False

    def to_json(self, *, with_secret: bool = False) -> dict[str, Any]:
        body: dict[str, Any] = {
            "id": self.subscription_id,
            "url": self.url,
            "events": list(self.events),
            "created_at": self.created_at,
        }
        if with_secret:
            body["secret"] = self.secret
        return body


def check_url(raw: object, *, allow_loopback: bool) -> str:
    if not isinstance(raw, str) or not 0 < len(raw) <= MAX_URL:
        raise WebhookRejected(f"url must be a string of at most {MAX_URL} characters", field="url")
    try:
        parts = urlsplit(raw)
        host = parts.hostname
        parts.port  # noqa: B018 - raises ValueError for a malformed port
    except ValueError as exc:
        raise WebhookRejected("url is not a valid URL", field="url") from exc
    if parts.scheme not in ("https", "http") or not host:
        raise WebhookRejected("url must be an https URL", field="url")
    if parts.username or parts.password:
        raise WebhookRejected("url must not carry credentials", field="url")
    try:
        address: ipaddress.IPv4Address | ipaddress.IPv6Address | None = ipaddress.ip_address(host)
    except ValueError:
        address = None
    loopback = host.lower() in _LOOPBACK_NAMES or (address is not None and address.is_loopback)
    if loopback:
        if not allow_loopback:
            raise WebhookTargetRefused("url may not point at this machine")
    elif parts.scheme != "https":
        raise WebhookTargetRefused("url must be https (plain http only to this machine, in development)")
    elif address is not None and (
        address.is_private or address.is_link_local or address.is_multicast or address.is_reserved
        or address.is_unspecified
    ):  # fmt: skip
        raise WebhookTargetRefused("url may not point at a private or reserved address")
    return raw


def check_filters(raw: object) -> tuple[str, ...]:
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_FILTERS:
        raise WebhookRejected(f"events must be a list of 1..{MAX_FILTERS} event types", field="events")
    for value in raw:
        if not isinstance(value, str) or not _FILTER.fullmatch(value):
            raise WebhookRejected("each event filter is a type (order.placed), a prefix (event.*) or *", field="events")
    return tuple(dict.fromkeys(raw))


def _from_item(item: Mapping[str, Any]) -> Subscription:
    return Subscription(
        subscription_id=str(item["subscription_id"]),
        client_id=str(item["client_id"]),
        client_pk=str(item["client_pk"]),
        url=str(item["url"]),
        events=tuple(str(value) for value in item.get("events") or ()),
        secret=str(item["secret"]),
        created_at=str(item["created_at"]),
    )


class SubscriptionStore:
    def __init__(self, table: Table, *, clock: Callable[[], datetime], allow_loopback: bool = False) -> None:
        self.table = table
        self.clock = clock
        self.allow_loopback = allow_loopback

    def create(self, *, client_id: str, client_pk: str, url: object, events: object) -> Subscription:
        """A new subscription; its secret is in the result (show it to the caller once)."""
        checked_url = check_url(url, allow_loopback=self.allow_loopback)
        filters = check_filters(events)
        if len(self.of_client(client_id)) >= MAX_PER_CLIENT:
            raise SubscriptionLimit(f"at most {MAX_PER_CLIENT} subscriptions per API client")
        subscription = Subscription(
            subscription_id="whs_" + secrets.token_hex(8),
            client_id=client_id,
            client_pk=client_pk,
            url=checked_url,
            events=filters,
            secret=new_secret(),
            created_at=format_timestamp(self.clock()),
        )
        shard = keys.shard_of(subscription.subscription_id, keys.SUBSCRIPTION_SHARDS)
        self.table.put(
            {
                "pk": keys.client_subscriptions_pk(client_id),
                "sk": keys.subscription_sk(subscription.subscription_id),
                "gsi1pk": keys.subscription_gsi1pk(shard),
                "gsi1sk": subscription.subscription_id,
                "kind": SUBSCRIPTION_KIND,
                "subscription_id": subscription.subscription_id,
                "client_id": client_id,
                "client_pk": client_pk,
                "url": subscription.url,
                "events": list(subscription.events),
                "secret": subscription.secret,
                "created_at": subscription.created_at,
            },
            condition="attribute_not_exists(pk)",
        )
        return subscription

    def of_client(self, client_id: str) -> list[Subscription]:
        items = self.table.query_all(
            "pk = :pk AND begins_with(sk, :sub)",
            values={":pk": keys.client_subscriptions_pk(client_id), ":sub": keys.SUBSCRIPTION_PREFIX},
            consistent=True,
        )
        return [_from_item(item) for item in items if item.get("kind") == SUBSCRIPTION_KIND]

    def get(self, client_id: str, subscription_id: str) -> Subscription | None:
        item = self.table.get(
            {
                "pk": keys.client_subscriptions_pk(client_id),
                "sk": keys.subscription_sk(subscription_id),
            }
        )
        return _from_item(item) if item and item.get("kind") == SUBSCRIPTION_KIND else None

    def delete(self, client_id: str, subscription_id: str) -> bool:
        """Remove one of the client's subscriptions; False if it has none by that id."""
        tx = Transaction(self.table)
        tx.delete(
            {
                "pk": keys.client_subscriptions_pk(client_id),
                "sk": keys.subscription_sk(subscription_id),
            },
            condition="attribute_exists(pk)",
        )
        try:
            tx.commit()
        except ConcurrentUpdate:
            return False
        return True

    def all(self) -> list[Subscription]:
        found: list[Subscription] = []
        for shard in range(keys.SUBSCRIPTION_SHARDS):
            items = self.table.query_all(
                "gsi1pk = :shard", values={":shard": keys.subscription_gsi1pk(shard)}, index=GSI1.name
            )
            found.extend(_from_item(item) for item in items if item.get("kind") == SUBSCRIPTION_KIND)
        return found


@dataclass(frozen=True)
class _Owner:
    revoked: bool
    all_customers: bool
    customer_ids: frozenset[str]

    def can_see(self, customer_id: str) -> bool:
        return not self.revoked and (self.all_customers or customer_id in self.customer_ids)


class SubscriptionDirectory:
    """The subscriptions an event goes to, re-read every ``refresh_seconds`` (new ones start within that time), and
    at once after ``invalidate()``: the worker calls it when the stream shows a subscription change. Reading them
    all is eight index queries, cheap in DynamoDB but a scan of the whole table in moto, so the worker relies on
    the stream and refreshes rarely."""

    def __init__(
        self,
        store: SubscriptionStore,
        *,
        refresh_seconds: float = 30.0,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.store = store
        self.refresh_seconds = refresh_seconds
        self.monotonic = monotonic
        self._loaded_at: float | None = None
        self._subscriptions: list[Subscription] = []
        self._owners: dict[str, _Owner] = {}

    def for_event(self, event_type: str, customer_id: str) -> list[Subscription]:
        self._refresh_if_stale()
        return [
            sub
            for sub in self._subscriptions
            if sub.wants(event_type) and self._owners.get(sub.client_pk, _NOBODY).can_see(customer_id)
        ]

    def invalidate(self) -> None:
        self._loaded_at = None

    def _refresh_if_stale(self) -> None:
        if self._loaded_at is not None and self.monotonic() - self._loaded_at < self.refresh_seconds:
            return
        self.load()

    def load(self) -> None:
        """Read every subscription and its owner's scope now."""
        now = self.monotonic()
        subscriptions = self.store.all()
        self._owners = {pk: self._owner(pk) for pk in {sub.client_pk for sub in subscriptions}}
        self._subscriptions = subscriptions
        self._loaded_at = now

    def _owner(self, client_pk: str) -> _Owner:
        item = self.store.table.get({"pk": client_pk, "sk": keys.APIKEY}, consistent=False)
        if item is None:
            return _NOBODY
        return _Owner(
            revoked=bool(item.get("revoked")),
            all_customers=bool(item.get("all_customers")),
            customer_ids=frozenset(str(value) for value in _iterable(item.get("customer_ids"))),
        )


def _iterable(value: Any) -> Iterable[Any]:
    return value if isinstance(value, set | frozenset | list | tuple) else ()


_NOBODY = _Owner(revoked=True, all_customers=False, customer_ids=frozenset())
