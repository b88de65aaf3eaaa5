"""The order summary: ONE item per customer (``pk = CUST#<id>, sk = ORDERSUMMARY``) that answers the history
questions without reading every order ("what did I order last time", "when did I last buy X", "how often",
"what do I usually buy", reorder, the associate's customer page).

It is a fold over the customer's orders, oldest first, so it is defined by the orders alone: ``summarize(orders)``
is the canonical summary, and every write keeps it equal to that.

- **Placing an order** folds that order in (``with_order``), in the order's own transaction, on condition that the
  summary is still the revision read (``rev``): two writers never both fold into the same revision.
- **Cancelling an order**, **importing a history** and **merging profiles** rebuild it from the orders
  (``summarize``), in the same transaction as the change (import: right after its orders are written; see
  ``backend.demo.history_import``).
- **A customer without one** (data from before this item, or another ``version``): the first read rebuilds it from
  the orders and stores it (``Shopping.order_summary``).

What it holds (cancelled orders count nowhere but in ``recent``):

| part        | what                                                                                            |
|-------------|-------------------------------------------------------------------------------------------------|
| ``recent``  | the newest ``RECENT`` orders of any status, whole (totals and compact lines): recent orders     |
| household   | ``orders``; per product: orders holding it, those placed through voicecart (not imported), the  |
|             | first day, the newest ``DATE_CAP`` days, a quantity histogram, the sum and number of its        |
|             | positions in its orders; the newest ``WINDOW`` orders' product ids (the usual's window)         |
| ``persons`` | the same for each recognised speaker's own orders (the usual of one person)                     |

**Size.** DynamoDB refuses items over 400 KB. Per product it costs about 30 bytes plus about 7 a kept day, so the
date lists are capped at ``DATE_CAP`` (the newest purchases; "how often" is their span over the gaps between them,
which is also what the customer does *now*). The largest demo customer's summary (187111: 50 orders, 256 products) is
24 KB; the pages benchmark's 500-order customer (1,627 products) 97 KB. Above ``MAX_BYTES`` the summary is stored
as *overflowed* (no parts), and every question is answered from the orders, as before: slow, never wrong.

The parts are JSON strings (day numbers are proleptic ordinals): one attribute each, parsed by the C decoder in well
under a millisecond, where a map of maps would cost DynamoDB type tags and moto's parsing per entry.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from backend.profile.erasure import stage_not_erased
from backend.shopping.model import IMPORTED_SOURCE, Order, OrderLine
from backend.store import keys
from backend.store.codec import from_attribute_values, to_attribute_values
from backend.store.dynamo import Table, translate_errors
from backend.store.transaction import Transaction

ORDER_SUMMARY = keys.ORDER_SUMMARY
SUMMARY_KIND = "order_summary"
VERSION = 1  # the format; an item of another version is rebuilt from the orders on first read
RECENT = 10  # whole orders kept, newest first
WINDOW = 10  # the usual basket's window of recent orders (usual.py)
DATE_CAP = 24  # purchase days kept per product, newest
MAX_BYTES = 350_000  # under DynamoDB's 400 KB item limit, with room for the key and the small attributes
CANCELLED = "cancelled"
PERSON_MINIMUM = 3  # a recognised speaker's own orders count as theirs from this many on (orders_of_person)

_NOT_READ = object()  # a part left out of the read (a projection)

# Positions in a product's tally (a list, so the JSON stays small).
_COUNT, _LIVE, _FIRST, _DAYS, _QUANTITIES, _POS_SUM, _POS_N = range(7)


def summary_key(customer_id: str) -> dict[str, str]:
    return {"pk": keys.customer_pk(customer_id), "sk": ORDER_SUMMARY}


@dataclass(frozen=True, slots=True)
class ProductHistory:
    product_id: str
    times: int  # orders that held it
    orders: int  # orders considered
    last_on: date | None
    first_on: date | None
    # The mean gap between its newest DATE_CAP purchases: their span over the gaps (None under 2). Not the median
    # gap: purchases in runs of orders days apart, with weeks between the runs, have a median gap of days while
    # they come every week or two.
    typical_days_between: float | None
    typical_quantity: int


@dataclass(frozen=True, slots=True)
class UsualInputs:
    """What the usual basket's rule reads of a set of orders (usual.py), without the orders."""

    window_orders: int  # orders in the window (at most WINDOW)
    in_window: dict[str, int]  # per product: window orders holding it
    oldest_window_day: date | None
    in_all: dict[str, int]  # per product: orders holding it
    positions: dict[str, float]  # per product: mean position in the orders that list it
    quantities: dict[str, list[int]]  # per product: [quantity, lines, quantity, lines, ...] over every order

    def typical_quantity(self, product_id: str) -> int:
        return _median_of_histogram(self.quantities.get(product_id) or [])


