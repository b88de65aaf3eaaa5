"""What the customer page shows, read through the backend's services into plain rows for the templates.

The page reads a bounded amount whatever the customer's history: the turn state once (cart, profile), the order
summary for the usual basket and the recent orders, one page of the timeline; product names come from the catalog
in memory, never from a read per line."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from backend.profile import Channel, Event
from backend.resolver import Resolution
from backend.services import Backend
from backend.shopping import CustomerState

TIMELINE_PAGE = 50
RECENT_ORDERS = 5
USUAL_ITEMS = 12
CANDIDATES = 5

# Interactions an associate notes at the counter: (event type, what the page calls it).
NOTE_TYPES = (
    ("store_visit", "Visited the store"),
    ("store_question", "Asked a question"),
    ("store_return", "Returned a product"),
    ("store_pickup", "Picked up an order"),
    ("store_complaint", "Raised a complaint"),
)
NOTE_LABELS = dict(NOTE_TYPES)


@dataclass(frozen=True, slots=True)
class Row:
    product_id: str
    name: str
    quantity: int


@dataclass(frozen=True, slots=True)
class CartRow:
    product_id: str
    name: str
    quantity: int
    channel: str  # the channel that last put the line in the cart
    added_at: datetime | None


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    at: datetime
    channel: str
    what: str
    detail: str


def _name(backend: Backend, product_id: str, fallback: str | None = None) -> str:
    product = backend.catalog.find(product_id)
    return product.name if product else (fallback or f"product {product_id} (no longer sold)")


def cart_rows(backend: Backend, state: CustomerState) -> list[CartRow]:
    cart = state.cart
    return [
        CartRow(line.product_id, _name(backend, line.product_id), line.quantity, line.channel, _moment(line.added_at))
        for line in cart.lines
    ]


def _moment(raw: str) -> datetime | None:
    """A cart line's time (ISO-8601 as the cart stores it), or None for lines saved without one."""
    try:
        return datetime.fromisoformat(raw) if raw else None
    except ValueError:
        return None


def usual_rows(backend: Backend, state: CustomerState) -> list[Row]:
    """The usual basket, from the order summary (one read, however long the history)."""
    return [
        Row(item.product_id, _name(backend, item.product_id), item.quantity)
        for item in backend.shopping.usual(state, None)[:USUAL_ITEMS]
    ]


def describe(event: Event) -> tuple[str, str]:
    """A timeline line: what happened, and the particulars (what was heard, the product, the order)."""
    what = NOTE_LABELS.get(event.type) or event.type.replace("_", " ")
    if event.outcome is not None and event.outcome.value not in event.type:
        what += f" · {event.outcome.value.replace('_', ' ')}"
    parts: list[str] = []
    if event.heard:
        parts.append(f"heard “{event.heard}”")
    if event.intent:
        parts.append(event.intent)
    names = [f"{line.quantity} x {line.product_name or line.product_id}" for line in event.products[:4]]
    if len(event.products) > 4:
        names.append(f"and {len(event.products) - 4} more")
    parts.extend(names)
    if event.order_id:
        parts.append(f"order {event.order_id}")
    return what, " · ".join(parts)


def timeline(
    backend: Backend, customer_id: str, *, channel: Channel | None, cursor: str | None
) -> tuple[list[TimelineEntry], str | None]:
    page = backend.profiles.events(customer_id, channel=channel, limit=TIMELINE_PAGE, cursor=cursor)
    entries = []
    for event in page.events:
        what, detail = describe(event)
        entries.append(TimelineEntry(event.occurred_at, event.channel.value, what, detail))
    return entries, page.next_cursor


def search_products(backend: Backend, state: CustomerState, words: str) -> Resolution:
    """The resolver's candidates for what the associate typed, ranked for this customer (their purchases count)."""
    return backend.shopping.resolve_for(state, words)
