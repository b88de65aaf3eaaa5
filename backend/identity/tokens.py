"""Access tokens (Alexa account linking) -> customer ids, behind one small interface an OAuth provider can replace.

The demo implementation stores each token's sha256 as an identity of kind ``alexa_token``. Demo tokens are
deterministic: ``vcdemo_`` + the first 32 hex digits of HMAC-SHA256(secret, customer id), so `voicecart serve` can
print the same token for a customer on every start. With the built-in ``DEMO_TOKEN_SECRET`` anyone who reads this
file can compute a demo token: pass your own secret (any bytes) to make them unguessable. Never use demo tokens for
real customers: a real deployment verifies the OAuth provider's tokens instead.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Protocol

from backend.errors import AccountNotLinked, UnknownAccessToken
from backend.identity.store import IdentityKind, IdentityStore

DEMO_TOKEN_SECRET = b"voicecart-demo-token-secret"
DEMO_TOKEN_PREFIX = "vcdemo_"  # noqa: S105 - a prefix, not a secret
MAX_TOKEN_LENGTH = 2048


def demo_token_for(customer_id: str, secret: bytes = DEMO_TOKEN_SECRET) -> str:
    """The demo access token of a customer: computable without the store, so it can be printed or listed."""
    digest = hmac.new(secret, customer_id.encode(), hashlib.sha256).hexdigest()
    return f"{DEMO_TOKEN_PREFIX}{digest[:32]}"


class AccessTokenStore(Protocol):
    def customer_for_token(self, token: str | None) -> str:
        """The customer a token belongs to; ``AccountNotLinked`` for no token, ``UnknownAccessToken`` otherwise."""
        ...

    def issue_demo_token(self, customer_id: str) -> str:
        """Issue (and store) a token for ``customer_id``: for the demo and tests only."""
        ...


class DynamoAccessTokenStore:
    def __init__(self, identities: IdentityStore, *, secret: bytes = DEMO_TOKEN_SECRET) -> None:
        self.identities = identities
        self._secret = secret

    def demo_token(self, customer_id: str) -> str:
        return demo_token_for(customer_id, self._secret)

    def issue_demo_token(self, customer_id: str) -> str:
        token = self.demo_token(customer_id)
        self.identities.link(customer_id, IdentityKind.ALEXA_TOKEN, token)
        return token

    def customer_for_token(self, token: str | None) -> str:
        if not token:
            raise AccountNotLinked("no access token: the account must be linked")
        if len(token) > MAX_TOKEN_LENGTH:
            raise UnknownAccessToken("access token not recognised")
        customer_id = self.identities.resolve(IdentityKind.ALEXA_TOKEN, token)
        if customer_id is None:
            raise UnknownAccessToken("access token not recognised")
        return customer_id

    def revoke(self, token: str) -> bool:
        customer_id = self.identities.resolve(IdentityKind.ALEXA_TOKEN, token)
        return customer_id is not None and self.identities.unlink(customer_id, IdentityKind.ALEXA_TOKEN, token)
