"""The voice purchase code's lifecycle: set, change, remove and unlock, each audited as a profile event.

These are the account holder's (through another channel that has authenticated them, with the API's ``voice_code``
scope) and support staff's (``voicecart voicecode``) actions; the skill only checks a code (``backend.shopping
.voicecode``). Each change and its audit event are one transaction: the state never changes unrecorded. The event
(``voice_code_set`` / ``voice_code_changed`` / ``voice_code_removed`` / ``voice_code_unlocked``) names who acted in
``device`` (an API client id, or the support tool) and never holds the code; only a salted PBKDF2 digest is stored.
API clients cannot forge these events: ``voice_`` types are refused on the events route.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from backend.clock import Clock, utc_now
from backend.errors import CustomerNotFound
from backend.profile.events import Channel, Event
from backend.profile.store import ProfileStore
from backend.shopping import voicecode
from backend.shopping.items import voice_code_from_item, voice_code_key, voice_code_to_item
from backend.shopping.model import VoiceCodeState
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

SET, CHANGED, REMOVED, UNLOCKED = "voice_code_set", "voice_code_changed", "voice_code_removed", "voice_code_unlocked"


@dataclass(frozen=True, slots=True)
class VoiceCodeStatus:
    customer_id: str
    enabled: bool
    locked: bool
    failed_attempts: int
    updated_at: str | None

    def to_json(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "enabled": self.enabled,
            "locked": self.locked,
            "failed_attempts": self.failed_attempts,
            "attempts_left": 0 if self.locked else max(0, voicecode.MAX_WRONG_CODES - self.failed_attempts),
            "updated_at": self.updated_at,
        }


@dataclass(frozen=True, slots=True)
class Actor:
    """Who changes the code: the channel it came through, and an id for the audit (never a person's name)."""

    channel: Channel
    name: str


class VoiceCodes:
    def __init__(self, table: Table, profiles: ProfileStore, *, clock: Clock = utc_now) -> None:
        self.table = table
        self.profiles = profiles
        self.clock = clock

    def status(self, customer_id: str) -> VoiceCodeStatus:
        self._require_customer(customer_id)
        item = self.table.get(voice_code_key(customer_id))
        state = voice_code_from_item(item)
        updated = str(item["updated_at"]) if item and item.get("updated_at") else None
        return VoiceCodeStatus(customer_id, state.enabled, state.locked, state.failed_attempts, updated)

    def set(self, customer_id: str, code: str, *, actor: Actor) -> VoiceCodeStatus:
        """Enable the code, or change it: a new salt and digest, the wrong-code count and the lock start afresh."""
        state = voicecode.enabled_state(code)  # refuses anything but 4 digits before anything is read
        before = self.status(customer_id)
        return self._write(customer_id, state, CHANGED if before.enabled else SET, actor)

    def remove(self, customer_id: str, *, actor: Actor) -> VoiceCodeStatus:
        """No code any more: purchases are not asked for one, and any lock goes with it."""
        self._require_customer(customer_id)
        return self._write(customer_id, VoiceCodeState(), REMOVED, actor)

    def unlock(self, customer_id: str, *, actor: Actor) -> VoiceCodeStatus:
        """Lift the lock and reset the wrong-code count; the code itself stays as it is."""
        self._require_customer(customer_id)
        item = self.table.get(voice_code_key(customer_id))
        state = voice_code_from_item(item)
        return self._write(customer_id, VoiceCodeState(state.enabled, state.salt, state.digest), UNLOCKED, actor)

    def _require_customer(self, customer_id: str) -> None:
        if not self.profiles.customer_exists(customer_id):
            raise CustomerNotFound("no such customer")

    def _write(self, customer_id: str, state: VoiceCodeState, kind: str, actor: Actor) -> VoiceCodeStatus:
        self._require_customer(customer_id)
        now = self.clock()
        at = now.isoformat()
        event = Event(
            event_id=f"vc-{secrets.token_hex(8)}",
            customer_id=customer_id,
            channel=actor.channel,
            type=kind,
            occurred_at=now,
            device=actor.name,
        )
        tx = Transaction(self.table)
        tx.put(voice_code_to_item(customer_id, state, updated_at=at))
        self.profiles.stage_event(tx, event)
        tx.commit()
        return VoiceCodeStatus(customer_id, state.enabled, state.locked, state.failed_attempts, at)
