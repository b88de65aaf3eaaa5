"""Access tokens this process has resolved, remembered so a turn can skip the token's own GetItem, never trusted.

A remembered token is only a guess at whose it is. The turn confirms the guess in the read it makes anyway: the
token's lookup item (``pk = IDENT#alexa_token#<sha256>, sk = IDENT``) is one more key of the customer-state
``BatchGetItem`` (``backend.shopping.state``, strongly consistent), read before the handler does anything. Only when
that item still names the same customer does the turn go on with it; otherwise the guess is forgotten and the token
is looked up as if it had never been seen (a revoked token is then refused, a re-linked one resolves afresh). So a
token revoked or erased in any process stops working at its next turn: no staleness window, no extra call.

Only tokens the DynamoDB token store resolves are remembered (``backend.services``): a token store that replaces it
(an OAuth provider) has no lookup item to confirm against. Tokens are kept as their sha256 (as the store keeps
them), at most ``capacity`` of them, the least recently used going first.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from backend.identity.store import IdentityKind, stored_value
from backend.store import keys

DEFAULT_CAPACITY = 10_000


def token_lookup_key(token: str) -> dict[str, str]:
    """The key of the token's lookup item (whose ``customer_id`` is the customer the token belongs to)."""
    return {
        "pk": keys.identity_pk(IdentityKind.ALEXA_TOKEN, stored_value(IdentityKind.ALEXA_TOKEN, token)),
        "sk": keys.IDENT,
    }


class RememberedTokens:
    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self._capacity = capacity
        self._customers: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def guess(self, token: str | None) -> str | None:
        """The customer ``token`` belonged to when last confirmed, or None: a guess the caller must confirm."""
        stored = _stored(token)
        if stored is None:
            return None
        with self._lock:
            customer_id = self._customers.get(stored)
            if customer_id is not None:
                self._customers.move_to_end(stored)
            return customer_id

    def remember(self, token: str | None, customer_id: str) -> None:
        stored = _stored(token)
        if stored is None:
            return
        with self._lock:
            self._customers[stored] = customer_id
            self._customers.move_to_end(stored)
            while len(self._customers) > self._capacity:
                self._customers.popitem(last=False)

    def forget(self, token: str | None) -> None:
        stored = _stored(token)
        if stored is None:
            return
        with self._lock:
            self._customers.pop(stored, None)

    def __len__(self) -> int:
        return len(self._customers)


def _stored(token: str | None) -> str | None:
    if not token or len(token) > 2048:
        return None
    return stored_value(IdentityKind.ALEXA_TOKEN, token)
