"""The prebuilt catalog: the same catalog as the CSV files give, named and checked by catalog version, refused when
stale or broken (the CSV is read instead), written where it can be and never required."""

from __future__ import annotations

import logging
import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from backend.catalog import DEFAULT_DATA_DIR, Catalog, CatalogLoad, LoadProblem, Product, load_instacart
from backend.catalog.prebuilt import (
    build,
    catalog_version,
    load,
    load_instacart_prebuilt,
    prebuilt_path,
    save,
)
from backend.errors import CatalogLoadError
from tests.support.properties import examples

BAD_ROWS = Path(__file__).parent / "fixtures" / "catalog" / "instacart_bad"


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    """A copy of the fixture catalog with bad rows, free to change."""
    return Path(shutil.copytree(BAD_ROWS, tmp_path / "data"))


def test_the_packaged_catalog_loads_from_its_prebuilt_file_exactly_as_from_the_csv(tmp_path: Path) -> None:
    path, built = build(DEFAULT_DATA_DIR, tmp_path)
    from_csv = load_instacart(DEFAULT_DATA_DIR)
    loaded = load(path, version=catalog_version(DEFAULT_DATA_DIR))
    assert len(loaded.catalog) == len(from_csv.catalog) > 49_000
    assert list(loaded.catalog) == list(from_csv.catalog) == list(built.catalog)  # every field, in load order
    assert loaded.problems == from_csv.problems
    assert path.stat().st_size < 8_000_000


def test_the_rows_skipped_at_build_are_kept_with_the_catalog(data_dir: Path, tmp_path: Path) -> None:
    path, _ = build(data_dir, tmp_path / "cache")
    loaded = load(path, version=catalog_version(data_dir))
    assert loaded.problems == load_instacart(data_dir).problems
    assert LoadProblem("products.csv", 4, "empty product_id") in loaded.problems
    assert list(loaded.catalog) == list(load_instacart(data_dir).catalog)


def test_first_load_reads_the_csv_and_stores_the_file_the_next_one_reads(data_dir: Path, tmp_path: Path) -> None:
    cache = tmp_path / "cache"
    first = load_instacart_prebuilt(data_dir, cache_dir=cache)
    path = prebuilt_path(cache, catalog_version(data_dir))
    written = path.stat().st_mtime_ns
    second = load_instacart_prebuilt(data_dir, cache_dir=cache)
    assert path.stat().st_mtime_ns == written  # read, not written again
    assert list(second.catalog) == list(first.catalog) and second.problems == first.problems


def test_a_changed_csv_is_another_version_and_its_old_file_is_reported_stale(
    data_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    cache = tmp_path / "cache"
    old_path, _ = build(data_dir, cache)
    old_version = catalog_version(data_dir)
    products = data_dir / "products.csv"
    products.write_text(products.read_text(encoding="utf-8").replace("Crème Fraîche", "Sour Cream"), encoding="utf-8")
    version = catalog_version(data_dir)
    assert version != old_version
    with pytest.raises(CatalogLoadError, match="stale"):
        load(old_path, version=version)

    with caplog.at_level(logging.WARNING, logger="backend.catalog.prebuilt"):
        loaded = load_instacart_prebuilt(data_dir, cache_dir=cache)
    assert "Sour Cream" in {product.name for product in loaded.catalog}
    assert "stale" in caplog.text and old_path.name in caplog.text and "voicecart index build" in caplog.text
    assert prebuilt_path(cache, version).is_file()  # rebuilt for the new version


def test_a_file_renamed_to_another_version_is_refused(data_dir: Path, tmp_path: Path) -> None:
    path, _ = build(data_dir, tmp_path)
    forged = prebuilt_path(tmp_path, "0" * 24)
    path.rename(forged)
    with pytest.raises(CatalogLoadError, match="stale"):
        load(forged, version="0" * 24)


@pytest.mark.parametrize("damage", [b"", b"not a zip at all", b"PK\x03\x04 truncated"])
def test_a_broken_file_is_refused_and_the_csv_read(
    data_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture, damage: bytes
) -> None:
    path = prebuilt_path(tmp_path, catalog_version(data_dir))
    path.write_bytes(damage)
    with pytest.raises(CatalogLoadError, match="not a readable prebuilt catalog"):
        load(path, version=catalog_version(data_dir))
    with caplog.at_level(logging.WARNING, logger="backend.catalog.prebuilt"):
        loaded = load_instacart_prebuilt(data_dir, cache_dir=tmp_path)
    assert list(loaded.catalog) == list(load_instacart(data_dir).catalog)
    assert "refused" in caplog.text
    assert load(path, version=catalog_version(data_dir)).problems == loaded.problems  # replaced by a good one


def test_a_cache_that_cannot_be_written_only_costs_the_csv_load(
    data_dir: Path, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    not_a_directory = tmp_path / "file"
    not_a_directory.write_text("x", encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="backend.catalog.prebuilt"):
        loaded = load_instacart_prebuilt(data_dir, cache_dir=not_a_directory / "cache")
    assert len(loaded.catalog) == len(load_instacart(data_dir).catalog)
    assert "cannot store the prebuilt catalog" in caplog.text


def test_a_catalog_without_its_files_is_a_catalog_error(tmp_path: Path) -> None:
    with pytest.raises(CatalogLoadError, match="cannot read catalog file"):
        load_instacart_prebuilt(tmp_path / "nowhere", cache_dir=tmp_path)


# Fields as the loaders leave them: whitespace folded to single spaces, no empty brand, size or synonym.
_field = st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp")), min_size=1, max_size=12)
_words = st.lists(_field, min_size=1, max_size=3).map(" ".join)
_product = st.builds(
    Product,
    id=_field,
    name=_words,
    aisle=_words,
    department=_words,
    price=st.decimals(min_value=0, max_value=10_000, places=2),
    aisle_id=st.none() | _field,
    brand=st.none() | _words,
    size=st.none() | _words,
    synonyms=st.lists(_words, max_size=3).map(tuple),
)


@settings(max_examples=examples(60), deadline=None)
@given(st.lists(_product, max_size=12, unique_by=lambda product: product.id))
def test_any_loaded_catalog_comes_back_field_for_field(
    tmp_path_factory: pytest.TempPathFactory, products: list[Product]
) -> None:
    path = tmp_path_factory.mktemp("prebuilt") / "catalog.npz"
    problems = [LoadProblem("products.csv", 7, "empty product_name")]
    save(CatalogLoad(Catalog(products), problems), path, version="v")
    loaded = load(path, version="v")
    assert list(loaded.catalog) == products
    assert [str(product.price) for product in loaded.catalog] == [str(product.price) for product in products]
    assert loaded.problems == problems


@pytest.mark.parametrize(
    "product",
    [
        Product("1", "two\nlines", "a", "d", Decimal("1.00")),
        Product("1", "n", "a", "d", Decimal("1.00"), brand=""),
        Product("1", "n", "a", "d", Decimal("1.00"), synonyms=("tab\tbed",)),
    ],
)
def test_fields_the_columns_cannot_hold_are_refused_before_anything_is_written(
    tmp_path: Path, product: Product
) -> None:
    with pytest.raises(ValueError):
        save(CatalogLoad(Catalog([product])), tmp_path / "catalog.npz", version="v")
    assert list(tmp_path.iterdir()) == []
