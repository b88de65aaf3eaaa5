"""Opaque cursors for event pages, validated so a forged cursor is a 4xx, never a store error."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from typing import Any

from backend.errors import ValidationError

MAX_CURSOR_LENGTH = 1024


@dataclass(frozen=True)
class Position:
    """Where a page stopped: the sort key of the last item consumed (and its gsi1 sort key on a channel query)."""

    sk: str
    gsi1sk: str | None


def query_fingerprint(*parts: str | None) -> str:
    """Binds a cursor to the query it came from: a cursor reused with other filters is refused."""
    return hashlib.sha256("\x1f".join(part or "" for part in parts).encode()).hexdigest()[:16]


def encode_cursor(position: Position, fingerprint: str) -> str:
    payload: dict[str, Any] = {"v": 1, "q": fingerprint, "s": position.sk}
    if position.gsi1sk is not None:
        payload["g"] = position.gsi1sk
    raw = json.dumps(payload, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, fingerprint: str) -> Position:
    invalid = ValidationError("cursor is not valid for this query", field="cursor")
    if not isinstance(cursor, str) or not 0 < len(cursor) <= MAX_CURSOR_LENGTH:
        raise invalid
    try:
        payload = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise invalid from exc
    if not isinstance(payload, dict) or payload.get("v") != 1 or payload.get("q") != fingerprint:
        raise invalid
    sk, gsi1sk = payload.get("s"), payload.get("g")
    if not isinstance(sk, str) or not (gsi1sk is None or isinstance(gsi1sk, str)):
        raise invalid
    return Position(sk=sk, gsi1sk=gsi1sk)
