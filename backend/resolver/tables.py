"""Everything the resolver derives from a catalog, built once and stored as files that load fast.

Building means spelling every name (spoken form, sound key, pronunciation) and inverting the
features: seconds at 50k products, most of it Python. Loading the stored tables is reading numpy
arrays by memory mapping (``.npy``, ``mmap_mode="r"``: pages come in as they are used and are
shared between processes) plus a few newline-separated text files split into lists. The
pronouncing dictionary is packed strings (``backend.resolver.packed``: UTF-8 bytes and offsets, a
tenth of a numpy ``str`` array, and a lookup touches a few pages of it); the counts the kind rules
read are arrays too (``backend.resolver.kindtables``), and so are the catalog's twins
(``backend.resolver.twintables``), so a first request builds no Python table.
The files are written to a temporary directory and renamed into place, so a reader never sees half
of them.

A table set is tied to its catalog by ``catalog_key`` (a digest of every product's id, name,
synonyms, department and aisle, and of ``FORMAT``): a changed catalog, or a changed way of
building, has another key and is built anew. Kind counts that are missing or damaged in a table
set (or twins) are logged and counted anew from the names; anything else unusable rebuilds the whole set
(``Resolver.cached``).
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from backend.catalog import Catalog

# Re-exported: the prebuilt catalog lives in the same directory, so the function moved beside it.
from backend.catalog.cache import default_cache_dir as default_cache_dir  # noqa: PLC0414
from backend.resolver.heads import HeadDepartments
from backend.resolver.index import CandidateIndex
from backend.resolver.kindtables import KindTables
from backend.resolver.packed import PackedStrings
from backend.resolver.phonemes import Pronouncer, coarse
from backend.resolver.twintables import TwinTables
from backend.resolver.written import written_form
from backend.spoken import sound_key, spoken_form

# Bump when anything that goes into the tables changes (spoken forms, sound keys, phones, features, heads).
FORMAT: Final = "voicecart-resolver-tables-5"  # 5: the words of each name; the twin tables

_TEXTS: Final = ("spoken", "sound", "phones", "coarse", "written", "heads", "vocabulary")
_ARRAYS: Final = ("owners", "starts", "postings", "offsets", "idf", "mass", "document_frequency")

logger = logging.getLogger(__name__)


def catalog_key(catalog: Catalog) -> str:
    """A digest naming this catalog's tables."""
    rows = "\x1e".join(
        "\x1f".join((product.id, product.name, product.department, product.aisle, *product.synonyms))
        for product in catalog
    )
    return hashlib.sha256(f"{FORMAT}\x1d{rows}".encode()).hexdigest()[:24]


