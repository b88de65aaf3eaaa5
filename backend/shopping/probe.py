"""The cart probe of scripted dialogs (``skill/simulator/local.py`` loads ``backend.shopping.probe:cart_lines``):
what is in the cart of the customer a simulated conversation speaks for, read straight from the store.

Only plain values cross: the access token the conversation sends (resolved the way the skill resolves it, so a demo
token provisions its customer on first use), and ids that identify nobody (ignored: ``userId`` is only an alias).
"""

from __future__ import annotations

from typing import Any, Protocol

from backend.catalog import Catalog
from backend.errors import AccountNotLinked, UnknownAccessToken
from backend.identity.tokens import AccessTokenStore
from backend.shopping.service import Shopping


class _Backend(Protocol):
    # What the probe needs of ``backend.services.Backend``.
    @property
    def tokens(self) -> AccessTokenStore: ...
    @property
    def shopping(self) -> Shopping: ...
    @property
    def catalog(self) -> Catalog: ...


def cart_lines(
    backend: _Backend, *, access_token: str | None, user_id: str | None = None, person_id: str | None = None
) -> list[dict[str, Any]]:
    """The cart's lines as ``{"product_id", "name", "quantity"}``, in cart order; ``[]`` without a linked account."""
    del user_id, person_id  # the cart is the account's, whoever speaks
    try:
        customer_id = backend.tokens.customer_for_token(access_token)
    except (AccountNotLinked, UnknownAccessToken):
        return []
    lines = []
    for line in backend.shopping.cart(customer_id).lines:
        product = backend.catalog.find(line.product_id)
        lines.append(
            {
                "product_id": line.product_id,
                "name": product.name if product is not None else line.product_id,
                "quantity": line.quantity,
            }
        )
    return lines