class Digest:
    """The fold of one set of orders (the household's, or one speaker's). Mutable while folding, then read."""

    __slots__ = ("cancelled_live", "orders", "products", "window")

    def __init__(
        self,
        orders: int = 0,
        products: dict[str, list[Any]] | None = None,
        window: list[list[Any]] | None = None,
        cancelled_live: dict[str, int] | None = None,
    ) -> None:
        self.orders = orders
        self.products: dict[str, list[Any]] = products if products is not None else {}
        # newest first: [placed_at iso, order id, product ids]
        self.window: list[list[Any]] = window if window is not None else []
        # per product: cancelled orders placed through voicecart that held it (their "ordered" event reached the
        # profile, so they are not purchases "elsewhere" either)
        self.cancelled_live: dict[str, int] = cancelled_live if cancelled_live is not None else {}

    def add(self, order: Order) -> None:
        """Fold in one order that is not older than any folded before (the caller checks)."""
        self.orders += 1
        day = order.placed_on.toordinal()
        live = order.source != IMPORTED_SOURCE
        seen: set[str] = set()
        for position, line in enumerate(order.lines):
            tally = self.products.get(line.product_id)
            if tally is None:
                tally = self.products[line.product_id] = [0, 0, day, [], [], 0, 0]
            if line.product_id not in seen:
                seen.add(line.product_id)
                tally[_COUNT] += 1
                tally[_LIVE] += live
                days: list[int] = tally[_DAYS]
                days.append(day)
                if len(days) > DATE_CAP:
                    del days[0]
            _count_quantity(tally[_QUANTITIES], line.quantity)
            tally[_POS_SUM] += position
            tally[_POS_N] += 1
        self.window.insert(0, [order.placed_at.isoformat(), order.order_id, list(order.product_ids)])
        del self.window[WINDOW:]

    def product_history(self, product_id: str) -> ProductHistory:
        tally = self.products.get(product_id)
        if tally is None:
            return ProductHistory(product_id, 0, self.orders, None, None, None, 1)
        days = tally[_DAYS]
        return ProductHistory(
            product_id=product_id,
            times=tally[_COUNT],
            orders=self.orders,
            last_on=date.fromordinal(days[-1]),
            first_on=date.fromordinal(tally[_FIRST]),
            typical_days_between=(days[-1] - days[0]) / (len(days) - 1) if len(days) > 1 else None,
            typical_quantity=_median_of_histogram(tally[_QUANTITIES]),
        )

    def usual_inputs(self) -> UsualInputs:
        in_window: dict[str, int] = {}
        for _, _, product_ids in self.window:
            for product_id in set(product_ids):
                in_window[product_id] = in_window.get(product_id, 0) + 1
        oldest = datetime.fromisoformat(self.window[-1][0]).date() if self.window else None
        return UsualInputs(
            window_orders=len(self.window),
            in_window=in_window,
            oldest_window_day=oldest,
            in_all={pid: tally[_COUNT] for pid, tally in self.products.items()},
            positions={pid: tally[_POS_SUM] / tally[_POS_N] for pid, tally in self.products.items() if tally[_POS_N]},
            quantities={pid: tally[_QUANTITIES] for pid, tally in self.products.items()},
        )

    def add_cancelled(self, order: Order) -> None:
        if order.source != IMPORTED_SOURCE:
            for product_id in set(order.product_ids):
                self.cancelled_live[product_id] = self.cancelled_live.get(product_id, 0) + 1

    def live_counts(self) -> dict[str, int]:
        """Per product: the orders placed through voicecart (not imported) that held it, cancelled ones too (what
        the profile's "ordered" events counted: ``purchases.elsewhere_than``)."""
        counts = {pid: tally[_LIVE] for pid, tally in self.products.items() if tally[_LIVE]}
        for pid, count in self.cancelled_live.items():
            counts[pid] = counts.get(pid, 0) + count
        return counts

    def to_json(self) -> str:
        return json.dumps([self.orders, self.products, self.window, self.cancelled_live], separators=(",", ":"))

    @classmethod
    def from_json(cls, raw: str) -> Digest:
        orders, products, window, cancelled_live = json.loads(raw)
        return cls(int(orders), products, window, cancelled_live)

    def copy(self) -> Digest:
        return Digest.from_json(self.to_json())


