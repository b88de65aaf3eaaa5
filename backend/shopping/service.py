"""``Shopping``: the operations a voice turn (or the cross-channel API) performs on a customer's cart and orders.

Every write operation commits ONE transaction holding: the request marker (when a request id is given, first),
the change itself, and its profile event (the caller's ``event`` for a cart change; for an order, the "ordered"
event built here from its lines). So a turn is applied whole or not at all, and an Alexa retry of it is recognised
by its marker and answered from the outcome stored there (``repeated=True``), never applied twice.
"""

from __future__ import annotations

import hashlib
import logging
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING, Any

from backend.catalog import Catalog, Product
from backend.clock import Clock, utc_now
from backend.errors import (
    AlreadyApplied,
    CartChangedSinceQuote,
    CartError,
    CheckoutError,
    ConcurrentUpdate,
    PurchasingLocked,
    ValidationError,
    VoiceCodeRequired,
    WrongVoiceCode,
)
from backend.profile.consent import Purpose
from backend.profile.events import MAX_QUANTITY as MAX_EVENT_QUANTITY
from backend.profile.events import Event, EventOrigin, new_event
from backend.profile.events import Outcome as EventOutcome
from backend.profile.store import ProfileStore
from backend.resolver.dynamic import DynamicValue, catalog_names, entity_value
from backend.resolver.dynamic import likely_products as likely_product_ids
from backend.resolver.model import Candidate, Decision, ReasonCode, Resolution
from backend.resolver.purchases import PurchaseStats
from backend.resolver.resolver import STRONG_MATCH, WORDS_PREFER_MARGIN
from backend.settings import Settings
from backend.shopping import voicecode
from backend.shopping.cancellation import DELIVERY_DAYS, OrderCancellations
from backend.shopping.carts import load_cart, retry_on_conflict, stage_cart
from backend.shopping.checkout import quote_cart
from backend.shopping.items import order_line_items, order_to_item, outbox_item
from backend.shopping.model import VOICE, Cart, Order, Quote
from backend.shopping.order_summary import (
    RECENT,
    OrderSummary,
    ProductHistory,
    StoredSummary,
    load_summary,
    stage_summary,
    summarize,
)
from backend.shopping.orders import all_orders, get_order, orders_of_person, rebuild_summary, recent_orders
from backend.shopping.purchases import bought_elsewhere, elsewhere_than, every_channel
from backend.shopping.requests import stage_marker, stored_outcome
from backend.shopping.state import Alias, CustomerState, load_state
from backend.shopping.usual import UsualItem, usual_basket, usual_from
from backend.store.dynamo import Table
from backend.store.transaction import Transaction

if TYPE_CHECKING:
    from backend.resolver import Resolver

log = logging.getLogger(__name__)

SUMMARY_ATTEMPTS = 3  # an order whose summary another write moved is folded into the newer one, this many times

Outcome = Mapping[str, Any] | Callable[[Cart, Cart], Mapping[str, Any]]


@dataclass(frozen=True)
class CartResult:
    outcome: dict[str, Any]
    repeated: bool  # this request was applied before (an Alexa retry): outcome is the stored one, nothing changed
    cart: Cart | None  # the cart as saved (None for a repeat)


@dataclass(frozen=True)
class PlacedOrder:
    order: Order
    repeated: bool


def order_id_for(placed_at: datetime, request_id: str | None) -> str:
    """Ids sort by placing time to the microsecond: "the latest order" is the newest order key, and two orders of
    one second must not be ordered by their hash suffix. An id of seconds only (older orders, imported history)
    sorts before every id of its own second and in place against all others. The suffix comes from the request id.
    """
    seed = request_id or placed_at.isoformat()
    return f"{placed_at:%Y%m%d%H%M%S%f}-{hashlib.sha256(seed.encode()).hexdigest()[:10]}"


