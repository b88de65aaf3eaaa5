"""Interaction models: build them from the hand-written source and the catalog, and check them offline.

build_default_models()  -> BuildResult   the shipped models, from interaction_models/src and the demo catalog
check_model(model)      -> [Problem]     Amazon's offline-checkable rules (see skill.models.check)
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from backend.catalog import Catalog, load_default_catalog
from backend.settings import PACKAGE_DATA_DIR
from skill.models.build import BuildResult, build_models, stale_files, write_models
from skill.models.limits import DEFAULT_LIMITS, Limits
from skill.models.products import purchase_counts, rank_by_popularity
from skill.models.source import available_locales, load_source

REPO_ROOT = Path(__file__).resolve().parents[2]
# Where `voicecart models build` writes and reads its source: the checkout (a development command).
MODELS_ROOT = REPO_ROOT / "interaction_models"
SOURCE_DIR = MODELS_ROOT / "src"
SHIPPED_PACKAGE = "skill.interaction_models"


def shipped_models_root() -> Path:
    """The built models that this install carries: interaction_models/ installed as ``skill.interaction_models``
    (setup.py), the checkout's own directory in an editable install."""
    try:
        root = resources.files(SHIPPED_PACKAGE)
    except ModuleNotFoundError:
        return MODELS_ROOT  # a checkout on sys.path that was never installed
    return Path(str(root))


CUSTOMERS_FILE = "customers_sample.csv"

__all__ = [
    "MODELS_ROOT",
    "SOURCE_DIR",
    "BuildResult",
    "build_default_models",
    "build_models",
    "model_path",
    "shipped_model_files",
    "shipped_models_root",
    "stale_files",
    "write_models",
]


def model_path(locale: str, root: Path | None = None) -> Path:
    """Where the built model for ``locale`` lives (ASK CLI skill-package layout); by default the shipped one."""
    return _custom_dir(root) / f"{locale}.json"


def shipped_model_files(root: Path | None = None) -> list[Path]:
    return sorted(_custom_dir(root).glob("*.json"))


def _custom_dir(root: Path | None) -> Path:
    return (shipped_models_root() if root is None else root) / "skill-package" / "interactionModels" / "custom"


def build_default_models(
    *,
    source_dir: Path = SOURCE_DIR,
    catalog: Catalog | None = None,
    customers_csv: Path | None = None,
    limits: Limits = DEFAULT_LIMITS,
) -> BuildResult:
    """Build every locale in ``source_dir`` from ``catalog`` (default: the demo catalog) ranked by purchases."""
    catalog = load_default_catalog() if catalog is None else catalog
    counts = purchase_counts(customers_csv or PACKAGE_DATA_DIR / CUSTOMERS_FILE)
    sources = [load_source(source_dir, locale) for locale in available_locales(source_dir)]
    return build_models(sources, rank_by_popularity(catalog, counts), limits=limits)
