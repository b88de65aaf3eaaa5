"""The product model and the immutable in-memory catalog."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from decimal import Decimal

from backend.errors import ProductNotFound


@dataclass(frozen=True, slots=True)
class Product:
    """One product a customer can buy."""

    id: str
    name: str
    aisle: str
    department: str
    price: Decimal
    aisle_id: str | None = None
    brand: str | None = None
    size: str | None = None
    synonyms: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class LoadProblem:
    """A catalog row that was skipped, and why. ``line`` is 1-based (the header is line 1 in CSV)."""

    file: str
    line: int
    reason: str


class Catalog:
    """An immutable set of products, in load order, looked up by id."""

    __slots__ = ("_by_id", "_products")

    def __init__(self, products: Iterable[Product]) -> None:
        ordered = tuple(products)
        by_id = {product.id: product for product in ordered}
        if len(by_id) != len(ordered):
            raise ValueError("product ids must be unique in a catalog")
        self._products = ordered
        self._by_id = by_id

    def __len__(self) -> int:
        return len(self._products)

    def __iter__(self) -> Iterator[Product]:
        return iter(self._products)

    def __contains__(self, product_id: object) -> bool:
        return product_id in self._by_id

    def __repr__(self) -> str:
        return f"Catalog({len(self._products)} products)"

    def get(self, product_id: str) -> Product:
        """The product with this id; raises ``ProductNotFound`` if there is none."""
        try:
            return self._by_id[product_id]
        except KeyError as exc:
            raise ProductNotFound(product_id) from exc

    def find(self, product_id: str) -> Product | None:
        """The product with this id, or ``None``."""
        return self._by_id.get(product_id)


@dataclass(frozen=True, slots=True)
class CatalogLoad:
    """The result of loading a catalog: the products that loaded and the rows that did not."""

    catalog: Catalog
    problems: list[LoadProblem] = field(default_factory=list)
