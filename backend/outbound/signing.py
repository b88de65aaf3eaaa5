"""Webhook signatures, verifiable the way Stripe's are.

Each request carries ``Voicecart-Signature: t=<unix seconds>,v1=<hex>`` where ``v1`` is HMAC-SHA256, keyed with
the subscription's secret, over ``"<t>.<raw body>"``. A receiver recomputes it over the raw bytes it received,
compares in constant time, and refuses a timestamp more than ``tolerance`` seconds from its clock (a replayed
request). Several ``v1`` values may appear (while a secret is rotated); any one matching is enough.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from collections.abc import Iterable

from backend.outbound.errors import SignatureMismatch

SIGNATURE_HEADER = "Voicecart-Signature"
SCHEME = "v1"
DEFAULT_TOLERANCE = 300
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def new_secret() -> str:
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def signature(secret: str, timestamp: int, body: bytes) -> str:
    signed = f"{timestamp}.".encode() + body
    return hmac.new(secret.encode(), signed, hashlib.sha256).hexdigest()


def signature_header(secret: str, body: bytes, *, timestamp: int) -> str:
    return f"t={timestamp},{SCHEME}={signature(secret, timestamp, body)}"


def verify(
    header: str | None,
    body: bytes,
    secrets_: str | Iterable[str],
    *,
    tolerance: int = DEFAULT_TOLERANCE,
    now: float | None = None,
) -> int:
    """The signed timestamp if ``header`` signs ``body`` with one of the secrets; ``SignatureMismatch`` if not."""
    if not header:
        raise SignatureMismatch(f"no {SIGNATURE_HEADER} header")
    timestamp: int | None = None
    candidates: list[str] = []
    for part in header.split(","):
        name, _, value = part.strip().partition("=")
        if name == "t" and value.isdigit():
            timestamp = int(value)
        elif name == SCHEME and value:
            candidates.append(value)
    if timestamp is None or not candidates:
        raise SignatureMismatch("the signature header has no timestamp or no v1 signature")
    current = time.time() if now is None else now
    if abs(current - timestamp) > tolerance:
        raise SignatureMismatch("the signature timestamp is outside the tolerance")
    keys = [secrets_] if isinstance(secrets_, str) else list(secrets_)
    for key in keys:
        expected = signature(key, timestamp, body)
        if any(hmac.compare_digest(expected, candidate) for candidate in candidates):
            return timestamp
    raise SignatureMismatch("no signature matches the body")
