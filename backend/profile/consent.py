"""Consent per purpose: what the customer agreed to, when, and on which channel.

| purpose            | what it allows                                                   | when never set          |
|--------------------|------------------------------------------------------------------|-------------------------|
| ``marketing_email``| messages the customer did not ask for (an idle-cart reminder)    | NOT granted (opt-in)    |
| ``personalisation``| the resolver's personal bias (their purchases choose the product)| granted (as before)     |
| ``heard_words``    | keeping the raw recognised words for the retention period        | granted (as before)     |

Order confirmations are transactional and need no consent. Withdrawing ``personalisation`` makes every voice turn
resolve products without the customer's history (``backend.shopping`` passes no history to the resolver);
withdrawing ``heard_words`` deletes the heard-words items already kept and keeps no new ones (the event stays,
without its words).

Storage: one top-level attribute per purpose on the customer's ``PROFILE`` item, ``consent#<purpose>`` = a map
``{status, changed_at, channel}``, written whole with one ``SET`` (no nested path, see ``backend.profile.summary``).
The voice turn's one batch read of ``PROFILE`` therefore carries consent at no extra cost, and another system that
reads the item (the outbound sender) decides with ``consents_from_item(item).allows(Purpose.MARKETING_EMAIL)``.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from backend.errors import ValidationError
from backend.profile.erasure import stage_not_erased
from backend.profile.events import Channel, check_customer_id, format_timestamp
from backend.profile.records import HEARD_KIND, profile_key
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

ATTRIBUTE_PREFIX = "consent#"


class Purpose(StrEnum):
    MARKETING_EMAIL = "marketing_email"
    PERSONALISATION = "personalisation"
    HEARD_WORDS = "heard_words"


class Status(StrEnum):
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


# What a purpose the customer was never asked about means.
DEFAULTS: Mapping[Purpose, bool] = {
    Purpose.MARKETING_EMAIL: False,
    Purpose.PERSONALISATION: True,
    Purpose.HEARD_WORDS: True,
}


def consent_attribute(purpose: Purpose) -> str:
    return ATTRIBUTE_PREFIX + purpose.value


def parse_purpose(raw: object) -> Purpose:
    try:
        return Purpose(str(raw))
    except ValueError as exc:
        raise ValidationError(f"purpose must be one of {', '.join(Purpose)}", field="purpose") from exc


def parse_status(raw: object) -> Status:
    if not isinstance(raw, str):
        raise ValidationError("status must be granted or withdrawn", field="status")
    try:
        return Status(raw)
    except ValueError as exc:
        raise ValidationError("status must be granted or withdrawn", field="status") from exc


@dataclass(frozen=True, slots=True)
class Consent:
    purpose: Purpose
    status: Status | None  # None: never set, the default applies
    changed_at: str | None = None
    channel: str | None = None

    @property
    def allowed(self) -> bool:
        return DEFAULTS[self.purpose] if self.status is None else self.status is Status.GRANTED

    def to_json(self) -> dict[str, Any]:
        return {
            "purpose": self.purpose.value,
            "status": self.status.value if self.status else "not_set",
            "allowed": self.allowed,
            "changed_at": self.changed_at,
            "channel": self.channel,
        }


@dataclass(frozen=True, slots=True)
class Consents:
    by_purpose: Mapping[Purpose, Consent]

    def get(self, purpose: Purpose) -> Consent:
        return self.by_purpose.get(purpose) or Consent(purpose, None)

    def allows(self, purpose: Purpose) -> bool:
        return self.get(purpose).allowed

    def to_json(self) -> list[dict[str, Any]]:
        return [self.get(purpose).to_json() for purpose in Purpose]


def consents_from_item(item: Mapping[str, Any] | None) -> Consents:
    """The consents recorded on a PROFILE item (None or a missing attribute: the defaults). A malformed record
    counts as never set, so a purpose that needs opt-in stays off."""
    found: dict[Purpose, Consent] = {}
    for purpose in Purpose:
        record = (item or {}).get(consent_attribute(purpose))
        if not isinstance(record, Mapping):
            continue
        try:
            status = Status(str(record.get("status")))
        except ValueError:
            continue
        found[purpose] = Consent(purpose, status, record.get("changed_at"), record.get("channel"))
    return Consents(found)


class ConsentStore:
    def __init__(self, table: Table) -> None:
        self.table = table

    def consents(self, customer_id: str) -> Consents:
        return consents_from_item(self.table.get(profile_key(check_customer_id(customer_id))))

    def set(self, customer_id: str, purpose: Purpose, status: Status, *, channel: Channel, at: datetime) -> Consent:
        """Record the customer's choice (one UpdateItem); withdrawing ``heard_words`` also deletes the words kept."""
        check_customer_id(customer_id)
        stamp = format_timestamp(at)
        record = {"status": status.value, "changed_at": stamp, "channel": channel.value}
        tx = Transaction(self.table)
        tx.update(
            profile_key(customer_id),
            "SET #c = :c, #k = if_not_exists(#k, :k), #id = if_not_exists(#id, :id)",
            names={"#c": consent_attribute(purpose), "#k": "kind", "#id": "customer_id"},
            values={":c": record, ":k": "profile", ":id": customer_id},
        )
        stage_not_erased(tx, customer_id)  # a choice sent during an erase recreates no profile
        tx.commit()
        if purpose is Purpose.HEARD_WORDS and status is Status.WITHDRAWN:
            self.forget_heard_words(customer_id)
        return Consent(purpose, status, stamp, channel.value)

    def forget_heard_words(self, customer_id: str) -> int:
        """Delete every heard-words item of the customer (the events stay); the number deleted."""
        deleted = 0
        start: dict[str, Any] | None = None
        while True:
            items, start = self.table.query(
                "pk = :pk AND begins_with(sk, :ev)",
                values={":pk": keys.customer_pk(customer_id), ":ev": keys.EVENT_PREFIX},
                start_key=start,
            )
            for item in items:
                if item.get("kind") == HEARD_KIND:
                    self.table.delete({"pk": item["pk"], "sk": item["sk"]})
                    deleted += 1
            if start is None:
                return deleted
