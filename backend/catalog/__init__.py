"""The product catalog: model, loaders (Instacart layout, generic retailer layout), demo catalog."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from backend.catalog.generic import load_generic
from backend.catalog.instacart import load_instacart
from backend.catalog.model import Catalog, CatalogLoad, LoadProblem, Product

DEFAULT_DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "instacart"

__all__ = [
    "DEFAULT_DATA_DIR",
    "Catalog",
    "CatalogLoad",
    "LoadProblem",
    "Product",
    "load_default_catalog",
    "load_generic",
    "load_instacart",
]


@lru_cache(maxsize=1)
def load_default_catalog() -> Catalog:
    """The packaged Instacart demo catalog, loaded once per process (its problems are not kept): from its prebuilt
    file when the cache directory holds one for this version (``backend.catalog.prebuilt``), else from the CSV."""
    from backend.catalog.prebuilt import load_instacart_prebuilt

    return load_instacart_prebuilt(DEFAULT_DATA_DIR).catalog
