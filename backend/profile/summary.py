"""The profile summary: one item per customer (``sk = PROFILE``) kept current by every event, atomically.

Shape. Every counter and date is a *top-level* attribute whose name carries the key, e.g. ``aisle#milk``,
``p#24852#n``, ``ch#web#seen``. This is deliberate: DynamoDB refuses a nested ``SET m.k`` or ``ADD m.k`` when the
map ``m`` does not exist yet ("The document path provided in the update expression is invalid for update"; moto
5.2.5 refuses it too, measured), and one expression may not both create ``m`` and write ``m.k`` (overlapping
paths). Top-level names need no initialised maps: the first event of a new customer creates the item, and every
event after it is a single ``UpdateItem`` of ``ADD`` counters and ``SET`` dates, never a read-modify-write.

| attribute               | meaning                                              | written with                   |
|-------------------------|------------------------------------------------------|--------------------------------|
| ``events``              | events recorded, all channels                        | ADD 1                          |
| ``ch#<channel>#n``      | events on that channel                               | ADD 1                          |
| ``ch#<channel>#seen``   | last time seen on that channel                       | SET if newer (see below)       |
| ``last_channel``, ``last_seen`` | the most recent channel and time             | SET if newer                   |
| ``aisle#<aisle>``       | aisle affinity score (weight by outcome)             | ADD weight                     |
| ``dept#<department>``   | department affinity score                            | ADD weight                     |
| ``p#<id>#n``            | times added or confirmed (not bought)                | ADD 1                          |
| ``p#<id>#last``         | last added or confirmed                              | SET if newer                   |
| ``p#<id>#buys``         | times bought (ordered, purchased), every channel     | ADD 1                          |
| ``p#<id>#bought``       | last bought                                          | SET if newer                   |
| ``p#<id>#name``         | the product's display name, as last seen             | SET                            |
| ``q#<id>#<quantity>``   | how often that quantity was taken                    | ADD 1                          |

"SET if newer". An update expression has no ``max()``, and a condition would cancel the whole transaction (the
cart change with it). So a *live* event (``occurred_at`` within ``LIVE_WINDOW`` of the server's clock: every voice
turn and every real-time web/app event) SETs the latest fields outright: it is the newest thing that happened. A
*backdated* event (an imported store purchase) only fills fields that are missing (``if_not_exists``) inside the
transaction, and ``record_event`` then moves each one forward with its own conditional update
(``attribute_not_exists(f) OR f < :t``), which is monotonic and safe to repeat.

Read back, a product's engagement count is ``n + buys`` and its last engagement the later of ``last`` and
``bought``: a bought line costs two clauses, which lets a 60-line basket (an order, a till receipt) fold into the
same single update. A basket is one event with ``lines``; if its update would pass ``MAX_EXPRESSION`` or
``MAX_CLAUSES`` it leaves out names, then quantities, then departments (see ``_DETAIL_LEVELS``).

Size. Each distinct product adds about 120 bytes; DynamoDB's 400 KB item limit is reached near 3,000 distinct
products. Demo customers have at most a few hundred.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from backend.errors import ValidationError
from backend.profile.consent import Consents, consents_from_item
from backend.profile.events import (
    AFFINITY_WEIGHT,
    ENGAGED,
    PURCHASES,
    QUANTITY_OUTCOMES,
    Event,
    format_timestamp,
    parse_timestamp,
)
from backend.resolver.purchases import PurchaseStats

LIVE_WINDOW = timedelta(minutes=15)
MAX_EXPRESSION = 4096  # DynamoDB's limit on an update expression's length
# moto (the embedded store and the tests) parses expressions recursively and fails near 240 clauses (measured with
# moto 5.2.5: 234 accepted, 240 refused); real DynamoDB has no such limit below 4 KB. Stay under both.
MAX_CLAUSES = 200

EVENTS = "events"
LAST_CHANNEL = "last_channel"
LAST_SEEN = "last_seen"


def channel_count_attr(channel: str) -> str:
    return f"ch#{channel}#n"


def channel_seen_attr(channel: str) -> str:
    return f"ch#{channel}#seen"


def aisle_attr(aisle: str) -> str:
    return f"aisle#{aisle}"


def department_attr(department: str) -> str:
    return f"dept#{department}"


def product_attr(product_id: str, part: str) -> str:
    return f"p#{product_id}#{part}"


def quantity_attr(product_id: str, quantity: int) -> str:
    return f"q#{product_id}#{quantity}"


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    text = ""
    while True:
        number, rest = divmod(number, 36)
        text = digits[rest] + text
        if not number:
            return text


@dataclass
class UpdateBuilder:
    """Collects ADD and SET clauses with generated placeholder names (attribute names hold '#', ' ' and so on)."""

    adds: list[str] = field(default_factory=list)
    sets: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)
    values: dict[str, Any] = field(default_factory=dict)

    def _name(self, attribute: str) -> str:
        if attribute in self.names.values():
            # DynamoDB rejects two clauses on one path; catching it here names the culprit.
            raise ValueError(f"attribute {attribute!r} written twice in one update")
        placeholder = f"#{_base36(len(self.names))}"
        self.names[placeholder] = attribute
        return placeholder

    def _value(self, value: Any) -> str:
        # Equal values share one placeholder: a basket of 60 lines must stay under the 4 KB expression limit.
        for placeholder, existing in self.values.items():
            if type(existing) is type(value) and existing == value:
                return placeholder
        placeholder = f":{_base36(len(self.values))}"
        self.values[placeholder] = value
        return placeholder

    def add(self, attribute: str, amount: int) -> None:
        self.adds.append(f"{self._name(attribute)} {self._value(amount)}")

    def set(self, attribute: str, value: Any) -> None:
        self.sets.append(f"{self._name(attribute)} = {self._value(value)}")

    def set_if_missing(self, attribute: str, value: Any) -> None:
        name = self._name(attribute)
        self.sets.append(f"{name} = if_not_exists({name}, {self._value(value)})")

    @property
    def clauses(self) -> int:
        return len(self.adds) + len(self.sets)

    def expression(self) -> str:
        parts = []
        if self.sets:
            parts.append("SET " + ", ".join(self.sets))
        if self.adds:
            parts.append("ADD " + ", ".join(self.adds))
        return " ".join(parts)


@dataclass(frozen=True)
class CatchUp:
    """A "latest" field a backdated event may move forward, with its own conditional update after the commit."""

    compare: str  # the attribute compared (and set) with the event's time
    extra: Mapping[str, Any] = field(default_factory=dict)  # set together with it (last_channel with last_seen)


def is_live(event: Event, now: datetime) -> bool:
    return event.occurred_at >= now - LIVE_WINDOW


def build_profile_update(event: Event, *, now: datetime) -> tuple[UpdateBuilder, tuple[CatchUp, ...]]:
    """The one update expression that folds ``event`` into the summary, and the catch-ups a backdated event needs.

    A large basket whose expression would pass DynamoDB's 4 KB limit leaves out the product names (the event item
    keeps them); one that still does not fit is refused.
    """
    for detail in _DETAIL_LEVELS:
        update, catch_ups = _profile_update(event, now=now, **detail)
        if len(update.expression()) <= MAX_EXPRESSION and update.clauses <= MAX_CLAUSES:
            return update, catch_ups
    raise ValidationError("this event names too many products for one profile update", field="lines")


# What a very large basket leaves out, step by step, to fit one update: names (the event item keeps them), then the
# quantity histogram (the order lines keep quantities), then department affinities (aisles carry the signal).
_DETAIL_LEVELS: tuple[dict[str, bool], ...] = (
    {"with_names": True, "with_quantities": True, "with_departments": True},
    {"with_names": False, "with_quantities": True, "with_departments": True},
    {"with_names": False, "with_quantities": False, "with_departments": True},
    {"with_names": False, "with_quantities": False, "with_departments": False},
)


def _profile_update(
    event: Event, *, now: datetime, with_names: bool, with_quantities: bool, with_departments: bool
) -> tuple[UpdateBuilder, tuple[CatchUp, ...]]:
    stamp = event.timestamp
    live = is_live(event, now)
    update = UpdateBuilder()
    catch_ups: list[CatchUp] = []

    def latest(attribute: str, extra: Mapping[str, Any] | None = None) -> None:
        if live:
            update.set(attribute, stamp)
            for name, value in (extra or {}).items():
                update.set(name, value)
        else:
            update.set_if_missing(attribute, stamp)
            for name, value in (extra or {}).items():
                update.set_if_missing(name, value)
            catch_ups.append(CatchUp(attribute, dict(extra or {})))

    update.set("kind", "profile")
    update.set("customer_id", event.customer_id)
    update.set_if_missing("created_at", format_timestamp(now))
    update.set("updated_at", format_timestamp(now))
    update.add(EVENTS, 1)
    update.add(channel_count_attr(event.channel), 1)
    latest(channel_seen_attr(event.channel))
    latest(LAST_SEEN, {LAST_CHANNEL: event.channel.value})

    outcome = event.outcome
    weight = AFFINITY_WEIGHT.get(outcome, 0) if outcome else 0
    products = event.products
    if weight:
        aisles: dict[str, int] = {}
        departments: dict[str, int] = {}
        labels = [(line.aisle, line.department) for line in products] or [(event.aisle, event.department)]
        for aisle, department in labels:
            if aisle:
                aisles[aisle] = aisles.get(aisle, 0) + weight
            if department:
                departments[department] = departments.get(department, 0) + weight
        for aisle, score in aisles.items():
            update.add(aisle_attr(aisle), score)
        for department, score in departments.items() if with_departments else ():
            update.add(department_attr(department), score)
    if outcome in ENGAGED:
        for line in products:
            if outcome in PURCHASES:
                # A purchase is an engagement too: reading adds buys to n and takes the later of last and bought,
                # so a basket line costs two clauses, not four.
                update.add(product_attr(line.product_id, "buys"), 1)
                latest(product_attr(line.product_id, "bought"))
            else:
                update.add(product_attr(line.product_id, "n"), 1)
                latest(product_attr(line.product_id, "last"))
            if line.product_name and with_names:
                update.set(product_attr(line.product_id, "name"), line.product_name)
            quantity = line.quantity if event.lines else event.quantity
            if quantity and outcome in QUANTITY_OUTCOMES and with_quantities:
                update.add(quantity_attr(line.product_id, quantity), 1)
    return update, tuple(catch_ups)


# --- reading -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ProductAffinity:
    product_id: str
    name: str | None
    count: int  # times engaged
    purchases: int
    last_at: str | None
    last_purchased_at: str | None
    quantities: Mapping[int, int]

    @property
    def preferred_quantity(self) -> int | None:
        """The quantity taken most often (the smaller one on a tie)."""
        if not self.quantities:
            return None
        return min(self.quantities, key=lambda quantity: (-self.quantities[quantity], quantity))

    def to_json(self) -> dict[str, Any]:
        return {
            "product_id": self.product_id,
            "name": self.name,
            "count": self.count,
            "purchases": self.purchases,
            "last_at": self.last_at,
            "last_purchased_at": self.last_purchased_at,
            "preferred_quantity": self.preferred_quantity,
            "quantities": {str(quantity): count for quantity, count in sorted(self.quantities.items())},
        }


@dataclass(frozen=True, slots=True)
class ChannelActivity:
    channel: str
    events: int
    last_seen: str | None


@dataclass(frozen=True, slots=True)
class ProfileSummary:
    customer_id: str
    events: int
    last_channel: str | None
    last_seen: str | None
    channels: Mapping[str, ChannelActivity]
    aisles: Mapping[str, int]
    departments: Mapping[str, int]
    products: tuple[ProductAffinity, ...]  # favourites first
    created_at: str | None = None
    updated_at: str | None = None
    consents: Consents = field(default_factory=lambda: Consents({}))  # read from the same item, see ``consent``

    def favourites(self, limit: int = 10) -> tuple[ProductAffinity, ...]:
        return self.products[:limit]

    def product(self, product_id: str) -> ProductAffinity | None:
        return next((product for product in self.products if product.product_id == product_id), None)

    def to_json(self) -> dict[str, Any]:
        return {
            "customer_id": self.customer_id,
            "events": self.events,
            "last_channel": self.last_channel,
            "last_seen": self.last_seen,
            "channels": {
                name: {"events": activity.events, "last_seen": activity.last_seen}
                for name, activity in sorted(self.channels.items())
            },
            "aisles": dict(_ranked(self.aisles)),
            "departments": dict(_ranked(self.departments)),
            "favourites": [product.to_json() for product in self.products],
            "created_at": self.created_at,
            "updated_at": self.updated_at,
        }


def _ranked(scores: Mapping[str, int]) -> list[tuple[str, int]]:
    return sorted(scores.items(), key=lambda item: (-item[1], item[0]))


def summary_from_item(item: Mapping[str, Any], customer_id: str | None = None) -> ProfileSummary:
    """Parse a PROFILE item (from GetItem, BatchGetItem or a query) into a ``ProfileSummary``."""
    channels_n: dict[str, int] = {}
    channels_seen: dict[str, str] = {}
    aisles: dict[str, int] = {}
    departments: dict[str, int] = {}
    products: dict[str, dict[str, Any]] = {}
    quantities: dict[str, dict[int, int]] = {}
    for name, value in item.items():
        head, _, rest = name.partition("#")
        if not rest:
            continue
        if head == "ch":
            channel, _, part = rest.rpartition("#")
            if part == "n":
                channels_n[channel] = int(value)
            elif part == "seen":
                channels_seen[channel] = str(value)
        elif head == "aisle":
            aisles[rest] = int(value)
        elif head == "dept":
            departments[rest] = int(value)
        elif head == "p":
            product_id, _, part = rest.rpartition("#")
            products.setdefault(product_id, {})[part] = value
        elif head == "q":
            product_id, _, quantity = rest.rpartition("#")
            if quantity.isdigit():
                quantities.setdefault(product_id, {})[int(quantity)] = int(value)
    affinities = [
        ProductAffinity(
            product_id=product_id,
            name=parts.get("name"),
            count=int(parts.get("n", 0)) + int(parts.get("buys", 0)),
            purchases=int(parts.get("buys", 0)),
            last_at=max((parts[k] for k in ("last", "bought") if parts.get(k)), default=None),
            last_purchased_at=parts.get("bought"),
            quantities=quantities.get(product_id, {}),
        )
        for product_id, parts in products.items()
    ]
    affinities.sort(key=lambda p: (-p.purchases, -p.count, _descending(p.last_at), p.product_id))
    return ProfileSummary(
        customer_id=str(item.get("customer_id") or customer_id or ""),
        events=int(item.get(EVENTS, 0)),
        last_channel=item.get(LAST_CHANNEL),
        last_seen=item.get(LAST_SEEN),
        channels={
            channel: ChannelActivity(channel, channels_n.get(channel, 0), channels_seen.get(channel))
            for channel in sorted(set(channels_n) | set(channels_seen))
        },
        aisles=aisles,
        departments=departments,
        products=tuple(affinities),
        created_at=item.get("created_at"),
        updated_at=item.get("updated_at"),
        consents=consents_from_item(item),
    )


def _descending(stamp: str | None) -> str:
    # Newest first among equals: invert the characters of the fixed-width timestamp.
    return "".join(chr(0x7F - ord(ch)) for ch in (stamp or ""))


def empty_summary(customer_id: str) -> ProfileSummary:
    return summary_from_item({}, customer_id)


def purchase_stats(summary: ProfileSummary, today: date | datetime) -> dict[str, PurchaseStats]:
    """What the resolver's personal bias consumes, from purchases on *every* channel (voice orders, web, store)."""
    day = today.astimezone(UTC).date() if isinstance(today, datetime) else today
    stats: dict[str, PurchaseStats] = {}
    for product in summary.products:
        if product.purchases <= 0:
            continue
        last = product.last_purchased_at
        days = float(max((day - parse_timestamp(last).date()).days, 0)) if last else 0.0
        stats[product.product_id] = PurchaseStats(count=product.purchases, days_since_last=days)
    return stats