def _count_quantity(histogram: list[int], quantity: int) -> None:
    for index in range(0, len(histogram), 2):
        if histogram[index] == quantity:
            histogram[index + 1] += 1
            return
    histogram.extend((quantity, 1))


def _median_of_histogram(histogram: Sequence[int]) -> int:
    """``max(1, int(median(quantities)))`` of the quantities a ``[q, n, q, n, ...]`` histogram counts."""
    pairs = sorted(zip(histogram[::2], histogram[1::2], strict=True))
    total = sum(n for _, n in pairs)
    if not total:
        return 1
    expanded_at = list(itertools.accumulate(n for _, n in pairs))

    def nth(index: int) -> int:  # the index-th smallest quantity (0-based)
        return next(q for (q, _), upto in zip(pairs, expanded_at, strict=True) if index < upto)

    middle = total // 2
    value = nth(middle) if total % 2 else (nth(middle - 1) + nth(middle)) / 2
    return max(1, int(value))


def _sort_key(order: Order) -> tuple[datetime, str]:
    return (order.placed_at, order.order_id)


def _newest_key(newest: tuple[str, str]) -> tuple[datetime, str]:
    return (datetime.fromisoformat(newest[0]), newest[1])


class OrderSummary:
    """A customer's order summary (see the module's text). ``rev`` counts its writes (0: never stored).

    A stored summary's parts are parsed when first asked for: "what did I order last time" needs only ``recent``,
    "when did I last buy X" only the household's products."""

    def __init__(
        self,
        *,
        rev: int = 0,
        newest: tuple[str, str] = ("", ""),
        overflowed: bool = False,
        parts: Mapping[str, Any] | None = None,
    ) -> None:
        self.rev = rev
        self.newest = newest  # (placed_at iso, order id) of the newest order folded
        self.overflowed = overflowed
        # Each part parsed, or still its stored JSON text.
        self._parts: dict[str, Any] = {"recent": [], "household": Digest(), "persons": {}, **(parts or {})}

    def _part(self, name: str) -> Any:
        value = self._parts[name]
        if value is _NOT_READ:
            raise LookupError(f"the order summary was read without its {name!r}")
        if isinstance(value, str):
            value = self._parts[name] = _parse_part(name, value)
        return value

    def part_text(self, name: str) -> str:
        """A part as stored: its text as read when it was never parsed, else written out again."""
        value = self._parts[name]
        if value is _NOT_READ:
            raise LookupError(f"the order summary was read without its {name!r}: it cannot be written back")
        if isinstance(value, str):
            return value
        if name == "recent":
            return json.dumps([_order_row(order) for order in value], separators=(",", ":"))
        if name == "household":
            return str(value.to_json())
        return json.dumps({person: d.to_json() for person, d in sorted(value.items())}, separators=(",", ":"))

    @property
    def recent(self) -> list[Order]:
        """The newest ``RECENT`` orders, newest first, any status."""
        recent: list[Order] = self._part("recent")
        return recent

    @property
    def household(self) -> Digest:
        household: Digest = self._part("household")
        return household

    @property
    def persons(self) -> dict[str, Digest]:
        persons: dict[str, Digest] = self._part("persons")
        return persons

    def with_order(self, order: Order) -> OrderSummary | None:
        """This summary with ``order`` folded in, or None when only a rebuild can say (the order is older than
        one already folded, or the summary overflowed)."""
        if self.overflowed or (self.newest[0] and _sort_key(order) <= _newest_key(self.newest)):
            return None
        after = OrderSummary(
            rev=self.rev,
            newest=self.newest,
            parts={
                "recent": [order, *self.recent][:RECENT],
                "household": self.household.copy(),
                "persons": {person: digest.copy() for person, digest in self.persons.items()},
            },
        )
        after._fold(order)
        return after

    def _fold(self, order: Order) -> None:
        if not self.newest[0] or _sort_key(order) > _newest_key(self.newest):
            self.newest = (order.placed_at.isoformat(), order.order_id)
        if order.status == CANCELLED:
            self.household.add_cancelled(order)
            return
        self.household.add(order)
        if order.person_id:
            self.persons.setdefault(order.person_id, Digest()).add(order)

    # -- questions --------------------------------------------------------------------------------------------
    def recent_orders(self, limit: int) -> list[Order]:
        return self.recent[:limit]

    def product_history(self, product_id: str) -> ProductHistory:
        return self.household.product_history(product_id)

    def digest_of(self, person_id: str | None) -> Digest:
        """A recognised speaker's own orders once they placed ``PERSON_MINIMUM``; otherwise the household's."""
        own = self.persons.get(person_id) if person_id else None
        return own if own is not None and own.orders >= PERSON_MINIMUM else self.household


