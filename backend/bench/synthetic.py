"""A 1,000,000-product catalog for scale tests, made by recombining real product names.

Every real product is kept. Each synthetic product takes the first half of the words of one real
product's name and the second half of another's from the same department ("Organic Whole" +
"Greek Yogurt"), with that department, the first product's aisle and a price from
``backend.pricing``. The draw uses a fixed seed, so the catalog is the same on every run.
"""

from __future__ import annotations

import random
from collections import defaultdict

from backend.catalog import Catalog, Product
from backend.pricing import price_for

SEED = 2017


def recombined_catalog(real: Catalog, size: int = 1_000_000) -> Catalog:
    """``real`` plus synthetic products up to ``size`` in total."""
    products = list(real)
    by_department: dict[str, list[Product]] = defaultdict(list)
    for product in products:
        by_department[product.department].append(product)
    departments = sorted(by_department)
    weights = [len(by_department[name]) for name in departments]
    rng = random.Random(SEED)
    for number in range(size - len(products)):
        department = rng.choices(departments, weights)[0]
        head, tail = rng.choice(by_department[department]), rng.choice(by_department[department])
        head_words, tail_words = head.name.split(), tail.name.split()
        name = " ".join(head_words[: (len(head_words) + 1) // 2] + tail_words[len(tail_words) // 2 :])
        product_id = f"m{number}"
        products.append(
            Product(product_id, name, head.aisle, department, price_for(product_id, head.aisle_id, None), head.aisle_id)
        )
    return Catalog(products)
