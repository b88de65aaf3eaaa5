"""An idempotency key (``Idempotency-Key`` header, or a body's ``event_id``) names one request, not one id.

The first request with a key stores a fingerprint of what it asked for (the route, its path values other than the
customer reference, and the JSON body) next to the customer's data: ``pk = CUST#<id>, sk = REQ#API#<key>``. A
retry with the same fingerprint is the same request: nothing changes and the answer says "already_written". The
same key with anything else is a client bug that would otherwise drop the change silently, so it is refused with
422 and the original stays. A cart change writes it on its request marker, in the change's own transaction; an event
write stores it right after the event, on condition that the customer was not erased meanwhile; a second,
concurrent request with the same key is compared again after its write is refused.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from typing import Any

from flask import request

from backend.api.errors import ApiError
from backend.errors import AlreadyApplied, ConcurrentUpdate
from backend.profile.erasure import put_unless_erased
from backend.profile.events import check_id
from backend.store import keys
from backend.store.dynamo import Table

KIND = "api_request"
SK_PREFIX = "REQ#API#"


def fingerprint(body: Mapping[str, Any] | None) -> str:
    """What this request asks for: the route, its path values but the customer reference, and the body."""
    path_values = {name: value for name, value in (request.view_args or {}).items() if name != "ref"}
    described = {"method": request.method, "route": request.endpoint, "path": path_values, "body": body or {}}
    return hashlib.sha256(json.dumps(described, sort_keys=True, default=str).encode()).hexdigest()


def client_key(data: Mapping[str, Any] | None) -> str | None:
    """The key the client gave: the body's ``event_id``, else the ``Idempotency-Key`` header (None: no key)."""
    raw = (data or {}).get("event_id") or request.headers.get("Idempotency-Key")
    return check_id(raw, field="event_id") if raw else None


class RequestFingerprints:
    def __init__(self, table: Table) -> None:
        self.table = table

    @staticmethod
    def _key(customer_id: str, idempotency_key: str) -> dict[str, str]:
        return {"pk": keys.customer_pk(customer_id), "sk": SK_PREFIX + idempotency_key}

    def check(self, customer_id: str, idempotency_key: str, print_: str) -> None:
        """422 when this key was already used for a different request."""
        stored = self.table.get(self._key(customer_id, idempotency_key))
        if stored is not None and stored.get("fingerprint") != print_:
            raise ApiError(
                422,
                "idempotency_key_reused",
                "this Idempotency-Key (or event_id) was already used for a different request; "
                "the first request stands. Use a new key for a new request.",
            )

    def item(self, customer_id: str, idempotency_key: str, print_: str) -> dict[str, Any]:
        return {**self._key(customer_id, idempotency_key), "kind": KIND, "fingerprint": print_}

    @staticmethod
    def request_id(idempotency_key: str) -> str:
        """The request marker a cart change writes for this key: it carries the fingerprint (``REQ#API#<key>``)."""
        return SK_PREFIX.removeprefix("REQ#") + idempotency_key

    def remember(self, customer_id: str, idempotency_key: str, print_: str, *, expires: int | None = None) -> None:
        """Write the fingerprint after a change that had its own transaction (first writer wins). Never for an
        erased customer: the change may have committed just before an erase whose sweep has since finished, and
        a fingerprint written then would be that customer's data, back after the erase (``CustomerErased``).
        ``expires`` (epoch seconds): when it goes (TTL), as the change's own idempotency marker does; kept for ever
        without it, which no caller should want."""
        item = self.item(customer_id, idempotency_key, print_)
        if expires is not None:
            item["expires_at"] = expires
        try:
            put_unless_erased(self.table, customer_id, item, condition="attribute_not_exists(pk)")
        except (ConcurrentUpdate, AlreadyApplied):
            self.check(customer_id, idempotency_key, print_)
