"""What every shopping handler needs in a turn: the caller, speech, slots, the dialog in progress, the customer's
state (one read), the resolver biased toward this customer, and the profile event staged with the turn's write.

Session attributes hold only the dialog in progress under ``pending`` (what a yes/no/choice/code answers:
product ids, quantities, a cart version), never the cart or history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode

from backend.catalog import Product
from backend.errors import ValidationError
from backend.history import PurchaseStats
from backend.profile.events import MAX_LINES, Channel, Event, EventLine, Outcome
from backend.profile.events import MAX_QUANTITY as MAX_EVENT_QUANTITY
from backend.profile.store import ProfileStore
from backend.resolver import Candidate, Decision, ReasonCode, Resolution
from backend.services import Backend
from backend.shopping import Shopping
from backend.shopping.model import MAX_QUANTITY, MIN_QUANTITY
from backend.shopping.purchases import every_channel
from backend.shopping.state import CustomerState
from backend.store.transaction import Transaction
from skill.identity import Caller, alias_sk, remember_alias
from skill.speech import Speech

MAX_READ_ITEMS = 5  # read at most this many products aloud, then "and N more"


class BadQuantity(ValidationError):
    def __init__(self, heard: str) -> None:
        super().__init__(f"not a quantity: {heard!r}", field="quantity")
        self.heard = heard


@dataclass
class Turn:
    handler_input: HandlerInput
    backend: Backend
    caller: Caller
    speech: Speech
    profiles: ProfileStore
    _state: CustomerState | None = field(default=None, repr=False)

    # -- request -----------------------------------------------------------------------------------------------
    @property
    def request(self) -> Any:
        return self.handler_input.request_envelope.request

    @property
    def request_id(self) -> str:
        return str(self.request.request_id)

    @property
    def locale(self) -> str | None:
        return getattr(self.request, "locale", None)

    @property
    def intent_name(self) -> str | None:
        intent = getattr(self.request, "intent", None)
        return getattr(intent, "name", None)

    @property
    def shopping(self) -> Shopping:
        return self.backend.shopping

    def now(self) -> datetime:
        return self.shopping.now()

    def slot_value(self, name: str) -> str | None:
        slot = get_slot(self.handler_input, name) if getattr(self.request, "intent", None) else None
        value = getattr(slot, "value", None)
        return str(value).strip() or None if value else None

    def slot_ids(self, name: str) -> list[str]:
        """Catalog ids Alexa's entity resolution matched for a slot (ER_SUCCESS_MATCH), best first."""
        slot = get_slot(self.handler_input, name) if getattr(self.request, "intent", None) else None
        resolutions = getattr(getattr(slot, "resolutions", None), "resolutions_per_authority", None) or []
        ids: list[str] = []
        for authority in resolutions:
            if getattr(authority.status, "code", None) != StatusCode.ER_SUCCESS_MATCH:
                continue
            for value in authority.values or []:
                if value.value and value.value.id:
                    ids.append(str(value.value.id))
        return list(dict.fromkeys(ids))

    def quantity(self, default: int = 1) -> int:
        """The quantity slot: missing -> ``default``; not a number or out of range -> ``BadQuantity``."""
        heard = self.slot_value("quantity")
        if heard is None:
            return default
        if not heard.isdigit() or not MIN_QUANTITY <= int(heard) <= MAX_QUANTITY:
            raise BadQuantity(heard)
        return int(heard)

    # -- dialog in progress ------------------------------------------------------------------------------------
    @property
    def session(self) -> dict[str, Any]:
        manager = self.handler_input.attributes_manager
        attributes: dict[str, Any] | None = manager.session_attributes
        if attributes is None:
            attributes = {}
            manager.session_attributes = attributes
        return attributes

    @property
    def pending(self) -> dict[str, Any]:
        value = self.session.get("pending")
        return value if isinstance(value, dict) else {}

    def set_pending(self, kind: str, **data: Any) -> None:
        self.session["pending"] = {"kind": kind, **data}

    def clear_pending(self) -> None:
        self.session.pop("pending", None)

    # -- customer ----------------------------------------------------------------------------------------------
    @property
    def session_is_new(self) -> bool:
        session = self.handler_input.request_envelope.session
        return bool(getattr(session, "new", False))

    @property
    def state(self) -> CustomerState:
        if self._state is None:
            self._state = self.shopping.state(self.caller.customer_id, identity_sks=self._alias_to_check())
        return self._state

    def _alias_to_check(self) -> list[str]:
        # Only a new session asks whether the Alexa user id is linked yet (one more key in the same batch read).
        sk = alias_sk(self.caller) if self.session_is_new else None
        return [sk] if sk else []

    def remember_alias(self) -> None:
        """On a new session, link the Alexa user id to the customer if the turn's read found it unlinked (once per
        skill enablement; see ``skill.identity``)."""
        sk = alias_sk(self.caller) if self.session_is_new else None
        if sk is not None and sk not in self.state.identities:
            remember_alias(self.backend.identities, self.caller)

    def purchase_history(self) -> dict[str, PurchaseStats]:
        """Purchases on every channel (imported orders + the profile's voice orders, store and web purchases), from
        the items read with the turn's state: no extra read."""
        state = self.state
        return every_channel(state.order_stats, state.profile, self.caller.customer_id, self.now())

    def resolve(self, words: str, *, alexa_ids: list[str] | None = None) -> Resolution:
        """Resolve the heard words for this customer. Alexa's entity resolution knows the catalog, not the customer:
        when none of the products it matched was ever bought here, but the words alone clearly name a product this
        customer buys ("organic whole milk" for their "Vitamin D Organic Whole Milk"), theirs is meant."""
        history = self.purchase_history()
        resolver = self.backend.resolver
        resolution = resolver.resolve(words, history=history, alexa_ids=alexa_ids or ())
        if alexa_ids and words and history and not any(bought_before(c) for c in resolution.candidates):
            own = resolver.resolve(words, history=history)
            if own.decision == Decision.ACCEPT and own.best is not None and bought_before(own.best):
                return own
        return resolution

    def product(self, product_id: str) -> Product:
        return self.backend.catalog.get(product_id)

    # -- profile event -----------------------------------------------------------------------------------------
    def event(
        self,
        outcome: Outcome,
        *,
        product: Product | None = None,
        quantity: int | None = None,
        heard: str | None = None,
        confidence: float | None = None,
        order_id: str | None = None,
        lines: Sequence[tuple[Product, int]] = (),
        part: str = "",
    ) -> Event:
        """The turn's profile event: about one ``product``, or a basket of ``lines`` (an order, a reorder)."""
        digest = hashlib.sha256(f"{self.request_id}|{part}".encode()).hexdigest()[:32]
        return Event(
            event_id=f"voice-{digest}",
            customer_id=self.caller.customer_id,
            channel=Channel.VOICE,
            type="voice_turn",
            occurred_at=self.now(),
            outcome=outcome,
            device=(self.caller.device_id or "")[:128] or None,
            intent=self.intent_name,
            heard=(heard or "")[:200] or None,
            product_id=product.id if product else None,
            product_name=product.name[:200] if product else None,
            confidence=Decimal(str(round(confidence, 3))) if confidence is not None else None,
            locale=self.locale,
            quantity=quantity,
            aisle=_label(product.aisle) if product else None,
            department=_label(product.department) if product else None,
            order_id=order_id,
            lines=event_lines(lines),
        )

    def staging(self, *events: Event) -> Callable[..., None]:
        """A ``stage_also`` hook that stages these profile events on the turn's one transaction."""

        def stage(tx: Transaction, *_: Any) -> None:
            for event in events:
                self.profiles.stage_event(tx, event)

        return stage

    def record(self, event: Event) -> None:
        """An event for a turn that writes nothing else (a miss, a decline): its own small transaction."""
        self.profiles.record_event(event)

    # -- speech ------------------------------------------------------------------------------------------------
    def say(self, key: str, **values: Any) -> str:
        return self.speech.say(key, cart=self.speech.say("word.cart"), **values)

    def plain(self, key: str, **values: Any) -> str:
        return self.speech.plain(key, cart=self.speech.plain("word.cart"), **values)

    def counted(self, noun: str, count: int) -> str:
        """ "1 item", "3 items": the number with its noun, singular or plural (``noun.<noun>.one|other``)."""
        return self.speech.say(f"noun.{noun}.{'one' if count == 1 else 'other'}", count=count)

    def product_list(self, names: list[str]) -> str:
        if len(names) <= MAX_READ_ITEMS:
            return self.speech.join(names)
        more = self.speech.say("list.more", count=len(names) - MAX_READ_ITEMS)
        return self.speech.join([*names[:MAX_READ_ITEMS], more])

    def ask(self, key: str, reprompt: str = "reprompt.anything_else", **values: Any) -> Response:
        speech, again = self.say(key, **values), self.say(reprompt, **values)  # a reprompt may name the same things
        return self.handler_input.response_builder.speak(speech).ask(again).response


