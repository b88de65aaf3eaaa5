"""The optional 4-digit voice purchase code of an account.

Only a salted PBKDF2-SHA256 digest is stored. When the code is enabled, orders of ``voice_code_threshold`` or
more ask for it; each wrong code is counted (a versioned conditional update, in the same transaction as the
turn's request marker, so a retried request is not counted twice) and the third locks purchasing until the
account holder unlocks it on another channel. A right code resets the count, in the order's own transaction.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import replace

from backend.errors import ConcurrentUpdate, ValidationError
from backend.profile.erasure import put_unless_erased
from backend.shopping.items import voice_code_key, voice_code_to_item
from backend.shopping.model import VoiceCodeState
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

MAX_WRONG_CODES = 3
_ITERATIONS = 100_000
# ASCII digits only: \d also matches "٣" and other digits the digest (ASCII) cannot take.
_CODE = re.compile(r"[0-9]{4}")


def _digest(code: str, salt: bytes) -> bytes:
    return hashlib.pbkdf2_hmac("sha256", code.encode("ascii"), salt, _ITERATIONS)


def normalise_code(spoken: str | None) -> str | None:
    """A 4-digit code from the slot value ("1234", "12 34"), or None."""
    digits = re.sub(r"[^0-9]", "", spoken or "")
    return digits if _CODE.fullmatch(digits) else None


def enabled_state(code: str) -> VoiceCodeState:
    if normalise_code(code) != code:
        raise ValidationError("a voice code is exactly 4 digits", field="code")
    salt = secrets.token_bytes(16)
    return VoiceCodeState(enabled=True, salt=salt, digest=_digest(code, salt))


def matches(state: VoiceCodeState, code: str | None) -> bool:
    if not state.enabled or code is None:
        return False
    return hmac.compare_digest(_digest(code, state.salt), state.digest)


def set_voice_code(table: Table, customer_id: str, code: str | None, *, at: str) -> VoiceCodeState:
    """Enable (or, with None, disable) the code; either way the wrong-code count and the lock start afresh."""
    state = enabled_state(code) if code is not None else VoiceCodeState()
    # Conditional on no tombstone: a code set after the erase's sweep would be the erased customer's, kept for good.
    put_unless_erased(table, customer_id, voice_code_to_item(customer_id, state, updated_at=at))
    return state


def stage_wrong_code(tx: Transaction, customer_id: str, state: VoiceCodeState, *, at: str) -> VoiceCodeState:
    failed = state.failed_attempts + 1
    after = replace(state, failed_attempts=failed, locked=failed >= MAX_WRONG_CODES)
    tx.update(
        voice_code_key(customer_id),
        "SET failed_attempts = :failed, locked = :locked, updated_at = :at",
        condition="failed_attempts = :before",
        values={":failed": failed, ":locked": after.locked, ":at": at, ":before": state.failed_attempts},
        conflict=ConcurrentUpdate,
    )
    return after


def stage_reset_attempts(tx: Transaction, customer_id: str, state: VoiceCodeState, *, at: str) -> None:
    tx.update(
        voice_code_key(customer_id),
        "SET failed_attempts = :zero, updated_at = :at",
        condition="failed_attempts = :before AND locked = :unlocked",
        values={":zero": 0, ":at": at, ":before": state.failed_attempts, ":unlocked": False},
        conflict=ConcurrentUpdate,
    )
