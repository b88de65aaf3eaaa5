"""Everything a voice turn needs to know about a customer, read in ONE ``BatchGetItem``: the cart, the profile
summary (kept by ``backend.profile``), the imported orders' purchase statistics (``purchases``), the voice-code
state, (when asked) whether some of the customer's ids are linked yet, and (when asked: history and checkout turns)
the order summary; all of it parsed into domain objects.
Strongly consistent, so a turn sees the write of the turn before it, whichever device made it.

Why not a Query: these items sit at known keys, and a sort-key range holding CART and PROFILE would also hold every
event and order of the customer (EVENT#, ORDER# sort between them), growing with history. A batch of gets reads
exactly these few small items (the order statistics up to ~10 KB; ~5 read units at most), at any history length,
in one round trip. The order summary (``backend.shopping.order_summary``, up to ~10 KB and more) is one more key only
on the turns that read it anyway: a history question, or the checkout that folds the new order into it; the other
turns do not read it at all.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from types import MappingProxyType
from typing import Any

from backend.errors import StoreUnavailable, ValidationError
from backend.identity.remembered import token_lookup_key
from backend.identity.store import IdentityKind, stored_value
from backend.profile.summary import ProfileSummary, summary_from_item
from backend.resolver.purchases import PurchaseStats
from backend.shopping.items import cart_from_item, cart_key, voice_code_from_item, voice_code_key
from backend.shopping.model import Cart, VoiceCodeState
from backend.shopping.order_summary import ORDER_SUMMARY, StoredSummary, summary_key
from backend.shopping.order_summary import summary_from_item as order_summary_from_item
from backend.shopping.purchases import ORDER_STATS, order_stats_from_item, order_stats_key
from backend.store import keys
from backend.store.codec import from_attribute_values, to_attribute_values
from backend.store.dynamo import Table, translate_errors

_UNPROCESSED_RETRIES = 3
# Imported purchase statistics read, by the item's text and the day: every turn of a customer reads the same item
# (it changes only when orders are imported), and its parse was a fiftieth of a turn's CPU. One entry per customer
# talking at once; a few MB at most.
IMPORTED_STATS_KEPT = 64


Alias = tuple[IdentityKind, str]


@dataclass(frozen=True)
class CustomerState:
    customer_id: str
    cart: Cart
    profile: ProfileSummary | None  # None: nothing recorded for this customer yet
    voice_code: VoiceCodeState
    imported_purchases: Mapping[str, PurchaseStats] = field(default_factory=dict)  # per product (see purchases)
    linked: frozenset[Alias] = frozenset()  # the asked-for ids that are linked to this customer
    # Whose the asked-for access token is now, by its lookup item (None: not asked, or linked to no one); see
    # ``backend.identity.remembered``.
    token_owner: str | None = None
    # The order summary as the same read found it (None: not asked for); see ``load_state``'s ``summary``.
    order_summary: StoredSummary | None = field(default=None, repr=False, compare=False)

    def is_linked(self, kind: IdentityKind, value: str) -> bool:
        return (kind, value) in self.linked


def _imported_purchases(item: Mapping[str, Any] | None, today: date) -> Mapping[str, PurchaseStats]:
    """``order_stats_from_item``, read once per (item text, day) and shared read-only."""
    if not item:
        return MappingProxyType({})
    return _stats_of(str(item.get("products") or ""), today)


@functools.lru_cache(maxsize=IMPORTED_STATS_KEPT)
def _stats_of(products: str, today: date) -> Mapping[str, PurchaseStats]:
    # the parse reads nothing of the item but its products (a pure function of them and the day)
    return MappingProxyType(order_stats_from_item({"products": products}, today))


def _alias_sk(kind: IdentityKind, value: str) -> str | None:
    try:
        return keys.identity_sk(kind, stored_value(kind, value))
    except ValidationError:
        return None  # not a storable id: never linked


def load_state(
    table: Table,
    customer_id: str,
    *,
    today: date,
    aliases: Sequence[Alias] = (),
    token: str | None = None,
    summary: bool = False,
) -> CustomerState:
    """One BatchGetItem. ``aliases``: ids to look for in the same read (an Alexa user id, say), so the caller
    learns whether they are linked at no extra cost; ``token``: an access token whose owner to read in it too
    (``token_owner``); ``summary``: read the whole order summary too (``order_summary``). Purchase ages are
    counted in days up to ``today``."""
    wanted_aliases = {alias: sk for alias in dict.fromkeys(aliases) if (sk := _alias_sk(*alias)) is not None}
    identity_sks = list(wanted_aliases.values())
    pk = keys.customer_pk(customer_id)
    wanted = [
        cart_key(customer_id),
        {"pk": pk, "sk": keys.PROFILE},
        voice_code_key(customer_id),
        order_stats_key(customer_id),
        *({"pk": pk, "sk": sk} for sk in dict.fromkeys(identity_sks)),
    ]
    if summary:
        wanted.append(summary_key(customer_id))
    token_key = token_lookup_key(token) if token else None
    if token_key is not None:
        wanted.append(token_key)
    request: dict[str, Any] = {
        table.name: {"Keys": [to_attribute_values(key) for key in wanted], "ConsistentRead": True}
    }
    found: dict[str, dict[str, Any]] = {}
    token_owner: str | None = None
    for _ in range(_UNPROCESSED_RETRIES + 1):
        with translate_errors("batch_get_item"):
            response = table.client.batch_get_item(RequestItems=request)
        for raw in response.get("Responses", {}).get(table.name, []):
            item = from_attribute_values(raw)
            if token_key is not None and item["pk"] == token_key["pk"]:
                token_owner = str(item["customer_id"])
            else:
                found[str(item["sk"])] = item
        request = dict(response.get("UnprocessedKeys") or {})
        if not request:
            break
    else:
        raise StoreUnavailable("batch_get_item: keys left unprocessed")
    profile = found.get(keys.PROFILE)
    stored_summary: StoredSummary | None = None
    if summary:
        summary_item = found.get(ORDER_SUMMARY)
        stored_summary = (
            StoredSummary(order_summary_from_item(summary_item), int(summary_item.get("rev", 0)))
            if summary_item is not None
            else StoredSummary(None, None)
        )
    return CustomerState(
        customer_id=customer_id,
        cart=cart_from_item(customer_id, found.get(keys.CART)),
        profile=summary_from_item(profile, customer_id) if profile is not None else None,
        voice_code=voice_code_from_item(found.get(keys.VOICE_CODE)),
        imported_purchases=_imported_purchases(found.get(ORDER_STATS), today),
        linked=frozenset(alias for alias, sk in wanted_aliases.items() if sk in found),
        token_owner=token_owner,
        order_summary=stored_summary,
    )
