"""The cart probe of scripted dialogs (their ``cart:`` checks): what is in the cart of the customer a simulated
conversation speaks for, read straight from the in-process backend.

Only plain values cross: the access token the conversation sends (resolved the way the skill resolves it, so a demo
token provisions its customer on first use), and ids that identify nobody (ignored: ``userId`` is only an alias).
"""

from __future__ import annotations

from typing import Any

from backend.errors import AccountNotLinked, UnknownAccessToken
from backend.services import Backend


def cart_lines(
    backend: Backend, *, access_token: str | None, user_id: str | None = None, person_id: str | None = None
) -> list[dict[str, Any]]:
    """The cart's lines as ``{"product_id", "name", "quantity"}`` (and ``"unit"`` when the line has one), in cart
    order; ``[]`` without a linked account."""
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
                **({"unit": line.unit} if line.unit else {}),
            }
        )
    return lines