def _summary_read_with(state: CustomerState | None, customer_id: str) -> StoredSummary | None:
    """The order summary the state read found, if that read was this customer's and asked for it."""
    if state is None or state.customer_id != customer_id:
        return None
    return state.order_summary


def bought_before(candidate: Candidate) -> bool:
    """Whether the resolver ranked this candidate up because the customer bought it before."""
    return any(reason.code == ReasonCode.BOUGHT_BEFORE for reason in candidate.reasons)


def own_versions(resolution: Resolution) -> list[Candidate]:
    """The candidates that are the customer's own version of what they asked to reorder: bought before, and
    matching the words well, and about as well as the best match does. A bought product the words only half
    match ("dish soap": their bean soup) is no reorder of it; the resolution's own answer stands then."""
    best = resolution.best
    floor = max(STRONG_MATCH, (best.match if best is not None else 0.0) - WORDS_PREFER_MARGIN)
    return [candidate for candidate in resolution.candidates if bought_before(candidate) and candidate.match >= floor]


# Words that say whose or how much, not what: "my wine", "some coffee" name the kind all the same.
_NOT_A_KIND = frozenset({"a", "an", "any", "my", "our", "some", "the", "of"})


def _kind_words(text: str) -> set[str]:
    # Plurals folded alike on both sides ("wine" names the "red wines" aisle).
    return {word.removesuffix("s") for word in re.findall(r"[a-z0-9]+", text.lower())}


def kind_named(words: str, product: Product, *, exactly: bool = False) -> bool:
    """Whether the words name the kind the catalog shelves the product as: every word said is a word of its aisle's
    name ("wine" and "red wine" for a Pinot Noir of the red wines aisle, "cheese" for a Feta of packaged cheese), or
    the words are its department's whole name ("alcohol"; "eggs" is not all of dairy & eggs). ``exactly``: the words
    are the aisle's whole name ("cream" of the cream aisle, not of ice cream's). A product's own name is not read:
    the resolver matches that."""
    said = _kind_words(words) - _NOT_A_KIND
    if not said:
        return False
    aisle = _kind_words(product.aisle)
    if exactly:
        return said == aisle
    return said <= aisle or said == _kind_words(product.department)


def delivery_date(order: Order) -> date:
    return order.placed_on + timedelta(days=DELIVERY_DAYS)


def order_status(order: Order, today: date) -> str:
    """Illustrative status: ``placed`` until its delivery day, then ``delivered`` (cancelled stays cancelled)."""
    if order.status != "placed":
        return order.status
    return "delivered" if today >= delivery_date(order) else "placed"


MAX_KEPT_VALUES = 20_000  # dynamic-entity values kept made (a few MB); beyond, they are made afresh


