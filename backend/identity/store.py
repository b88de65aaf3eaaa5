"""Linked identities: every id a customer is known by (access token, Alexa user/person, web, email, store ids).

Two items per link, written in one transaction:

* the lookup item ``pk = IDENT#<kind>#<value>, sk = IDENT`` (GetItem by any id -> the one customer id);
* the reverse item ``pk = CUST#<id>, sk = IDENT#<kind>#<value>`` (a customer's ids, for listing, unlinking, export
  and deletion).

Access tokens are never stored: their sha256 is the value. An id linked to one customer cannot be linked to another
(``IdentityConflict``); linking it again to the same customer changes nothing.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from backend.clock import Clock, utc_now
from backend.errors import ConcurrentUpdate, CustomerNotFound, IdentityConflict, ValidationError
from backend.profile.erasure import stage_not_erased
from backend.profile.events import check_customer_id, format_timestamp
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

LOOKUP_KIND = "ident"
REVERSE_KIND = "ident_link"


class IdentityKind(StrEnum):
    ALEXA_TOKEN = "alexa_token"  # noqa: S105 - a kind name, not a secret
    ALEXA_USER = "alexa_user"
    ALEXA_PERSON = "alexa_person"
    WEB = "web"  # the web shop's anonymous (cookie) id or account id
    EMAIL = "email"
    STORE = "store"  # the store's loyalty card number
    APP = "app"  # the app's anonymous install id or account id


# Kinds another channel may link through the API; Alexa ids come only from the skill.
CHANNEL_KINDS = frozenset({IdentityKind.WEB, IdentityKind.EMAIL, IdentityKind.STORE, IdentityKind.APP})

_PLAIN_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:@+\-]{0,127}")
_ALEXA_ID = re.compile(r"[A-Za-z0-9._\-]{1,512}")
_EMAIL = re.compile(r"[^@\s#]{1,64}@[^@\s#]{1,190}\.[^@\s#]{1,63}")


def sha256_hex(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def stored_value(kind: IdentityKind, value: str) -> str:
    """The value as it appears in keys: tokens hashed, emails lower-cased, every value validated."""
    if not isinstance(value, str) or not value or len(value) > 2048:
        raise ValidationError("identity value must be a non-empty string", field="value")
    if kind is IdentityKind.ALEXA_TOKEN:
        return sha256_hex(value)
    if kind in (IdentityKind.ALEXA_USER, IdentityKind.ALEXA_PERSON):
        pattern = _ALEXA_ID
    elif kind is IdentityKind.EMAIL:
        value = value.strip().lower()
        pattern = _EMAIL
    else:
        pattern = _PLAIN_ID
    if not pattern.fullmatch(value):
        raise ValidationError(f"not a valid {kind.value} id", field="value")
    return value


def parse_kind(raw: object) -> IdentityKind:
    try:
        return IdentityKind(str(raw))
    except ValueError as exc:
        raise ValidationError(f"kind must be one of {', '.join(IdentityKind)}", field="kind") from exc


@dataclass(frozen=True, slots=True)
class LinkedIdentity:
    kind: IdentityKind
    value: str  # as stored: a token appears only as its hash
    linked_at: str

    def to_json(self) -> dict[str, Any]:
        return {"kind": self.kind.value, "value": self.value, "linked_at": self.linked_at}


class IdentityStore:
    def __init__(self, table: Table, *, clock: Clock = utc_now) -> None:
        self.table = table
        self.clock = clock

    def stage_link(self, tx: Transaction, customer_id: str, kind: IdentityKind, value: str) -> None:
        """Stage both items of a link on ``tx`` (for callers that create a customer and its ids at once)."""
        check_customer_id(customer_id)
        stored = stored_value(kind, value)
        lookup_pk = keys.identity_pk(kind, stored)
        now = format_timestamp(self.clock())
        tx.put(
            {"pk": lookup_pk, "sk": keys.IDENT, "kind": LOOKUP_KIND, "id_kind": kind.value,
             "customer_id": customer_id, "linked_at": now},
            condition="attribute_not_exists(pk) OR customer_id = :c",
            values={":c": customer_id},
        )  # fmt: skip
        stage_not_erased(tx, customer_id)  # never link an id to an erased customer (an alias in flight)
        tx.put(
            {"pk": keys.customer_pk(customer_id), "sk": keys.identity_sk(kind, stored), "kind": REVERSE_KIND,
             "id_kind": kind.value, "value": stored, "lookup_pk": lookup_pk, "linked_at": now},
        )  # fmt: skip

    def link(self, customer_id: str, kind: IdentityKind, value: str) -> None:
        """Link ``value`` to ``customer_id``; refuse (``IdentityConflict``) if it belongs to another customer."""
        for _ in range(3):
            tx = Transaction(self.table)
            self.stage_link(tx, customer_id, kind, value)
            try:
                tx.commit()
                return
            except ConcurrentUpdate as exc:
                owner = self.resolve(kind, value)
                if owner is not None and owner != customer_id:
                    raise IdentityConflict(kind.value) from exc
        raise ConcurrentUpdate(f"linking a {kind.value} id kept conflicting")

    def resolve(self, kind: IdentityKind, value: str) -> str | None:
        """The customer id an id is linked to, or None. One GetItem."""
        item = self.table.get({"pk": keys.identity_pk(kind, stored_value(kind, value)), "sk": keys.IDENT})
        return None if item is None else str(item["customer_id"])

    def require(self, kind: IdentityKind, value: str) -> str:
        customer_id = self.resolve(kind, value)
        if customer_id is None:
            raise CustomerNotFound(f"no customer is linked to this {kind.value} id")
        return customer_id

    def unlink(self, customer_id: str, kind: IdentityKind, value: str) -> bool:
        """Remove a link of this customer (True if there was one). Another customer's link is left alone."""
        stored = stored_value(kind, value)
        tx = Transaction(self.table)
        tx.delete(
            {"pk": keys.identity_pk(kind, stored), "sk": keys.IDENT},
            condition="customer_id = :c",
            values={":c": customer_id},
        )
        tx.delete({"pk": keys.customer_pk(customer_id), "sk": keys.identity_sk(kind, stored)})
        try:
            tx.commit()
        except ConcurrentUpdate:
            return False
        return True

    def identities(self, customer_id: str) -> list[LinkedIdentity]:
        items = self.table.query_all(
            "pk = :pk AND begins_with(sk, :ident)",
            values={":pk": keys.customer_pk(customer_id), ":ident": "IDENT#"},
            consistent=True,
        )
        return [
            LinkedIdentity(IdentityKind(item["id_kind"]), str(item["value"]), str(item["linked_at"]))
            for item in items
            if item.get("kind") == REVERSE_KIND
        ]