def combine_stats(*sources: Mapping[str, PurchaseStats]) -> dict[str, PurchaseStats]:
    """Merge purchase statistics from several sources (e.g. imported order history + the profile): counts add up,
    the most recent purchase wins."""
    combined: dict[str, PurchaseStats] = {}
    for source in sources:
        for product_id, stats in source.items():
            seen = combined.get(product_id)
            combined[product_id] = (
                stats
                if seen is None
                else PurchaseStats(seen.count + stats.count, min(seen.days_since_last, stats.days_since_last))
            )
    return combined


def with_history(
    summary: ProfileSummary,
    imported: Mapping[str, PurchaseStats],
    *,
    today: date,
    name_of: Callable[[str], str | None],
) -> ProfileSummary:
    """The summary with the imported order history counted in: each product's purchases and count gain the orders
    it was in, and its last purchase moves to the imported one's day when that is later. Imported orders are not
    events (see ``backend.shopping.purchases``), so nothing is counted twice."""
    if not imported:
        return summary
    merged = {product.product_id: product for product in summary.products}
    for product_id, stats in imported.items():
        day = today - timedelta(days=int(stats.days_since_last))
        stamp = format_timestamp(datetime(day.year, day.month, day.day, tzinfo=UTC))
        known = merged.get(product_id)
        if known is None:
            merged[product_id] = ProductAffinity(
                product_id, name_of(product_id), stats.count, stats.count, stamp, stamp, {}
            )
            continue
        merged[product_id] = replace(
            known,
            name=known.name or name_of(product_id),
            count=known.count + stats.count,
            purchases=known.purchases + stats.count,
            last_at=max(filter(None, (known.last_at, stamp))),
            last_purchased_at=max(filter(None, (known.last_purchased_at, stamp))),
        )
    products = sorted(merged.values(), key=lambda p: (-p.purchases, -p.count, _descending(p.last_at), p.product_id))
    return replace(summary, products=tuple(products))
