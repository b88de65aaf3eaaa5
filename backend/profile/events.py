"""The event model every channel shares, its validation, and its conversion to and from plain JSON values.

An event is one thing a customer did on one channel: a voice turn ("add oat milk" -> added), a web page view, a web
add-to-cart, an email click, a store purchase. Every channel writes the same shape, so the profile summary and the
resolver's personal bias see every channel alike.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import TYPE_CHECKING, Any

from backend.errors import ValidationError
from backend.profile.names import spec_name

if TYPE_CHECKING:
    from backend.catalog import Product


class Channel(StrEnum):
    VOICE = "voice"
    WEB = "web"
    EMAIL = "email"
    STORE = "store"
    APP = "app"
    SUPPORT = "support"  # support staff's tools (``voicecart voicecode``): account actions, never shopping


class Outcome(StrEnum):
    ADDED = "added"
    CONFIRMED = "confirmed"
    DECLINED = "declined"
    NOT_FOUND = "not_found"
    ORDERED = "ordered"
    REMOVED = "removed"
    QUANTITY_CHANGED = "quantity_changed"
    CLEARED = "cleared"
    VIEWED = "viewed"
    CLICKED = "clicked"
    PURCHASED = "purchased"
    ANSWERED = "answered"
    OPENED = "opened"  # the skill was launched
    ASKED = "asked"  # the turn ended on a question (did you mean, which one, how many)
    QUOTED = "quoted"  # the checkout quote was read, the order awaits a yes
    FAILED = "failed"  # the turn ended in an error answer
    ENDED = "ended"  # the session ended (the customer stopped, or Alexa closed it)
    CANCELLED = "cancelled"  # an order was cancelled (its lines name what was in it)


# How much an outcome says about what the customer likes; 0 = nothing (a decline or a miss teaches no affinity).
AFFINITY_WEIGHT: Mapping[Outcome, int] = {
    Outcome.PURCHASED: 3,
    Outcome.ORDERED: 3,
    Outcome.ADDED: 2,
    Outcome.CONFIRMED: 2,
    Outcome.CLICKED: 1,
    Outcome.VIEWED: 1,
}
# Outcomes that make a product a favourite, and those that are purchases (the resolver's bias counts purchases).
ENGAGED = frozenset({Outcome.ADDED, Outcome.CONFIRMED, Outcome.ORDERED, Outcome.PURCHASED})
PURCHASES = frozenset({Outcome.ORDERED, Outcome.PURCHASED})
# Outcomes whose quantity says how many the customer usually takes.
QUANTITY_OUTCOMES = frozenset({Outcome.ADDED, Outcome.ORDERED, Outcome.PURCHASED})

EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
MAX_CLOCK_SKEW = timedelta(minutes=5)
MAX_QUANTITY = 99

_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,127}")  # no "#": keys use it as the separator
_CUSTOMER_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]{0,63}")
PRODUCT_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:\-]{0,63}")
_TYPE = re.compile(r"[a-z][a-z0-9_]{0,31}")
_INTENT = re.compile(r"[A-Za-z][A-Za-z0-9_.]{0,63}")
_LOCALE = re.compile(r"[a-z]{2}(-[A-Z]{2})?")
_SPACES = re.compile(r"\s+")


def format_timestamp(moment: datetime) -> str:
    """Fixed-width UTC ISO-8601 with milliseconds, so that text order is time order in sort keys."""
    if moment.tzinfo is None:
        raise ValidationError("a timestamp needs a time zone", field="occurred_at")
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def parse_timestamp(raw: object, *, field: str = "occurred_at") -> datetime:
    """An ISO-8601 timestamp with a zone (``Z`` or an offset), as an aware UTC datetime."""
    if not isinstance(raw, str) or not 0 < len(raw) <= 40:
        raise ValidationError(f"{field} must be an ISO-8601 string", field=field)
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError as exc:
        raise ValidationError(f"{field} is not an ISO-8601 timestamp", field=field) from exc
    if moment.tzinfo is None:
        raise ValidationError(f"{field} needs a time zone (e.g. 'Z')", field=field)
    return moment.astimezone(UTC)


def check_moment(moment: datetime, *, now: datetime, field: str = "occurred_at") -> datetime:
    if moment.tzinfo is None:
        raise ValidationError(f"{field} needs a time zone", field=field)
    if moment < EARLIEST:
        raise ValidationError(f"{field} is before {EARLIEST.date().isoformat()}", field=field)
    if moment > now + MAX_CLOCK_SKEW:
        raise ValidationError(f"{field} is in the future", field=field)
    return moment.astimezone(UTC)


def check_id(value: object, *, field: str, pattern: re.Pattern[str] = _ID) -> str:
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValidationError(f"{field} must match {pattern.pattern}", field=field)
    return value


def check_customer_id(value: object) -> str:
    return check_id(value, field="customer_id", pattern=_CUSTOMER_ID)


def _text(value: object, *, field: str, limit: int) -> str:
    if not isinstance(value, str):
        raise ValidationError(f"{field} must be a string", field=field)
    cleaned = _SPACES.sub(" ", value).strip()
    if not cleaned or len(cleaned) > limit or not cleaned.isprintable():
        raise ValidationError(f"{field} must be 1..{limit} printable characters", field=field)
    return cleaned


def _label(value: object, *, field: str) -> str:
    """Aisle and department names are compared case-insensitively: store them lower-case."""
    return _text(value, field=field, limit=64).lower()


MAX_LINES = 60  # a basket event (an order, a till receipt) names at most this many products: a cart's maximum


@dataclass(frozen=True, slots=True)
class EventLine:
    """One product of a basket event (an order placed by voice, a store receipt, a web purchase)."""

    product_id: str
    quantity: int = 1
    product_name: str | None = None
    aisle: str | None = None
    department: str | None = None

    def __post_init__(self) -> None:
        check_id(self.product_id, field="lines.product_id", pattern=PRODUCT_ID_PATTERN)
        _check_quantity(self.quantity, field="lines.quantity")
        if self.product_name is not None and (
            not isinstance(self.product_name, str) or not 0 < len(self.product_name) <= 200
        ):
            raise ValidationError("lines.product_name must be 1..200 characters", field="lines.product_name")
        for name in ("aisle", "department"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or value != _label(value, field=f"lines.{name}")):
                raise ValidationError(f"lines.{name} must be a normalised lower-case label", field=f"lines.{name}")

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"product_id": self.product_id, "quantity": self.quantity}
        for name in ("product_name", "aisle", "department"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data


def _check_quantity(quantity: object, *, field: str) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= MAX_QUANTITY:
        raise ValidationError(f"{field} must be an integer 1..{MAX_QUANTITY}", field=field)


@dataclass(frozen=True, slots=True)
class Event:
    event_id: str
    customer_id: str
    channel: Channel
    type: str
    occurred_at: datetime
    outcome: Outcome | None = None
    device: str | None = None
    intent: str | None = None
    heard: str | None = None  # raw recognised words: expire after the retention period
    product_id: str | None = None
    product_name: str | None = None
    confidence: Decimal | None = None
    locale: str | None = None
    quantity: int | None = None
    aisle: str | None = None
    department: str | None = None
    order_id: str | None = None
    lines: tuple[EventLine, ...] = ()  # a basket: several products in one event (then product_id is None)

    def __post_init__(self) -> None:
        check_id(self.event_id, field="event_id")
        check_customer_id(self.customer_id)
        if not isinstance(self.channel, Channel):
            raise ValidationError("unknown channel", field="channel")
        check_id(self.type, field="type", pattern=_TYPE)
        if self.occurred_at.tzinfo is None:
            raise ValidationError("occurred_at needs a time zone", field="occurred_at")
        if self.outcome is not None and not isinstance(self.outcome, Outcome):
            raise ValidationError("unknown outcome", field="outcome")
        if self.product_id is not None:
            check_id(self.product_id, field="product_id", pattern=PRODUCT_ID_PATTERN)
        if self.order_id is not None:
            check_id(self.order_id, field="order_id", pattern=PRODUCT_ID_PATTERN)
        if self.intent is not None:
            check_id(self.intent, field="intent", pattern=_INTENT)
        if self.locale is not None:
            check_id(self.locale, field="locale", pattern=_LOCALE)
        for name, limit in (("device", 128), ("heard", 200), ("product_name", 200)):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not 0 < len(value) <= limit):
                raise ValidationError(f"{name} must be 1..{limit} characters", field=name)
        for name in ("aisle", "department"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or value != _label(value, field=name)):
                raise ValidationError(f"{name} must be a normalised lower-case label", field=name)
        if self.confidence is not None and (
            not isinstance(self.confidence, Decimal) or not Decimal(0) <= self.confidence <= Decimal(1)
        ):
            raise ValidationError("confidence must be a Decimal between 0 and 1", field="confidence")
        if self.quantity is not None:
            _check_quantity(self.quantity, field="quantity")
        if self.lines:
            if self.product_id is not None:
                raise ValidationError("an event names one product_id or several lines, not both", field="lines")
            if len(self.lines) > MAX_LINES or len({line.product_id for line in self.lines}) != len(self.lines):
                raise ValidationError(f"lines must name 1..{MAX_LINES} distinct products", field="lines")

    @property
    def products(self) -> tuple[EventLine, ...]:
        """The products this event is about: its lines, or its single product as one line."""
        if self.lines:
            return self.lines
        if self.product_id is None:
            return ()
        return (EventLine(self.product_id, self.quantity or 1, self.product_name, self.aisle, self.department),)

    @property
    def timestamp(self) -> str:
        return format_timestamp(self.occurred_at)

    def to_json(self) -> dict[str, Any]:
        """Plain JSON values (no Decimal): the shape the API returns and accepts."""
        data: dict[str, Any] = {
            "event_id": self.event_id,
            "customer_id": self.customer_id,
            "channel": self.channel.value,
            "type": self.type,
            "occurred_at": self.timestamp,
        }
        optional: dict[str, Any] = {
            "outcome": self.outcome.value if self.outcome else None,
            "device": self.device,
            "intent": self.intent,
            "heard": self.heard,
            "product_id": self.product_id,
            "product_name": self.product_name,
            "confidence": float(self.confidence) if self.confidence is not None else None,
            "locale": self.locale,
            "quantity": self.quantity,
            "aisle": self.aisle,
            "department": self.department,
            "order_id": self.order_id,
            "lines": [line.to_json() for line in self.lines] or None,
        }
        data["name"] = spec_name(
            type=self.type, outcome=self.outcome.value if self.outcome else None, intent=self.intent
        )
        data.update({key: value for key, value in optional.items() if value is not None})
        return data


EVENT_FIELDS = frozenset(
    {
        "name", "event_id", "customer_id", "channel", "type", "occurred_at", "outcome", "device", "intent", "heard",
        "product_id", "product_name", "confidence", "locale", "quantity", "aisle", "department", "order_id", "lines",
    }
)  # fmt: skip


def _confidence(raw: object) -> Decimal:
    if isinstance(raw, bool) or not isinstance(raw, int | float | str):
        raise ValidationError("confidence must be a number between 0 and 1", field="confidence")
    try:
        value = Decimal(str(raw))
    except InvalidOperation as exc:
        raise ValidationError("confidence must be a number between 0 and 1", field="confidence") from exc
    if not value.is_finite() or not Decimal(0) <= value <= Decimal(1):
        raise ValidationError("confidence must be a number between 0 and 1", field="confidence")
    return value.quantize(Decimal("0.0001"))


def event_from_json(data: object, *, customer_id: str, now: datetime) -> Event:
    """Validate a JSON object from another channel into an ``Event`` for ``customer_id``.

    Unknown fields, wrong types, unknown channels or outcomes, unparsable or far-future timestamps are all a
    ``ValidationError`` naming the field. A ``customer_id`` in the body must agree with the one in the path.
    """
    if not isinstance(data, Mapping):
        raise ValidationError("an event must be a JSON object")
    unknown = set(data) - EVENT_FIELDS
    if unknown:
        raise ValidationError(f"unknown fields: {', '.join(sorted(map(str, unknown))[:5])}", field=sorted(unknown)[0])
    if "customer_id" in data and data["customer_id"] != customer_id:
        raise ValidationError("customer_id in the body does not match the path", field="customer_id")
    for required in ("event_id", "channel", "type", "occurred_at"):
        if data.get(required) is None:
            raise ValidationError(f"{required} is required", field=required)
    try:
        channel = Channel(data["channel"])
    except ValueError as exc:
        raise ValidationError(f"channel must be one of {', '.join(Channel)}", field="channel") from exc
    outcome = None
    if data.get("outcome") is not None:
        try:
            outcome = Outcome(data["outcome"])
        except ValueError as exc:
            raise ValidationError(f"outcome must be one of {', '.join(Outcome)}", field="outcome") from exc
    quantity = data.get("quantity")
    if quantity is not None and (isinstance(quantity, bool) or not isinstance(quantity, int)):
        raise ValidationError("quantity must be an integer", field="quantity")

    def text(name: str, limit: int) -> str | None:
        value = data.get(name)
        return None if value is None else _text(value, field=name, limit=limit)

    def label(name: str) -> str | None:
        value = data.get(name)
        return None if value is None else _label(value, field=name)

    confidence = data.get("confidence")
    lines = _lines_from_json(data.get("lines"))
    return Event(
        event_id=check_id(data["event_id"], field="event_id"),
        customer_id=customer_id,
        channel=channel,
        type=check_id(data["type"], field="type", pattern=_TYPE),
        occurred_at=check_moment(parse_timestamp(data["occurred_at"]), now=now),
        outcome=outcome,
        device=text("device", 128),
        intent=None if data.get("intent") is None else check_id(data["intent"], field="intent", pattern=_INTENT),
        heard=text("heard", 200),
        product_id=None
        if data.get("product_id") is None
        else check_id(data["product_id"], field="product_id", pattern=PRODUCT_ID_PATTERN),
        product_name=text("product_name", 200),
        confidence=None if confidence is None else _confidence(confidence),
        locale=None if data.get("locale") is None else check_id(data["locale"], field="locale", pattern=_LOCALE),
        quantity=quantity,
        aisle=label("aisle"),
        department=label("department"),
        order_id=None
        if data.get("order_id") is None
        else check_id(data["order_id"], field="order_id", pattern=PRODUCT_ID_PATTERN),
        lines=lines,
    )


LINE_FIELDS = frozenset({"product_id", "quantity", "product_name", "aisle", "department"})


def _lines_from_json(raw: object) -> tuple[EventLine, ...]:
    if raw is None:
        return ()
    if not isinstance(raw, list) or not 0 < len(raw) <= MAX_LINES:
        raise ValidationError(f"lines must be a list of 1..{MAX_LINES} objects", field="lines")
    lines = []
    for entry in raw:
        if not isinstance(entry, Mapping) or set(entry) - LINE_FIELDS:
            raise ValidationError(f"each line is an object with {', '.join(sorted(LINE_FIELDS))}", field="lines")
        quantity = entry.get("quantity", 1)
        if isinstance(quantity, bool) or not isinstance(quantity, int):
            raise ValidationError("lines.quantity must be an integer", field="lines.quantity")
        name, aisle, department = entry.get("product_name"), entry.get("aisle"), entry.get("department")
        lines.append(
            EventLine(
                product_id=check_id(entry.get("product_id"), field="lines.product_id", pattern=PRODUCT_ID_PATTERN),
                quantity=quantity,
                product_name=None if name is None else _text(name, field="lines.product_name", limit=200),
                aisle=None if aisle is None else _label(aisle, field="lines.aisle"),
                department=None if department is None else _label(department, field="lines.department"),
            )
        )
    return tuple(lines)


def normalise_label(value: str, *, field: str = "aisle") -> str:
    """The stored form of an aisle or department name (for callers building events from catalog products)."""
    return _label(value, field=field)


def _product_label(text: str, *, field: str) -> str | None:
    """A catalog product's aisle or department as an event stores it; None for a product that has none."""
    cleaned = _SPACES.sub(" ", text).strip()[:64]
    try:
        return _label(cleaned, field=field) if cleaned else None
    except ValidationError:
        return None  # not printable: the event is still worth recording, without the label


