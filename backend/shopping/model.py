"""The shopping domain objects: plain, immutable values. Storage lives in ``items``; rules live here."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal

from backend.errors import NotInCart, OtherUnitInCart, ValidationError
from backend.resolver.amounts import CONTAINERS, MEASURES, MIXED
from backend.shopping.measures import from_halves, in_halves

MIN_QUANTITY = 1
MAX_QUANTITY = 50  # per line: "add 500 bananas" is far more likely a misheard word than a wish
# A placed order is one DynamoDB transaction (100 writes at most): lines plus order, cart, marker, outbox and the
# profile's writes must fit, so a cart holds at most this many distinct products.
MAX_CART_LINES = 60

VOICE = "voice"
# The source of orders imported from the retailer's order system (the demo's Instacart history): they reached no
# profile event (see ``purchases``).
IMPORTED_SOURCE = "instacart"


def check_quantity(quantity: int, unit: str | None = None) -> int:
    """``quantity`` when a line may hold it: 1..``MAX_QUANTITY`` of its unit, and of a measure and a half (held as
    1 "thirty and a half pound") at most ``MAX_QUANTITY`` of the measure, a half counted as one."""
    if not MIN_QUANTITY <= quantity <= MAX_QUANTITY:
        raise ValidationError(f"quantity must be {MIN_QUANTITY}..{MAX_QUANTITY}, not {quantity}", field="quantity")
    halves = in_halves(quantity, unit) if unit is not None and MIXED in unit else None
    if halves is not None and (halves[1] + 1) // 2 > MAX_QUANTITY:
        raise ValidationError(f"at most {MAX_QUANTITY} of a measure, not {unit!r}", field="quantity")
    return quantity


def items_of(quantity: int, unit: str | None) -> int:
    """How many items a line is, as a shopper counts them: a measure weighed or poured ("2 pounds of" apples, "half
    a pound of" ham, "one and a half pounds of" beef) is one item; containers, packs, dozens, parts of a measure
    and containers named by their size are counted ("3 cans", "2 six packs", "3 half gallons", "2 two liters")."""
    words = (unit or "").split()
    if len(words) == 1 and words[0] in MEASURES and words[0] != "dozen":
        return 1
    if unit is not None and MIXED in f" {unit} ":
        return 1
    return quantity


@dataclass(frozen=True, slots=True)
class CartLine:
    """``quantity`` of a product; of ``unit`` when the customer said one that the product is not simply counted in
    ("pound", "gallon", "dozen", "six pack", "can": see ``backend.shopping.measures``)."""

    product_id: str
    quantity: int
    channel: str = VOICE  # the channel that last put this line in the cart (voice, web, store, ...)
    added_at: str = ""  # ISO timestamp of that change
    unit: str | None = None


@dataclass(frozen=True, slots=True)
class Cart:
    """One customer's cart, the same on every channel. ``version`` counts saved changes (0: never saved)."""

    customer_id: str
    lines: tuple[CartLine, ...] = ()
    version: int = 0
    updated_at: str = ""
    updated_channel: str = ""

    @property
    def is_empty(self) -> bool:
        return not self.lines

    @property
    def item_count(self) -> int:
        return sum(items_of(line.quantity, line.unit) for line in self.lines)

    def line_for(self, product_id: str) -> CartLine | None:
        return next((line for line in self.lines if line.product_id == product_id), None)

    def with_added(
        self,
        product_id: str,
        quantity: int,
        *,
        channel: str,
        at: str,
        unit: str | None = None,
        more_of_line: bool = False,
    ) -> Cart:
        """Add ``quantity`` of ``unit`` of a product (``None``: of the product itself), merging with a line already
        there in the same unit. A line held in another unit cannot be added to (``OtherUnitInCart``: "2 pounds"
        and "3 apples" do not sum). ``more_of_line`` says no unit was said and the quantity is more of the line's
        own ("another one" after a dozen eggs is another dozen)."""
        check_quantity(quantity, unit)
        current = self.line_for(product_id)
        if current is None:
            if len(self.lines) >= MAX_CART_LINES:
                raise ValidationError(f"a cart holds at most {MAX_CART_LINES} products", field="product")
            return replace(self, lines=(*self.lines, CartLine(product_id, quantity, channel, at, unit)))
        kept = current.unit if unit is None and more_of_line else unit
        summed = _summed_measure(current, quantity, kept)
        if summed is not None:
            whole, summed_unit = summed
            check_quantity(whole, summed_unit)
            return self._replace_line(CartLine(product_id, whole, channel, at, summed_unit))
        if kept != current.unit and not _same_count(kept, current.unit):
            raise OtherUnitInCart(product_id, held=current.unit, said=unit)
        kept = current.unit  # the line keeps the words it was added with ("3 cans" + 2 more soups: "5 cans")
        total = check_quantity(current.quantity + quantity)
        return self._replace_line(CartLine(product_id, total, channel, at, kept))

    def with_quantity(self, product_id: str, quantity: int, *, channel: str, at: str) -> Cart:
        """The line's quantity set, in its own unit ("make that three" after two pounds is three pounds)."""
        check_quantity(quantity)
        current = self.line_for(product_id)
        if current is None:
            raise NotInCart(product_id)
        return self._replace_line(CartLine(product_id, quantity, channel, at, current.unit))

    def with_line(self, product_id: str, quantity: int, unit: str | None, *, channel: str, at: str) -> Cart:
        """The line set to ``quantity`` of ``unit`` ("make that two" after a pound and a half: 2 pounds)."""
        check_quantity(quantity, unit)
        if self.line_for(product_id) is None:
            raise NotInCart(product_id)
        return self._replace_line(CartLine(product_id, quantity, channel, at, unit))

    def without(self, product_id: str) -> Cart:
        if self.line_for(product_id) is None:
            raise NotInCart(product_id)
        return replace(self, lines=tuple(line for line in self.lines if line.product_id != product_id))

    def cleared(self) -> Cart:
        return replace(self, lines=())

    def _replace_line(self, new: CartLine) -> Cart:
        return replace(self, lines=tuple(new if line.product_id == new.product_id else line for line in self.lines))


def _summed_measure(held: CartLine, quantity: int, unit: str | None) -> tuple[int, str] | None:
    """A measure added to a line of the same measure in another unit ("a pound and a half" and "two pounds" of
    apples, "half a pound" more of them): one amount of the measure, in halves of it ("three and a half pound").
    ``None`` when either is no such measure, or both are in one unit (summed as any line in its unit)."""
    if held.unit == unit and MIXED not in f" {unit} ":
        return None  # "2 pounds" and "3 pounds", "2 half pounds" and "a half pound": summed in their unit
    line, said = in_halves(held.quantity, held.unit), in_halves(quantity, unit)
    if line is None or said is None or line[0] != said[0]:
        return None
    return from_halves(line[0], line[1] + said[1])


def _same_count(said: str | None, held: str | None) -> bool:
    """A container is one of the product each ("3 cans of soup" and "2 soups" sum): only measures, counts
    ("2 pounds", "a dozen") and another container keep a line apart from the product counted by itself."""
    units = {said, held} - {None}
    return len(units) == 1 and units <= CONTAINERS


@dataclass(frozen=True, slots=True)
class OrderLine:
    """``quantity`` of a product at ``unit_price`` each; ``unit`` as on the cart line (``None``: the product)."""

    product_id: str
    quantity: int
    unit_price: Decimal
    name: str = ""
    unit: str | None = None

    @property
    def line_total(self) -> Decimal:
        return self.unit_price * self.quantity


@dataclass(frozen=True, slots=True)
class Quote:
    """What the customer is asked to agree to: priced lines and totals for one version of the cart."""

    lines: tuple[OrderLine, ...]
    subtotal: Decimal
    tax: Decimal
    delivery: Decimal
    total: Decimal
    cart_version: int
    seller: str

    @property
    def item_count(self) -> int:
        return sum(items_of(line.quantity, line.unit) for line in self.lines)

    @property
    def fingerprint(self) -> str:
        """What the customer heard and agrees to with a yes: every line (product, quantity, price) and the total.
        Two quotes with the same fingerprint ask for the same purchase, whatever the cart's version says."""
        parts = [
            f"{line.product_id}x{line.quantity}{f' {line.unit}' if line.unit else ''}@{line.unit_price}"
            for line in sorted(self.lines, key=_by_id)
        ]
        text = "|".join([*parts, f"total={self.total}", f"delivery={self.delivery}", f"tax={self.tax}"])
        return hashlib.sha256(text.encode()).hexdigest()[:20]


def _by_id(line: OrderLine) -> str:
    return line.product_id


@dataclass(frozen=True, slots=True)
class Order:
    customer_id: str
    order_id: str  # sorts by time: orders newest first is a descending query
    placed_at: datetime
    lines: tuple[OrderLine, ...]
    subtotal: Decimal
    tax: Decimal
    delivery: Decimal
    total: Decimal
    status: str = "placed"
    channel: str = VOICE
    source: str = VOICE  # voice, web, instacart (imported history) ...
    person_id: str | None = None  # the recognised speaker who placed it, for per-person "usual"

    @property
    def placed_on(self) -> date:
        return self.placed_at.date()

    @property
    def product_ids(self) -> tuple[str, ...]:
        return tuple(line.product_id for line in self.lines)

    @property
    def item_count(self) -> int:
        return sum(items_of(line.quantity, line.unit) for line in self.lines)


@dataclass(frozen=True, slots=True)
class VoiceCodeState:
    """The optional purchase code of an account. Only a salted PBKDF2 digest is stored, never the code."""

    enabled: bool = False
    salt: bytes = b""
    digest: bytes = b""
    failed_attempts: int = 0
    locked: bool = False
