"""The catalog's twins, found once when the resolver's tables are built and stored with them.

Two tables the resolver reads on some requests used to be made on the first of them: the written names that
products spell differently ("Fat-Free Refried Beans" / "Fat Free Refried Beans", ``Resolver._with_spelt_twins``)
and, per entry, whether another product has an entry of the same spoken form (``Resolver._twin_tiebreaks``). At
50k products that was tens of ms on a first request; at 1M a walk over a million names, paid by one request.
Here they are made with the tables and kept as a short word list and numpy arrays (memory-mapped when loaded).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

FORMAT: Final = "voicecart-twin-tables-1"
_ARRAYS: Final = ("spelt_starts", "spelt_positions", "shared")


@dataclass(frozen=True, slots=True, eq=False)
class TwinTables:
    """``spelt``/``spelt_starts``/``spelt_positions``: each written name (``written_form``) that products spell
    differently, and per name the first product of each spelling, in catalog order
    (``spelt_positions[spelt_starts[n]:spelt_starts[n + 1]]``); ``shared``: per entry, another product has an
    entry with the same spoken form."""

    spelt: list[str]
    spelt_starts: npt.NDArray[np.int64]
    spelt_positions: npt.NDArray[np.int32]
    shared: npt.NDArray[np.bool_]

    @classmethod
    def build(
        cls, written: Sequence[str], names: Sequence[str], entry_spoken: Sequence[str], owners: Sequence[int]
    ) -> TwinTables:
        """``written`` (as ``written_form``) and ``names`` (as the catalog writes them) run in step, one catalog
        position each; ``entry_spoken`` and ``owners`` one entry each: its spoken form and its product's
        position."""
        if len(written) != len(names) or len(entry_spoken) != len(owners):
            raise ValueError("twin tables: names or entries of different lengths")
        spellings: dict[str, dict[str, int]] = {}
        for position, (form, name) in enumerate(zip(written, names, strict=True)):
            spellings.setdefault(form, {}).setdefault(name.casefold(), position)
        spelt = {form: list(by_name.values()) for form, by_name in spellings.items() if len(by_name) > 1}
        first_owner: dict[str, int] = {}
        forms_of_twins: set[str] = set()
        for form, owner in zip(entry_spoken, owners, strict=True):
            if first_owner.setdefault(form, owner) != owner:
                forms_of_twins.add(form)
        shared = np.fromiter((form in forms_of_twins for form in entry_spoken), dtype=bool, count=len(entry_spoken))
        return cls(
            list(spelt),
            np.concatenate(([0], np.cumsum([len(p) for p in spelt.values()], dtype=np.int64))).astype(np.int64),
            np.array([position for positions in spelt.values() for position in positions], dtype=np.int32),
            shared,
        )

    def spelt_twins(self) -> dict[str, tuple[int, ...]]:
        """Written name -> the positions of its spellings (a few hundred names at 50k products)."""
        starts = self.spelt_starts.tolist()
        positions = self.spelt_positions.tolist()
        return {form: tuple(positions[starts[n] : starts[n + 1]]) for n, form in enumerate(self.spelt)}

    def save(self, directory: Path, prefix: str = "twins-") -> None:
        (directory / f"{prefix}spelt.txt").write_text("\n".join(self.spelt), encoding="utf-8")
        for name in _ARRAYS:
            np.save(directory / f"{prefix}{name}.npy", np.ascontiguousarray(getattr(self, name)))
        meta = {"format": FORMAT, "spelt": len(self.spelt)}
        (directory / f"{prefix}meta.json").write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, products: int, entries: int, prefix: str = "twins-") -> TwinTables:
        """Tables written by ``save`` for a catalog of ``products`` products and ``entries`` entries;
        ``ValueError`` (or ``OSError``) for missing, damaged or foreign ones."""
        meta = json.loads((directory / f"{prefix}meta.json").read_text(encoding="utf-8"))
        if meta.get("format") != FORMAT:
            raise ValueError(f"{directory}: twin tables of format {meta.get('format')!r}, not {FORMAT!r}")
        count = int(meta["spelt"])
        text = (directory / f"{prefix}spelt.txt").read_text(encoding="utf-8")
        spelt = text.split("\n") if count else []
        arrays = {name: np.asarray(np.load(directory / f"{prefix}{name}.npy", mmap_mode="r")) for name in _ARRAYS}
        tables = cls(spelt, arrays["spelt_starts"], arrays["spelt_positions"], arrays["shared"])
        if len(spelt) != count:
            raise ValueError(f"{directory}: {len(spelt)} spelt names, expected {count}")
        tables.check(products, entries)
        return tables

    def check(self, products: int, entries: int) -> None:
        """Raise ``ValueError`` unless the parts fit together and fit the catalog."""
        starts, positions = self.spelt_starts, self.spelt_positions
        if starts.ndim != 1 or starts.dtype.kind != "i" or positions.ndim != 1 or positions.dtype.kind != "i":
            raise ValueError("twin tables: offsets or positions that are not integer vectors")
        if starts.size != len(self.spelt) + 1 or int(starts[0]) != 0 or int(starts[-1]) != positions.size:
            raise ValueError("twin tables: offsets do not span the positions")
        if bool((np.diff(starts) < 0).any()):
            raise ValueError("twin tables: offsets that go back")  # a slice of them would be negative
        if positions.size and (int(positions.min()) < 0 or int(positions.max()) >= products):
            raise ValueError("twin tables: positions beyond the catalog")
        if self.shared.dtype != np.bool_ or self.shared.shape != (entries,):
            raise ValueError("twin tables: made for another catalog")

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, TwinTables):
            return NotImplemented
        return self.spelt == other.spelt and all(
            np.array_equal(getattr(self, name), getattr(other, name)) for name in _ARRAYS
        )

    __hash__ = None  # type: ignore[assignment]  # equal by content, and mutable underneath (numpy arrays)
