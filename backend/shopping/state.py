"""Everything a voice turn needs to know about a customer, read in ONE ``BatchGetItem``: the cart, the profile
summary (kept by ``backend.profile``; returned raw here), the imported orders' purchase statistics (``purchases``),
the voice-code state, and (when asked) whether some of the customer's ids are linked yet. Strongly consistent, so a
turn sees the write of the turn before it, whichever device made it.

Why not a Query: these items sit at known keys, and a sort-key range holding CART and PROFILE would also hold every
event and order of the customer (EVENT#, ORDER# sort between them), growing with history. A batch of gets reads
exactly these few small items (the order statistics up to ~10 KB; ~5 read units at most), at any history length,
in one round trip.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from backend.errors import StoreUnavailable
from backend.shopping.items import cart_from_item, cart_key, voice_code_from_item, voice_code_key
from backend.shopping.model import Cart, VoiceCodeState
from backend.shopping.purchases import ORDER_STATS, order_stats_key
from backend.store import keys
from backend.store.codec import from_attribute_values, to_attribute_values
from backend.store.dynamo import Table, translate_errors

_UNPROCESSED_RETRIES = 3


@dataclass(frozen=True)
class CustomerState:
    customer_id: str
    cart: Cart
    profile: dict[str, Any] | None  # the PROFILE item as stored, for backend.profile to interpret
    voice_code: VoiceCodeState
    order_stats: Mapping[str, Any] | None = None  # the ORDERSTATS item as stored (see purchases)
    identities: frozenset[str] = frozenset()  # the asked-for identity sort keys (IDENT#<kind>#<value>) that exist


def load_state(table: Table, customer_id: str, *, identity_sks: Sequence[str] = ()) -> CustomerState:
    """One BatchGetItem. ``identity_sks``: reverse identity items to look for in the same read (an Alexa user id
    alias, say), so the caller learns whether they are linked at no extra cost."""
    pk = keys.customer_pk(customer_id)
    wanted = [
        cart_key(customer_id),
        {"pk": pk, "sk": keys.PROFILE},
        voice_code_key(customer_id),
        order_stats_key(customer_id),
        *({"pk": pk, "sk": sk} for sk in dict.fromkeys(identity_sks)),
    ]
    request: dict[str, Any] = {
        table.name: {"Keys": [to_attribute_values(key) for key in wanted], "ConsistentRead": True}
    }
    found: dict[str, dict[str, Any]] = {}
    for _ in range(_UNPROCESSED_RETRIES + 1):
        with translate_errors("batch_get_item"):
            response = table.client.batch_get_item(RequestItems=request)
        for raw in response.get("Responses", {}).get(table.name, []):
            item = from_attribute_values(raw)
            found[str(item["sk"])] = item
        request = dict(response.get("UnprocessedKeys") or {})
        if not request:
            break
    else:
        raise StoreUnavailable("batch_get_item: keys left unprocessed")
    return CustomerState(
        customer_id=customer_id,
        cart=cart_from_item(customer_id, found.get(keys.CART)),
        profile=found.get(keys.PROFILE),
        voice_code=voice_code_from_item(found.get(keys.VOICE_CODE)),
        order_stats=found.get(ORDER_STATS),
        identities=frozenset(sk for sk in identity_sks if sk in found),
    )