class Shopping:
    def __init__(
        self,
        table: Table,
        catalog: Catalog,
        settings: Settings,
        *,
        profiles: ProfileStore,
        resolver: Callable[[], Resolver] | None = None,
        clock: Clock = utc_now,
    ) -> None:
        self.table = table
        self.catalog = catalog
        self.settings = settings
        self.profiles = profiles
        self._resolver = resolver  # a factory: the index is built on the first question that needs it
        self._clock = clock
        self._names: frozenset[str] | None = None  # the catalog's names, on the first ``likely_products``
        # Each product's slot value, made once (its spoken forms cost a third of a millisecond): asked every turn.
        self._values: dict[str, DynamicValue | None] = {}

    def now(self) -> datetime:
        return self._clock()

    @property
    def cancellations(self) -> OrderCancellations:
        """Cancelling the latest order while it can still be cancelled (a stateless view of the same stores)."""
        return OrderCancellations(self.table, self.catalog, self.settings, profiles=self.profiles, clock=self._clock)

    # -- reads ------------------------------------------------------------------------------------------------
    def state(
        self,
        customer_id: str,
        *,
        aliases: Sequence[Alias] = (),
        token: str | None = None,
        summary: bool = False,
    ) -> CustomerState:
        """The turn's one read (see ``state``); ``aliases`` are ids to learn the linking of in the same read, ``token``
        an access token to learn the owner of (``CustomerState.token_owner``), ``summary``: the order summary too,
        for a turn that reads it (a history question, a checkout): no read of its own then."""
        return load_state(
            self.table, customer_id, today=self.now().date(), aliases=aliases, token=token, summary=summary
        )

    # -- domain questions -------------------------------------------------------------------------------------
    def purchases(self, state: CustomerState) -> dict[str, PurchaseStats]:
        """Purchases on every channel (imported orders + the profile's voice orders, store and web purchases), from
        the state the turn read: no extra read. None at all when the customer withdrew personalisation consent: the
        resolver then chooses as it would for a stranger."""
        if state.profile is not None and not state.profile.consents.allows(Purpose.PERSONALISATION):
            return {}
        return every_channel(state.imported_purchases, state.profile, self.now())

    def likely_products(self, state: CustomerState) -> tuple[DynamicValue, ...]:
        """The products this customer is most likely to ask for (their purchases as the prior: how often, how
        lately), as slot values the skill can hand to the recogniser (Alexa's dynamic entities). None without a
        history, or without personalisation consent."""
        history = self.purchases(state)
        if not history:
            return ()
        if self._names is None:
            self._names = catalog_names(self.catalog)
        if len(self._values) > MAX_KEPT_VALUES:
            self._values.clear()
        values = []
        for product_id in likely_product_ids(history, self.catalog):
            if product_id not in self._values:
                self._values[product_id] = entity_value(self.catalog.get(product_id), self._names)
            value = self._values[product_id]
            if value is not None:
                values.append(value)
        return tuple(values)

    def resolve_for(
        self,
        state: CustomerState,
        words: str,
        *,
        alexa_ids: Sequence[str] = (),
        dynamic_ids: Sequence[str] = (),
    ) -> Resolution:
        """The products ``words`` may mean to this customer. ``dynamic_ids`` are what the recogniser matched among
        the customer's likely products (``likely_products``), taken first; ``alexa_ids`` its static catalog
        matches. Alexa's static entity resolution knows the catalog, not the customer: when none of the products it
        matched was ever bought here, but the words alone clearly name a product this customer buys ("organic whole
        milk" for their "Vitamin D Organic Whole Milk"), theirs is meant."""
        if self._resolver is None:
            raise RuntimeError("this Shopping was built without a resolver")
        resolver = self._resolver()
        history = self.purchases(state)
        resolution = resolver.resolve(words, history=history, alexa_ids=alexa_ids, dynamic_ids=dynamic_ids)
        if alexa_ids and words and history and not any(bought_before(c) for c in resolution.candidates):
            own = resolver.resolve(words, history=history)
            if own.decision == Decision.ACCEPT and own.best is not None and bought_before(own.best):
                return own
        return resolution

    def usual(self, state: CustomerState, person_id: str | None) -> list[UsualItem]:
        """The usual basket of this speaker (their own orders when they placed enough, else the household's),
        with store and web purchases counted too; products the shop no longer sells left out. From the order
        summary: one read, whatever the length of the history."""
        now = self.now()
        summary = self.order_summary(state.customer_id, parts=("household", "persons"), state=state)
        if summary.overflowed:
            every_order = self.orders(state.customer_id)
            elsewhere = bought_elsewhere(state.profile, every_order, now)
            basket = usual_basket(orders_of_person(every_order, person_id), elsewhere=elsewhere, today=now.date())
        else:
            elsewhere = elsewhere_than(state.profile, summary.household.live_counts(), now)
            inputs = summary.digest_of(person_id).usual_inputs()
            basket = usual_from(inputs, elsewhere=elsewhere, today=now.date())
        return [item for item in basket if item.product_id in self.catalog]

    def product_histories(
        self, customer_id: str, product_ids: Sequence[str], *, state: CustomerState | None = None
    ) -> dict[str, ProductHistory]:
        """How often and when each of these products was ordered (one read of the order summary for all; none when
        the turn's ``state`` read it)."""
        summary = self.order_summary(customer_id, parts=("household",), state=state)
        if summary.overflowed:
            summary = summarize(self.orders(customer_id))
        return {product_id: summary.product_history(product_id) for product_id in dict.fromkeys(product_ids)}

    def product_history(
        self, customer_id: str, product_id: str, *, state: CustomerState | None = None
    ) -> ProductHistory:
        return self.product_histories(customer_id, [product_id], state=state)[product_id]

    def bought_of_kind(self, state: CustomerState, words: str) -> list[str]:
        """The products this customer bought (on any channel) that the words name the kind of (``kind_named``), the
        most bought first: what "reorder wine" or "when did I last buy wine" means of a customer whose wines are a
        Pinot Noir and a Rose, none named "wine"."""
        history = self.purchases(state)
        found = [
            product_id
            for product_id in history
            if product_id in self.catalog and kind_named(words, self.catalog.get(product_id))
        ]
        # An aisle the words are the whole name of is the kind, before aisles that only hold the words.
        exact = [product_id for product_id in found if kind_named(words, self.catalog.get(product_id), exactly=True)]
        found = exact or found
        return sorted(found, key=lambda product_id: (-history[product_id].count, product_id))

    def cart(self, customer_id: str) -> Cart:
        return load_cart(self.table, customer_id)

    def orders(self, customer_id: str) -> list[Order]:
        """Every order, newest first: a query of the whole history (history questions read the summary)."""
        return all_orders(self.table, customer_id)

    def recent_orders(self, customer_id: str, *, limit: int = 3, state: CustomerState | None = None) -> list[Order]:
        """The newest ``limit`` orders of any status: from the order summary up to ``RECENT`` (as the turn's
        ``state`` read it, if it did), else a bounded descending query."""
        if limit <= RECENT:
            summary = self.order_summary(customer_id, parts=("recent",), state=state)
            if not summary.overflowed:
                return summary.recent_orders(limit)
        return recent_orders(self.table, customer_id, limit=limit)

    def order(self, customer_id: str, order_id: str) -> Order | None:
        return get_order(self.table, customer_id, order_id)

    # -- the order summary ------------------------------------------------------------------------------------
    def order_summary(
        self,
        customer_id: str,
        *,
        parts: Sequence[str] = ("recent", "household", "persons"),
        state: CustomerState | None = None,
    ) -> OrderSummary:
        """The customer's order summary (``order_summary``): as the turn's ``state`` read it (``summary=True``),
        else read now with only ``parts``; built from the orders and stored when there is none of this version
        yet."""
        stored = _summary_read_with(state, customer_id) or load_summary(self.table, customer_id, parts=parts)
        if stored.summary is not None:
            return stored.summary
        return self._rebuild_summary(customer_id, stored)

    def rebuild_order_summary(self, customer_id: str) -> OrderSummary:
        """Build the summary from every order and store it (after orders moved in from elsewhere: a merge)."""
        return rebuild_summary(self.table, customer_id, at=self.now().isoformat())

    def _rebuild_summary(self, customer_id: str, stored: StoredSummary) -> OrderSummary:
        return rebuild_summary(self.table, customer_id, at=self.now().isoformat(), stored=stored)

    def _stage_summary_with(
        self, tx: Transaction, customer_id: str, order: Order, at: str, *, stored: StoredSummary | None = None
    ) -> None:
        """Stage the summary with a new order folded in (rebuilt from the orders when folding cannot say), over
        ``stored`` (what the turn's read found), else over what is read now. Written on condition that its revision
        is still the one read: a summary that moved since fails the transaction (``ConcurrentUpdate``)."""
        if stored is None:
            stored = load_summary(self.table, customer_id)
        after = stored.summary.with_order(order) if stored.summary is not None else None
        if after is None:
            after = summarize([*self.orders(customer_id), order])
        stage_summary(tx, customer_id, after, over=stored.rev, updated_at=at)

    def quote(self, cart: Cart) -> Quote:
        return quote_cart(cart, self.catalog, self.settings)

    def replayed(self, customer_id: str, request_id: str | None) -> dict[str, Any] | None:
        """The stored outcome if this request was already applied, else None."""
        if not request_id:
            return None
        return stored_outcome(self.table, customer_id, request_id) or None

    # -- cart -------------------------------------------------------------------------------------------------
    def change_cart(
        self,
        customer_id: str,
        change: Callable[[Cart], Cart],
        *,
        request_id: str | None,
        outcome: Outcome | None = None,
        channel: str = VOICE,
        event: Event | None = None,
        cart: Cart | None = None,
        fingerprint: str | None = None,
    ) -> CartResult:
        """Apply ``change`` to the cart with a versioned conditional write, retried on a lost race; ``event`` (the
        profile's record of the change) is written in the same transaction, and ``fingerprint`` on the request's
        marker.

        ``cart`` is the state the turn already read (saves a read on the first attempt). Errors that ``change``
        raises (not in cart, bad quantity) propagate with nothing written, unless the request was applied before.
        """

        def attempt(number: int) -> CartResult:
            before = cart if (number == 0 and cart is not None) else load_cart(self.table, customer_id)
            try:
                after = change(before)
            except (CartError, ValidationError):
                stored = self.replayed(customer_id, request_id)
                if stored is not None:
                    return CartResult(stored, repeated=True, cart=None)
                raise
            result = dict(outcome(before, after)) if callable(outcome) else dict(outcome or {})
            at = self.now().isoformat()
            tx = Transaction(self.table)
            if request_id:
                stage_marker(
                    tx,
                    customer_id,
                    request_id,
                    outcome=result,
                    applied_at=at,
                    fingerprint=fingerprint,
                    keep=self.settings.retention.request_markers,
                )
            saved = stage_cart(tx, after, at=at, channel=channel)
            staged = self.profiles.stage_event(tx, event) if event is not None else None
            tx.commit()
            if staged is not None:
                self.profiles.apply_catch_ups(staged)
            return CartResult(result, repeated=False, cart=saved)

        try:
            return retry_on_conflict(attempt)
        except AlreadyApplied:
            return CartResult(self.replayed(customer_id, request_id) or {}, repeated=True, cart=None)

    def add_items(
        self,
        customer_id: str,
        items: Sequence[tuple[str, int]],
        *,
        request_id: str | None,
        outcome: Outcome | None = None,
        channel: str = VOICE,
        event: Event | None = None,
        cart: Cart | None = None,
        units: Mapping[str, str] | None = None,
        more_of_line: bool = False,
    ) -> CartResult:
        """Add ``items`` (product id, quantity); ``units`` gives a product's quantity a unit, as said ("pound").
        ``more_of_line``: the quantities are more of each line's own unit ("another one"; see ``Cart.with_added``)."""
        units = units or {}

        def add(current: Cart) -> Cart:
            at = self.now().isoformat()
            for product_id, quantity in items:
                self.catalog.get(product_id)
                current = current.with_added(
                    product_id,
                    quantity,
                    channel=channel,
                    at=at,
                    unit=units.get(product_id),
                    more_of_line=more_of_line,
                )
            return current

        return self.change_cart(
            customer_id,
            add,
            request_id=request_id,
            outcome=outcome,
            channel=channel,
            event=event,
            cart=cart,
        )

    # -- checkout ---------------------------------------------------------------------------------------------
    def place_order(
        self,
        customer_id: str,
        *,
        request_id: str | None,
        expected_version: int | None = None,
        expected_quote: str | None = None,
        code: str | None = None,
        person_id: str | None = None,
        channel: str = VOICE,
        origin: EventOrigin | None = None,
        state: CustomerState | None = None,
    ) -> PlacedOrder:
        """Place the cart as an order in ONE transaction: marker, order, its lines, the cart emptied (on condition
        that it is still the quoted version), the confirmation email in the outbox, the wrong-code count reset, and
        (given the request's ``origin``) the profile's "ordered" event. All of it or none of it."""
        state = state or self.state(customer_id, summary=True)
        try:
            quote = self._checked_quote(state, expected_version=expected_version, expected_quote=expected_quote)
            if self._needs_code(state, quote):
                self._check_code(customer_id, state, code, request_id)
        except (CartError, CheckoutError):
            repeated = self._repeated_order(customer_id, request_id)
            if repeated is not None:
                return repeated
            raise

        placed_at = self.now()
        order = Order(
            customer_id=customer_id,
            order_id=order_id_for(placed_at, request_id),
            placed_at=placed_at,
            lines=quote.lines,
            subtotal=quote.subtotal,
            tax=quote.tax,
            delivery=quote.delivery,
            total=quote.total,
            channel=channel,
            source=channel,
            person_id=person_id,
        )
        at = placed_at.isoformat()
        for attempt in range(1, SUMMARY_ATTEMPTS + 1):
            tx = Transaction(self.table)
            if request_id:
                stage_marker(
                    tx,
                    customer_id,
                    request_id,
                    outcome={"order_id": order.order_id},
                    applied_at=at,
                    keep=self.settings.retention.request_markers,
                )
            stage_cart(tx, state.cart.cleared(), at=at, channel=channel)
            tx.put(order_to_item(order, request_id=request_id), condition="attribute_not_exists(pk)")
            for line_item in order_line_items(order):
                tx.put(line_item)
            tx.put(self._confirmation_message(order, at))
            if state.voice_code.enabled and state.voice_code.failed_attempts:
                voicecode.stage_reset_attempts(tx, customer_id, state.voice_code, at=at)
            # The first attempt folds into the summary the turn's read found (if it read it); a retry, after the
            # summary moved, into the one read then.
            read = _summary_read_with(state, customer_id) if attempt == 1 else None
            self._stage_summary_with(tx, customer_id, order, at, stored=read)
            staged = self.profiles.stage_event(tx, self._ordered_event(origin, order)) if origin is not None else None
            try:
                tx.commit()
            except AlreadyApplied:
                repeated = self._repeated_order(customer_id, request_id)
                if repeated is None:
                    raise
                return repeated
            except ConcurrentUpdate as exc:
                if attempt < SUMMARY_ATTEMPTS and self._only_summary_moved(state):
                    continue  # another write updated the order summary: fold this order into the newer one
                # The cart (or the code state) moved after the quote was read out: that quote is no longer what
                # the customer agreed to.
                raise CartChangedSinceQuote("the cart changed while checking out") from exc
            break
        if staged is not None:
            self.profiles.apply_catch_ups(staged)
        log.info("order placed", extra={"order_id": order.order_id, "lines": len(order.lines)})
        return PlacedOrder(order, repeated=False)

    def _only_summary_moved(self, state: CustomerState) -> bool:
        """After a failed condition: whether the cart and the code state are still as quoted (so only the order
        summary, the one other conditional write, can have moved)."""
        now = self.state(state.customer_id)
        return now.cart.version == state.cart.version and now.voice_code == state.voice_code

    def _ordered_event(self, origin: EventOrigin, order: Order) -> Event:
        """ONE "ordered" event per order, naming every product in its ``lines`` (the profile's summary item may be
        written once per transaction): each product's purchase reaches the favourites and the resolver's bias."""
        lines = [(product, line.quantity) for line in order.lines if (product := self.catalog.find(line.product_id))]
        return new_event(
            origin,
            EventOutcome.ORDERED,
            quantity=min(order.item_count, MAX_EVENT_QUANTITY),
            order_id=order.order_id,
            lines=lines,
        )

    def _checked_quote(
        self, state: CustomerState, *, expected_version: int | None, expected_quote: str | None = None
    ) -> Quote:
        if state.voice_code.locked:
            raise PurchasingLocked("purchasing is locked after too many wrong voice codes")
        if expected_version is not None and state.cart.version != expected_version:
            raise CartChangedSinceQuote(f"cart is at version {state.cart.version}, quoted {expected_version}")
        quote = quote_cart(state.cart, self.catalog, self.settings)
        if expected_quote is not None and quote.fingerprint != expected_quote:
            # Same cart version, other figures (a price or the delivery fee moved): not what was agreed to.
            raise CartChangedSinceQuote("the quote changed since it was read out")
        return quote

    def _needs_code(self, state: CustomerState, quote: Quote) -> bool:
        return state.voice_code.enabled and quote.total >= self.settings.voice_code_threshold

    def _check_code(self, customer_id: str, state: CustomerState, code: str | None, request_id: str | None) -> None:
        if code is None:
            raise VoiceCodeRequired("this order needs the voice code")
        if voicecode.matches(state.voice_code, code):
            return
        at = self.now().isoformat()
        tx = Transaction(self.table)
        after_attempts = voicecode.MAX_WRONG_CODES - (state.voice_code.failed_attempts + 1)
        if request_id:
            stage_marker(
                tx,
                customer_id,
                request_id,
                outcome={"wrong_code": max(after_attempts, 0)},
                applied_at=at,
                keep=self.settings.retention.request_markers,
            )
        after = voicecode.stage_wrong_code(tx, customer_id, state.voice_code, at=at)
        try:
            tx.commit()
        except AlreadyApplied:
            self._repeated_order(customer_id, request_id)  # raises the stored wrong-code answer
            raise
        log.warning("wrong voice code", extra={"failed_attempts": after.failed_attempts, "locked": after.locked})
        if after.locked:
            raise PurchasingLocked("third wrong voice code: purchasing locked")
        raise WrongVoiceCode(attempts_left=voicecode.MAX_WRONG_CODES - after.failed_attempts)

    def _repeated_order(self, customer_id: str, request_id: str | None) -> PlacedOrder | None:
        stored = self.replayed(customer_id, request_id)
        if not stored:
            return None
        if "wrong_code" in stored:
            attempts_left = int(stored["wrong_code"])
            if attempts_left <= 0:
                raise PurchasingLocked("third wrong voice code: purchasing locked")
            raise WrongVoiceCode(attempts_left=attempts_left)
        order = get_order(self.table, customer_id, str(stored.get("order_id", "")))
        return PlacedOrder(order, repeated=True) if order is not None else None

    def _confirmation_message(self, order: Order, at: str) -> dict[str, Any]:
        """The order confirmation email, as a message for the outbox (a mailer sends what is pending)."""
        lines = [
            f"{line.quantity} x {line.name or line.product_id} @ ${line.unit_price} = ${line.line_total}"
            for line in order.lines
        ]
        body = "\n".join(
            [
                f"Thank you for your order {order.order_id} from {self.settings.seller_name}.",
                "",
                *lines,
                "",
                f"Subtotal: ${order.subtotal}",
                f"Tax: ${order.tax}",
                f"Delivery: ${order.delivery}",
                f"Total: ${order.total}",
                "",
                f"Delivery to the address on your account by {delivery_date(order):%A %d %B %Y}.",
            ]
        )
        return outbox_item(
            order.customer_id,
            message_id=order.order_id,
            created_at=at,
            template="order_confirmation",
            subject=f"Your {self.settings.seller_name} order {order.order_id}",
            body=body,
            order_id=order.order_id,
            keep=self.settings.retention.outbox,
        )

    # -- voice code -------------------------------------------------------------------------------------------
    def set_voice_code(self, customer_id: str, code: str | None) -> None:
        voicecode.set_voice_code(self.table, customer_id, code, at=self.now().isoformat())