@dataclass(frozen=True, slots=True)
class EventOrigin:
    """Who did something, where and when: what every event of one request shares, whatever happened.

    The skill builds one per voice turn, the API one per call; the services add what happened (``new_event``)."""

    event_id: str
    customer_id: str
    channel: Channel
    type: str
    occurred_at: datetime
    device: str | None = None
    intent: str | None = None
    locale: str | None = None

    def part(self, name: str) -> EventOrigin:
        """The origin of a second event of the same request (its id made distinct and still deterministic)."""
        if not name:
            return self
        return EventOrigin(
            event_id=f"{self.event_id[:100]}.{name}"[:128],
            customer_id=self.customer_id,
            channel=self.channel,
            type=self.type,
            occurred_at=self.occurred_at,
            device=self.device,
            intent=self.intent,
            locale=self.locale,
        )


def new_event(
    origin: EventOrigin,
    outcome: Outcome,
    *,
    product: Product | None = None,
    product_id: str | None = None,
    quantity: int | None = None,
    lines: Sequence[tuple[Product, int]] = (),
    heard: str | None = None,
    confidence: float | None = None,
    order_id: str | None = None,
) -> Event:
    """The one constructor of events about products, for every channel: about one ``product``, or a basket of
    ``lines`` (an order, a reorder). Names and labels are taken from the catalog's product and cut to fit;
    ``product_id`` alone names a product the catalog no longer has (a delisted line taken out of a cart)."""
    return Event(
        event_id=origin.event_id,
        customer_id=origin.customer_id,
        channel=origin.channel,
        type=origin.type,
        occurred_at=origin.occurred_at,
        outcome=outcome,
        device=(origin.device or "")[:128] or None,
        intent=origin.intent,
        locale=origin.locale,
        heard=(heard or "")[:200] or None,
        product_id=product.id if product else product_id,
        product_name=product.name[:200] or None if product else None,
        confidence=Decimal(str(round(confidence, 3))) if confidence is not None else None,
        quantity=quantity,
        aisle=_product_label(product.aisle, field="aisle") if product else None,
        department=_product_label(product.department, field="department") if product else None,
        order_id=order_id,
        lines=event_lines(lines),
    )


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
            quantity=max(1, min(quantities[product.id], MAX_QUANTITY)),
            product_name=product.name[:200] or None,
            aisle=_product_label(product.aisle, field="lines.aisle"),
            department=_product_label(product.department, field="lines.department"),
        )
        for product in list(products.values())[:MAX_LINES]
    )
