"""Shopping: the cart (shared by every channel), orders, checkout totals, the usual basket, voice codes.

Modules, one job each:

- ``model``: the domain objects (Cart, Order, Quote, ...), plain and immutable.
- ``items``: the only place that converts them to and from DynamoDB items.
- ``state``: everything a voice turn needs about a customer, read in ONE BatchGetItem.
- ``purchases``: purchases on every channel, each counted once (imported orders' statistics + the profile), for
  the resolver's personal bias and "my usual".
- ``carts``: versioned conditional cart writes, retried on a lost race.
- ``orders``: order reads (recent, all, one) and what history questions need.
- ``order_summary``: one item per customer that answers the history questions (kept with every order change).
- ``cancellation``: cancelling the latest order while it can still be cancelled (the cut-off rule, one write).
- ``measures``: what a unit said ("two pounds", "a dozen", "a six pack") means for the product found.
- ``checkout``: quotes (Decimal tax and delivery) and order placement as ONE transaction.
- ``usual``: the "usual" basket, derived from real order history.
- ``voicecode``: the optional 4-digit purchase code and the lockout after wrong codes.
- ``voicecodes``: its lifecycle (set, change, remove, unlock) for the API and support staff, audited.
- ``requests``: request markers (REQ#<request id>): an Alexa retry never applies twice.
- ``service``: ``Shopping``, the facade the skill and the API call.
"""

from backend.shopping.cancellation import CancelCheck, CancelState, cancel_deadline
from backend.shopping.measures import (
    LineAmount,
    Unfit,
    canonical_unit,
    from_halves,
    in_halves,
    line_amount,
    mixed_measure,
    pack_of,
)
from backend.shopping.model import MAX_QUANTITY, MIN_QUANTITY, Cart, CartLine, Order, OrderLine, Quote
from backend.shopping.order_summary import ProductHistory
from backend.shopping.quantities import parse_quantity, whole_number
from backend.shopping.service import (
    CartResult,
    PlacedOrder,
    Shopping,
    bought_before,
    delivery_date,
    order_status,
    own_versions,
)
from backend.shopping.state import CustomerState
from backend.shopping.usual import UsualItem
from backend.shopping.voicecode import normalise_code
from backend.shopping.voicecodes import Actor, VoiceCodes, VoiceCodeStatus

# What the skill and the API may use: the service, its domain objects and the rules that read them.
__all__ = [
    "MAX_QUANTITY",
    "MIN_QUANTITY",
    "Actor",
    "CancelCheck",
    "CancelState",
    "Cart",
    "CartLine",
    "CartResult",
    "CustomerState",
    "LineAmount",
    "Order",
    "OrderLine",
    "PlacedOrder",
    "ProductHistory",
    "Quote",
    "Shopping",
    "Unfit",
    "UsualItem",
    "VoiceCodeStatus",
    "VoiceCodes",
    "bought_before",
    "cancel_deadline",
    "canonical_unit",
    "delivery_date",
    "from_halves",
    "in_halves",
    "line_amount",
    "mixed_measure",
    "normalise_code",
    "order_status",
    "own_versions",
    "pack_of",
    "parse_quantity",
    "whole_number",
]
