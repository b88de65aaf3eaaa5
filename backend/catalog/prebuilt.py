"""The prebuilt catalog: an Instacart-layout catalog stored as columns in one file that loads in milliseconds.

Reading the CSV files means parsing 50k rows, normalising every name and pricing every product: about a second of
a cold start. The prebuilt file holds the result, column by column: ids, names, prices, brands, sizes and synonyms
as lines of text; aisle and department as integer codes into their lists of names; the rows skipped at load as
``LoadProblem``s. It is one uncompressed ``.npz`` (numpy's zip of ``.npy`` arrays, read with ``allow_pickle=False``,
so a file can hold data only), written to a temporary name and renamed into place, so a reader never sees half.
Loading is a few reads, ``str.split`` and making the ``Product`` objects.

A file belongs to one *catalog version*: a digest of the three CSV files' bytes, of the code that turns them into
products (the loader, the product model, ``backend.pricing`` and this module) and of ``FORMAT``. The file is named
by that version (``catalog-<version>.npz``, in the cache directory beside the resolver's tables) and records it
inside. A changed CSV, price rule or loader has another version, so an old file is never read for it: it is
reported as stale, the CSV is read, and a file for the new version is written where the directory is writable
(read-only, as a Lambda package is, the warning says to run ``voicecart index build``). The CSV stays the source of
truth; without a prebuilt file the catalog loads exactly as before.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
import zipfile
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from backend import pricing
from backend.catalog import _csvrows, instacart, model
from backend.catalog.cache import default_cache_dir
from backend.catalog.instacart import AISLES_FILE, DEPARTMENTS_FILE, PRODUCTS_FILE, load_instacart
from backend.catalog.model import Catalog, CatalogLoad, LoadProblem, Product
from backend.errors import CatalogLoadError

log = logging.getLogger(__name__)

# Bump when the layout of the file changes (the code that makes products is in the version already).
FORMAT: Final = "voicecart-catalog-1"
PREFIX: Final = "catalog-"
SUFFIX: Final = ".npz"

_SOURCES: Final = (PRODUCTS_FILE, AISLES_FILE, DEPARTMENTS_FILE)
_TEXTS: Final = ("ids", "names", "prices", "brands", "sizes", "synonyms")
_LINE: Final = "\n"  # every loader folds whitespace runs into one space, so no field holds a line break ...
_SYNONYM: Final = "\t"  # ... or a tab, which separates a product's synonyms on its line


def _code_files() -> tuple[Path, ...]:
    modules = (instacart, _csvrows, model, pricing)
    return (*(Path(str(module.__file__)) for module in modules), Path(__file__))


def catalog_version(directory: Path) -> str:
    """The version of the Instacart-layout catalog in ``directory``: names its prebuilt file."""
    digest = hashlib.sha256(FORMAT.encode())
    for path in (*(Path(directory) / name for name in _SOURCES), *_code_files()):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CatalogLoadError(f"cannot read catalog file {path}: {exc.strerror}") from exc
        digest.update(path.name.encode() + b"\0" + len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()[:24]


def prebuilt_path(cache_dir: Path, version: str) -> Path:
    """Where the prebuilt catalog of ``version`` lives in ``cache_dir``."""
    return Path(cache_dir) / f"{PREFIX}{version}{SUFFIX}"


def save(loaded: CatalogLoad, path: Path, *, version: str) -> None:
    """Write ``loaded`` (its catalog and its skipped rows) as the prebuilt catalog of ``version`` at ``path``.

    Raises ``ValueError`` for a catalog the columns cannot hold (a line break in a field, an empty brand, size or
    synonym: the loaders never make one).
    """
    arrays = _columns(loaded.catalog)
    meta = {
        "format": FORMAT,
        "version": version,
        "products": len(loaded.catalog),
        "problems": [[problem.file, problem.line, problem.reason] for problem in loaded.problems],
        **arrays.pop("meta"),
    }
    encoded: dict[str, npt.NDArray[Any]] = {"meta": _blob(json.dumps(meta)), **arrays}
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, staging = tempfile.mkstemp(prefix=f".{PREFIX}", suffix=SUFFIX, dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as file:
            np.savez(file, **encoded)  # type: ignore[arg-type]
        # mkstemp makes the file private; a packaged file is read by the function's own user (Lambda's is not root).
        os.chmod(staging, 0o644)
        os.replace(staging, path)
    except BaseException:
        Path(staging).unlink(missing_ok=True)
        raise


def load(path: Path, *, version: str) -> CatalogLoad:
    """The catalog stored at ``path`` by ``save``; raises ``CatalogLoadError`` if it is unreadable or not of
    ``version`` (a file of another catalog version is stale: it is refused, never read as this one)."""
    try:
        # Our own handle: numpy leaves the file it opened itself open when the archive turns out broken.
        with Path(path).open("rb") as handle:
            opened = np.load(handle, allow_pickle=False)
            if not isinstance(opened, np.lib.npyio.NpzFile):
                raise ValueError("one array, not an archive of columns")
            with opened as archive:
                meta = json.loads(_text(archive["meta"]))
                if meta.get("format") != FORMAT or meta.get("version") != version:
                    raise CatalogLoadError(
                        f"{path} is the prebuilt catalog of {meta.get('format')!r} version {meta.get('version')!r}, "
                        f"not of {FORMAT!r} version {version!r}: stale, rebuild it with `voicecart index build`"
                    )
                count = int(meta["products"])
                texts = {name: _lines(_text(archive[name]), count, name) for name in _TEXTS}
                aisle_codes = archive["aisle"].tolist()
                department_codes = archive["department"].tolist()
    except (OSError, EOFError, ValueError, KeyError, TypeError, zipfile.BadZipFile) as exc:
        raise CatalogLoadError(f"{path}: not a readable prebuilt catalog ({exc})") from exc
    if len(aisle_codes) != count or len(department_codes) != count:
        raise CatalogLoadError(f"{path}: aisle or department codes for another number of products")
    aisles = [(str(name), None if aisle_id is None else str(aisle_id)) for name, aisle_id in meta["aisles"]]
    departments = [str(name) for name in meta["departments"]]
    try:
        # Prices repeat (a few hundred distinct values at 50k products): one Decimal each.
        decimals = {text: Decimal(text) for text in set(texts["prices"])}
        aisle_of = [aisles[code] for code in aisle_codes]
        columns = (
            texts["ids"],
            texts["names"],
            [name for name, _ in aisle_of],
            [departments[code] for code in department_codes],
            [decimals[text] for text in texts["prices"]],
            [aisle_id for _, aisle_id in aisle_of],
            [text or None for text in texts["brands"]],
            [text or None for text in texts["sizes"]],
            [tuple(text.split(_SYNONYM)) if text else () for text in texts["synonyms"]],
        )
        # Positional, column by column: the products are most of the load, and map() is the cheapest way to call.
        catalog = Catalog(map(Product, *columns))
    except (IndexError, InvalidOperation, ValueError) as exc:
        raise CatalogLoadError(f"{path}: not a readable prebuilt catalog ({exc})") from exc
    problems = [LoadProblem(str(file), int(line), str(reason)) for file, line, reason in meta["problems"]]
    return CatalogLoad(catalog, problems)


def load_instacart_prebuilt(directory: Path, *, cache_dir: Path | None = None, store: bool = True) -> CatalogLoad:
    """The Instacart-layout catalog in ``directory``, from its prebuilt file when there is one for its version
    (in ``cache_dir``, default ``default_cache_dir()``), else from the CSV files; then, unless ``store`` is false,
    the prebuilt file is written for next time (a directory that cannot be written only costs the CSV load)."""
    directory = Path(directory)
    cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
    version = catalog_version(directory)
    path = prebuilt_path(cache_dir, version)
    if path.is_file():
        try:
            return load(path, version=version)
        except CatalogLoadError as exc:
            log.warning("prebuilt catalog refused, reading the CSV files instead: %s", exc)
    else:
        others = sorted(other.name for other in cache_dir.glob(f"{PREFIX}*{SUFFIX}")) if cache_dir.is_dir() else []
        if others:
            log.warning(
                "no prebuilt catalog for %s (version %s) in %s, only %s (stale, or of other catalogs): reading the "
                "CSV files; `voicecart index build` writes it",
                directory,
                version,
                cache_dir,
                ", ".join(others),
            )
    loaded = load_instacart(directory)
    if store:
        try:
            save(loaded, path, version=version)
        except OSError as exc:
            log.warning("cannot store the prebuilt catalog at %s: %s", path, exc)
    return loaded


def build(directory: Path, cache_dir: Path) -> tuple[Path, CatalogLoad]:
    """Read the CSV files in ``directory`` and write their prebuilt catalog into ``cache_dir`` (``index build``)."""
    version = catalog_version(directory)
    loaded = load_instacart(directory)
    path = prebuilt_path(cache_dir, version)
    save(loaded, path, version=version)
    return path, loaded


def _columns(catalog: Catalog) -> dict[str, Any]:
    aisles: dict[tuple[str, str | None], int] = {}
    departments: dict[str, int] = {}
    aisle_codes: list[int] = []
    department_codes: list[int] = []
    columns: dict[str, list[str]] = {name: [] for name in _TEXTS}
    for product in catalog:
        if product.brand == "" or product.size == "" or "" in product.synonyms:
            raise ValueError(f"product {product.id!r}: an empty brand, size or synonym (None or none stands for it)")
        if any(_SYNONYM in synonym for synonym in product.synonyms):
            raise ValueError(f"product {product.id!r}: a tab in a synonym")
        aisle_codes.append(aisles.setdefault((product.aisle, product.aisle_id), len(aisles)))
        department_codes.append(departments.setdefault(product.department, len(departments)))
        columns["ids"].append(product.id)
        columns["names"].append(product.name)
        columns["prices"].append(str(product.price))
        columns["brands"].append(product.brand or "")
        columns["sizes"].append(product.size or "")
        columns["synonyms"].append(_SYNONYM.join(product.synonyms))
    for name, values in columns.items():
        if any(_LINE in value for value in values):
            raise ValueError(f"a line break in the {name} of a product: the prebuilt catalog cannot hold it")
    return {
        "meta": {"aisles": [list(pair) for pair in aisles], "departments": list(departments)},
        **{name: _blob(_LINE.join(values)) for name, values in columns.items()},
        "aisle": np.array(aisle_codes, dtype=np.int32),
        "department": np.array(department_codes, dtype=np.int32),
    }


def _blob(text: str) -> npt.NDArray[np.uint8]:
    return np.frombuffer(text.encode("utf-8"), dtype=np.uint8)


def _text(array: npt.NDArray[Any]) -> str:
    if array.dtype != np.uint8 or array.ndim != 1:
        raise ValueError(f"a text column of dtype {array.dtype} and shape {array.shape}")
    return array.tobytes().decode("utf-8")


def _lines(text: str, count: int, name: str) -> Sequence[str]:
    lines = text.split(_LINE) if count else []
    if len(lines) != count:
        raise ValueError(f"{len(lines)} {name} for {count} products")
    return lines