def bought_before(candidate: Candidate) -> bool:
    return any(reason.code == ReasonCode.BOUGHT_BEFORE for reason in candidate.reasons)


def event_lines(lines: Sequence[tuple[Product, int]]) -> tuple[EventLine, ...]:
    """A basket as event lines: one per distinct product (quantities of repeats add up). A cart, so an order, holds
    at most ``MAX_CART_LINES`` (60) products, which is exactly what one event (``MAX_LINES``) can name; should a
    basket ever hold more, the first 60 go on the event (the profile update has room for no more in one write) and
    the rest stay on the order and in the cart."""
    quantities: dict[str, int] = {}
    products: dict[str, Product] = {}
    for product, quantity in lines:
        products.setdefault(product.id, product)
        quantities[product.id] = quantities.get(product.id, 0) + quantity
    return tuple(
        EventLine(
            product_id=product.id,
            quantity=max(1, min(quantities[product.id], MAX_EVENT_QUANTITY)),
            product_name=product.name[:200] or None,
            aisle=_label(product.aisle),
            department=_label(product.department),
        )
        for product in list(products.values())[:MAX_LINES]
    )


def _label(text: str) -> str | None:
    label = " ".join(text.lower().split())[:64]
    return label or None


def money_words(amount: Decimal) -> str:
    return f"${amount:.2f}"
