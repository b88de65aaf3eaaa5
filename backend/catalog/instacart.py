"""Loader for the Instacart 2017 CSV layout (products.csv, aisles.csv, departments.csv)."""

from __future__ import annotations

from pathlib import Path

from backend.catalog._csvrows import read_csv_rows
from backend.catalog.model import Catalog, CatalogLoad, LoadProblem, Product
from backend.pricing import price_for

PRODUCTS_FILE = "products.csv"
AISLES_FILE = "aisles.csv"
DEPARTMENTS_FILE = "departments.csv"


def _load_names(path: Path, id_column: str, name_column: str, problems: list[LoadProblem]) -> dict[str, str]:
    names: dict[str, str] = {}
    for line, row in read_csv_rows(path, (id_column, name_column)):
        key = (row.get(id_column) or "").strip()
        name = (row.get(name_column) or "").strip()
        if not key or not name:
            problems.append(LoadProblem(path.name, line, f"empty {id_column} or {name_column}"))
        elif key in names:
            problems.append(LoadProblem(path.name, line, f"duplicate {id_column} {key}"))
        else:
            names[key] = name
    return names


def load_instacart(directory: Path) -> CatalogLoad:
    """Load the Instacart layout in ``directory``; bad rows are skipped and reported as problems.

    Prices come from ``backend.pricing.price_for`` (the data set has none).
    Raises ``backend.errors.CatalogError`` if a file is missing or lacks its columns.
    """
    directory = Path(directory)
    problems: list[LoadProblem] = []
    aisles = _load_names(directory / AISLES_FILE, "aisle_id", "aisle", problems)
    departments = _load_names(directory / DEPARTMENTS_FILE, "department_id", "department", problems)

    products: dict[str, Product] = {}
    required = ("product_id", "product_name", "aisle_id", "department_id")
    for line, row in read_csv_rows(directory / PRODUCTS_FILE, required):
        product_id = (row.get("product_id") or "").strip()
        name = " ".join((row.get("product_name") or "").split())
        aisle_id = (row.get("aisle_id") or "").strip()
        department_id = (row.get("department_id") or "").strip()
        reason = None
        if not product_id:
            reason = "empty product_id"
        elif not name:
            reason = "empty product_name"
        elif product_id in products:
            reason = f"duplicate product_id {product_id}"
        elif aisle_id not in aisles:
            reason = f"unknown aisle_id {aisle_id!r}"
        elif department_id not in departments:
            reason = f"unknown department_id {department_id!r}"
        if reason is not None:
            problems.append(LoadProblem(PRODUCTS_FILE, line, reason))
            continue
        products[product_id] = Product(
            id=product_id,
            name=name,
            aisle=aisles[aisle_id],
            department=departments[department_id],
            price=price_for(product_id, aisle_id, department_id),
            aisle_id=aisle_id,
        )
    return CatalogLoad(Catalog(products.values()), problems)
