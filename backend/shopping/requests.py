"""Request markers: ``REQ#<request id>`` is put, on condition it does not exist, in the same transaction as the
turn's writes. Alexa's retry of a request therefore fails that condition (``AlreadyApplied``) and changes nothing;
the marker keeps the turn's outcome (a small map the caller chose) so the retry can be answered as the first was.
Markers expire (TTL) ``Settings.request_marker_ttl_seconds`` after the request (a day by default): Alexa retries
within seconds, and a caller re-reading an unknown outcome does so at once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from backend.errors import AlreadyApplied
from backend.profile.erasure import stage_not_erased
from backend.store import keys
from backend.store.dynamo import Table
from backend.store.retention import expires_at
from backend.store.transaction import Transaction

MARKER_TTL = timedelta(days=1)


def marker_key(customer_id: str, request_id: str) -> dict[str, str]:
    return {"pk": keys.customer_pk(customer_id), "sk": keys.request_sk(request_id)}


def stage_marker(
    tx: Transaction,
    customer_id: str,
    request_id: str,
    *,
    outcome: Mapping[str, Any],
    applied_at: str,
    fingerprint: str | None = None,
    keep: timedelta = MARKER_TTL,
) -> None:
    """Stage the marker. Stage it FIRST: a cancelled transaction reports the first failed condition, and a retry
    must read as ``AlreadyApplied`` even when the cart has moved on since. ``fingerprint`` (what the request asked
    for) lets an API retry with the same key but another body be told apart from a true retry."""
    item: dict[str, Any] = {
        **marker_key(customer_id, request_id),
        "kind": "request",
        "request_id": request_id,
        "applied_at": applied_at,
        "outcome": dict(outcome),
        "expires_at": expires_at(applied_at, keep),  # from the request's own (injected) clock
    }
    if fingerprint is not None:
        item["fingerprint"] = fingerprint
    tx.put(
        item,
        condition="attribute_not_exists(pk)",
        conflict=AlreadyApplied,
    )
    # Every marker is a write to the customer's partition, whatever else the transaction holds (a wrong voice
    # code's count has no cart write to carry the check): never one for an erased customer.
    stage_not_erased(tx, customer_id)


def stored_outcome(table: Table, customer_id: str, request_id: str) -> dict[str, Any]:
    """The outcome kept on an applied request's marker (empty if the marker is gone)."""
    item = table.get(marker_key(customer_id, request_id))
    outcome = (item or {}).get("outcome")
    return dict(outcome) if isinstance(outcome, Mapping) else {}
