"""Illustrative, deterministic prices for catalogs that carry none (the Instacart demo data).

The Instacart data set has no prices, so voicecart makes up stable ones for demos and tests.
They are not real prices. The rule:

1. A base price in cents comes from the product's aisle when the aisle has its own entry in
   ``AISLE_BASE_CENTS`` (wine, spirits, diapers, ... cost more than the department suggests),
   otherwise from its department in ``DEPARTMENT_BASE_CENTS``, otherwise ``DEFAULT_BASE_CENTS``.
2. A per-product spread is added: the first 8 bytes of ``sha256(product_id)`` read as a big-endian
   integer ``h``; spread = ``h mod (base // 2 + 1)`` cents, i.e. 0 to +50 % of the base.
3. The result is rounded down to a multiple of 10 cents and 9 cents are added, so every price ends
   in ``.x9`` (e.g. 3.49), and returned as a ``Decimal`` with 2 places.

Same product id, aisle and department => same price, on every machine and in every process.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from typing import Final

DEFAULT_BASE_CENTS: Final = 399

# Instacart department_id -> base price in cents.
DEPARTMENT_BASE_CENTS: Final[dict[str, int]] = {
    "1": 499,  # frozen
    "2": 399,  # other
    "3": 349,  # bakery
    "4": 199,  # produce
    "5": 1299,  # alcohol
    "6": 349,  # international
    "7": 349,  # beverages
    "8": 899,  # pets
    "9": 249,  # dry goods pasta
    "10": 599,  # bulk
    "11": 699,  # personal care
    "12": 799,  # meat seafood
    "13": 399,  # pantry
    "14": 449,  # breakfast
    "15": 229,  # canned goods
    "16": 349,  # dairy eggs
    "17": 599,  # household
    "18": 499,  # babies
    "19": 349,  # snacks
    "20": 549,  # deli
    "21": 399,  # missing
}

# Instacart aisle_id -> base price in cents, for aisles far from their department's typical price.
AISLE_BASE_CENTS: Final[dict[str, int]] = {
    "24": 129,  # fresh fruits
    "83": 149,  # fresh vegetables
    "16": 199,  # fresh herbs
    "28": 1499,  # red wines
    "62": 1399,  # white wines
    "124": 2499,  # spirits
    "134": 1999,  # specialty wines champagnes
    "27": 999,  # beers coolers
    "56": 1599,  # diapers wipes
    "92": 299,  # baby food formula
    "47": 1299,  # vitamins supplements
    "75": 1099,  # laundry
    "84": 349,  # milk
    "86": 399,  # eggs
}

_CENT: Final = Decimal("0.01")


def base_cents(aisle_id: str | None, department_id: str | None) -> int:
    """The base price in cents of step 1 of the module's rule."""
    if aisle_id is not None and aisle_id in AISLE_BASE_CENTS:
        return AISLE_BASE_CENTS[aisle_id]
    if department_id is not None and department_id in DEPARTMENT_BASE_CENTS:
        return DEPARTMENT_BASE_CENTS[department_id]
    return DEFAULT_BASE_CENTS


def price_for(product_id: str, aisle_id: str | None, department_id: str | None) -> Decimal:
    """The illustrative price of one product, following the rule in the module docstring."""
    base = base_cents(aisle_id, department_id)
    digest = hashlib.sha256(product_id.encode("utf-8")).digest()
    spread = int.from_bytes(digest[:8], "big") % (base // 2 + 1)
    cents = (base + spread) // 10 * 10 + 9
    return (Decimal(cents) * _CENT).quantize(_CENT)
