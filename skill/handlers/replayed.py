"""Alexa's retry of a cart change that was applied (its answer lost on the way back) hears the first answer.

A retry carries the same request id, and the request's marker holds what the first attempt did (its ``outcome``).
Handlers that look for the product in the cart first would otherwise answer a retried removal "I don't see that in
your cart" (it was removed, by the first attempt) or name whatever line the words now match best. The removal and
quantity outcomes carry their speech key (and the line's unit, "3 pounds of ..."), so the stored outcome says the
sentence again.
"""

from __future__ import annotations

from typing import Any

from ask_sdk_model import Response

from skill.handlers.turn_context import Turn

REMOVED = "cart.removed"
REMOVED_SEVERAL = "cart.removed_several"
QUANTITY_CHANGED = "cart.quantity_changed"
_SAYS = {REMOVED: ("product",), REMOVED_SEVERAL: ("products",), QUANTITY_CHANGED: ("product", "quantity")}


def change_outcome(key: str, product: str, quantity: int, unit: str | None) -> dict[str, Any]:
    """What a removal or a quantity change stores with its request marker, for ``said_again``."""
    outcome: dict[str, Any] = {"key": key, "product": product, "quantity": quantity}
    if unit:
        outcome["unit"] = unit
    return outcome


def replayed_change(turn: Turn) -> Response | None:
    """The first answer again when this request already changed the cart, else None (one read of the marker)."""
    stored = turn.shopping.replayed(turn.caller.customer_id, turn.request_id)
    return said_again(turn, stored) if stored else None


def said_again(turn: Turn, outcome: dict[str, Any]) -> Response | None:
    key = outcome.get("key")
    if not isinstance(key, str) or key not in _SAYS or any(name not in outcome for name in _SAYS[key]):
        return None
    unit = outcome.get("unit")
    if key == QUANTITY_CHANGED and isinstance(unit, str) and unit:
        amount = turn.line(int(outcome["quantity"]), str(outcome["product"]), unit)
        return turn.ask_text(turn.say("cart.quantity_changed_amount", amount=amount))
    return turn.ask(key, **{name: outcome[name] for name in _SAYS[key]})