def summarize(orders: Iterable[Order], *, rev: int = 0) -> OrderSummary:
    """The canonical summary of these orders (any order given; folded oldest first)."""
    chronological = sorted(orders, key=_sort_key)
    summary = OrderSummary(rev=rev, parts={"recent": chronological[::-1][:RECENT]})
    for order in chronological:
        summary._fold(order)
    return summary


# -- the item -----------------------------------------------------------------------------------------------------
def summary_to_item(customer_id: str, summary: OrderSummary, *, rev: int, updated_at: str) -> dict[str, Any]:
    """The item for revision ``rev``; an overflowed one (over ``MAX_BYTES``) keeps only its markers."""
    item: dict[str, Any] = {
        **summary_key(customer_id),
        "kind": SUMMARY_KIND,
        "version": VERSION,
        "rev": rev,
        "updated_at": updated_at,
        "newest": "|".join(summary.newest),
        "recent": summary.part_text("recent"),
        "household": summary.part_text("household"),
        "persons": summary.part_text("persons"),
    }
    if summary.overflowed or item_bytes(item) > MAX_BYTES:
        for part in ("recent", "household", "persons"):
            del item[part]
        item["overflowed"] = True
    return item


def summary_from_item(item: Mapping[str, Any] | None) -> OrderSummary | None:
    """The stored summary, or None when there is none of this version (rebuild it from the orders)."""
    if not item or int(item.get("version", 0)) != VERSION:
        return None
    rev = int(item.get("rev", 0))
    placed_at, _, order_id = str(item.get("newest") or "").partition("|")
    if item.get("overflowed"):
        return OrderSummary(rev=rev, overflowed=True, newest=(placed_at, order_id))
    parts = {part: str(item[part]) if part in item else _NOT_READ for part in ("recent", "household", "persons")}
    return OrderSummary(rev=rev, newest=(placed_at, order_id), parts=parts)