@dataclass(frozen=True, slots=True)
class ResolverTables:
    """Per entry (a product's name, then its synonyms): its forms and owner; per product: its written name, head
    nouns and first entry; the candidate index, head departments and the pronouncer; the counts the kind rules
    read and the twin tables (``None`` when stored ones were unusable: the resolver makes them itself)."""

    spoken: list[str]
    sound: list[str]
    phones: list[str]
    coarse: list[str]
    owners: npt.NDArray[np.int64]
    starts: npt.NDArray[np.int64]  # starts[p] .. starts[p + 1] are product p's entries
    written: list[str]
    heads: HeadDepartments
    index: CandidateIndex
    pronouncer: Pronouncer
    kinds: KindTables | None = None
    twins: TwinTables | None = None

    @classmethod
    def build(cls, catalog: Catalog, pronouncer: Pronouncer) -> ResolverTables:
        owners: list[int] = []
        spoken: list[str] = []
        starts = [0]
        for number, product in enumerate(catalog):
            starts.append(starts[-1] + 1 + len(product.synonyms))
            for name in (product.name, *product.synonyms):
                owners.append(number)
                spoken.append(spoken_form(name))
        sound = [sound_key(form) for form in spoken]
        phones = [pronouncer.phrase(form) for form in spoken]
        coarse_phones = [coarse(form) for form in phones]
        index = CandidateIndex(zip(spoken, sound, coarse_phones, strict=True))
        heads = HeadDepartments.build(catalog)
        kinds = KindTables.build(
            [spoken[start] for start in starts[:-1]],
            heads.heads,
            [product.name for product in catalog],
            [product.aisle for product in catalog],
        )
        written = [written_form(product.name) for product in catalog]
        twins = TwinTables.build(written, [product.name for product in catalog], spoken, owners)
        return cls(
            spoken,
            sound,
            phones,
            coarse_phones,
            np.array(owners, dtype=np.int64),
            np.array(starts, dtype=np.int64),
            written,
            heads,
            index,
            pronouncer,
            kinds,
            twins,
        )

    def save(self, directory: Path) -> None:
        """Write the tables into ``directory`` (created; replaced whole if it exists)."""
        directory.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=".tables-", dir=directory.parent))
        try:
            index = self.index.arrays()
            texts = {
                "spoken": self.spoken,
                "sound": self.sound,
                "phones": self.phones,
                "coarse": self.coarse,
                "written": self.written,
                "heads": self.heads.heads,
                "vocabulary": index.vocabulary,
            }
            for name, lines in texts.items():
                (staging / f"{name}.txt").write_text("\n".join(lines), encoding="utf-8")
            arrays = {"owners": self.owners, "starts": self.starts, **index.numbers}
            for name, array in arrays.items():
                np.save(staging / f"{name}.npy", np.ascontiguousarray(array))
            self.pronouncer.words.save(staging, "pronouncer_words")
            self.pronouncer.phones.save(staging, "pronouncer_phones")
            if self.kinds is not None:
                self.kinds.save(staging)
            if self.twins is not None:
                self.twins.save(staging)
            meta = {
                "format": FORMAT,
                "index": index.settings,
                "named": self.heads.named_lists(),
                "lines": {name: len(lines) for name, lines in texts.items()},
            }
            (staging / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
            if directory.exists():
                shutil.rmtree(directory)
            os.replace(staging, directory)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise

    @classmethod
    def load(cls, directory: Path) -> ResolverTables:
        """Read tables written by ``save`` (numpy arrays memory-mapped, read-only)."""
        meta = json.loads((directory / "meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{directory}: tables of format {meta.get('format')!r}, not {FORMAT!r}")
        texts = {name: _lines(directory / f"{name}.txt", meta["lines"][name]) for name in _TEXTS}
        arrays = {name: np.load(directory / f"{name}.npy", mmap_mode="r") for name in _ARRAYS}
        index = CandidateIndex.from_arrays(
            texts["vocabulary"],
            {name: arrays[name] for name in ("postings", "offsets", "idf", "mass", "document_frequency")},
            meta["index"],
            texts["coarse"],
        )
        pronouncer = Pronouncer(
            PackedStrings.load(directory, "pronouncer_words"), PackedStrings.load(directory, "pronouncer_phones")
        )
        heads = HeadDepartments.from_lists(
            texts["heads"],
            {head: frozenset(departments) for head, departments in meta["named"].items()},
        )
        return cls(
            texts["spoken"],
            texts["sound"],
            texts["phones"],
            texts["coarse"],
            arrays["owners"],
            arrays["starts"],
            texts["written"],
            heads,
            index,
            pronouncer,
            _kinds(directory, len(texts["written"])),
            _twins(directory, len(texts["written"]), len(texts["spoken"])),
        )


def _kinds(directory: Path, products: int) -> KindTables | None:
    """The stored kind counts, or ``None`` (logged) when they are missing or damaged: the resolver then counts
    them from the names, as a table set of an older build would have it do."""
    try:
        return KindTables.load(directory, products)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("kind tables at %s unusable (%s); the resolver counts them from the names", directory, exc)
        return None


def _twins(directory: Path, products: int, entries: int) -> TwinTables | None:
    """The stored twin tables, or ``None`` (logged) when they are missing or damaged: the resolver then finds the
    twins itself."""
    try:
        return TwinTables.load(directory, products, entries)
    except (OSError, ValueError, KeyError, TypeError) as exc:
        logger.warning("twin tables at %s unusable (%s); the resolver finds the twins itself", directory, exc)
        return None


def _lines(path: Path, count: int) -> list[str]:
    lines = path.read_text(encoding="utf-8").split("\n") if count else []
    if len(lines) != count:
        raise ValueError(f"{path}: {len(lines)} lines, expected {count}")
    return lines
