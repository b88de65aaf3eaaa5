"""What every shopping handler needs in a turn: the caller, speech, slots, the dialog in progress, the customer's
state (one read), products resolved for this customer, and where the turn's profile events come from.

Session attributes hold only the dialog in progress under ``pending`` (``skill.handlers.pending``), never the cart
or history.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_core.utils import get_slot
from ask_sdk_model import Response
from ask_sdk_model.slu.entityresolution import StatusCode

from backend.catalog import Product
from backend.errors import ValidationError
from backend.identity import IdentityKind
from backend.profile import Channel, Event, EventOrigin, Outcome, Purpose, new_event
from backend.resolver import Resolution
from backend.services import Backend
from backend.shopping import CustomerState, Shopping, parse_quantity
from skill.handlers.lifecycle import SESSION_KEY, mark_answered, take_question
from skill.handlers.pending import Pending, Question
from skill.identity import Caller, remember_alias
from skill.speech import Speech
from skill.speech.counted import counted_names_of, single_names_of
from skill.speech.names import said_name

TURN_ATTRIBUTE = "voicecart.turn"  # request attribute: this request's Turn
EVENT_ATTRIBUTE = "voicecart.event"  # request attribute: the handler built (and writes) the turn's event
MAX_READ_ITEMS = 5  # read at most this many products aloud, then "and N more"
_LAST_PRODUCT = "last_product"  # session: a product id
_ADDED = "added"  # session: product ids added this session, oldest first
_ADDED_KEPT = 10
_LAST_REMOVED = "last_removed"  # session: what the last removal took out, [[product, quantity, unit], ...]
# session: what the removals made one after another (no other change of the cart between them) took out, and the
# cart version after the latest {lines: [[product, quantity, unit], ...], version}: "put them back" puts back all
_REMOVED_RUN = "removed_run"
# session: the last change of this session that "scratch that" can take back, with the cart version after it:
# an add {product, quantity, version}, a quantity set {kind: "quantity", product, previous, version} or a removal
# {kind: "removed", version} (what it took out is under ``last_removed``)
LAST_CHANGE = "last_add"
DYNAMIC_AUTHORITY = "amzn1.er-authority.echo-sdk.dynamic."  # + "<skill id>.<slot type>"


def asks_something(speech: str) -> bool:
    return "?" in speech.replace("</speak>", "").rstrip()[-80:]


def with_question(speech: str, reprompt: str, turn: Turn) -> str:
    if asks_something(speech):
        return speech
    question = reprompt if asks_something(reprompt) else turn.say("reprompt.anything_else")
    return f"{speech} {question}"


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
    _state: CustomerState | None = field(default=None, repr=False)
    # Ids a slot matched under a dynamic-entity authority (the customer's likely products): resolved first.
    _dynamic_ids: set[str] = field(default_factory=set, repr=False)
    _stale: CustomerState | None = field(default=None, repr=False)
    # This turn reads the order summary (a history question, the checkout's yes): the state read brings it along
    # (one more key of the same batch) instead of a read of its own. Set by the handler before the first read.
    wants_summary: bool = field(default=False, repr=False)

    def __post_init__(self) -> None:
        # The turn recorder (``skill.handlers.turn_events``) finds the turn here after the handler ran.
        self.handler_input.attributes_manager.request_attributes[TURN_ATTRIBUTE] = self
        self.speech.counted = counted_names_of(self.backend.catalog)  # "3 Bananas": the catalog tells what is counted
        self.speech.single = single_names_of(self.backend.catalog)  # "1 pack of Limes", never "1 Limes"

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
            dynamic = str(getattr(authority, "authority", "")).startswith(DYNAMIC_AUTHORITY)
            for value in authority.values or []:
                if value.value and value.value.id:
                    ids.append(str(value.value.id))
                    if dynamic:
                        self._dynamic_ids.add(str(value.value.id))
        return list(dict.fromkeys(ids))

    def quantity(self, default: int = 1) -> int:
        """The quantity slot: missing -> ``default``; not a number or out of range -> ``BadQuantity``."""
        heard = self.slot_value("quantity")
        if heard is None:
            return default
        value = parse_quantity(heard)
        if value is None:
            raise BadQuantity(heard)
        return value

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
    def pending(self) -> Pending | None:
        """The question the skill asked in the turn before this one, if any: it lives this turn only."""
        return take_question(self.handler_input)

    def answered(self) -> Pending | None:
        """This turn answers the question of the turn before (it is not dropped unannounced); returns it."""
        mark_answered(self.handler_input)
        return self.pending

    def set_pending(self, kind: Question, **data: Any) -> None:
        """Ask ``kind`` now: the next turn may answer it, no later one."""
        take_question(self.handler_input)  # the question of the turn before stays out of the session
        self.session[SESSION_KEY] = Pending(kind, data).to_session()

    def clear_pending(self) -> None:
        """This response asks nothing that a yes or a "which one" could answer."""
        self.session.pop(SESSION_KEY, None)

    # -- what the conversation talked about (follow-ups: "make it three", "remove it") ----------------------------
    @property
    def last_product(self) -> str | None:
        """The product the conversation named last (added, changed, asked about)."""
        value = self.session.get(_LAST_PRODUCT)
        return str(value) if value and str(value) in self.backend.catalog else None

    def mention(self, product_id: str) -> None:
        self.session[_LAST_PRODUCT] = product_id

    def mention_several(self) -> None:
        """The conversation now talks about several products at once (a "which one?"): "them" or "it" names no
        product the conversation named before ("remove two of them" is not about the coffee added earlier)."""
        self.session.pop(_LAST_PRODUCT, None)

    def added(self, product_ids: Sequence[str]) -> None:
        """Products this turn put in the cart, in order: "remove the last thing I added" takes the newest."""
        history = [str(pid) for pid in self.session.get(_ADDED, []) if str(pid) not in product_ids]
        self.session[_ADDED] = [*history, *product_ids][-_ADDED_KEPT:]
        if product_ids:
            self.mention(product_ids[-1])

    def record_add(self, product_id: str, quantity: int, version: int) -> None:
        """This turn's add put ``quantity`` of a product in the cart, saved as cart ``version``: "scratch that"
        takes back that many, while no other change came after it."""
        self.session[LAST_CHANGE] = {"product": product_id, "quantity": quantity, "version": version}

    @property
    def last_add(self) -> tuple[str, int, int] | None:
        """The last add of this session (product id, quantity it put in, cart version after it), if it is the last
        change "scratch that" can take back."""
        value = self.session.get(LAST_CHANGE)
        if not isinstance(value, dict) or value.get("kind") or str(value.get("product")) not in self.backend.catalog:
            return None
        return str(value["product"]), int(value.get("quantity", 0)), int(value.get("version", -1))

    def record_quantity_set(
        self, product_id: str, previous: int, version: int, *, previous_unit: str | None = None
    ) -> None:
        """This turn set a line's quantity (it held ``previous``), saved as cart ``version``: "scratch that" sets it
        back, while no other change came after it. ``previous_unit``: the line's unit before, when the change
        changed it too ("make that two" after a pound and a half is 2 pounds: set back to one and a half)."""
        self.session[LAST_CHANGE] = {
            "kind": "quantity",
            "product": product_id,
            "previous": previous,
            "version": version,
            **({"unit": previous_unit} if previous_unit else {}),
        }

    @property
    def last_quantity_set(self) -> tuple[str, int, int, str | None] | None:
        """The last quantity set of this session (product id, quantity before it, cart version after it, the unit
        before it when the change changed the unit), if it is the last change "scratch that" can take back."""
        value = self.session.get(LAST_CHANGE)
        if not isinstance(value, dict) or value.get("kind") != "quantity":
            return None
        if str(value.get("product")) not in self.backend.catalog:
            return None
        unit = value.get("unit")
        return (
            str(value["product"]),
            int(value.get("previous", 0)),
            int(value.get("version", -1)),
            str(unit) if unit else None,
        )

    @property
    def last_removal_version(self) -> int | None:
        """The cart version after the last removal, if a removal is the last change "scratch that" can take back."""
        value = self.session.get(LAST_CHANGE)
        if not isinstance(value, dict) or value.get("kind") != "removed":
            return None
        return int(value.get("version", -1))

    def record_removed(
        self,
        lines: Sequence[tuple[str, int, str | None]],
        *,
        before: int | None = None,
        after: int | None = None,
    ) -> None:
        """This turn's removal took these amounts out of the cart (cart version ``before`` it and ``after`` it):
        "put it back in" puts back these; "put them back" also what the removals just before it took out."""
        taken = [[pid, quantity, unit] for pid, quantity, unit in lines]
        self.session[_LAST_REMOVED] = taken
        if after is None:
            self.session.pop(_REMOVED_RUN, None)
            return
        run = self.session.get(_REMOVED_RUN)
        held = run.get("lines", []) if isinstance(run, dict) and run.get("version") == before else []
        self.session[_REMOVED_RUN] = {"lines": [*held, *taken], "version": after}
        self.session[LAST_CHANGE] = {"kind": "removed", "version": after}

    def peek_removed(self, *, run: bool = False) -> list[tuple[str, int, str | None]]:
        """What the last removal of this session took out, or with ``run`` what the removals made one after another
        up to it took out. Kept until it went back in the cart (``put_back_done``): what could not go back (another
        unit of it is in the cart now, a store fault) can be put back later."""
        removals = self.session.get(_REMOVED_RUN)
        if run and isinstance(removals, dict) and removals.get("lines"):
            return self._lines_taken(removals["lines"])
        return self._lines_taken(self.session.get(_LAST_REMOVED) or [])

    def put_back_done(
        self, removed: Sequence[tuple[str, int, str | None]], written: Sequence[tuple[str, int, str | None]]
    ) -> None:
        """Of what ``peek_removed`` gave (``removed``), ``written`` went back in the cart: it is put back once. The
        rest stays what "put it back" and "put them back" put back next (a run of its own: a later removal starts
        another)."""
        rest = [[pid, quantity, unit] for pid, quantity, unit in removed if (pid, quantity, unit) not in written]
        if not rest:
            self.session.pop(_LAST_REMOVED, None)
            self.session.pop(_REMOVED_RUN, None)
            return
        self.session[_LAST_REMOVED] = rest
        self.session[_REMOVED_RUN] = {"lines": rest, "version": None}

    def _lines_taken(self, value: Sequence[Sequence[Any]]) -> list[tuple[str, int, str | None]]:
        """Removed lines as kept in the session, those of one product summed (two removals of the same line). A cart
        holds one line per product and a run ends at any other change of the cart, so a run holds one unit per
        product; the unit is part of the key only so that amounts in two units are never added up as one."""
        taken: dict[tuple[str, str | None], int] = {}
        for pid, quantity, unit in value:
            if str(pid) not in self.backend.catalog or int(quantity) <= 0:
                continue
            key = (str(pid), str(unit) if unit else None)
            taken[key] = taken.get(key, 0) + int(quantity)
        return [(pid, quantity, unit) for (pid, unit), quantity in taken.items()]

    def forget_add(self) -> None:
        self.session.pop(LAST_CHANGE, None)

    @property
    def last_added(self) -> str | None:
        cart = {line.product_id for line in self.state.cart.lines}
        for product_id in reversed([str(pid) for pid in self.session.get(_ADDED, [])]):
            if product_id in cart:
                return product_id
        return None

    # -- customer ----------------------------------------------------------------------------------------------
    @property
    def session_is_new(self) -> bool:
        session = self.handler_input.request_envelope.session
        return bool(getattr(session, "new", False))

    @property
    def state(self) -> CustomerState:
        if self._state is None:
            self._state = self.shopping.state(
                self.caller.customer_id, aliases=self._alias_to_check(), summary=self.wants_summary
            )
        return self._state

    def confirm_token(self, token: str) -> bool:
        """Read the state with the owner of ``token`` in the same read: True if it is this turn's customer (the
        state is kept for the turn), False if the token is no longer theirs (nothing read is kept)."""
        state = self.shopping.state(
            self.caller.customer_id, aliases=self._alias_to_check(), token=token, summary=self.wants_summary
        )
        if state.token_owner != self.caller.customer_id:
            return False
        self._state = state
        return True

    def discard(self) -> None:
        """This turn will not go on (its caller turned out to be someone else): the recorder must not find it."""
        attributes = self.handler_input.attributes_manager.request_attributes
        if attributes.get(TURN_ATTRIBUTE) is self:
            del attributes[TURN_ATTRIBUTE]

    @property
    def read_so_far(self) -> CustomerState | None:
        """The state this turn read, if it read one and wrote nothing since; never a read of its own (for what may
        have come along with it, as the order summary: ``Shopping.recent_orders(state=...)``)."""
        return self._state

    @property
    def last_read(self) -> CustomerState | None:
        """The state this turn last read, even if a write since made it stale; ``None`` if it read none. Never a
        read of its own: for what a write of this turn does not change (the purchases before it)."""
        return self._state or self._stale

    def forget_state(self) -> None:
        """The turn changed the customer's state (or learned it changed): the next use reads it afresh."""
        self._stale = self._state or self._stale
        self._state = None

    def _alias_to_check(self) -> list[tuple[IdentityKind, str]]:
        # Only a new session asks whether the Alexa user id is linked yet (one more key in the same batch read).
        user_id = self.caller.user_id if self.session_is_new else None
        return [(IdentityKind.ALEXA_USER, user_id)] if user_id else []

    def remember_alias(self) -> None:
        """On a new session, link the Alexa user id to the customer if the turn's read found it unlinked (once per
        skill enablement; see ``skill.identity``)."""
        for kind, value in self._alias_to_check():
            if not self.state.is_linked(kind, value):
                remember_alias(self.backend.identities, self.caller)

    def resolve(self, words: str, *, alexa_ids: Sequence[str] = ()) -> Resolution:
        """The products the heard words may mean to this customer (see ``Shopping.resolve_for``); of the slot's ids,
        those matched among the customer's dynamic entities go first, as their own authority."""
        dynamic = [product_id for product_id in alexa_ids if product_id in self._dynamic_ids]
        static = [product_id for product_id in alexa_ids if product_id not in self._dynamic_ids]
        return self.shopping.resolve_for(self.state, words, alexa_ids=static, dynamic_ids=dynamic)

    def product(self, product_id: str) -> Product:
        return self.backend.catalog.get(product_id)

    # -- profile event -----------------------------------------------------------------------------------------
    def origin(self, part: str = "") -> EventOrigin:
        """Where this turn's events come from; ``part`` tells apart several events of one request. The id is
        derived from the request id, so Alexa's retry of the request names the same event (written once)."""
        digest = hashlib.sha256(f"{self.request_id}|{part}".encode()).hexdigest()[:32]
        return EventOrigin(
            event_id=f"voice-{digest}",
            customer_id=self.caller.customer_id,
            channel=Channel.VOICE,
            type="voice_turn",
            occurred_at=self.now(),
            device=self.caller.device_id,
            intent=self.intent_name,
            locale=self.locale,
        )

    def event(
        self,
        outcome: Outcome,
        *,
        product: Product | None = None,
        quantity: int | None = None,
        heard: str | None = None,
        confidence: float | None = None,
        lines: Sequence[tuple[Product, int]] = (),
        part: str = "",
    ) -> Event:
        """The turn's profile event: about one ``product``, or a basket of ``lines`` (a reorder). ``part`` tells
        apart several events of one request (several products added in one utterance). The handler that builds it
        writes it (in its own transaction, or with ``record``): the turn recorder then writes no other."""
        self.handler_input.attributes_manager.request_attributes[EVENT_ATTRIBUTE] = True
        return new_event(
            self.origin(part),
            outcome,
            product=product,
            quantity=quantity,
            heard=self.keep_heard(heard),
            confidence=confidence,
            lines=lines,
        )

    def wrote_event(self) -> None:
        """The handler wrote the turn's event with ``origin()`` inside its own transaction (an order placed or
        cancelled): the turn recorder writes no other (it would be refused as a repeat, at the cost of a whole
        transaction)."""
        self.handler_input.attributes_manager.request_attributes[EVENT_ATTRIBUTE] = True

    def keep_heard(self, heard: str | None) -> str | None:
        """The heard words, if the customer lets us keep them (consent ``heard_words``; the state read tells)."""
        if heard is None or self.state.profile is None:
            return heard
        return heard if self.state.profile.consents.allows(Purpose.HEARD_WORDS) else None

    def record(self, event: Event) -> None:
        """An event for a turn that writes nothing else (a miss, a decline): its own small transaction."""
        self.backend.profiles.record_event(event)

    # -- speech ------------------------------------------------------------------------------------------------
    def say(self, key: str, **values: Any) -> str:
        return self.speech.say(key, cart=self.speech.say("word.cart"), **values)

    def plain(self, key: str, **values: Any) -> str:
        return self.speech.plain(key, cart=self.speech.plain("word.cart"), **values)

    def counted(self, noun: str, count: int) -> str:
        """ "1 item", "3 items": the number with its noun, singular or plural (``noun.<noun>.one|other``)."""
        return self.speech.say(f"noun.{noun}.{'one' if count == 1 else 'other'}", count=count)

    def money(self, amount: Decimal) -> str:
        return self.speech.money(amount)

    def day(self, value: date, *, weekday: bool = False) -> str:
        return self.speech.date(value, weekday=weekday)

    def line(self, quantity: int, name: str, unit: str | None = None) -> str:
        return self.speech.product_line(quantity, name, unit)

    def product_list(self, names: list[str]) -> str:
        """Products or lines as one list; a kind-first name said as a person says it (``said_name``)."""
        names = [said_name(name) for name in names]
        if len(names) <= MAX_READ_ITEMS + 1:  # "and 1 more" takes as long to say as the one it hides
            return self.speech.join(names)
        more = self.speech.say("list.more", count=len(names) - MAX_READ_ITEMS)
        return self.speech.join([*names[:MAX_READ_ITEMS], more])

    def ask_text(self, speech: str, reprompt: str = "reprompt.anything_else", **values: Any) -> Response:
        """``ask`` for a sentence already said (joined from several keys)."""
        again = self.say(reprompt, **values)
        return self.handler_input.response_builder.speak(with_question(speech, again, self)).ask(again).response

    def ask(self, key: str, reprompt: str = "reprompt.anything_else", **values: Any) -> Response:
        """Say ``key`` and keep the microphone open: the speech ends with a question (Amazon's rule), the
        reprompt's or "Anything else?" when the sentence itself asks none."""
        speech, again = self.say(key, **values), self.say(reprompt, **values)  # a reprompt may name the same things
        return self.handler_input.response_builder.speak(with_question(speech, again, self)).ask(again).response