def _parse_part(name: str, raw: str) -> Any:
    if name == "recent":
        return [_order_from_row(row) for row in json.loads(raw)] if raw else []
    if name == "household":
        return Digest.from_json(raw) if raw else Digest()
    return {person: Digest.from_json(text) for person, text in json.loads(raw).items()} if raw else {}


def _order_row(order: Order) -> list[Any]:
    return [
        order.customer_id,
        order.order_id,
        order.placed_at.isoformat(),
        order.status,
        order.channel,
        order.source,
        order.person_id,
        str(order.subtotal),
        str(order.tax),
        str(order.delivery),
        str(order.total),
        [[line.product_id, line.quantity, str(line.unit_price)] for line in order.lines],
    ]


def _order_from_row(row: Sequence[Any]) -> Order:
    customer_id, order_id, placed_at, status, channel, source, person_id, subtotal, tax, delivery, total, lines = row
    return Order(
        customer_id=str(customer_id),
        order_id=str(order_id),
        placed_at=datetime.fromisoformat(placed_at),
        lines=tuple(OrderLine(str(pid), int(quantity), Decimal(price)) for pid, quantity, price in lines),
        subtotal=Decimal(subtotal),
        tax=Decimal(tax),
        delivery=Decimal(delivery),
        total=Decimal(total),
        status=str(status),
        channel=str(channel),
        source=str(source),
        person_id=str(person_id) if person_id else None,
    )


def item_bytes(item: Mapping[str, Any]) -> int:
    """An item's size as DynamoDB counts it, for the attribute types this item uses: names and string values in
    UTF-8 bytes, numbers about one byte per two digits plus one, booleans one byte."""
    size = 0
    for name, value in item.items():
        size += len(name.encode())
        if isinstance(value, str):
            size += len(value.encode())
        elif isinstance(value, bool):
            size += 1
        elif isinstance(value, int | Decimal):
            size += len(str(value)) // 2 + 2
        else:
            size += len(json.dumps(value, default=str).encode())
    return size


# -- reading and writing it ---------------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class StoredSummary:
    """What the table holds: the summary (None: none of this version) and the revision to write over (None:
    no item at all)."""

    summary: OrderSummary | None
    rev: int | None


_SMALL = ("version", "rev", "newest", "overflowed")


def load_summary(
    table: Table, customer_id: str, *, parts: Sequence[str] = ("recent", "household", "persons")
) -> StoredSummary:
    """One consistent GetItem, of only the ``parts`` asked for (a projection: less to send and to parse)."""
    names = {f"#a{n}": name for n, name in enumerate((*_SMALL, *parts))}
    with translate_errors("get_item"):
        response = table.client.get_item(
            TableName=table.name,
            Key=to_attribute_values(summary_key(customer_id)),
            ConsistentRead=True,
            ProjectionExpression=",".join(names),
            ExpressionAttributeNames=names,
        )
    raw = response.get("Item")
    if not raw:
        return StoredSummary(None, None)
    item = from_attribute_values(raw)
    return StoredSummary(summary_from_item(item), int(item.get("rev", 0)))


def stage_summary(
    tx: Transaction, customer_id: str, summary: OrderSummary, *, over: int | None, updated_at: str
) -> dict[str, Any]:
    """Stage the summary's put over revision ``over`` (None: on condition that there is none yet). A concurrent
    writer that got there first makes the transaction fail as ``ConcurrentUpdate``."""
    item = summary_to_item(customer_id, summary, rev=(over or 0) + 1, updated_at=updated_at)
    if over is None:
        tx.put(item, condition="attribute_not_exists(pk)")
    else:
        tx.put(item, condition="#rev = :rev", names={"#rev": "rev"}, values={":rev": over})
    stage_not_erased(tx, customer_id)  # a rebuild or an import never writes an erased customer's summary back
    return item
