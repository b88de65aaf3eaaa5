"""Loader for the generic retailer layout: one product per CSV row or JSON object.

Fields (CSV columns or JSON keys):

=========== ======== ==========================================================
field       required meaning
=========== ======== ==========================================================
id          yes      the retailer's product id (any string, unique)
name        yes      the display name, e.g. ``Organic Whole Milk``
aisle       yes      aisle name, e.g. ``milk``
department  yes      department name, e.g. ``dairy eggs``
price       yes      decimal number, e.g. ``3.49`` (no currency sign)
brand       no       brand name
size        no       pack size as written, e.g. ``1 gal``
synonyms    no       other names; CSV: separated by ``|``; JSON: a list or a ``|`` string
=========== ======== ==========================================================

A ``.json`` file holds a list of such objects (or ``{"products": [...]}``); anything else is read
as CSV (UTF-8, header row). Rows with a missing field, a bad price or a repeated id are skipped and
reported as ``LoadProblem``; for JSON, ``line`` is the 1-based position of the object in the list.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from backend.catalog._csvrows import read_csv_rows
from backend.catalog.model import Catalog, CatalogLoad, LoadProblem, Product
from backend.errors import CatalogLoadError

REQUIRED_FIELDS = ("id", "name", "aisle", "department", "price")
SYNONYM_SEPARATOR = "|"


def _json_rows(path: Path) -> Iterator[tuple[int, Mapping[str, Any]]]:
    try:
        document = json.loads(path.read_text(encoding="utf-8-sig"))
    except OSError as exc:
        raise CatalogLoadError(f"cannot read catalog file {path}: {exc.strerror}") from exc
    except (ValueError, UnicodeDecodeError) as exc:
        raise CatalogLoadError(f"{path} is not valid JSON: {exc}") from exc
    if isinstance(document, dict):
        document = document.get("products")
    if not isinstance(document, list):
        raise CatalogLoadError(f'{path} must hold a list of products or {{"products": [...]}}')
    for position, item in enumerate(document, start=1):
        yield position, item if isinstance(item, Mapping) else {}


def _text(value: object) -> str:
    if value is None:
        return ""
    return " ".join(str(value).split())


def _synonyms(value: object) -> tuple[str, ...]:
    parts = value if isinstance(value, list) else _text(value).split(SYNONYM_SEPARATOR)
    return tuple(text for text in (_text(part) for part in parts) if text)


def _price(value: object) -> Decimal | None:
    try:
        price = Decimal(_text(value))
    except InvalidOperation:
        return None
    if not price.is_finite() or price < 0:
        return None
    return price.quantize(Decimal("0.01"))


def _product(row: Mapping[str, Any]) -> Product | str:
    """The product of one row, or the reason it is rejected."""
    fields = {name: _text(row.get(name)) for name in REQUIRED_FIELDS}
    missing = [name for name, value in fields.items() if not value]
    if missing:
        return f"missing {', '.join(missing)}"
    price = _price(row.get("price"))
    if price is None:
        return f"bad price {fields['price']!r}"
    return Product(
        id=fields["id"],
        name=fields["name"],
        aisle=fields["aisle"],
        department=fields["department"],
        price=price,
        brand=_text(row.get("brand")) or None,
        size=_text(row.get("size")) or None,
        synonyms=_synonyms(row.get("synonyms")),
    )


def load_generic(path: Path) -> CatalogLoad:
    """Load a generic retailer catalog (CSV or JSON, see the module docstring)."""
    path = Path(path)
    rows = _json_rows(path) if path.suffix.lower() == ".json" else read_csv_rows(path, REQUIRED_FIELDS)
    products: dict[str, Product] = {}
    problems: list[LoadProblem] = []
    for line, row in rows:
        product = _product(row)
        if isinstance(product, str):
            problems.append(LoadProblem(path.name, line, product))
        elif product.id in products:
            problems.append(LoadProblem(path.name, line, f"duplicate id {product.id}"))
        else:
            products[product.id] = product
    return CatalogLoad(Catalog(products.values()), problems)
