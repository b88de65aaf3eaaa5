"""Identities: every id a customer is known by, one profile behind all of them.

- ``store``: ``IdentityStore`` links, resolves and unlinks ids of kinds alexa_token (stored as its sha256),
  alexa_user (Alexa userId, kept only as an alias), alexa_person, web, email, store.
- ``tokens``: the ``AccessTokenStore`` interface (access token -> customer) and its DynamoDB demo implementation.
- ``clients``: API clients of the cross-channel API, keys stored hashed, scoped to customers.
"""

from backend.errors import IdentityConflict, InvalidApiKey
from backend.identity.clients import ApiClient, ApiClientStore, IssuedApiKey, create_api_client
from backend.identity.store import CHANNEL_KINDS, IdentityKind, IdentityStore, LinkedIdentity
from backend.identity.tokens import AccessTokenStore, DynamoAccessTokenStore

__all__ = [
    "CHANNEL_KINDS",
    "AccessTokenStore",
    "ApiClient",
    "ApiClientStore",
    "DynamoAccessTokenStore",
    "IdentityConflict",
    "IdentityKind",
    "IdentityStore",
    "InvalidApiKey",
    "IssuedApiKey",
    "LinkedIdentity",
    "create_api_client",
]
